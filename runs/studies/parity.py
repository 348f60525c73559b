"""Parity study: where orbit and Earth cost the same per delivered compute.

Each named axis maps to scenario fields and has a default range. The study runs every setting
(one axis at a time, the others at the scenario's values; or the full grid of two axes) through the
plan, results store and backends of `fleet compare`: each (setting, replication) is a work unit
written as Parquet, a rerun resumes, and replication r has the seed made from the base seed and r
at every setting (common random numbers). For each setting it reports
`orbit_to_earth_cost_ratio` (levelised cost per PFLOPS-day, orbit over Earth) and
`orbit_cheaper_from_year` (first calendar year at whose end orbit's levelised cost since the start
is at most Earth's; see `fleet.earth.first_cheaper_year`) as mean and 95% confidence interval
(Student t) across replications. The frontier is where the ratio crosses 1 along an axis, by
linear interpolation (in log scale for log axes) between neighbouring settings: once on the mean
ratio, and once per replication to give its own mean and interval.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
import html
import os
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from fleet.errors import InputError, clip
from fleet.scenario import Exponential, Scenario, parse_scenario
from runs.api import load_scenario, with_changes
from runs.studies.backends import DEFAULT_UNIT_TIMEOUT, make_backend
from runs.studies.experiment import (CONFIRM_UNITS, CONFIRM_VARIANTS, MAX_PLAN_UNITS, MAX_PLAN_VARIANTS, Experiment,
                             Plan)
from runs.folders import safe_name, write_page
from runs.pages import page, table
from runs.studies.runner import RunReport, run_plan
from runs.studies.store import load_results
from runs.studies.stats import finite_mean_ci
from runs.studies.workunits import PolicyChoice, Variant, replication_seed


def _scale_launch_prices(data: dict, factor: float) -> None:
    """Scale every form of launch price: per kg (table or learning curve), per flight, minimum charge."""
    for v in data["launch"]["vehicles"]:
        price = v.get("price_per_kg_usd")
        if price is not None and "learning_curve" in price:
            price["usd_per_kg"] *= factor
            price["floor_usd_per_kg"] *= factor
        for key in ("price_per_kg_usd", "price_per_flight_usd", "minimum_charge_usd"):
            table = v.get(key)
            if table is not None and "learning_curve" not in table:
                v[key] = {y: p * factor for y, p in table.items()}


def _set_efficiency_trend(data: dict, growth: float) -> None:
    trend = data["hardware"].get("trend") or {"interval_years": 2}
    data["hardware"]["trend"] = {**trend, "perf_per_watt_growth_per_year": growth}


def _set_unit_failure_rate(data: dict, rate: float) -> None:
    data["failures"]["unit"] = {"distribution": "exponential", "rate_per_year": rate}


def _set_electricity_price(data: dict, price: float) -> None:
    data["earth"]["electricity_usd_per_kwh"] = price


@dataclass(frozen=True)
class Axis:
    """A named input of the study: its default range, scale, and how it changes the scenario."""

    name: str
    field: str
    low: float
    high: float
    log: bool
    apply: Callable[[dict, float], None]

    def values(self, points: int) -> np.ndarray:
        if points == 1:
            return np.array([math.sqrt(self.low * self.high) if self.log else (self.low + self.high) / 2])
        if self.log:
            return np.geomspace(self.low, self.high, points)
        return np.linspace(self.low, self.high, points)


AXES = {a.name: a for a in (
    Axis("launch_price", "launch.vehicles[*] every price: per kg, per flight, minimum charge (scale factor)", 0.1, 3.0, True, _scale_launch_prices),
    Axis("efficiency_trend", "hardware.trend.perf_per_watt_growth_per_year", 0.1, 0.5, False, _set_efficiency_trend),
    Axis("unit_failure_rate", "failures.unit.rate_per_year", 0.02, 0.16, False, _set_unit_failure_rate),
    Axis("electricity_price", "earth.electricity_usd_per_kwh", 0.02, 0.15, False, _set_electricity_price),
)}


def parse_axes(text: str) -> list[Axis]:
    """Axes from a comma-separated list of names; InputError naming --axes if one is unknown."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in AXES]
    if not names or unknown:
        raise InputError(f"--axes: unknown axis {clip(', '.join(unknown)) or '(none given)'}; "
                         f"axes are {', '.join(AXES)}")
    if len(set(names)) != len(names):
        raise InputError("--axes: an axis is listed twice")
    return [AXES[n] for n in names]


