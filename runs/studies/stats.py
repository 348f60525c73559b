"""Statistics of replicated runs: t-intervals, exact binomial intervals, paired differences under common
random numbers, Holm. The one home of these formulas: compare, sweep, parity, validate and plots use it.

Every interval is a two-sided Student t interval at `level` (default 95%). A paired difference is
taken replication by replication (policy minus baseline, on the same seed), so the noise both
policies share cancels; the p-value is the paired t-test's, then Holm-corrected over the policies
compared with the same baseline.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtr, stdtrit   # Student t, without loading scipy.stats (half a second at start-up)

from fleet.kpis import MAXIMISE, directions, not_outcomes

# KPI -> the direction in which it is better, from the KPI registry. KPIs not listed cannot be objectives.
KPI_DIRECTIONS = directions()

# Bookkeeping columns that are not outcomes of the simulated world.
NOT_OUTCOMES = not_outcomes()

BETTER, WORSE, SAME = "better", "worse", "not distinguishable"


@dataclass(frozen=True)
class Interval:
    """A mean and its two-sided confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0


@dataclass(frozen=True)
class Difference(Interval):
    """A mean difference (policy minus baseline) with its interval and two-sided p-value."""

    p_value: float = math.nan


def t_half_width(values, level: float = 0.95) -> float:
    """Half-width of the Student t interval of the mean of `values` (NaN for fewer than 2 values)."""
    return t_width(values, 0.5 + level / 2)


def t_width(values, quantile: float) -> float:
    """Student t's `quantile` (n - 1 degrees of freedom) times the standard error of the mean of
    `values`: the distance from the mean to a bound (NaN for fewer than 2 values)."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 2:
        return math.nan
    return float(stdtrit(n - 1, quantile) * x.std(ddof=1) / math.sqrt(n))


def mean_ci(values, level: float = 0.95) -> Interval:
    """Mean of `values` with a Student t interval; the interval is NaN-wide for fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    if n < 2:
        return Interval(mean, math.nan, math.nan, n)
    half = t_half_width(x, level)
    return Interval(mean, mean - half, mean + half, n)


def finite_mean_ci(values, level: float = 0.95) -> Interval:
    """`mean_ci` of the finite values only (a replication where a quantity never happens is NaN or inf)."""
    x = np.asarray(values, dtype=float)
    return mean_ci(x[np.isfinite(x)], level)


def paired_difference(values, baseline, level: float = 0.95) -> Difference:
    """Mean of `values - baseline` pair by pair, its t interval and the paired t-test's p-value.

    When every pair differs by the same amount, the interval has zero width and p is 0 (or 1 when
    that amount is 0).
    """
    d = np.asarray(values, dtype=float) - np.asarray(baseline, dtype=float)
    ci = mean_ci(d, level)
    if ci.n < 2:
        return Difference(ci.mean, ci.low, ci.high, ci.n, math.nan)
    if np.all(d == d[0]):
        p = 1.0 if d[0] == 0 else 0.0
    else:
        p = two_sided_p(_t_statistic(d), ci.n - 1)
    return Difference(ci.mean, ci.low, ci.high, ci.n, p)


def _t_statistic(d: np.ndarray) -> float:
    """One-sample t statistic of `d` against 0, computed in the order scipy.stats.ttest_1samp does (the
    same p-value to the last bit)."""
    n = len(d)
    mean = d.mean()
    variance = ((d - mean) ** 2).mean() * (n / (n - 1))
    return float(mean / np.sqrt(variance / n))


def unpaired_difference(values, baseline, level: float = 0.95) -> Difference:
    """Welch's interval and p-value for the difference of means, ignoring any pairing."""
    x, y = np.asarray(values, dtype=float), np.asarray(baseline, dtype=float)
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    mean = float(x.mean() - y.mean())
    se = math.sqrt(vx + vy)
    if se == 0:
        return Difference(mean, mean, mean, len(x), 1.0 if mean == 0 else 0.0)
    dof = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    half = float(stdtrit(dof, 0.5 + level / 2) * se)
    p = two_sided_p(mean / se, dof)
    return Difference(mean, mean - half, mean + half, len(x), p)


