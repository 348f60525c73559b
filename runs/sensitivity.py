"""What drives a KPI: `fleet sensitivity EXPERIMENT` and `runs.sensitivity(...)`, Sobol indices (SALib).

    from runs import sensitivity
    study = sensitivity("sensitivity-baseline", out="results/sensitivity")
    study.summary        # one row per (sample, policy, replication)
    study.table()        # per policy, KPI and input: first-order and total indices with 95% intervals
    study.differences()  # per policy, KPI and pair of inputs: second-order indices with 95% intervals
    print(study.verdict())
    study.report("results/sensitivity")

The experiment's `base_samples` N and its D uncertainties give Saltelli's design of N(2D+2) samples
of the inputs; every sample runs on the same replication seeds (common random numbers), so the
indices measure the inputs, not the noise. A sample's KPI is its mean over replications. Intervals
are SALib's bootstrap intervals. KPIs analysed: the experiment's `objectives`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fleet.errors import InputError
from runs.studies.futures import SENSITIVITY, FuturesPlan, default_folder, execute, load_futures
from runs.studies.runner import RunReport
from runs.studies.store import plan_results

LEVEL = 0.95
RESAMPLES = 1000


def sobol_indices(names: list[str], outputs: np.ndarray, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """First-order (S1) and total (ST) indices per input with `LEVEL` intervals, and second-order (S2) per
    pair, from the outputs of Saltelli's design (N(2D+2) values in the order of SALib's sobol.sample)."""
    from SALib.analyze import sobol

    dims = len(names)
    problem = {"num_vars": dims, "names": list(names), "bounds": [[0.0, 1.0]] * dims}
    found = sobol.analyze(problem, np.asarray(outputs, dtype=float), calc_second_order=True,
                          num_resamples=RESAMPLES, conf_level=LEVEL, seed=seed)
    first = pd.DataFrame({"input": names, "S1": found["S1"], "S1_low": found["S1"] - found["S1_conf"],
                          "S1_high": found["S1"] + found["S1_conf"], "ST": found["ST"],
                          "ST_low": found["ST"] - found["ST_conf"], "ST_high": found["ST"] + found["ST_conf"]})
    pairs = [(i, j) for i in range(dims) for j in range(i + 1, dims)]
    second = pd.DataFrame({"input": [names[i] for i, _ in pairs], "with": [names[j] for _, j in pairs],
                           "S2": [found["S2"][i, j] for i, j in pairs],
                           "S2_low": [found["S2"][i, j] - found["S2_conf"][i, j] for i, j in pairs],
                           "S2_high": [found["S2"][i, j] + found["S2_conf"][i, j] for i, j in pairs]})
    return first, second


@dataclass
class SensitivityStudy:
    """The results of a sensitivity plan in its folder, with Sobol indices on demand."""

    plan: FuturesPlan
    folder: Path
    run: RunReport | None = None
    summary: pd.DataFrame = field(init=False, repr=False)
    failures: pd.DataFrame = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.summary, self.failures = plan_results(self.folder, {u.key for u in self.plan.units})
        self._indices: dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame]] = {}

    @property
    def kpis(self) -> list[str]:
        return self.plan.objectives

    @property
    def policies(self) -> list[str]:
        return [p.label for p in self.plan.policies]

    def outputs(self, kpi: str, policy: str) -> np.ndarray:
        """The KPI's mean over replications per sample, in the design's order; InputError if a sample
        has none (a unit failed or has not run, or the KPI is NaN)."""
        rows = self.summary[self.summary["policy"] == policy]
        means = rows.groupby(self.plan.index)[kpi].mean().reindex(range(len(self.plan.variants)))
        missing = int(means.isna().sum())
        if missing:
            raise InputError(f"{self.folder}: {kpi} of {policy} is missing or NaN in {missing} of {len(means)} "
                             "samples; Sobol indices need every sample (rerun to finish failed units)")
        return means.to_numpy()

    def indices(self, kpi: str, policy: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(first-order and total, second-order) indices of `kpi` under `policy` (see sobol_indices)."""
        if (kpi, policy) not in self._indices:
            self._indices[kpi, policy] = sobol_indices(self.plan.inputs, self.outputs(kpi, policy),
                                                       self.plan.experiment.seed)
        return self._indices[kpi, policy]

    def table(self) -> pd.DataFrame:
        """Per policy, KPI and input: S1 and ST with their 95% intervals."""
        return self._stacked(0)

    def differences(self) -> pd.DataFrame:
        """Per policy, KPI and pair of inputs: the second-order index S2 (what the pair adds beyond the
        two first-order effects) with its 95% interval."""
        return self._stacked(1)

    def _stacked(self, which: int) -> pd.DataFrame:
        frames = [self.indices(kpi, policy)[which].assign(policy=policy, kpi=kpi)
                  for policy in self.policies for kpi in self.kpis]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["policy", "kpi", *[c for c in frame.columns if c not in ("policy", "kpi")]]]

    def verdict(self) -> str:
        """Per policy and KPI: the inputs by total index, and those whose total index may be zero."""
        lines = []
        for policy in self.policies:
            for kpi in self.kpis:
                first, _ = self.indices(kpi, policy)
                ranked = first.sort_values("ST", ascending=False)
                shown = "; ".join(f"{r.input} {r.ST:.2f} [{r.ST_low:.2f}, {r.ST_high:.2f}]"
                                  for r in ranked.itertuples())
                lines.append(f"{kpi} under {policy}: total indices {shown}")
                idle = [r.input for r in ranked.itertuples() if r.ST_low <= 0]
                lines.append(f"  most influential: {ranked.iloc[0]['input']}"
                             + (f"; not distinguishable from no effect: {', '.join(idle)}" if idle else ""))
        return "\n".join(lines)

    def text(self) -> str:
        """The indices and the verdict as plain text."""
        table = self.table().to_string(index=False, float_format=lambda x: f"{x:.3f}")
        return f"{table}\n\n{self.verdict()}"

    def report(self, path: str | os.PathLike | None = None) -> Path:
        """Write report.html (Sobol indices with intervals) into the folder `path` (default: the results
        folder) and return its path."""
        from runs.look.futures_report import sensitivity_report
        return sensitivity_report(self, Path(path) if path is not None else self.folder)


def sensitivity(experiment: str | os.PathLike | FuturesPlan, *, out: str | os.PathLike | None = None,
                **execution: Any) -> SensitivityStudy:
    """Run a sensitivity experiment (a file, a shipped name, or a FuturesPlan) into `out` (default
    results/NAME), resuming what is there, and return the study. `execution`: backend, workers,
    scheduler, unit_timeout, force, progress."""
    plan = experiment if isinstance(experiment, FuturesPlan) else load_futures(experiment, SENSITIVITY)
    folder = out or default_folder(plan)
    return SensitivityStudy(plan, Path(folder), execute(plan, folder, **execution))
