"""Experiments over uncertain inputs: the futures of `fleet robust` and the samples of `fleet sensitivity`.

An experiment file of either kind is an ordinary experiment (scenario, years, seed, replications,
policies, baseline, objectives) without `axes`, plus:

    uncertainties:                  # scenario fields by dotted path, each a range
      failures.unit.rate_per_year: {low: 0.03, high: 0.12}
      launch.vehicles.0.price_per_flight_usd: {low: 0.5, high: 3, log: true, scale: true}
      fleet.demand.growth_per_year: {low: 0.0, high: 0.1}   # an absent section is created
    futures: 32                     # robust: Latin hypercube futures (seeded by `seed`)
    constraints: ["mean_availability >= 0.8"]   # robust, optional: judged on each future's mean KPIs
    base_samples: 16                # sensitivity: N, a power of two; N(2D+2) samples for D uncertainties

`log: true` samples uniformly in the logarithm (low > 0). `scale: true` multiplies the field's
number, or every number in it (a price trajectory by year), by the sampled factor. Every policy runs
in every future (sample) on the same replication seeds: common random numbers. Futures are the
plan's variants; their index is the `future` (or `sample`) column of the results.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from fleet.errors import InputError, ScenarioError, shown
from fleet.scenario import Scenario, parse_scenario
from fleet.yamlio import load_yaml_file
from runs.api import experiment_path
from runs.studies.constraints import Constraint, parse_constraint
from runs.studies.experiment import CONFIRM_UNITS, MAX_PLAN_UNITS, Plan, _base_scenario, parse_experiment
from runs.folders import safe_name
from runs.studies.workunits import Variant

if TYPE_CHECKING:
    from runs.studies.runner import RunReport

ROBUST, SENSITIVITY = "robust", "sensitivity"
INDEX = {ROBUST: "future", SENSITIVITY: "sample"}            # the results column numbering futures/samples
OWN_KEYS = {ROBUST: ("uncertainties", "futures", "constraints"), SENSITIVITY: ("uncertainties", "base_samples")}
MAX_SAMPLES = 100_000


@dataclass(frozen=True)
class Uncertainty:
    """A scenario field's range; `value(u)` maps u in [0, 1] onto it (uniformly, or in the logarithm)."""

    path: str
    low: float
    high: float
    log: bool = False
    scale: bool = False      # the value multiplies the field's number(s)
    integer: bool = False    # the field holds a whole number: the value is rounded

    def value(self, u: float) -> float | int:
        if self.log:
            x = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        return int(round(x)) if self.integer else x

    def spec(self) -> dict:
        return {"low": self.low, "high": self.high, "log": self.log, "scale": self.scale}


