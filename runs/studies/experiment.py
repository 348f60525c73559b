"""Experiment files: a base scenario, axes over its fields, policies, replications and objectives.

    name: servicers-sweep
    scenario: baseline              # shipped name, or a path relative to this file
    years: 10                       # optional: replace the scenario's horizon_years
    seed: 2030                      # base seed: replication r runs with a seed made from (seed, r)
    replications: 20
    axes:                           # scenario fields by dotted path (list items by index)
      servicing.servicers: [1, 2, 4]                # a list: every value (grid)
      failures.unit.rate_per_year: {low: 0.03, high: 0.1}   # a range: Latin hypercube
    samples: 8                      # Latin hypercube points, required with range axes
    policies:
      - name: replenish
      - name: service-on-threshold
        params: {threshold_fraction: [0.1, 0.3]}    # lists of parameter values are axes too
    baseline: replenish             # optional: policies are compared with this one
    objectives: [delivered_pflops_days, cost_per_pflops_day_usd]   # the first decides the verdict
    keep_timelines: false

Variants are every combination of the list axes, each crossed with the `samples` Latin hypercube
points of the range axes (seeded by `seed`). `parse_experiment` reports every problem at once.
"""
from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fleet.errors import InputError, ScenarioError, clip, shown
from fleet.scenario import Name, Scenario, _problems, parse_scenario
from fleet.yamlio import load_yaml_file
from policies.registry import make_policy, policy_class
from runs.api import experiment_path, load_scenario, review_interval_problem, scenario_hash
from runs.jsonio import canonical_hash
from runs.studies.stats import KPI_DIRECTIONS
from runs.studies.workunits import PolicyChoice, Variant, WorkUnit, replication_seed


class _Strict(BaseModel):
    """Strict like the scenario schema: unknown keys refused, no "1" for 1, no "yes" for true."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PolicyEntry(_Strict):
    name: Name = Field(description="registered name or module:Class / path.py:Class")
    params: dict[str, Any] = Field(default_factory=dict, description="a value, or a list of values (an axis)")


class Experiment(_Strict):
    """The schema of an experiment file."""

    name: Name
    description: str = ""
    scenario: str = Field(min_length=1, description="shipped scenario name or path relative to this file")
    years: Annotated[float, Field(gt=0, le=200, allow_inf_nan=False)] | None = None
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    replications: Annotated[int, Field(gt=0, le=1_000_000)]
    axes: dict[str, Any] = Field(default_factory=dict)
    samples: Annotated[int, Field(gt=0, le=1_000_000)] | None = None
    policies: list[PolicyEntry] = Field(min_length=1)
    baseline: str | None = None
    objectives: list[str] = Field(default_factory=lambda: ["delivered_pflops_days"], min_length=1)
    keep_timelines: bool = False


@dataclass(frozen=True)
class Plan:
    """An experiment expanded into variants, policies, seeds and work units."""

    experiment: Experiment
    source: str
    base: Scenario
    axes: tuple[str, ...]
    variants: tuple[Variant, ...]
    policies: tuple[PolicyChoice, ...]
    seeds: tuple[int, ...]
    baseline: str | None

    @property
    def units(self) -> list[WorkUnit]:
        keep = self.experiment.keep_timelines
        return [WorkUnit(v, p, r, s, keep) for v in self.variants for r, s in enumerate(self.seeds)
                for p in self.policies]

    @property
    def objectives(self) -> list[str]:
        return list(self.experiment.objectives)

    def spec(self) -> dict:
        """What determines the results: the experiment (but its replication count: more replications
        extend a folder) and the base scenario's content."""
        experiment = self.experiment.model_dump(mode="json", exclude={"replications"})
        return {"experiment": experiment, "scenario_sha256": scenario_hash(self.base)}

    def sha256(self) -> str:
        return canonical_hash(self.spec())


CONFIRM_UNITS = 100_000      # the commands ask for --yes before planning more work units than this,
CONFIRM_VARIANTS = 10_000    # or more variants (each a whole scenario in memory: about 25 kB, 1 ms to check)
MAX_PLAN_UNITS = 10_000_000  # never planned, even confirmed: beyond these, the plan outgrows memory
MAX_PLAN_VARIANTS = 100_000


def load_experiment(path: str | Path, confirmed: bool = True) -> Plan:
    """Read, validate and expand an experiment file; raise ScenarioError naming every problem."""
    path = experiment_path(path)
    return parse_experiment(load_yaml_file(path), str(path), base_dir=path.parent, confirmed=confirmed)


