"""Optimisation experiments: the best decisions under constraints, on common random numbers.

    name: fewest-servicers
    scenario: baseline
    years: 5
    seed: 2030
    policy: {name: service-on-threshold, params: {threshold_fraction: 0.2}}
    decisions:                                   # scenario fields, or policy.KEY for a policy parameter
      servicing.servicers: {low: 1, high: 8}     # int when low and high are whole (or type: int / real)
    objective: {kpi: servicing.servicers, direction: minimise}   # a KPI, or a decision (known exactly)
    constraints: ["mean_availability >= 0.9"]    # see runs.studies.constraints
    confidence: 0.95                             # of the one-sided intervals that judge constraints
    search: {trials: 12, batch: 4, replications: 4}
    selection: {candidates: 4, delta: 1, pcs: 0.95, step: 4, max_replications: 40}

The search asks optuna's TPE sampler (seeded) for `batch` candidates at a time, runs each for
`replications` replications (replication r has the same seed for every candidate: common random
numbers), and tells it the mean objective and the constraints' one-sided bounds, in the order asked,
so the search is the same on every backend. Every unit is a unit of the results store (resumable:
a rerun recomputes nothing). Candidates whose constraints are unclear and whose objective beats the
best feasible one get more replications until their constraints are met or violated (or the budget
is spent). Then KN (runs.studies.ranking) selects among the best `candidates` feasible ones, adding `step`
replications at a time, and the chosen one's constraints are judged again on all its replications.
"""
from __future__ import annotations

import html
import itertools
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fleet.errors import InputError, ScenarioError, shown
from fleet.kpis import KPIS
from fleet.scenario import Name, Scenario, _problems
from fleet.yamlio import load_yaml_file
from policies.registry import make_policy
from runs.api import experiment_path, review_interval_problem
from runs.studies.backends import DEFAULT_UNIT_TIMEOUT, make_backend
from runs.studies.constraints import MET, VIOLATED, Constraint, judge, parse_constraint
from runs.studies.experiment import (CONFIRM_UNITS, MAX_PLAN_UNITS, Experiment, Plan, PolicyEntry, _base_scenario,
                             _lookup, _set_fields)
from runs.folders import safe_name, write_page
from runs.pages import page, table
from runs.studies.ranking import kn
from runs.studies.runner import RunReport, run_plan
from runs.studies.stats import mean_ci
from runs.studies.store import load_results
from runs.studies.workunits import PolicyChoice, Variant, WorkUnit, replication_seed

DIRECTIONS = {k.name: k.direction for k in KPIS}
SMALLEST_BOUND = 1e-12   # a constraint's bound of 0 still scales its violation
HEADLINE = ("mean_availability", "delivered_pflops_days", "cost_per_pflops_day_usd")   # shown for the chosen one


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DecisionSpec(_Strict):
    low: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)
    type: Literal["int", "real"] | None = None


class ObjectiveSpec(_Strict):
    kpi: str = Field(description="a KPI, or the name of a decision")
    direction: Literal["maximise", "minimise"] | None = None


class SearchSpec(_Strict):
    trials: Annotated[int, Field(ge=1, le=100_000)] = 20
    batch: Annotated[int, Field(ge=1, le=1000)] = 4
    replications: Annotated[int, Field(ge=2, le=10_000)] = 5


class SelectionSpec(_Strict):
    candidates: Annotated[int, Field(ge=1, le=100)] = 4
    delta: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    pcs: Annotated[float, Field(gt=0.5, lt=1)] = 0.95
    step: Annotated[int, Field(ge=1, le=10_000)] = 5
    max_replications: Annotated[int, Field(ge=2, le=100_000)] = 200