@dataclass(frozen=True)
class FuturesPlan(Plan):
    """A plan whose variants are sampled futures; `design` holds what of the file's own keys decides the
    results (the uncertainties and the sample count, in the hash; not the constraints)."""

    kind: str = ROBUST
    uncertainties: tuple[Uncertainty, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    design: dict = field(default_factory=dict)

    @property
    def index(self) -> str:
        return INDEX[self.kind]

    @property
    def inputs(self) -> list[str]:
        return [u.path for u in self.uncertainties]

    def spec(self) -> dict:
        return {**super().spec(), self.kind: self.design}


def load_futures(path: str | Path, kind: str, confirmed: bool = True) -> FuturesPlan:
    """Read, validate and expand a robust or sensitivity experiment file; ScenarioError names every problem."""
    path = experiment_path(path)
    return parse_futures(load_yaml_file(path), str(path), kind, base_dir=path.parent, confirmed=confirmed)


def parse_futures(data: Any, source: str, kind: str, base_dir: Path | None = None,
                  base: Scenario | None = None, confirmed: bool = True) -> FuturesPlan:
    """Validate a mapping as a `kind` experiment and expand its futures; every problem is reported at once."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [("", "the file must hold a mapping of fields")])
    problems: list[tuple[str, str]] = []
    own, rest = _split(data, kind, problems)
    if base is None and isinstance(rest.get("scenario"), str):
        base = _base_scenario(rest["scenario"], base_dir, [])   # its problems come from parse_experiment
    plan = None
    try:
        plan = parse_experiment(rest, source, base_dir=base_dir, base=base, confirmed=True)
    except ScenarioError as exc:
        problems.extend(exc.problems)
    scenario = plan.base if plan is not None else base
    uncertainties = _uncertainties(own.get("uncertainties"), scenario, problems)
    count = _count(own, kind, len(uncertainties), problems)
    constraints = _constraints(own.get("constraints", []), problems) if kind == ROBUST else ()
    if plan is not None and count:
        _check_size(count * len(plan.policies) * len(plan.seeds), confirmed, problems)
    if problems or plan is None:
        raise ScenarioError(source, problems)
    points = _points(kind, count, len(uncertainties), plan.experiment.seed)
    variants = _variants(plan.base, uncertainties, points, INDEX[kind], problems)
    if problems:
        raise ScenarioError(source, problems)
    design = {"uncertainties": {u.path: u.spec() for u in uncertainties},    # constraints only judge results
              **{k: own[k] for k in ("futures", "base_samples") if k in own}}
    return FuturesPlan(plan.experiment, source, plan.base, (INDEX[kind], *(u.path for u in uncertainties)),
                       tuple(variants), plan.policies, plan.seeds, plan.baseline, kind, tuple(uncertainties),
                       tuple(constraints), design)


def _split(data: dict, kind: str, problems: list) -> tuple[dict, dict]:
    """(this kind's own keys, the ordinary experiment's keys), noting keys that belong to neither."""
    own = {k: data[k] for k in OWN_KEYS[kind] if k in data}
    rest = {k: v for k, v in data.items() if k not in own}
    if "axes" in rest:
        problems.append(("axes", f"a {kind} experiment varies its `uncertainties`, not axes"))
        rest.pop("axes")
    for other in sorted(set(OWN_KEYS[ROBUST] + OWN_KEYS[SENSITIVITY]) - set(OWN_KEYS[kind])):
        if other in rest:
            problems.append((other, f"not a field of a {kind} experiment"))
            rest.pop(other)
    return own, rest


def execute(plan: FuturesPlan, out: str | Path, *, backend: str = "local", workers: int | None = None,
            scheduler: str | None = None, unit_timeout: float | None = None, force: bool = False,
            progress: bool = False) -> RunReport:
    """Run the plan's missing units into `out` (see runs.runner.run_plan)."""
    from runs.studies.backends import DEFAULT_UNIT_TIMEOUT, make_backend
    from runs.studies.runner import run_plan
    return run_plan(plan, out, make_backend(backend, workers, scheduler, unit_timeout or DEFAULT_UNIT_TIMEOUT),
                    progress, force)


def default_folder(plan: FuturesPlan) -> str:
    """results/NAME, NAME from the experiment file."""
    return "results/" + safe_name(plan.experiment.name)


def _uncertainties(given: Any, base: Scenario | None, problems: list) -> list[Uncertainty]:
    """The `uncertainties` mapping as Uncertainty values, noting every bad entry."""
    if given is None:
        problems.append(("uncertainties", "required: the uncertain scenario fields, each {low, high}"))
        return []
    if not isinstance(given, dict) or not given:
        problems.append(("uncertainties", "a mapping of scenario field paths to ranges {low, high}"))
        return []
    tree = base.model_dump(mode="json") if base is not None else None
    out = []
    for path, spec in given.items():
        where = f"uncertainties.{path}"
        try:
            uncertainty = _uncertainty(str(path), spec, tree)
        except InputError as exc:
            problems.append((where, str(exc)))
            continue
        if tree is not None:
            problems.extend((where, m) for m in _end_problems(tree, uncertainty))
        out.append(uncertainty)
    return out


def _end_problems(tree: dict, u: Uncertainty) -> list[str]:
    """What is wrong with the scenario at each end of the range, the other fields as in the base."""
    out = []
    for name, end in (("low", u.low), ("high", u.high)):
        try:
            parse_scenario(apply(tree, [u], [u.value(0.0 if name == "low" else 1.0)]), "")
        except ScenarioError as exc:
            out.extend(f"{name} {end:g} gives an invalid scenario: {p}: {m}" for p, m in exc.problems)
    return out


def _uncertainty(path: str, spec: Any, tree: dict | None) -> Uncertainty:
    """One uncertainty; InputError saying what is wrong with it."""
    if not isinstance(spec, dict):
        raise InputError("a range {low, high} (optionally log: true, scale: true)")
    extra = sorted(set(spec) - {"low", "high", "log", "scale"})
    if extra:
        raise InputError(f"unknown key {', '.join(map(shown, extra))}; a range has low, high, log and scale")
    low, high = spec.get("low"), spec.get("high")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (low, high)):
        raise InputError("low and high must both be finite numbers")
    if not low < high:
        raise InputError(f"low ({low}) must be below high ({high})")
    log, scale = spec.get("log", False), spec.get("scale", False)
    if not isinstance(log, bool) or not isinstance(scale, bool):
        raise InputError("log and scale are true or false")
    if log and low <= 0:
        raise InputError(f"a log range needs low > 0, not {low}")
    if path == "policy" or path.startswith("policy."):
        raise InputError("policies are set in the `policies` section, not as an uncertainty")
    current = _current(tree, path) if tree is not None else None
    if scale and not _numbers(current):
        raise InputError(f"scale: the field holds no number to scale ({shown(current)})")
    if not scale and current is not None and not (isinstance(current, (int, float)) and not isinstance(current, bool)):
        raise InputError(f"the field holds {shown(current)}, not a number; use scale: true to scale it")
    integer = not scale and isinstance(current, int) and not isinstance(current, bool)
    return Uncertainty(path, float(low), float(high), log, scale, integer)