def parse_experiment(data: Any, source: str, base_dir: Path | None = None,
                     base: Scenario | None = None, confirmed: bool = True) -> Plan:
    """Validate a mapping as an experiment and expand it; every problem is reported at once.

    `base` (a Scenario) replaces loading the `scenario` field, for experiments built in code. The
    plan is counted before it is expanded: one over `MAX_PLAN_UNITS` work units or `MAX_PLAN_VARIANTS`
    variants is refused, and so is one over `CONFIRM_UNITS` or `CONFIRM_VARIANTS` unless `confirmed`
    (the commands' --yes).
    """
    if not isinstance(data, dict):
        raise ScenarioError(source, [("", "the file must hold a mapping of fields")])
    if "decisions" in data:
        raise ScenarioError(source, [("decisions", "an optimisation experiment: run it with `fleet optimise`")])
    problems: list[tuple[str, str]] = []
    try:
        exp = Experiment.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems(exc))
        exp = None
    _check_plan_size(data, confirmed, source, problems)
    if base is None:
        base = _base_scenario(data.get("scenario"), base_dir, problems)
    if base is not None and exp is not None and exp.years is not None:
        base = _set_fields(base, {"horizon_years": exp.years}, problems, "years")
    axes = data.get("axes") if isinstance(data.get("axes"), dict) else {}
    grid, ranges = _check_axes(axes, base, problems)
    samples = data.get("samples")
    if ranges and not (isinstance(samples, int) and not isinstance(samples, bool)):
        problems.append(("samples", "required with range axes: the number of Latin hypercube points"))
    if not ranges and samples is not None:
        problems.append(("samples", "given, but no axis is a range {low, high}"))
    policies = _check_policies(data.get("policies"), base, problems)
    baseline = _check_baseline(data.get("baseline"), policies, problems)
    objectives = data.get("objectives")
    for i, kpi in enumerate(objectives if isinstance(objectives, list) else []):
        if kpi not in KPI_DIRECTIONS:
            problems.append((f"objectives.{i}", f"{shown(kpi)} is not a KPI with a direction; "
                                                f"choose from {', '.join(sorted(KPI_DIRECTIONS))}"))
    variants: list[Variant] = []
    if not problems and exp is not None:
        variants = _variants(base, grid, ranges, exp.samples or 0, exp.seed, problems)
    if problems or exp is None:
        raise ScenarioError(source, problems)
    seeds = tuple(replication_seed(exp.seed, r) for r in range(exp.replications))
    return Plan(exp, source, base, tuple(grid) + tuple(ranges), tuple(variants), tuple(policies), seeds, baseline)


def plan_size(data: dict) -> tuple[int, int, int]:
    """(variants, policies, replications) that experiment `data` expands to, counted without expanding
    it: list axes multiply, range axes give `samples` points, and a policy's list parameters multiply.
    Ill-typed parts count as one (the schema reports them)."""
    axes = data.get("axes") if isinstance(data.get("axes"), dict) else {}
    variants = math.prod(len(v) for v in axes.values() if isinstance(v, list))
    samples = data.get("samples")
    if any(isinstance(v, dict) for v in axes.values()) and _whole(samples):
        variants *= samples
    entries = data.get("policies") if isinstance(data.get("policies"), list) else []
    policies = sum(math.prod(len(v) for v in e["params"].values() if isinstance(v, list))
                   if isinstance(e, dict) and isinstance(e.get("params"), dict) else 1 for e in entries)
    replications = data.get("replications")
    return variants, policies, replications if _whole(replications) else 1


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _check_plan_size(data: dict, confirmed: bool, source: str, problems: list) -> None:
    """Refuse, at once, a plan too large to hold or (unless `confirmed`) to run unasked."""
    variants, policies, replications = plan_size(data)
    units = variants * policies * replications
    if units > MAX_PLAN_UNITS or variants > MAX_PLAN_VARIANTS:
        why = (f"at most {MAX_PLAN_UNITS:,} units and {MAX_PLAN_VARIANTS:,} variants can be planned "
               "(the plan is held in memory); split the study")
    elif not confirmed and (units > CONFIRM_UNITS or variants > CONFIRM_VARIANTS):
        why = f"more than {CONFIRM_UNITS:,} units or {CONFIRM_VARIANTS:,} variants needs confirming: add --yes"
    else:
        return
    problems.append(("", f"the plan has {_count(units)} work units ({_count(variants)} variants x "
                         f"{_count(policies)} policies x {_count(replications)} replications); {why}"))
    raise ScenarioError(source, problems)


def _count(n: int) -> str:
    """A count for people: with thousands separators, or as a power of ten when huge."""
    return f"{n:,}" if n < 10**15 else f"about 10^{int(math.log10(n))}"


def _base_scenario(name: Any, base_dir: Path | None, problems: list) -> Scenario | None:
    if not isinstance(name, str) or not name:
        return None
    where = Path(name)
    if base_dir is not None and not where.is_absolute() and (base_dir / where).exists():
        where = base_dir / where
    try:
        return load_scenario(where if where.exists() else name)   # a folder or FIFO is refused by name
    except ScenarioError as exc:
        problems.extend((f"scenario ({exc.source}): {p}" if p else f"scenario ({exc.source})", m)
                        for p, m in exc.problems)
    except InputError as exc:
        problems.append(("scenario", str(exc)))
    return None