class OptimiseFile(_Strict):
    """The schema of an optimisation experiment file."""

    name: Name
    description: str = ""
    scenario: str = Field(min_length=1)
    years: Annotated[float, Field(gt=0, le=200, allow_inf_nan=False)] | None = None
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    policy: PolicyEntry
    decisions: dict[str, DecisionSpec] = Field(min_length=1)
    objective: ObjectiveSpec
    constraints: list[Any] = Field(default_factory=list)
    confidence: Annotated[float, Field(gt=0.5, lt=1)] = 0.95
    search: SearchSpec = Field(default_factory=SearchSpec)
    selection: SelectionSpec


@dataclass(frozen=True)
class Decision:
    """A variable: a scenario field (dotted path) or a policy parameter (`policy.KEY`), in [low, high]."""

    name: str
    low: float
    high: float
    integer: bool

    @property
    def key(self) -> str | None:
        """The policy parameter's name, or None for a scenario field."""
        return self.name.removeprefix("policy.") if self.name.startswith("policy.") else None


@dataclass(frozen=True)
class Problem:
    """A validated optimisation experiment."""

    spec: OptimiseFile
    source: str
    base: Scenario
    decisions: tuple[Decision, ...]
    constraints: tuple[Constraint, ...]
    maximise: bool

    @property
    def objective(self) -> str:
        return self.spec.objective.kpi

    @property
    def n0(self) -> int:
        return self.spec.search.replications

    def max_units(self) -> int:
        """At most this many units: every trial's first replications, then the budget of the candidates."""
        s, sel = self.spec.search, self.spec.selection
        return s.trials * s.replications + (s.trials + sel.candidates) * sel.max_replications


def load_problem(path: str | os.PathLike, confirmed: bool = True) -> Problem:
    """Read and validate an optimisation experiment file (shipped name or path)."""
    path = experiment_path(path)
    return parse_problem(load_yaml_file(path), str(path), base_dir=path.parent, confirmed=confirmed)