def _current(tree: dict, path: str) -> Any:
    """The value at a dotted path, None where an absent (null) section would be created; InputError if unknown."""
    node: Any = tree
    for part in path.split("."):
        if node is None:
            return None
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise InputError("unknown field path in the scenario")
    return node


def _numbers(value: Any) -> bool:
    """Whether `value` is a number or holds one (in a mapping or list)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return any(_numbers(v) for v in items)


def _count(own: dict, kind: str, dims: int, problems: list) -> int:
    """The number of futures (robust) or base samples N (sensitivity), 0 if bad."""
    key = "futures" if kind == ROBUST else "base_samples"
    value = own.get(key)
    if not (isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_SAMPLES):
        problems.append((key, f"required: a whole number from 1 to {MAX_SAMPLES:,}, not {shown(value)}"))
        return 0
    if kind == SENSITIVITY and value & (value - 1):
        problems.append((key, f"{value} is not a power of two (Sobol sequences balance at powers of two)"))
        return 0
    return value if kind == ROBUST else value * (2 * dims + 2)


def _constraints(given: Any, problems: list) -> tuple[Constraint, ...]:
    if not isinstance(given, list):
        problems.append(("constraints", "a list of bounds such as 'mean_availability >= 0.9'"))
        return ()
    out = []
    for i, text in enumerate(given):
        try:
            out.append(parse_constraint(text, f"constraints.{i}"))
        except InputError as exc:
            problems.append((f"constraints.{i}", str(exc).removeprefix(f"constraints.{i}: ")))
    return tuple(out)


def _check_size(units: int, confirmed: bool, problems: list) -> None:
    if units > MAX_PLAN_UNITS:
        problems.append(("", f"the plan has {units:,} work units; at most {MAX_PLAN_UNITS:,} can be planned"))
    elif units > CONFIRM_UNITS and not confirmed:
        problems.append(("", f"the plan has {units:,} work units; more than {CONFIRM_UNITS:,} needs confirming: "
                             "add --yes"))


def _points(kind: str, count: int, dims: int, seed: int) -> np.ndarray:
    """`count` points of the unit cube [0, 1]^dims: a Latin hypercube (robust) or Saltelli's Sobol
    design of N(2D+2) rows (sensitivity), both seeded by `seed`."""
    if kind == ROBUST:
        from scipy.stats import qmc   # scipy.stats takes half a second to load: only when sampling
        return qmc.LatinHypercube(d=dims, seed=np.random.default_rng(seed)).random(count)
    from SALib.sample import sobol
    problem = {"num_vars": dims, "names": [f"x{i}" for i in range(dims)], "bounds": [[0.0, 1.0]] * dims}
    return sobol.sample(problem, count // (2 * dims + 2), calc_second_order=True, seed=seed)


def _variants(base: Scenario, uncertainties: list[Uncertainty], points: np.ndarray, index: str,
              problems: list) -> list[Variant]:
    """One validated scenario per point, its values (index, then each input) recorded as axis values."""
    tree = base.model_dump(mode="json")
    out = []
    for i, row in enumerate(points):
        values = [(u.path, u.value(float(x))) for u, x in zip(uncertainties, row)]
        try:
            scenario = parse_scenario(apply(tree, uncertainties, [v for _, v in values]), base.name)
        except ScenarioError as exc:
            given = ", ".join(f"{p}={v:.6g}" for p, v in values)
            problems.extend((f"uncertainties ({index} {i}: {given})", f"{p}: {m}") for p, m in exc.problems)
            if len(problems) > 20:
                break
            continue
        out.append(Variant(((index, i), *values), scenario))
    return out


def apply(tree: dict, uncertainties: list[Uncertainty], values: list[float]) -> dict:
    """A copy of the scenario mapping `tree` with each uncertainty set to (or scaled by) its value."""
    import copy

    out = copy.deepcopy(tree)
    for u, value in zip(uncertainties, values):
        parts = u.path.split(".")
        node = out
        for part in parts[:-1]:
            key: Any = int(part) if isinstance(node, list) else part
            if node[key] is None:
                node[key] = {}
            node = node[key]
        last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
        node[last] = _scaled(node[last], value) if u.scale else value
    return out


def _scaled(value: Any, factor: float) -> Any:
    """`value` with every number in it multiplied by `factor`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value * factor
    if isinstance(value, dict):
        return {k: _scaled(v, factor) for k, v in value.items()}
    if isinstance(value, list):
        return [_scaled(v, factor) for v in value]
    return value