def variant(scenario: Scenario, settings: dict[str, float]) -> Scenario:
    """`scenario` with each named axis set to its value."""
    data = scenario.model_dump(mode="json")
    for name, value in settings.items():
        AXES[name].apply(data, value)
    return parse_scenario(data, f"scenario {scenario.name} with {settings}")


def settings_list(axes: list[Axis], points: int, grid: bool) -> list[dict[str, float]]:
    """One axis at a time, or (grid) every combination of two axes."""
    if grid:
        if len(axes) != 2:
            raise InputError("--grid needs exactly two --axes")
        a, b = axes
        return [{a.name: float(x), b.name: float(y)} for x in a.values(points) for y in b.values(points)]
    return [{a.name: float(v)} for a in axes for v in a.values(points)]


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% Student-t interval of the finite values (NaN where fewer than two)."""
    ci = finite_mean_ci(values)
    return ci.mean, ci.low, ci.high


def crossing(values: np.ndarray, ratios: np.ndarray, log: bool) -> float:
    """First value where the ratio crosses 1, linearly interpolated; NaN if it never does."""
    x = np.log(values) if log else np.asarray(values, dtype=float)
    r = np.asarray(ratios, dtype=float)
    for i in range(len(r) - 1):
        a, b = r[i] - 1.0, r[i + 1] - 1.0
        if not (math.isfinite(a) and math.isfinite(b)):
            continue
        if a == 0:
            return float(values[i])
        if a * b < 0 or b == 0:
            xc = x[i] + (x[i + 1] - x[i]) * a / (a - b)
            return float(math.exp(xc) if log else xc)
    return math.nan


KPIS = ("orbit_to_earth_cost_ratio", "orbit_cheaper_from_year", "orbit_levelised_usd_per_pflops_day",
        "earth_levelised_usd_per_pflops_day")


def parity_plan(scenario: str | os.PathLike | Scenario, axes: str | list[Axis] = "launch_price", *,
                replications: int = 3, seed: int = 0, points: int = 5, grid: bool = False,
                years: float | None = None, confirmed: bool = True) -> Plan:
    """The plan of a parity study: every setting x replication under the scenario's own policy.

    InputError for bad counts; a plan over the size that needs --yes (`confirmed` False) or can be
    held at all is refused before any setting is built (see runs.experiment.plan_size)."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    axes = parse_axes(axes) if isinstance(axes, str) else axes
    if replications < 1 or points < 1:
        raise InputError("--replications and --points must be at least 1")
    if seed < 0:
        raise InputError("--seed must be a non-negative whole number")
    if grid and len(axes) != 2:
        raise InputError("--grid needs exactly two --axes")
    if "unit_failure_rate" in [a.name for a in axes] and not isinstance(base.failures.unit, Exponential):
        raise InputError("--axes unit_failure_rate: failures.unit must be exponential in this scenario")
    if years is not None:
        base = with_changes(base, horizon_years=years)
    name = f"parity-{base.name}"
    _check_size(points ** 2 if grid else points * len(axes), replications, confirmed)
    data = {"name": name, "description": f"parity along {', '.join(a.name for a in axes)}{' (grid)' if grid else ''}",
            "scenario": base.name, "seed": seed, "replications": replications,
            "axes": {a.name: [float(v) for v in a.values(points)] for a in axes},
            "policies": [{"name": base.policy.name, "params": dict(base.policy.params)}], "objectives": [KPIS[0]]}
    experiment = Experiment.model_validate(data)
    variants = tuple(Variant(tuple(s.items()), variant(base, s)) for s in settings_list(axes, points, grid))
    policy = PolicyChoice(base.policy.name, tuple(base.policy.params.items()))
    seeds = tuple(replication_seed(seed, r) for r in range(replications))
    return Plan(experiment, name, base, tuple(a.name for a in axes), variants, (policy,), seeds, None)


def _check_size(settings: int, replications: int, confirmed: bool) -> None:
    """Refuse a study too large to plan, or (unless `confirmed`) to run unasked, as sweeps do."""
    units = settings * replications
    if units > MAX_PLAN_UNITS or settings > MAX_PLAN_VARIANTS:
        why = f"at most {MAX_PLAN_UNITS:,} units and {MAX_PLAN_VARIANTS:,} settings can be planned; split the study"
    elif not confirmed and (units > CONFIRM_UNITS or settings > CONFIRM_VARIANTS):
        why = f"more than {CONFIRM_UNITS:,} units or {CONFIRM_VARIANTS:,} settings needs confirming: add --yes"
    else:
        return
    raise InputError(f"the parity study has {units:,} work units ({settings:,} settings x {replications:,} "
                     f"replications); {why}")