def parse_problem(data: Any, source: str, base_dir: Path | None = None, confirmed: bool = True) -> Problem:
    """Validate a mapping as an optimisation experiment; ScenarioError naming every problem at once."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [("", "the file must hold a mapping of fields")])
    problems: list[tuple[str, str]] = []
    try:
        spec = OptimiseFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, _problems(exc)) from None
    base = _base_scenario(spec.scenario, base_dir, problems)
    if base is not None and spec.years is not None:
        base = _set_fields(base, {"horizon_years": spec.years}, problems, "years")
    constraints = []
    for i, text in enumerate(spec.constraints):
        try:
            constraints.append(parse_constraint(text, f"constraints.{i}"))
        except InputError as exc:
            problems.append(("", str(exc)))
    decisions = _decisions(spec, base, problems) if base is not None else []
    maximise = _direction(spec, decisions, problems)
    if spec.selection.max_replications < spec.search.replications:
        problems.append(("selection.max_replications", f"must be at least search.replications "
                                                        f"({spec.search.replications})"))
    if problems or base is None:
        raise ScenarioError(source, problems)
    problem = Problem(spec, source, base, tuple(decisions), tuple(constraints), maximise)
    _check_size(problem, confirmed)
    return problem


def _direction(spec: OptimiseFile, decisions: list[Decision], problems: list) -> bool:
    """True to maximise; notes an unknown objective or a missing direction."""
    name, given = spec.objective.kpi, spec.objective.direction
    names = [d.name for d in decisions]
    if name not in DIRECTIONS and name not in names:
        problems.append(("objective.kpi", f"{shown(name)} is neither a KPI nor a decision ({', '.join(names)})"))
        return True
    default = DIRECTIONS.get(name)
    if given is None and default in (None, "none"):
        problems.append(("objective.direction", f"{name} has no usual direction: give maximise or minimise"))
        return True
    return (given or default) == "maximise"


def _decisions(spec: OptimiseFile, base: Scenario, problems: list) -> list[Decision]:
    tree = base.model_dump(mode="json")
    out = []
    for name, d in spec.decisions.items():
        where = f"decisions.{name}"
        if not d.low < d.high:
            problems.append((where, f"low ({d.low:g}) must be below high ({d.high:g})"))
            continue
        whole = float(d.low).is_integer() and float(d.high).is_integer()
        if d.type == "int" and not whole:
            problems.append((where, "an int decision needs whole low and high"))
            continue
        decision = Decision(name, d.low, d.high, d.type == "int" or (d.type is None and whole))
        problem = _decision_problem(decision, spec, base, tree)
        if problem:
            problems.append((where, problem))
        else:
            out.append(decision)
    return out


def _decision_problem(decision: Decision, spec: OptimiseFile, base: Scenario, tree: dict) -> str | None:
    """What is wrong with a decision at its low and high ends (None if nothing)."""
    for value in (decision.low, decision.high):
        value = int(value) if decision.integer else value
        if decision.key is not None:
            try:
                policy = make_policy(spec.policy.name, {**spec.policy.params, decision.key: value})
            except InputError as exc:
                return f"policy {spec.policy.name}: {exc}"
            problem = review_interval_problem(policy)
            if problem:
                return f"review_interval_days {problem}"
            continue
        if not _lookup(tree, decision.name)[0]:
            return "unknown field path in the scenario (policy parameters are named policy.KEY)"
        problems: list = []
        _set_fields(base, {decision.name: value}, problems, "")
        if problems:
            return f"{value:g} gives an invalid scenario: {problems[0][1]}"
    return None


def _check_size(problem: Problem, confirmed: bool) -> None:
    units = problem.max_units()
    if units > MAX_PLAN_UNITS:
        why = f"at most {MAX_PLAN_UNITS:,} units can be planned"
    elif units > CONFIRM_UNITS and not confirmed:
        why = f"more than {CONFIRM_UNITS:,} units needs confirming: add --yes"
    else:
        return
    raise ScenarioError(problem.source, [("", f"the optimisation may run up to {units:,} work units (search.trials x "
                                              f"search.replications + (search.trials + selection.candidates) x "
                                              f"selection.max_replications); {why}")])


# ----- candidates and their units -------------------------------------------------------------------
Candidate = tuple[float, ...]


@dataclass(frozen=True)
class CandidatePlan(Plan):
    """A plan of chosen (variant, policy, replications) triples, not a cross of variants and policies."""

    triples: tuple[tuple[Variant, PolicyChoice, int], ...] = ()

    @property
    def units(self) -> list[WorkUnit]:
        return [WorkUnit(v, p, r, self.seeds[r]) for v, p, n in self.triples for r in range(n)]


class Evaluator:
    """Runs candidates' replications into the results store and reads them back."""

    def __init__(self, problem: Problem, out: Path, backend, force: bool, progress: bool):
        self.problem, self.out, self.backend, self.force, self.progress = problem, out, backend, force, progress
        self.pairs: dict[Candidate, tuple[Variant, PolicyChoice]] = {}
        self.have: dict[Candidate, int] = {}
        self.rows = pd.DataFrame()
        self.computed = self.found = self.failed = 0
        spec = problem.spec
        # what identifies the results folder (its SHA-256 leaves out the replications, and the decisions:
        # a unit's key holds its decision values, so a changed range reuses the units it still covers)
        self.experiment = Experiment.model_validate({
            "name": spec.name, "description": spec.description, "scenario": spec.scenario,
            **({"years": spec.years} if spec.years is not None else {}), "seed": spec.seed, "replications": 1,
            "policies": [{"name": spec.policy.name, "params": dict(spec.policy.params)}],
            "objectives": [problem.objective if problem.objective in DIRECTIONS else "delivered_pflops_days"]})

    def pair(self, c: Candidate) -> tuple[Variant, PolicyChoice]:
        if c not in self.pairs:
            values = dict(zip((d.name for d in self.problem.decisions), c))
            fields = {k: v for k, v in values.items() if not k.startswith("policy.")}
            params = {k.removeprefix("policy."): v for k, v in values.items() if k.startswith("policy.")}
            problems: list = []
            scenario = _set_fields(self.problem.base, fields, problems, "decisions") if fields else self.problem.base
            if scenario is None:
                raise ScenarioError(self.problem.source, problems)
            spec = self.problem.spec.policy
            label = spec.name + (f"[{','.join(f'{k}={v}' for k, v in params.items())}]" if params else "")
            self.pairs[c] = (Variant(tuple(fields.items()), scenario),
                             PolicyChoice(spec.name, tuple({**spec.params, **params}.items()), label))
        return self.pairs[c]

    def ensure(self, wanted: dict[Candidate, int]) -> None:
        """Have at least `wanted[c]` replications of each candidate c in the store (and in `rows`)."""
        todo = {c: n for c, n in wanted.items() if self.have.get(c, 0) < n}
        if not todo:
            return
        most = max(todo.values())
        triples = tuple((*self.pair(c), n) for c, n in todo.items())
        plan = CandidatePlan(self.experiment.model_copy(update={"replications": most}), self.problem.source,
                             self.problem.base, tuple(d.name for d in self.problem.decisions if d.key is None),
                             tuple({v.id: v for v, _, _ in triples}.values()),
                             tuple({p.id: p for _, p, _ in triples}.values()),
                             tuple(replication_seed(self.problem.spec.seed, r) for r in range(most)), None, triples)
        report: RunReport = run_plan(plan, self.out, self.backend, self.progress, self.force)
        self.force = False        # replace another experiment's folder once, never our own units
        self.computed, self.found, self.failed = (self.computed + report.computed, self.found + report.already_done,
                                                  self.failed + report.failed)
        self.have.update(todo)
        self.rows = load_results(self.out).summary

    def rows_of(self, c: Candidate) -> pd.DataFrame:
        """The candidate's finished replications so far, in replication order."""
        variant, policy = self.pair(c)
        rows = self.rows[(self.rows["variant"] == variant.id) & (self.rows["policy"] == policy.label)]
        return rows[rows["replication"] < self.have.get(c, 0)].sort_values("replication")

    def objective(self, c: Candidate) -> np.ndarray:
        """The objective per replication (NaN for a failed one)."""
        rows = self.rows_of(c).set_index("replication").reindex(range(self.have.get(c, 0)))
        name = self.problem.objective
        if name in DIRECTIONS:
            return rows[name].to_numpy(dtype=float)
        value = c[[d.name for d in self.problem.decisions].index(name)]
        return np.where(rows["key"].notna(), float(value), np.nan)


