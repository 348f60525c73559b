"""Plots of one run and of comparisons and sweeps (matplotlib `Figure`s, made without pyplot).

Importing this module sets no backend: in a notebook the figures show inline, and a user's own
`plt.show()` keeps working; only the command line's report path picks the non-interactive Agg.

Every function returns a `Figure`. The numbers a plot draws come from a small data function
beside it (`modules_by_state`, `failures_by_cause`, `policy_means`, `paired_differences`,
`response_grid`), so what is drawn can be checked against the result it came from.

Run plots take the `timeline` and/or `events` tables of a result (`Result` or a saved run folder).
Comparison and sweep plots take a summary table with one row per (variant, policy, replication):
columns `policy`, `replication`, any axis columns, and KPI columns.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from runs.table import KPI_FORMATS

WIDTH_IN = 8.0          # figure width, inches (800 px at the report's 100 dpi)
STEP = "steps-post"     # a timeline sample holds until the next one
MODULE_CAUSES = ("launch failure", "bus failure", "debris strike", "servicing failure")


def _figure(rows: int = 1, cols: int = 1, height: float = 3.2, **kw) -> tuple[Figure, np.ndarray]:
    fig = Figure(figsize=(WIDTH_IN, height * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, **kw)
    return fig, axes


def _headroom(ax, top: float) -> None:
    """y from 0 to a little above `top`, with room for a legend; whole-number ticks."""
    ax.set_ylim(0, max(1.0, top) * 1.3)
    ax.yaxis.get_major_locator().set_params(integer=True)


def _label(kpi: str) -> str:
    return _plain(KPI_FORMATS.get(kpi, (kpi.replace("_", " "), ""))[0])


def _plain(text: object) -> str:
    """`text` drawn as written: a `$` (a policy label, a folder name) must not start matplotlib's mathtext."""
    return str(text).replace("$", r"\$")


# ----- one run -------------------------------------------------------------------------------------
def capacity(timeline: pd.DataFrame) -> Figure:
    """Capacity in service (PFLOPS) against demand over time (years)."""
    fig, ax = _figure()
    ax = ax[0, 0]
    x = timeline["time_years"].to_numpy()
    ax.plot(x, timeline["capacity_pflops"].to_numpy(), drawstyle=STEP, label="capacity")
    ax.plot(x, timeline["demand_pflops"].to_numpy(), drawstyle=STEP, linestyle="--", color="0.3", label="demand")
    ax.set(title="Capacity in service against demand", xlabel="years", ylabel="PFLOPS")
    target = float(timeline["demand_pflops"].max())
    if float(timeline["capacity_pflops"].max()) > 10 * target > 0:   # newer generations outgrow the target
        ax.set_yscale("log")
        ax.set_ylim(bottom=target / 10)
        ax.set_title("Capacity in service against demand (log scale)")
    else:
        ax.set_ylim(bottom=0)
    ax.legend(loc="lower right")
    return fig