@dataclass
class ParityStudy:
    """A parity study's results: per unit, per setting, the frontier, and the sentences."""

    plan: Plan
    axes: list[Axis]
    grid: bool
    folder: Path
    run: RunReport | None = None
    summary: pd.DataFrame = field(init=False, repr=False)
    failures: pd.DataFrame = field(init=False, repr=False)
    runs: pd.DataFrame = field(init=False, repr=False)
    settings: pd.DataFrame = field(init=False, repr=False)
    frontier: pd.DataFrame = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        results = load_results(self.folder)
        keys = {u.key for u in self.plan.units}
        rows = results.summary[results.summary["key"].isin(keys)]
        self.summary = rows.reset_index(drop=True)
        self.failures = results.failures[results.failures["key"].isin(keys)].reset_index(drop=True)
        names = [a.name for a in self.axes]
        columns = [n for n in names if n in rows.columns]
        self.runs = rows.reindex(columns=[*names, "replication", "seed", *KPIS]).reset_index(drop=True)
        self.runs[columns] = self.runs[columns].astype(float)
        self.settings, self.frontier = tables(self.runs, self.axes, self.grid)

    def table(self) -> pd.DataFrame:
        """Per setting: the orbit / Earth cost ratio and the first year orbit is cheaper, mean and 95% interval."""
        return self.settings

    def differences(self) -> pd.DataFrame:
        """Per setting: orbit's levelised cost per PFLOPS-day minus Earth's, paired replication by replication
        (USD per PFLOPS-day), with a 95% interval."""
        names = [a.name for a in self.axes]
        out = []
        for key, group in self.runs.groupby(names, sort=False, dropna=False):
            key = key if isinstance(key, tuple) else (key,)
            m, lo, hi = mean_ci((group[KPIS[2]] - group[KPIS[3]]).to_numpy())
            out.append({**dict(zip(names, key)), "diff_usd_per_pflops_day": m, "diff_low": lo, "diff_high": hi})
        return pd.DataFrame(out)

    def verdict(self) -> str:
        """One sentence per axis (per value of the first axis in a grid): where parity is, or that there is none."""
        return "\n".join(_sentence(row, self.settings, self.axes, self.grid) for _, row in self.frontier.iterrows())

    def report(self, path: str | os.PathLike | None = None) -> Path:
        """Write report.html (the sentences and the tables) into the folder `path` (default: the results folder)."""
        name = self.plan.experiment.name
        body = [f"<h1>{html.escape(name)}: parity with Earth</h1>",
                *(f"<p>{html.escape(line)}</p>" for line in self.verdict().splitlines()),
                "<h2>Settings</h2>", table(self.settings, "n/a"),
                "<h2>Orbit minus Earth, per setting</h2>", table(self.differences(), "n/a"),
                "<h2>Frontier</h2>", table(self.frontier, "n/a")]
        return write_page(Path(path) if path is not None else self.folder, page(f"{name}: parity", body))


def parity(scenario: str | os.PathLike | Scenario, axes: str | list[Axis] = "launch_price", *,
           replications: int = 3, seed: int = 0, points: int = 5, grid: bool = False, years: float | None = None,
           out: str | os.PathLike | None = None, backend: str = "local", workers: int | None = None,
           scheduler: str | None = None, unit_timeout: float = DEFAULT_UNIT_TIMEOUT, force: bool = False,
           progress: bool = False) -> ParityStudy:
    """Run a parity study's missing units into `out` (default results/parity-SCENARIO-HASH, the hash
    leaving out the replication count) and return the study."""
    plan = parity_plan(scenario, axes, replications=replications, seed=seed, points=points, grid=grid, years=years)
    return run_parity(plan, out or default_folder(plan), grid, backend=backend, workers=workers,
                      scheduler=scheduler, unit_timeout=unit_timeout, force=force, progress=progress)


def run_parity(plan: Plan, out: str | os.PathLike, grid: bool, *, backend: str = "local", workers: int | None = None,
               scheduler: str | None = None, unit_timeout: float = DEFAULT_UNIT_TIMEOUT, force: bool = False,
               progress: bool = False) -> ParityStudy:
    """Run the plan's missing units into `out` and return the study."""
    report = run_plan(plan, out, make_backend(backend, workers, scheduler, unit_timeout), progress, force)
    return ParityStudy(plan, [AXES[a] for a in plan.axes], grid, Path(out), report)