# ----- judging ----------------------------------------------------------------------------------------
@dataclass
class Judged:
    """A candidate's standing: objective mean and interval, and each constraint's verdict."""

    candidate: Candidate
    n: int
    mean: float
    low: float
    high: float
    constraints: list[tuple[str, float, float]]

    @property
    def feasible(self) -> bool:
        return all(status == MET for status, _, _ in self.constraints) and math.isfinite(self.mean)

    @property
    def violated(self) -> bool:
        return any(status == VIOLATED for status, _, _ in self.constraints)

    @property
    def unclear(self) -> bool:
        return not self.feasible and not self.violated and math.isfinite(self.mean)


def judge_candidate(ev: Evaluator, c: Candidate) -> Judged:
    values = ev.objective(c)
    ci = mean_ci(pd.Series(values).dropna(), 0.95)
    rows = ev.rows_of(c)
    verdicts = [judge(k, rows, ev.problem.spec.confidence) for k in ev.problem.constraints]
    return Judged(c, ci.n, ci.mean, ci.low, ci.high, verdicts)


def _better(problem: Problem, a: float, b: float) -> bool:
    return a > b if problem.maximise else a < b


# ----- the three stages -----------------------------------------------------------------------------
def search(ev: Evaluator) -> list[Candidate]:
    """The distinct candidates tried, in order: every point of a space of whole numbers that has at most
    `trials` points, else what optuna's TPE sampler (seeded) asks for, batch by batch in a fixed order;
    then the whole-number neighbours of the best feasible one."""
    problem = ev.problem
    grid = _grid(problem)
    seen = _enumerate(ev, grid) if grid is not None else _tpe(ev)
    _polish(ev, seen)
    return seen