def modules_by_state(timeline: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Modules in each state at each timeline sample: operational and in the pipeline (ordered or
    flying) from the timeline; failed in orbit, deorbited and lost at launch, cumulated from events."""
    days = timeline["time_days"].to_numpy()

    def cumulative(kind: str) -> np.ndarray:
        rows = events[events["kind"] == kind]
        t = rows["time_days"].to_numpy()
        c = np.cumsum(rows["count"].to_numpy())
        i = np.searchsorted(t, days, side="right")
        return np.where(i > 0, c[np.maximum(i - 1, 0)] if len(c) else 0, 0)

    return pd.DataFrame({
        "time_years": timeline["time_years"].to_numpy(),
        "operational": timeline["modules_operational"].to_numpy(),
        "in pipeline": timeline["modules_in_pipeline"].to_numpy(),
        "failed in orbit": cumulative("module_failure"),
        "deorbited": cumulative("deorbit"),
        "lost at launch": cumulative("launch_failure"),
    })


def modules(timeline: pd.DataFrame, events: pd.DataFrame) -> Figure:
    """Modules by state over time (see `modules_by_state`)."""
    data = modules_by_state(timeline, events)
    fig, ax = _figure()
    ax = ax[0, 0]
    for col in data.columns[1:]:
        ax.plot(data["time_years"].to_numpy(), data[col].to_numpy(), drawstyle=STEP, label=col)
    ax.set(title="Modules by state (failed, deorbited and lost are cumulative)", xlabel="years", ylabel="modules")
    _headroom(ax, float(data.iloc[:, 1:].to_numpy().max(initial=0)))
    ax.legend(loc="upper left", fontsize="small", ncols=5)
    return fig


def failures_by_cause(events: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """(unit failures per calendar year of the run, module-level failures per year by cause).

    Years are whole years since the start (0 = first year). Module-level causes: modules lost in
    failed launches, module failures by their cause (`detail`), failed servicing trips.
    """
    year = np.floor(events["time_years"].to_numpy()).astype(int)
    last = int(year.max()) if len(year) else 0
    index = pd.Index(range(last + 1), name="year")
    kind = events["kind"].astype(str).to_numpy()
    counts = events["count"].to_numpy()
    units = pd.Series(np.bincount(year[kind == "unit_failure"], counts[kind == "unit_failure"],
                                  minlength=last + 1).astype(int), index=index, name="unit failures")
    detail = events["detail"].astype(str).to_numpy()
    cause = np.select([kind == "launch_failure", kind == "module_failure", kind == "servicing_failure"],
                      ["launch failure", detail, "servicing failure"], "")
    weight = np.where(kind == "launch_failure", counts, 1)   # a failed launch loses `count` modules
    cols = {}
    for c in list(MODULE_CAUSES) + sorted(set(cause[kind == "module_failure"]) - set(MODULE_CAUSES)):
        sel = cause == c
        cols[c] = np.bincount(year[sel], weight[sel], minlength=last + 1).astype(int)
    return units, pd.DataFrame(cols, index=index)


def failures(events: pd.DataFrame) -> Figure:
    """Failures per year: boards (left) and whole modules or trips by cause (right)."""
    units, causes = failures_by_cause(events)
    fig, axes = _figure(1, 2)
    left, right = axes[0]
    left.bar(units.index, units.to_numpy(), color="tab:red")
    left.set(title="Unit (board) failures", xlabel="year of the run", ylabel="units per year")
    bottom = np.zeros(len(causes))
    for c in causes.columns:
        right.bar(causes.index, causes[c].to_numpy(), bottom=bottom, label=_plain(c))
        bottom += causes[c].to_numpy()
    right.set(title="Modules lost and trips failed", xlabel="year of the run", ylabel="per year")
    _headroom(right, float(bottom.max(initial=0)))
    if not bottom.any():
        right.text(0.5, 0.5, "none", transform=right.transAxes, ha="center", color="0.4")
    right.legend(fontsize="small", loc="upper left", ncols=2)
    for ax in (left, right):
        ax.xaxis.get_major_locator().set_params(integer=True)
    return fig


def servicers(timeline: pd.DataFrame, fleet_servicers: int | None = None) -> Figure:
    """Servicers busy and trips waiting for a servicer over time; a dashed line at the fleet size."""
    fig, ax = _figure()
    ax = ax[0, 0]
    x = timeline["time_years"].to_numpy()
    ax.plot(x, timeline["servicers_busy"].to_numpy(), drawstyle=STEP, label="servicers busy")
    ax.plot(x, timeline["trips_queued"].to_numpy(), drawstyle=STEP, label="trips queued")
    if fleet_servicers is not None:
        ax.axhline(fleet_servicers, linestyle="--", color="0.3", label=f"servicers ({fleet_servicers})")
    ax.set(title="Servicer utilisation and queue (at each sample)", xlabel="years", ylabel="count")
    top = max(timeline["servicers_busy"].max(), timeline["trips_queued"].max(), fleet_servicers or 0)
    _headroom(ax, float(top))
    ax.legend(loc="upper left", fontsize="small", ncols=3)
    return fig


def ground(timeline: pd.DataFrame) -> Figure:
    """Results waiting on board for a downlink (TB) and results lost to full buffers (cumulative TB)."""
    fig, axes = _figure(2, 1, height=2.2, sharex=True)
    top, bottom = axes[:, 0]
    x = timeline["time_years"].to_numpy()
    top.plot(x, timeline["backlog_tb"].to_numpy(), color="tab:blue")
    top.set(title="Ground backlog (at each sample) and data lost", ylabel="backlog, TB")
    bottom.plot(x, timeline["data_lost_tb"].to_numpy(), color="tab:red")
    bottom.set(xlabel="years", ylabel="lost, TB (cumulative)")
    for ax in (top, bottom):
        ax.set_ylim(bottom=0)
    return fig


def cost(timeline: pd.DataFrame) -> Figure:
    """Cumulative cost (undiscounted) over time, in millions of USD (billions above $10B)."""
    fig, ax = _figure()
    ax = ax[0, 0]
    usd = timeline["cost_cumulative_usd"].to_numpy()
    scale, unit = (1e9, "billion USD") if usd.max(initial=0) >= 1e10 else (1e6, "million USD")
    ax.plot(timeline["time_years"].to_numpy(), usd / scale, color="tab:green")
    ax.set(title="Cumulative cost (undiscounted)", xlabel="years", ylabel=unit)
    ax.set_ylim(bottom=0)
    return fig


def run_figures(timeline: pd.DataFrame, events: pd.DataFrame,
                fleet_servicers: int | None = None) -> dict[str, Figure]:
    """Every plot of one run, by title."""
    return {
        "Capacity against demand": capacity(timeline),
        "Modules by state": modules(timeline, events),
        "Failures by cause": failures(events),
        "Servicers": servicers(timeline, fleet_servicers),
        "Ground backlog and data lost": ground(timeline),
        "Cumulative cost": cost(timeline),
    }


# ----- comparisons and sweeps ----------------------------------------------------------------------
def t_half_width(values: np.ndarray, confidence: float = 0.95) -> float:
    """Half-width of the Student-t confidence interval of the mean of `values` (nan below 2 values)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n < 2:
        return math.nan
    return float(stats.t.ppf(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))


def policy_means(summary: pd.DataFrame, kpi: str, confidence: float = 0.95) -> pd.DataFrame:
    """Per policy (in order of first appearance): n, mean and CI half-width of `kpi`."""
    rows = []
    for policy, group in summary.groupby("policy", sort=False):
        v = group[kpi].to_numpy(dtype=float)
        rows.append((policy, len(v), float(v.mean()), t_half_width(v, confidence)))
    return pd.DataFrame(rows, columns=["policy", "n", "mean", "half_width"]).set_index("policy")


def kpi_distributions(summary: pd.DataFrame, kpis: list[str], confidence: float = 0.95) -> Figure:
    """One panel per KPI: each replication as a dot, and the mean with its confidence interval, per policy."""
    fig, axes = _figure(len(kpis), 1, height=1.2 + 0.35 * summary["policy"].nunique())
    for ax, kpi in zip(axes[:, 0], kpis):
        means = policy_means(summary, kpi, confidence)
        for i, policy in enumerate(means.index):
            v = summary.loc[summary["policy"] == policy, kpi].to_numpy(dtype=float)
            jitter = np.linspace(-0.15, 0.15, len(v)) if len(v) > 1 else np.zeros(1)
            ax.scatter(v, i + jitter, s=10, alpha=0.4, color="tab:blue")
        ax.errorbar(means["mean"].to_numpy(), np.arange(len(means)), xerr=means["half_width"].fillna(0).to_numpy(),
                    fmt="o",
                    color="black", capsize=4, label=f"mean, {confidence:.0%} CI")
        ax.set_yticks(np.arange(len(means)), [_plain(p) for p in means.index])
        ax.set_ylim(-0.6, len(means) - 0.4)
        ax.set_title(_label(kpi), loc="left", fontsize="medium")
    axes[0, 0].legend(loc="best", fontsize="small")
    return fig


def paired_differences(summary: pd.DataFrame, kpi: str, baseline: str,
                       keys: list[str] | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Per policy other than `baseline`: n, mean and CI half-width of (policy - baseline) for `kpi`,
    paired on `keys` (default: replication and any axis columns shared by the rows)."""
    keys = keys or ["replication"]
    base = summary[summary["policy"] == baseline].set_index(keys)[kpi]
    if base.empty:
        raise ValueError(f"baseline policy {baseline!r} is not in the table")
    rows = []
    for policy, group in summary[summary["policy"] != baseline].groupby("policy", sort=False):
        other = group.set_index(keys)[kpi]
        d = (other - base).dropna().to_numpy(dtype=float)
        rows.append((policy, len(d), float(d.mean()) if len(d) else math.nan, t_half_width(d, confidence)))
    return pd.DataFrame(rows, columns=["policy", "n", "mean", "half_width"]).set_index("policy")


def differences(summary: pd.DataFrame, kpis: list[str], baseline: str, keys: list[str] | None = None,
                confidence: float = 0.95) -> Figure:
    """One panel per KPI: mean paired difference against `baseline` with its confidence interval."""
    others = [p for p in summary["policy"].unique() if p != baseline]
    fig, axes = _figure(len(kpis), 1, height=1.0 + 0.35 * max(1, len(others)))
    for ax, kpi in zip(axes[:, 0], kpis):
        d = paired_differences(summary, kpi, baseline, keys, confidence)
        ax.errorbar(d["mean"].to_numpy(), np.arange(len(d)), xerr=d["half_width"].fillna(0).to_numpy(), fmt="o",
                    color="black",
                    capsize=4)
        ax.axvline(0, color="0.5", linewidth=1)
        ax.set_yticks(np.arange(len(d)), [_plain(p) for p in d.index])
        ax.set_ylim(-0.6, len(d) - 0.4)
        ax.set_title(f"{_label(kpi)}: difference from {_plain(baseline)} ({confidence:.0%} CI, paired)",
                     loc="left", fontsize="medium")
    return fig


def response_grid(summary: pd.DataFrame, x: str, y: str, objective: str) -> pd.DataFrame:
    """Mean of `objective` over replications for each (y, x) pair: rows are y values, columns x values."""
    return summary.pivot_table(index=y, columns=x, values=objective, aggfunc="mean").sort_index().sort_index(axis=1)


def response(summary: pd.DataFrame, x: str, y: str, objective: str, level: float | None = None) -> Figure:
    """Heat map of the mean `objective` over two axes, each cell labelled; with `level`, the contour
    where the objective crosses it (e.g. 0 for a cost difference: the parity frontier)."""
    grid = response_grid(summary, x, y, objective)
    fig, ax = _figure(height=4.0)
    ax = ax[0, 0]
    values = grid.to_numpy(dtype=float)
    image = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(np.arange(grid.shape[1]), [f"{v:g}" if isinstance(v, float) else _plain(v) for v in grid.columns])
    ax.set_yticks(np.arange(grid.shape[0]), [f"{v:g}" if isinstance(v, float) else _plain(v) for v in grid.index])
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if len(finite) else 0.0
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize="small",
                color="white" if v < middle else "black")
    if level is not None and min(grid.shape) > 1 and len(finite) and finite.min() < level < finite.max():
        ax.contour(values, levels=[level], colors="red", linewidths=2)
    ax.set(title=f"{_label(objective)} (mean over replications)", xlabel=_plain(x), ylabel=_plain(y))
    fig.colorbar(image, ax=ax)
    return fig


# ----- a sweep, variant by variant ------------------------------------------------------------------
def variant_title(values: dict) -> str:
    """`axis = value, ...` of one variant."""
    return ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in values.items())


def variant_differences_grid(summary: pd.DataFrame, kpi: str, baseline: str, axes: list[str]) -> pd.DataFrame:
    """Mean paired difference (policy - baseline, replication by replication) of `kpi` within each variant:
    one row per variant (indexed by its title), one column per policy other than `baseline`."""
    others = [p for p in summary["policy"].unique() if p != baseline]
    rows = {}
    for values, group in summary.groupby(axes, sort=True):
        values = values if isinstance(values, tuple) else (values,)
        title = variant_title(dict(zip(axes, values)))
        has_baseline = (group["policy"] == baseline).any()     # not when all its units failed
        rows[title] = paired_differences(group, kpi, baseline, ["replication"])["mean"] if has_baseline else {}
    return pd.DataFrame(rows).T.reindex(columns=others)


def variant_differences(summary: pd.DataFrame, kpi: str, baseline: str, axes: list[str]) -> Figure:
    """Heat map of the mean paired difference from `baseline` of `kpi`, variant by policy, every cell on one
    diverging colour scale centred on zero (the same colour is the same difference in every variant)."""
    grid = variant_differences_grid(summary, kpi, baseline, axes)
    values = grid.to_numpy(dtype=float)
    finite = np.abs(values[np.isfinite(values)])
    bound = float(finite.max()) if len(finite) and finite.max() > 0 else 1.0
    fig, ax = _figure(height=1.5 + 0.35 * grid.shape[0])
    ax = ax[0, 0]
    image = ax.imshow(values, aspect="auto", cmap="RdBu", vmin=-bound, vmax=bound)
    ax.set_xticks(np.arange(grid.shape[1]), list(grid.columns))
    ax.set_yticks(np.arange(grid.shape[0]), list(grid.index))
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{v:+.3g}" if np.isfinite(v) else "NaN", ha="center", va="center", fontsize="small",
                color="white" if np.isfinite(v) and abs(v) > bound / 2 else "black")
    ax.set_title(f"{_label(kpi)}: mean paired difference from {baseline}, per variant", loc="left",
                 fontsize="medium")
    fig.colorbar(image, ax=ax, label=f"policy - {baseline}")
    return fig
