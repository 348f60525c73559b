"""Studies from Python: `compare` and `sweep`, on the same plan, store and backends as `fleet compare/sweep`.

    from runs import compare
    study = compare("tiny", ["replenish", "service-on-threshold"], replications=10, out="results/cmp")
    study.summary          # one row per (variant, policy, replication)
    study.table()          # mean and 95% interval per (variant,) policy and KPI
    study.differences()    # paired differences against the baseline, Holm-corrected p-values, verdicts
    print(study.verdict()) # the verdict on the objective, in sentences
    study.report("results/cmp")   # report.html

Each call runs the plan's missing units into a results folder (resuming what is there) and reads
them back. The default folder's name does not depend on the replication count, so asking for more
replications later extends the same folder and recomputes nothing.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fleet.errors import InputError
from fleet.scenario import Scenario
from runs.api import load_scenario
from runs.studies.backends import DEFAULT_UNIT_TIMEOUT, make_backend
from runs.look.comparison import comparison_text, kpi_columns, verdict_text
from runs.studies.experiment import Plan, load_experiment, parse_experiment
from runs.folders import safe_name
from runs.studies.runner import RunReport, run_plan
from runs.studies.stats import compare as compare_stats
from runs.studies.store import plan_results

FORMATS = ("text", "json", "csv")
MEAN_COLUMNS = ["kpi", "policy", "runs", "n", "mean", "ci_low", "ci_high"]
DIFF_COLUMNS = ["kpi", "policy", "n", "diff", "diff_low", "diff_high", "p", "p_holm", "verdict"]


@dataclass
class Study:
    """The results of a plan in its folder: the plan's units only, with statistics on demand."""

    plan: Plan
    folder: Path
    objective: str
    run: RunReport | None = None
    alpha: float = 0.05
    summary: pd.DataFrame = field(init=False, repr=False)
    failures: pd.DataFrame = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.summary, self.failures = plan_results(self.folder, {u.key for u in self.plan.units})

    @property
    def baseline(self) -> str:
        return self.plan.baseline or self.plan.policies[0].label

    @property
    def axes(self) -> list[str]:
        return list(self.plan.axes)

    def kpis(self, chosen: list[str] | None = None) -> list[str]:
        """The objective, then `chosen` (default: every KPI column); InputError naming unknown ones."""
        known = kpi_columns(self.summary, self.axes)
        unknown = [k for k in chosen or [] if k not in known]
        if unknown:
            raise InputError(f"kpis (--kpis): unknown KPI {', '.join(map(repr, unknown))}; the results have "
                             f"{', '.join(known)}")
        if self.objective not in known:
            raise InputError(f"objective {self.objective!r} is not a KPI of the results")
        return [self.objective, *[k for k in (chosen if chosen is not None else known) if k != self.objective]]

    def statistics(self, kpis: list[str] | None = None) -> pd.DataFrame:
        """Per variant, KPI and policy: mean and interval, and against the baseline the paired difference,
        its interval, p-value, Holm-corrected p-value and verdict (see runs.studies.stats.compare)."""
        kpis = self.kpis(kpis)
        frames = []
        for variant in self.plan.variants:
            rows = self.summary[self.summary["variant"] == variant.id]
            if rows.empty:
                continue
            stats = compare_stats(rows, kpis, self.baseline, alpha=self.alpha)
            ids = {"variant": variant.id, **{a: v for a, v in variant.values}}
            frames.append(stats.assign(**ids)[[*ids, *stats.columns]])
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["variant", *self.axes, *MEAN_COLUMNS, *DIFF_COLUMNS[2:]])

    def table(self, kpis: list[str] | None = None) -> pd.DataFrame:
        """Mean and 95% interval per (variant,) policy and KPI; `runs` rows, `n` of them not NaN."""
        return self.statistics(kpis)[["variant", *self.axes, *MEAN_COLUMNS]]

    def differences(self, kpis: list[str] | None = None) -> pd.DataFrame:
        """Paired differences (policy minus baseline, replication by replication) per (variant,) policy
        and KPI, with 95% intervals, p-values, Holm-corrected p-values and verdicts."""
        stats = self.statistics(kpis)
        return stats[stats["policy"] != self.baseline][["variant", *self.axes, *DIFF_COLUMNS]].reset_index(drop=True)

    def verdict(self) -> str:
        """Sentences: each policy better, worse or not distinguishable from the baseline on the objective,
        per variant in a sweep."""
        parts = []
        for title, rows in self._variant_rows():
            stats = compare_stats(rows, [self.objective], self.baseline, alpha=self.alpha)
            parts.append((f"{title}: " if title else "") + verdict_text(stats, self.objective, self.baseline,
                                                                         self.alpha))
        return "\n".join(parts)

    def text(self, kpis: list[str] | None = None, max_variants: int = 20) -> str:
        """The plain-text tables: per variant, the objective's table and the verdict, then the other KPIs."""
        chosen = self.kpis(kpis)
        parts = []
        for i, (title, rows) in enumerate(self._variant_rows()):
            if i == max_variants:
                parts.append(f"... {len(self.plan.variants) - max_variants} more variants: "
                             f"runs.load_results({str(self.folder)!r}).summary")
                break
            body = comparison_text(rows, chosen, self.baseline, self.objective, self.alpha)
            parts.append(f"== {title}\n{body}" if title else body)
        return "\n\n".join(parts)

    def render(self, fmt: str = "text", kpis: list[str] | None = None) -> str:
        """The study as `text`, `json` (objective, baseline, verdict, rows) or `csv` (one row per
        variant, KPI and policy, the objective first)."""
        if fmt == "text":
            return self.text(kpis)
        stats = self.statistics(kpis)
        if fmt == "csv":
            return stats.to_csv(index=False)
        if fmt == "json":
            rows = json.loads(stats.to_json(orient="records", double_precision=15))
            return json.dumps({"folder": str(self.folder), "objective": self.objective, "baseline": self.baseline,
                               "axes": self.axes, "verdict": self.verdict(), "rows": rows}, indent=2)
        raise InputError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")

    def report(self, path: str | os.PathLike | None = None) -> Path:
        """Write report.html into the folder `path` (default: the results folder) and return its path."""
        from runs.look.report import write_report   # matplotlib loads only when asked
        return write_report(self.folder, into=path)

    def _variant_rows(self) -> list[tuple[str, pd.DataFrame]]:
        """(title, summary rows) per variant that has rows; the title is empty for a plain comparison."""
        out = []
        for variant in self.plan.variants:
            rows = self.summary[self.summary["variant"] == variant.id]
            if not rows.empty:
                title = ", ".join(f"{k} = {v}" for k, v in variant.values)
                out.append((title if self.axes else "", rows))
        return out