def _grid(problem: Problem) -> list[Candidate] | None:
    """Every candidate, if every decision is a whole number and they are at most `search.trials`."""
    if not all(d.integer for d in problem.decisions):
        return None
    sizes = [int(d.high) - int(d.low) + 1 for d in problem.decisions]
    if math.prod(sizes) > problem.spec.search.trials:
        return None
    return list(itertools.product(*(range(int(d.low), int(d.high) + 1) for d in problem.decisions)))


def _enumerate(ev: Evaluator, grid: list[Candidate]) -> list[Candidate]:
    s = ev.problem.spec.search
    for start in range(0, len(grid), s.batch):
        ev.ensure({c: max(s.replications, ev.have.get(c, 0)) for c in grid[start:start + s.batch]})
    return list(grid)


def _tpe(ev: Evaluator) -> list[Candidate]:
    import optuna
    from optuna.distributions import FloatDistribution, IntDistribution
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    problem = ev.problem
    s = problem.spec.search
    sampler = optuna.samplers.TPESampler(seed=problem.spec.seed % 2**32, n_startup_trials=min(s.batch * 2, s.trials))
    study = optuna.create_study(direction="maximize" if problem.maximise else "minimize", sampler=sampler)
    space = {d.name: IntDistribution(int(d.low), int(d.high)) if d.integer else FloatDistribution(d.low, d.high)
             for d in problem.decisions}
    seen: list[Candidate] = []
    for start in range(0, s.trials, s.batch):
        trials = [study.ask(space) for _ in range(min(s.batch, s.trials - start))]
        batch = [tuple(t.params[d.name] for d in problem.decisions) for t in trials]
        ev.ensure({c: max(s.replications, ev.have.get(c, 0)) for c in batch})
        for trial, c in zip(trials, batch):
            j = judge_candidate(ev, c)
            for k, (_, _, low) in zip(problem.constraints, j.constraints):
                trial.set_constraint(k.text, _violation(low))
            if math.isfinite(j.mean):
                study.tell(trial, j.mean)
            else:
                study.tell(trial, state=TrialState.FAIL)
            if c not in seen:
                seen.append(c)
    return seen


def _polish(ev: Evaluator, seen: list[Candidate]) -> None:
    """Try the untried neighbours (one step in one whole-number decision) of the best feasible candidate."""
    problem = ev.problem
    best = _best(problem, [j for j in (judge_candidate(ev, c) for c in seen) if j.feasible])
    if best is None:
        return
    near = []
    for i, d in enumerate(problem.decisions):
        for step in (-1, 1) if d.integer else ():
            value = best.candidate[i] + step
            c = (*best.candidate[:i], value, *best.candidate[i + 1:])
            if d.low <= value <= d.high and c not in seen:
                near.append(c)
    if near:
        ev.ensure({c: problem.spec.search.replications for c in near})
        seen.extend(near)


def _violation(low: float) -> float:
    """optuna's constraint value: <= 0 when met (minus the slack's lower bound), finite."""
    return float(min(-low, 1e300)) if not math.isnan(low) else 1e300


def clarify(ev: Evaluator, seen: list[Candidate]) -> None:
    """More replications for candidates with unclear constraints whose objective beats the best feasible
    one, until each is feasible or violated or has `max_replications`."""
    sel = ev.problem.spec.selection
    while True:
        judged = [judge_candidate(ev, c) for c in seen]
        best = _best(ev.problem, [j for j in judged if j.feasible])
        todo = {j.candidate: min(ev.have[j.candidate] + sel.step, sel.max_replications) for j in judged
                if j.unclear and ev.have[j.candidate] < sel.max_replications
                and (best is None or _better(ev.problem, j.mean, best.mean))}
        if not todo:
            return
        ev.ensure(todo)


