"""Robustness across futures: `fleet robust EXPERIMENT` and `runs.robust(...)`.

    from runs import robust
    study = robust("robust-library", out="results/robust")
    study.summary        # one row per (future, policy, replication)
    study.table()        # per policy: mean, 90th-percentile and maximum regret, share of futures meeting the constraints
    study.differences()  # per future and policy: the objective, its regret, whether the constraints hold
    print(study.verdict())   # the most robust policy under each criterion
    study.discover("mean_availability >= 0.9")   # boxes of inputs where each policy fails the bound
    study.report("results/robust")

A policy's regret in a future is how much worse its objective is (the mean over the future's
replications) than the best policy's there, in the objective's unit: the objective minus the
future's best when lower is better, the best minus the objective when higher is better. The
direction comes from the KPI registry.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fleet.errors import InputError
from fleet.kpis import MAXIMISE
from runs.studies.constraints import Constraint, all_met, parse_constraint
from runs.studies.discovery import Box, prim
from runs.studies.futures import ROBUST, FuturesPlan, default_folder, execute, load_futures
from runs.studies.runner import RunReport
from runs.studies.stats import KPI_DIRECTIONS
from runs.studies.store import plan_results

QUANTILE = 0.9
CRITERIA = {"max_regret": "maximum regret", "p90_regret": "90th-percentile regret", "mean_regret": "mean regret",
            "share_meeting": "share of futures meeting the constraints"}


def regret(objective: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Regret per future (rows) and policy (columns) of an objective table of the same shape: how far each
    policy is from the future's best, >= 0. A NaN objective has NaN regret and never sets the best."""
    if direction == MAXIMISE:
        return objective.max(axis=1).to_numpy()[:, None] - objective
    return objective - objective.min(axis=1).to_numpy()[:, None]


def robustness(regrets: pd.DataFrame, meets: pd.DataFrame | None) -> pd.DataFrame:
    """Per policy (rows): futures with a regret, mean, 90th-percentile and maximum regret, and the share of
    futures in which it meets the constraints (`meets`: bool per future and policy; None: no constraints)."""
    table = pd.DataFrame({
        "futures": regrets.notna().sum(),
        "mean_regret": regrets.mean(),
        "p90_regret": regrets.quantile(QUANTILE),
        "max_regret": regrets.max(),
        "share_meeting": meets.mean() if meets is not None else np.nan,
    })
    table.index.name = "policy"
    return table


def most_robust(table: pd.DataFrame) -> dict[str, str]:
    """The most robust policy under each criterion: least maximum, 90th-percentile and mean regret,
    largest share meeting the constraints (criteria that are NaN for every policy are left out)."""
    out = {}
    for column in CRITERIA:
        values = table[column].dropna()
        if not values.empty:
            out[column] = str(values.idxmax() if column == "share_meeting" else values.idxmin())
    return out