def _lookup(tree: Any, path: str) -> tuple[bool, Any]:
    """(found, value) of a dotted path in nested dicts and lists."""
    node = tree
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _assign(tree: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    node = tree
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _set_fields(scenario: Scenario, values: dict[str, Any], problems: list, where: str) -> Scenario | None:
    tree = scenario.model_dump(mode="json")
    for path, value in values.items():
        _assign(tree, path, value)
    try:
        return parse_scenario(tree, scenario.name)
    except ScenarioError as exc:
        given = ", ".join(f"{k}={shown(v)}" for k, v in values.items())
        problems.extend((where, f"{given} gives an invalid scenario: {p}: {m}") for p, m in exc.problems)
        return None


def _check_axes(axes: dict, base: Scenario | None, problems: list) -> tuple[dict, dict]:
    """Split the axes into value lists (grid) and ranges, noting every bad one."""
    tree = base.model_dump(mode="json") if base is not None else None
    grid: dict[str, list] = {}
    ranges: dict[str, tuple[float, float, bool]] = {}
    for path, spec in axes.items():
        where = f"axes.{path}"
        found, current = _lookup(tree, path) if tree is not None else (True, None)
        if not found:
            problems.append((where, "unknown field path in the scenario"))
            continue
        if path == "policy" or path.startswith("policy."):
            problems.append((where, "set policies in the `policies` section, not as a scenario axis"))
            continue
        if isinstance(spec, list):
            if not spec:
                problems.append((where, "empty axis: give at least one value"))
            else:
                grid[path] = spec
        elif isinstance(spec, dict):
            extra = sorted(set(spec) - {"low", "high"})
            low, high = spec.get("low"), spec.get("high")
            if extra:
                problems.append((where, f"a range has only low and high; unknown {', '.join(extra)}"))
            elif not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)):
                problems.append((where, "bad range: low and high must both be numbers"))
            elif not low < high:
                problems.append((where, f"bad range: low ({low}) must be below high ({high})"))
            else:
                is_int = isinstance(current, int) and not isinstance(current, bool)
                ranges[path] = (float(low), float(high), is_int)
        else:
            problems.append((where, "an axis is a list of values or a range {low, high}"))
    return grid, ranges


def _check_policies(entries: Any, base: Scenario | None, problems: list) -> list[PolicyChoice]:
    out: list[PolicyChoice] = []
    if not isinstance(entries, list):
        return out
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue  # the schema already named this problem
        name, params = entry["name"], entry.get("params") or {}
        where = f"policies.{i}"
        try:
            policy_class(name)
        except InputError as exc:
            problems.append((where, str(exc)))
            continue
        if not isinstance(params, dict):
            continue
        inherited = dict(base.policy.params) if base is not None and name == base.policy.name else {}
        axes = {k: (v if isinstance(v, list) else [v]) for k, v in params.items()}
        empty = [k for k, v in axes.items() if not v]
        for k in empty:
            problems.append((f"{where}.params.{k}", "empty axis: give at least one value"))
        if empty:
            continue
        for combo in itertools.product(*axes.values()):
            given = dict(zip(axes, combo))
            try:
                problem = review_interval_problem(make_policy(name, {**inherited, **given}))
            except InputError as exc:
                problems.append((where, str(exc)))
                break
            if problem:
                problems.append((f"{where}.params.review_interval_days", problem))
                break
            out.append(PolicyChoice(name, tuple({**inherited, **given}.items()),
                                    _label(name, given)))
    counts = Counter(p.label for p in out)
    for label in sorted(x for x, n in counts.items() if n > 1):
        problems.append(("policies", f"{clip(label)} is listed twice"))
    return out


def _label(name: str, given: dict) -> str:
    """`name`, or `name[k=v,...]` with the parameters the experiment sets."""
    shown = ",".join(f"{k}={v}" for k, v in given.items())
    return f"{name}[{shown}]" if shown else name


def _check_baseline(baseline: Any, policies: list[PolicyChoice], problems: list) -> str | None:
    if baseline is None or not policies:
        return baseline
    labels = [p.label for p in policies]
    if baseline in labels:
        return baseline
    named = [p.label for p in policies if p.name == baseline]
    if len(named) == 1:
        return named[0]
    problems.append(("baseline", f"{shown(baseline)} is not one of the policies ({clip(', '.join(labels))})"
                                 if not named else
                                 f"{shown(baseline)} is ambiguous; name one of {clip(', '.join(named))}"))
    return None


def _variants(base: Scenario, grid: dict, ranges: dict, samples: int, seed: int, problems: list) -> list[Variant]:
    """Every grid combination crossed with the Latin hypercube points, each validated."""
    points: list[dict] = [{}]
    if ranges:
        from scipy.stats import qmc   # scipy.stats takes half a second to load: only plans with ranges pay it
        unit = qmc.LatinHypercube(d=len(ranges), seed=np.random.default_rng(seed)).random(samples)
        points = []
        for row in unit:
            point = {}
            for (path, (low, high, is_int)), u in zip(ranges.items(), row):
                value = low + float(u) * (high - low)
                point[path] = int(round(value)) if is_int else value
            points.append(point)
    out = []
    for combo in itertools.product(*grid.values()):
        for point in points:
            values = {**dict(zip(grid, combo)), **point}
            scenario = _set_fields(base, values, problems, "axes") if values else base
            if scenario is not None:
                out.append(Variant(tuple(values.items()), scenario))
    return out