def _best(problem: Problem, judged: list[Judged]) -> Judged | None:
    ranked = _ranked(problem, judged)
    return ranked[0] if ranked else None


def _ranked(problem: Problem, judged: list[Judged]) -> list[Judged]:
    return sorted(judged, key=lambda j: -j.mean if problem.maximise else j.mean)


@dataclass
class Selection:
    """The outcome of KN: the chosen candidate (None if none feasible), whether the stated PCS is
    guaranteed (False if the replication budget ran out first), the contenders, and those found
    infeasible on more replications."""

    chosen: Candidate | None
    guaranteed: bool
    contenders: list[Candidate]
    dropped: list[Candidate] = field(default_factory=list)


def select(ev: Evaluator, seen: list[Candidate]) -> Selection:
    """KN among the best feasible candidates; the chosen one must stay feasible on all its replications,
    else it is dropped and KN runs again among the others."""
    problem, sel = ev.problem, ev.problem.spec.selection
    dropped: list[Candidate] = []
    while True:
        feasible = [j for j in (judge_candidate(ev, c) for c in seen) if j.feasible and j.candidate not in dropped]
        contenders = [j.candidate for j in _ranked(problem, feasible)[:sel.candidates]]
        if not contenders:
            return Selection(None, False, [], dropped)
        chosen, guaranteed = _kn_stage(ev, contenders)
        if judge_candidate(ev, chosen).feasible:
            return Selection(chosen, guaranteed, contenders, dropped)
        dropped.append(chosen)


def _kn_stage(ev: Evaluator, contenders: list[Candidate]) -> tuple[Candidate, bool]:
    problem, sel = ev.problem, ev.problem.spec.selection
    while True:
        width = max(ev.have[c] for c in contenders)
        x = np.full((len(contenders), width), np.nan)
        for i, c in enumerate(contenders):
            values = ev.objective(c)
            x[i, :len(values)] = values
        if not np.isfinite(x[:, :problem.n0]).all():   # a failed unit: the candidate cannot be judged
            keep = [c for c, row in zip(contenders, x) if np.isfinite(row[:problem.n0]).all()]
            contenders = keep or contenders[:1]
            continue
        state = kn(x, problem.n0, sel.delta, sel.pcs, problem.maximise)
        if state.decided:
            return contenders[state.chosen], True
        alive = [contenders[i] for i in state.alive]
        if all(ev.have[c] >= sel.max_replications for c in alive):
            means = [np.nanmean(ev.objective(c)) for c in alive]
            return alive[int(np.argmax(means) if problem.maximise else np.argmin(means))], False
        ev.ensure({c: min(max(ev.have[c], state.r + sel.step - 1), sel.max_replications) for c in alive})


