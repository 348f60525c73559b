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
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter, PercentFormatter

from fleet.kpis import REGISTRY
from runs.look.table import KPI_FORMATS
from runs.studies.stats import t_half_width

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
    return _plain(kpi_label(kpi))


def kpi_label(kpi: str) -> str:
    """The KPI's label from the registry (words, not its snake_case name)."""
    return KPI_FORMATS.get(kpi, (kpi.replace("_", " "), ""))[0]


def si(value: float, _position: object = None) -> str:
    """A tick label: thousands separators up to 9,999, then SI suffixes (12.5 k, 3 M, 1.2 G, 40 T)."""
    size = abs(value)
    for factor, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e4, "k")):
        if size >= factor:
            factor = 1e3 if suffix == "k" else factor
            number = value / factor
            return (f"{number:,.0f}" if abs(number) >= 100 else f"{number:.3g}") + f" {suffix}"
    if size >= 10 or value == round(value):
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _numbers(axis, unit: str) -> None:
    """Tick labels with separators and SI suffixes, no offset text; `unit` names the axis."""
    axis.set_major_formatter(FuncFormatter(si))
    axis.set_minor_formatter(NullFormatter())
    axis.set_label_text(unit)


def _kpi_axis(axis, kpi: str, prefix: str = "") -> None:
    """An axis of KPI values: percent for fractions, SI numbers otherwise; labelled with the registry's unit."""
    unit = REGISTRY[kpi].unit if kpi in REGISTRY else ""
    if unit == "fraction":
        axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=None))
        axis.set_label_text(prefix + "percent")
    else:
        _numbers(axis, prefix + unit)


def _calendar(ax, timeline: pd.DataFrame) -> np.ndarray:
    """x values in calendar years (the timeline's `year`; years into the run for a timeline without it)."""
    ax.set_xlabel("year" if "year" in timeline else "years into the run")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    return (timeline["year"] if "year" in timeline else timeline["time_years"]).to_numpy()


def start_year(timeline: pd.DataFrame) -> float:
    """The calendar year at which a run starts (0 for a timeline without calendar years)."""
    if "year" not in timeline or timeline.empty:
        return 0.0
    return float(timeline["year"].iloc[0] - timeline["time_years"].iloc[0])


def _plain(text: object) -> str:
    """`text` drawn as written: a `$` (a policy label, a folder name) must not start matplotlib's mathtext."""
    return str(text).replace("$", r"\$")


# ----- one run -------------------------------------------------------------------------------------
def capacity(timeline: pd.DataFrame) -> Figure:
    """Capacity in service (PFLOPS) against demand over time (years)."""
    fig, ax = _figure()
    ax = ax[0, 0]
    x = _calendar(ax, timeline)
    ax.plot(x, timeline["capacity_pflops"].to_numpy(), drawstyle=STEP, label="capacity")
    ax.plot(x, timeline["demand_pflops"].to_numpy(), drawstyle=STEP, linestyle="--", color="0.3", label="demand")
    ax.set_title("Capacity in service against demand")
    target = float(timeline["demand_pflops"].max())
    if float(timeline["capacity_pflops"].max()) > 10 * target > 0:   # newer generations outgrow the target
        ax.set_yscale("log")
        ax.set_ylim(bottom=target / 10)
        ax.set_title("Capacity in service against demand (log scale)")
    else:
        ax.set_ylim(bottom=0)
    _numbers(ax.yaxis, "PFLOPS")
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
    x = _calendar(ax, timeline)
    for col in data.columns[1:]:
        ax.plot(x, data[col].to_numpy(), drawstyle=STEP, label=col)
    ax.set_title("Modules by state (failed, deorbited and lost are cumulative)")
    _headroom(ax, float(data.iloc[:, 1:].to_numpy().max(initial=0)))
    _numbers(ax.yaxis, "modules")
    ax.legend(loc="upper left", fontsize="small", ncols=5)
    return fig


def failures_by_cause(events: pd.DataFrame, first_year: int = 0) -> tuple[pd.Series, pd.DataFrame]:
    """(unit failures per year of the run, module-level failures per year by cause).

    Years are whole years since the start, numbered from `first_year` (0 by default: the first year of
    the run; the run's start year gives calendar years). Module-level causes: modules lost in failed
    launches, module failures by their `reason`, failed servicing trips.
    """
    year = np.floor(events["time_years"].to_numpy()).astype(int)
    last = int(year.max()) if len(year) else 0
    index = pd.Index(range(first_year, first_year + last + 1), name="year")
    kind = events["kind"].astype(str).to_numpy()
    counts = events["count"].to_numpy()
    units = pd.Series(np.bincount(year[kind == "unit_failure"], counts[kind == "unit_failure"],
                                  minlength=last + 1).astype(int), index=index, name="unit failures")
    reason = events["reason"].astype(str).to_numpy()
    cause = np.select([kind == "launch_failure", kind == "module_failure", kind == "servicing_failure"],
                      ["launch failure", reason, "servicing failure"], "")
    weight = np.where(kind == "launch_failure", counts, 1)   # a failed launch loses `count` modules
    cols = {}
    for c in list(MODULE_CAUSES) + sorted(set(cause[kind == "module_failure"]) - set(MODULE_CAUSES)):
        sel = cause == c
        cols[c] = np.bincount(year[sel], weight[sel], minlength=last + 1).astype(int)
    return units, pd.DataFrame(cols, index=index)