def compare_plan(scenario: str | os.PathLike | Scenario, policies: list[str], replications: int, *,
                 baseline: str | None = None, objective: str = "delivered_pflops_days", seed: int = 0,
                 years: float | None = None, params: dict[str, dict[str, Any]] | None = None,
                 confirmed: bool = True) -> Plan:
    """The plan of a comparison: every policy (with `params[name]` set) on the same replication seeds.
    `confirmed`: a plan over the size that needs --yes is allowed (see `runs.studies.experiment.plan_size`)."""
    if not policies:
        raise InputError("--policies: give at least one policy name")
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    params = params or {}
    unknown = [name for name in params if name not in policies]
    if unknown:
        raise InputError(f"--param: {', '.join(map(repr, unknown))} is not one of --policies ({', '.join(policies)})")
    data = {"name": f"compare-{base.name}", "scenario": str(scenario) if not isinstance(scenario, Scenario)
            else base.name, "seed": seed, "replications": replications,
            "policies": [{"name": p, **({"params": params[p]} if params.get(p) else {})} for p in policies],
            "baseline": baseline or policies[0], "objectives": [objective]}
    if years is not None:
        data["years"] = years
    return parse_experiment(data, "fleet compare", base=base, confirmed=confirmed)


def default_folder(plan: Plan, kind: str) -> str:
    """results/compare-SCENARIO-HASH for a comparison (the hash leaves out the replication count), or
    results/NAME for a sweep."""
    if kind == "compare":
        return "results/" + safe_name(f"compare-{plan.base.name}-{plan.sha256()[:8]}")
    return "results/" + safe_name(plan.experiment.name)


def run(plan: Plan, out: str | os.PathLike, *, objective: str | None = None, backend: str = "local",
        workers: int | None = None, scheduler: str | None = None, unit_timeout: float = DEFAULT_UNIT_TIMEOUT,
        force: bool = False, progress: bool = False) -> Study:
    """Run the plan's missing units into `out` and return the study."""
    report = run_plan(plan, out, make_backend(backend, workers, scheduler, unit_timeout), progress, force)
    return Study(plan, Path(out), objective or plan.objectives[0], report)


def compare(scenario: str | os.PathLike | Scenario, policies: list[str], replications: int, *,
            baseline: str | None = None, objective: str = "delivered_pflops_days", seed: int = 0,
            years: float | None = None, params: dict[str, dict[str, Any]] | None = None,
            out: str | os.PathLike | None = None, **execution: Any) -> Study:
    """Compare `policies` on `scenario` over `replications` common-random-number replications.

    `params` maps a policy name to parameters to set; `out` defaults to results/compare-SCENARIO-HASH;
    `execution` (backend, workers, scheduler, unit_timeout, force, progress) is passed to `run`.
    """
    plan = compare_plan(scenario, policies, replications, baseline=baseline, objective=objective, seed=seed,
                        years=years, params=params)
    return run(plan, out or default_folder(plan, "compare"), objective=objective, **execution)


def sweep(experiment: str | os.PathLike | Plan, *, objective: str | None = None,
          out: str | os.PathLike | None = None, **execution: Any) -> Study:
    """Run an experiment file (or a Plan) into `out` (default results/NAME) and return the study;
    the objective defaults to the experiment's first."""
    plan = experiment if isinstance(experiment, Plan) else load_experiment(experiment)
    return run(plan, out or default_folder(plan, "sweep"), objective=objective, **execution)