# ----- the study --------------------------------------------------------------------------------------
@dataclass
class Optimisation:
    """An optimisation's results: every candidate's units, their standing, and the selection."""

    problem: Problem
    folder: Path
    evaluator: Evaluator
    seen: list[Candidate]
    selection: Selection

    @property
    def summary(self) -> pd.DataFrame:
        """One row per unit of the candidates, with a `candidate` column (its index in `table()`)."""
        frames = [self.evaluator.rows_of(c).assign(candidate=i) for i, c in enumerate(self.seen)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @property
    def failures(self) -> pd.DataFrame:
        """The failed units of the candidates (see runs.studies.store.load_results)."""
        failures = load_results(self.folder).failures
        keys = {f"{v.id}-{p.id}" for v, p in (self.evaluator.pair(c) for c in self.seen)}
        return failures[failures["key"].str.rsplit("-", n=1).str[0].isin(keys)].reset_index(drop=True)

    @property
    def replications(self) -> int:
        """Replications run for this optimisation in all (every candidate's, search and selection)."""
        return sum(self.evaluator.have.values())

    def _role(self, c: Candidate) -> str:
        s = self.selection
        if c == s.chosen:
            return "chosen"
        if c in s.dropped:
            return "infeasible after selection"
        return "runner-up" if c in s.contenders else ""

    def table(self) -> pd.DataFrame:
        """One row per candidate: decisions, replications, objective mean and 95% interval, each constraint's
        verdict, mean slack and one-sided lower bound, feasibility and role; best first."""
        rows = []
        for i, c in enumerate(self.seen):
            j = judge_candidate(self.evaluator, c)
            row: dict[str, Any] = {"candidate": i, **dict(zip((d.name for d in self.problem.decisions), c)),
                                   "n": self.evaluator.have.get(c, 0), "objective": self.problem.objective,
                                   "mean": j.mean, "ci_low": j.low, "ci_high": j.high}
            for k, (status, slack, low) in zip(self.problem.constraints, j.constraints):
                row.update({k.text: status, f"{k.text} slack": slack, f"{k.text} slack_low": low})
            row.update(feasible=j.feasible, role=self._role(c))
            rows.append(row)
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        order = frame.assign(_f=~frame["feasible"], _m=-frame["mean"] if self.problem.maximise else frame["mean"])
        return order.sort_values(["_f", "_m"], kind="stable").drop(columns=["_f", "_m"]).reset_index(drop=True)

    def differences(self) -> pd.DataFrame:
        """Each other contender's objective minus the chosen one's, paired replication by replication, with
        a 95% interval."""
        chosen = self.selection.chosen
        if chosen is None:
            return pd.DataFrame(columns=["candidate", "n", "diff", "diff_low", "diff_high"])
        base = self.evaluator.objective(chosen)
        rows = []
        for c in self.selection.contenders:
            if c == chosen:
                continue
            other = self.evaluator.objective(c)
            n = min(len(base), len(other))
            ci = mean_ci(pd.Series(other[:n] - base[:n]).dropna(), 0.95)
            rows.append({"candidate": self.seen.index(c), **dict(zip((d.name for d in self.problem.decisions), c)),
                         "n": ci.n, "diff": ci.mean, "diff_low": ci.low, "diff_high": ci.high})
        return pd.DataFrame(rows)

    def kpis(self, c: Candidate | None = None) -> pd.DataFrame:
        """Mean and 95% interval of the objective, the constrained KPIs and the headline KPIs for candidate `c`
        (default: the chosen one, else the closest)."""
        c = c if c is not None else self.selection.chosen or self.closest()
        if c is None:
            return pd.DataFrame(columns=["kpi", "n", "mean", "ci_low", "ci_high"])
        rows = self.evaluator.rows_of(c)
        names = [self.problem.objective, *(k for con in self.problem.constraints for k in con.kpis), *HEADLINE]
        out = []
        for name in dict.fromkeys(n for n in names if n in rows.columns):
            ci = mean_ci(rows[name].dropna(), 0.95)
            out.append({"kpi": name, "n": ci.n, "mean": ci.mean, "ci_low": ci.low, "ci_high": ci.high})
        return pd.DataFrame(out)

    def closest(self) -> Candidate | None:
        """With no feasible candidate: the one whose worst constraint is least violated (slack's lower bound,
        relative to the bound's size)."""
        def worst(c: Candidate) -> float:
            j = judge_candidate(self.evaluator, c)
            return min((low / max(abs(k.number), SMALLEST_BOUND) if math.isfinite(low) else -math.inf)
                       for k, (_, _, low) in zip(self.problem.constraints, j.constraints)) if j.constraints else 0.0
        return max(self.seen, key=worst) if self.seen else None

    def _settings(self, c: Candidate) -> str:
        return ", ".join(f"{d.name} = {_num(v)}" for d, v in zip(self.problem.decisions, c))

    def verdict(self) -> str:
        """Sentences: the chosen settings, their objective, the probability of correct selection and cost."""
        p, sel = self.problem, self.selection
        if sel.chosen is None:
            closest = self.closest()
            where = f" The closest is {self._settings(closest)}." if closest is not None else ""
            return (f"No candidate meets every constraint ({'; '.join(k.text for k in p.constraints)}) at "
                    f"{p.spec.confidence:.0%} one-sided confidence after {self.replications} replications.{where}")
        j = judge_candidate(self.evaluator, sel.chosen)
        pcs = p.spec.selection.pcs
        how = (f"the best of {len(sel.contenders)} feasible contenders, or within {_num(p.spec.selection.delta)} "
               "of it, "
               f"with probability at least {pcs:.0%} (KN)" if sel.guaranteed else
               f"the best sample mean when the budget of {p.spec.selection.max_replications} replications per "
               f"candidate ran out; the probability of correct selection {pcs:.0%} is NOT guaranteed")
        return (f"Chosen: {self._settings(sel.chosen)}: {p.objective} {_num(j.mean)} [{_num(j.low)}, {_num(j.high)}] "
                f"over {j.n} replications; {how}. Constraints met at {p.spec.confidence:.0%} one-sided confidence. "
                f"Cost: {self.replications} replications ({self.evaluator.computed} computed now).")

    def text(self) -> str:
        with pd.option_context("display.width", 200, "display.max_columns", 40):
            table = self.table().to_string(index=False, na_rep="n/a", float_format=_num)
            diffs = self.differences()
            extra = ("\n\nrunners-up, objective minus the chosen one's (paired, 95% interval):\n"
                     + diffs.to_string(index=False, na_rep="n/a", float_format=_num)) if not diffs.empty else ""
            kpis = self.kpis().to_string(index=False, na_rep="n/a", float_format=_num)
        which = "chosen" if self.selection.chosen is not None else "closest"
        return (f"{self.verdict()}\n\nKPIs of the {which} candidate (mean, 95% interval):\n{kpis}\n\n"
                f"candidates (feasible first, best first):\n{table}{extra}")

    def report(self, path: str | os.PathLike | None = None) -> Path:
        """Write report.html (the verdict and the tables) into the folder `path` (default: the results folder)."""
        name = self.problem.spec.name
        body = [f"<h1>{html.escape(name)}: optimisation</h1>", f"<p>{html.escape(self.verdict())}</p>",
                "<h2>KPIs of the chosen settings</h2>", table(self.kpis(), "n/a"),
                "<h2>Candidates</h2>", table(self.table(), "n/a"),
                "<h2>Runners-up against the chosen</h2>", table(self.differences(), "n/a")]
        return write_page(Path(path) if path is not None else self.folder, page(f"{name}: optimisation", body))


def _num(x: float) -> str:
    return f"{x:.4g}" if isinstance(x, float) else str(x)


def default_folder(problem: Problem) -> str:
    return "results/" + safe_name(problem.spec.name)


def optimise(experiment: str | os.PathLike | Problem, *, out: str | os.PathLike | None = None,
             backend: str = "local", workers: int | None = None, scheduler: str | None = None,
             unit_timeout: float = DEFAULT_UNIT_TIMEOUT, force: bool = False, progress: bool = False) -> Optimisation:
    """Run an optimisation experiment (a file, shipped name or Problem) into `out` (default results/NAME):
    search, clarify the constraints of promising candidates, select with KN; return the study."""
    problem = experiment if isinstance(experiment, Problem) else load_problem(experiment)
    folder = Path(out or default_folder(problem))
    ev = Evaluator(problem, folder, make_backend(backend, workers, scheduler, unit_timeout), force, progress)
    seen = search(ev)
    clarify(ev, seen)
    return Optimisation(problem, folder, ev, seen, select(ev, seen))