def failures(events: pd.DataFrame, first_year: int = 0) -> Figure:
    """Failures per year (calendar years from `first_year`): boards (left) and whole modules or trips by
    cause (right)."""
    units, causes = failures_by_cause(events, first_year)
    fig, axes = _figure(1, 2)
    left, right = axes[0]
    left.bar(units.index, units.to_numpy(), color="tab:red")
    left.set(title="Unit (board) failures", xlabel="year" if first_year else "year of the run")
    _numbers(left.yaxis, "boards per year")
    bottom = np.zeros(len(causes))
    for c in causes.columns:
        right.bar(causes.index, causes[c].to_numpy(), bottom=bottom, label=_plain(c))
        bottom += causes[c].to_numpy()
    right.set(title="Modules lost and trips failed", xlabel="year" if first_year else "year of the run",
              ylabel="count per year")
    _headroom(right, float(bottom.max(initial=0)))
    if not bottom.any():
        right.text(0.5, 0.5, "none", transform=right.transAxes, ha="center", color="0.4")
    right.legend(fontsize="small", loc="upper left", ncols=2)
    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    return fig


def servicer_load(timeline: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """(servicers busy and trips waiting for a servicer, and whether these are averages over each sample
    step). A timeline saved before the averages existed gives the values at each sample instead."""
    averaged = "servicers_busy_mean" in timeline
    cols = ("servicers_busy_mean", "trips_queued_mean") if averaged else ("servicers_busy", "trips_queued")
    return pd.DataFrame({"busy": timeline[cols[0]].to_numpy(dtype=float),
                         "queued": timeline[cols[1]].to_numpy(dtype=float)}), averaged


def servicers(timeline: pd.DataFrame, fleet_servicers: int | None = None) -> Figure:
    """Servicers busy and trips waiting for a servicer, each averaged over the sample step that ends at
    the point drawn (a trip shows as its share of the step, not a spike); a dashed line at the fleet size.
    When no trip ever waited (policies that send trips only to free servicers), the legend says so."""
    load, averaged = servicer_load(timeline)
    fig, ax = _figure()
    ax = ax[0, 0]
    x = _calendar(ax, timeline)
    ax.plot(x, load["busy"].to_numpy(), drawstyle="steps-pre", label="servicers busy")
    waited = bool(load["queued"].any())
    ax.plot(x, load["queued"].to_numpy(), drawstyle="steps-pre",
            label="trips waiting for a servicer" if waited else "trips waiting for a servicer: none")
    if fleet_servicers is not None:
        ax.axhline(fleet_servicers, linestyle="--", color="0.3", label=f"servicers ({fleet_servicers})")
    step = "mean over each sample step" if averaged else "at each sample"
    ax.set_title(f"Servicers busy and trips waiting ({step})")
    top = max(load["busy"].max(), load["queued"].max(), fleet_servicers or 0, 0.0) if len(load) else 0.0
    _headroom(ax, float(top))
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto"))
    _numbers(ax.yaxis, "servicers or trips")
    ax.legend(loc="upper left", fontsize="small", ncols=3)
    return fig


def ground(timeline: pd.DataFrame) -> Figure:
    """Results waiting on board for a downlink (TB) and results lost to full buffers (cumulative TB)."""
    fig, axes = _figure(2, 1, height=2.2, sharex=True)
    top, bottom = axes[:, 0]
    x = _calendar(bottom, timeline)
    top.plot(x, timeline["backlog_tb"].to_numpy(), color="tab:blue")
    top.set_title("Ground backlog (at each sample) and data lost (cumulative)")
    bottom.plot(x, timeline["data_lost_tb"].to_numpy(), color="tab:red")
    for ax, unit in ((top, "backlog, TB"), (bottom, "lost, TB")):
        ax.set_ylim(bottom=0)
        _numbers(ax.yaxis, unit)
    return fig


def cost(timeline: pd.DataFrame) -> Figure:
    """Cumulative cost (undiscounted) over time, USD with SI suffixes (M: million, G: billion)."""
    fig, ax = _figure()
    ax = ax[0, 0]
    ax.plot(_calendar(ax, timeline), timeline["cost_cumulative_usd"].to_numpy(), color="tab:green")
    ax.set_title("Cumulative cost (undiscounted)")
    ax.set_ylim(bottom=0)
    _numbers(ax.yaxis, "USD (M: million, G: billion)")
    return fig


def run_figures(timeline: pd.DataFrame, events: pd.DataFrame,
                fleet_servicers: int | None = None) -> dict[str, Figure]:
    """Every plot of one run, by title."""
    return {
        "Capacity against demand": capacity(timeline),
        "Modules by state": modules(timeline, events),
        "Failures by cause": failures(events, round(start_year(timeline))),
        "Servicers": servicers(timeline, fleet_servicers),
        "Ground backlog and data lost": ground(timeline),
        "Cumulative cost": cost(timeline),
    }


# ----- comparisons and sweeps ----------------------------------------------------------------------
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
        _kpi_axis(ax.xaxis, kpi)
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
        _kpi_axis(ax.xaxis, kpi, "difference, ")
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
    bar = fig.colorbar(image, ax=ax)
    _kpi_axis(bar.ax.yaxis, objective)
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
    ax.set_title(f"{_label(kpi)}: mean paired difference from {_plain(baseline)}, per variant", loc="left",
                 fontsize="medium")
    bar = fig.colorbar(image, ax=ax)
    _kpi_axis(bar.ax.yaxis, kpi, f"policy - {_plain(baseline)}, ")
    return fig