def default_folder(plan: Plan) -> str:
    return "results/" + safe_name(f"{plan.experiment.name}-{plan.sha256()[:8]}")


def tables(runs: pd.DataFrame, axes: list[Axis], grid: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-setting summaries, frontier) of the per-unit rows `runs`."""
    settings = _settings(runs, [a.name for a in axes])
    return settings, _frontier(runs, settings, axes, grid) if len(runs) else pd.DataFrame()


def _settings(runs: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    summaries = []
    for key, group in runs.groupby(names, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        ratio = mean_ci(group["orbit_to_earth_cost_ratio"].to_numpy())
        years = group["orbit_cheaper_from_year"].to_numpy(dtype=float)
        year = mean_ci(years)
        summaries.append({**dict(zip(names, key)),
                          "ratio_mean": ratio[0], "ratio_ci_low": ratio[1], "ratio_ci_high": ratio[2],
                          "cheaper_share": float(np.isfinite(years).mean()),
                          "cheaper_from_year_mean": year[0], "cheaper_from_year_ci_low": year[1],
                          "cheaper_from_year_ci_high": year[2]})
    return pd.DataFrame(summaries)


def _sentence(row: pd.Series, settings: pd.DataFrame, axes: list[Axis], grid: bool) -> str:
    """Parity along one axis, or `orbit costs A to B times Earth across AXIS LOW to HIGH; no parity`."""
    axis = AXES[row["axis"]]
    s = settings.dropna(subset=[axis.name])
    where = ""
    if grid:
        first = axes[0].name
        s = s[s[first] == row[first]]
        where = f" at {first} {_value(axes[0], row[first])}"
    lo, hi = s[axis.name].min(), s[axis.name].max()
    span = f"{axis.name.replace('_', ' ')} {_value(axis, lo)} to {_value(axis, hi)}{where}"
    if math.isfinite(row["parity_at_mean_ratio"]):
        return (f"parity at {axis.name.replace('_', ' ')} {_value(axis, row['parity_at_mean_ratio'])}{where} on the "
                f"mean ratio ({row['replications_crossing']} of {row['replications']} replications cross; their "
                f"crossing {_value(axis, row['parity_mean'])} [{_value(axis, row['parity_ci_low'])}, "
                f"{_value(axis, row['parity_ci_high'])}])")
    ratios = s["ratio_mean"].dropna()
    if ratios.empty:
        return f"no cost ratio across {span}; no parity"
    return f"orbit costs {ratios.min():.3g} to {ratios.max():.3g} times Earth across {span}; no parity"


def _value(axis: Axis, value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.3g}x" if axis.name == "launch_price" else f"{value:.3g}"


def _frontier(runs: pd.DataFrame, summary: pd.DataFrame, axes: list[Axis], grid: bool) -> pd.DataFrame:
    """Ratio = 1 crossings: along each axis, or (grid) along the second axis for each value of the first."""
    out = []
    groups: list[tuple[dict, Axis, pd.DataFrame, pd.DataFrame]] = []
    if grid:
        a, b = axes
        for x in summary[a.name].unique():
            groups.append(({a.name: x}, b, summary[summary[a.name] == x], runs[runs[a.name] == x]))
    else:
        for ax in axes:
            groups.append(({}, ax, summary.dropna(subset=[ax.name]), runs.dropna(subset=[ax.name])))
    for fixed, ax, s, r in groups:
        s = s.sort_values(ax.name)
        at_mean = crossing(s[ax.name].to_numpy(), s["ratio_mean"].to_numpy(), ax.log)
        per_rep = [crossing(g[ax.name].to_numpy(), g["orbit_to_earth_cost_ratio"].to_numpy(), ax.log)
                   for _, g in r.sort_values(ax.name).groupby("replication")]
        m, lo, hi = mean_ci(np.array(per_rep))
        out.append({**fixed, "axis": ax.name, "field": ax.field, "parity_at_mean_ratio": at_mean,
                    "parity_mean": m, "parity_ci_low": lo, "parity_ci_high": hi,
                    "replications_crossing": int(np.isfinite(per_rep).sum()), "replications": len(per_rep)})
    return pd.DataFrame(out)