@dataclass
class RobustStudy:
    """The results of a robust plan in its folder, with regret and robustness on demand."""

    plan: FuturesPlan
    folder: Path
    run: RunReport | None = None
    summary: pd.DataFrame = field(init=False, repr=False)
    failures: pd.DataFrame = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.summary, self.failures = plan_results(self.folder, {u.key for u in self.plan.units})

    @property
    def objective(self) -> str:
        return self.plan.objectives[0]

    @property
    def policies(self) -> list[str]:
        return [p.label for p in self.plan.policies]

    def inputs(self) -> pd.DataFrame:
        """The uncertain inputs per future (rows indexed by future): values, or factors where scaled."""
        rows = {dict(v.values)[self.plan.index]: dict(v.values[1:]) for v in self.plan.variants}
        frame = pd.DataFrame.from_dict(rows, orient="index")[self.plan.inputs]
        frame.index.name = self.plan.index
        return frame

    def means(self, kpi: str) -> pd.DataFrame:
        """A KPI's mean over replications per future (rows) and policy (columns); NaN where nothing finished."""
        if kpi not in self.summary.columns:
            raise InputError(f"{kpi!r} is not a KPI of the results in {self.folder}")
        wide = self.summary.pivot_table(index=self.plan.index, columns="policy", values=kpi, aggfunc="mean",
                                        dropna=False)
        return wide.reindex(index=self.inputs().index, columns=self.policies)

    def meets(self, bounds: list[Constraint]) -> pd.DataFrame:
        """Per future and policy: whether every bound holds on the future's mean KPIs."""
        kpis = sorted({k for b in bounds for k in b.kpis})
        means = {k: self.means(k) for k in kpis}
        out = {}
        for policy in self.policies:
            frame = pd.DataFrame({k: means[k][policy] for k in kpis}, index=self.inputs().index)
            out[policy] = all_met(bounds, frame)
        return pd.DataFrame(out, index=self.inputs().index)

    def regrets(self) -> pd.DataFrame:
        """Regret of the objective per future (rows) and policy (columns)."""
        return regret(self.means(self.objective), KPI_DIRECTIONS[self.objective])

    def table(self) -> pd.DataFrame:
        """Per policy: futures, mean, 90th-percentile and maximum regret (objective's unit), share of
        futures meeting the constraints (NaN without constraints)."""
        meets = self.meets(list(self.plan.constraints)) if self.plan.constraints else None
        return robustness(self.regrets(), meets).reset_index()

    def differences(self) -> pd.DataFrame:
        """One row per future and policy: the inputs, the objective's mean, its regret, and whether the
        constraints hold."""
        inputs, index = self.inputs(), self.plan.index
        frame = _long(self.means(self.objective), index, self.objective).merge(
            _long(self.regrets(), index, "regret"), on=[index, "policy"])
        if self.plan.constraints:
            frame = frame.merge(_long(self.meets(list(self.plan.constraints)), index, "meets_constraints"),
                                on=[index, "policy"])
        return inputs.reset_index().merge(frame, on=index)

    def verdict(self) -> str:
        """Sentences naming the most robust policy under each criterion."""
        table = self.table().set_index("policy")
        best = most_robust(table)
        lines = [f"regret of {self.objective} ({KPI_DIRECTIONS[self.objective]}d) over "
                 f"{len(self.plan.variants)} futures:"]
        for column, policy in best.items():
            value = table.at[policy, column]
            shown = f"{value:.0%} of futures" if column == "share_meeting" else f"{CRITERIA[column]} {value:.4g}"
            lines.append(f"  most robust by {CRITERIA[column]}: {policy} ({shown})")
        if not self.plan.constraints:
            lines.append("  (no constraints in the experiment: no share of futures meeting them)")
        return "\n".join(lines)

    def discover(self, constraint: str, policies: list[str] | None = None, **options: Any) -> pd.DataFrame:
        """PRIM boxes of inputs in which each policy (default every one) fails `constraint` (text), one row
        per box: policy, box number, coverage, density, mass, futures failing, and each restricted input's
        limits as 'low .. high'. `options` go to runs.discovery.prim."""
        bound = parse_constraint(constraint, "--discover")
        chosen = policies or self.policies
        unknown = [p for p in chosen if p not in self.policies]
        if unknown:
            raise InputError(f"--policy: {', '.join(map(repr, unknown))} is not one of {', '.join(self.policies)}")
        inputs, fails = self.inputs(), ~self.meets([bound])
        rows = []
        for policy in chosen:
            boxes = prim(inputs, fails[policy].to_numpy(), **options)
            rows.extend(box_row(policy, i, box, int(fails[policy].sum()), len(inputs))
                        for i, box in enumerate(boxes, start=1))
            if not boxes:
                rows.append({"policy": policy, "box": 0, "failing": int(fails[policy].sum()), "futures": len(inputs)})
        return pd.DataFrame(rows)

    def boxes(self, constraint: str, policy: str, **options: Any) -> list[Box]:
        """The PRIM boxes of one policy failing `constraint`, as Box values (for plots)."""
        fails = ~self.meets([parse_constraint(constraint, "--discover")])
        return prim(self.inputs(), fails[policy].to_numpy(), **options)

    def text(self) -> str:
        """The robustness table and the verdict as plain text."""
        table = self.table()
        return f"{table.to_string(index=False, float_format=lambda x: f'{x:.4g}')}\n\n{self.verdict()}"

    def report(self, path: str | os.PathLike | None = None, discover: str | None = None) -> Path:
        """Write report.html (regret per policy; with `discover`, each policy's failure boxes) into the
        folder `path` (default: the results folder) and return its path."""
        from runs.look.futures_report import robust_report
        return robust_report(self, Path(path) if path is not None else self.folder, discover)


def _long(wide: pd.DataFrame, index: str, name: str) -> pd.DataFrame:
    """A future x policy table as rows (index, policy, name), NaN kept."""
    wide = wide.copy()
    wide.columns.name = None
    return wide.reset_index().melt(id_vars=index, var_name="policy", value_name=name)


def box_row(policy: str, number: int, box: Box, failing: int, futures: int) -> dict:
    row = {"policy": policy, "box": number, "coverage": box.coverage, "density": box.density, "mass": box.mass,
           "failing": failing, "futures": futures}
    row.update({name: f"{low:.4g} .. {high:.4g}" for name, (low, high) in box.limits.items()})
    return row


def robust(experiment: str | os.PathLike | FuturesPlan, *, out: str | os.PathLike | None = None,
           **execution: Any) -> RobustStudy:
    """Run a robust experiment (a file, a shipped name, or a FuturesPlan) into `out` (default
    results/NAME), resuming what is there, and return the study. `execution`: backend, workers,
    scheduler, unit_timeout, force, progress."""
    plan = experiment if isinstance(experiment, FuturesPlan) else load_futures(experiment, ROBUST)
    folder = out or default_folder(plan)
    return RobustStudy(plan, Path(folder), execute(plan, folder, **execution))