def two_sided_p(t: float, dof: float) -> float:
    """Two-sided p-value of the statistic `t` under Student's t with `dof` degrees of freedom."""
    return float(2 * stdtr(dof, -abs(t)))


def clopper_pearson(successes: int, trials: int, alpha: float) -> tuple[float, float]:
    """Exact two-sided 1 - alpha interval of a binomial proportion (beta quantiles)."""
    from scipy import stats   # the beta quantiles need scipy.stats, which the t statistics above avoid

    low = float(stats.beta.ppf(alpha / 2, successes, trials - successes + 1)) if successes > 0 else 0.0
    high = float(stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes)) if successes < trials else 1.0
    return low, high


def holm(p_values) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values, in the order given (NaN stays NaN)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    running = 0.0
    for rank, i in enumerate(ok[np.argsort(p[ok], kind="stable")]):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def verdict(diff: float, p_adjusted: float, direction: str, alpha: float = 0.05) -> str:
    """`better`, `worse` or `not distinguishable` against the baseline, at family-wise level `alpha`."""
    if math.isnan(p_adjusted) or p_adjusted >= alpha or diff == 0:
        return SAME
    gain = diff > 0 if direction == MAXIMISE else diff < 0
    return BETTER if gain else WORSE


def compare(summary: pd.DataFrame, kpis: list[str], baseline: str, directions: dict[str, str] | None = None,
            level: float = 0.95, alpha: float = 0.05) -> pd.DataFrame:
    """Per KPI and policy: mean and interval; against `baseline`, the paired difference, Holm p, verdict.

    `summary` has one row per (policy, replication) of one scenario variant, with columns `policy`,
    `replication` and the KPIs. Pairs are matched on `replication`; a replication missing for either
    policy, or NaN for either, is left out of that pair (`n` counts the values used, `runs` the rows). A
    KPI that is NaN in every run of a policy gives it a NaN mean and difference, never an error. Holm
    runs over the non-baseline policies, separately per KPI.
    """
    directions = {**KPI_DIRECTIONS, **(directions or {})}
    policies = list(dict.fromkeys(summary["policy"]))
    runs = summary["policy"].value_counts()
    if summary.empty:
        return pd.DataFrame()
    wide, column = _wide(summary, kpis, policies)
    rows = []
    for kpi in kpis:
        block = []
        for policy in policies:
            x = wide[:, column[kpi, policy]]
            ci = mean_ci(x[~np.isnan(x)], level)
            row = {"kpi": kpi, "policy": policy, "runs": runs[policy], "n": ci.n, "mean": ci.mean,
                   "ci_low": ci.low, "ci_high": ci.high,
                   "diff": math.nan, "diff_low": math.nan, "diff_high": math.nan, "p": math.nan,
                   "p_holm": math.nan, "verdict": ""}
            if policy != baseline and baseline in policies:
                y = wide[:, column[kpi, baseline]]
                both = ~np.isnan(x) & ~np.isnan(y)
                d = paired_difference(x[both], y[both], level)
                row.update(diff=d.mean, diff_low=d.low, diff_high=d.high, p=d.p_value)
            block.append(row)
        others = [r for r in block if r["policy"] != baseline]
        for r, p in zip(others, holm([r["p"] for r in others])):
            r["p_holm"] = p
            direction = directions.get(kpi)
            r["verdict"] = verdict(r["diff"], p, direction, alpha) if direction else ""
        rows.extend(block)
    return pd.DataFrame(rows)


def _wide(summary: pd.DataFrame, kpis: list[str], policies: list[str]) -> tuple[np.ndarray, dict[tuple[str, str], int]]:
    """Every KPI of every policy side by side, one row per replication (NaN where a run is missing or has
    no value), in one pivot (one per KPI and policy took about 10 ms each), and the column of each (KPI, policy)."""
    names = list(dict.fromkeys(kpis))
    columns = pd.MultiIndex.from_product([names, policies])
    wide = summary.pivot_table(index="replication", columns="policy", values=names, aggfunc="first",
                               dropna=False).reindex(columns=columns)
    return wide.to_numpy(dtype=float), {c: i for i, c in enumerate(columns)}
