"""Parity study: where orbit and Earth cost the same per delivered compute.

Each named axis maps to scenario fields and has a default range. The study runs every setting
(one axis at a time, the others at the scenario's values; or the full grid of two axes) with the
same seeds, so settings are compared under common random numbers. For each setting it reports
`orbit_to_earth_cost_ratio` (levelised cost per PFLOPS-day, orbit over Earth) and
`orbit_cheaper_from_year` (first calendar year at whose end orbit's levelised cost since the start
is at most Earth's; see `fleet.earth.first_cheaper_year`) as mean and 95% confidence interval
(Student t) across replications. The frontier is where the ratio crosses 1 along an axis, by
linear interpolation (in log scale for log axes) between neighbouring settings: once on the mean
ratio, and once per replication to give its own mean and interval.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from fleet.errors import InputError, clip
from fleet.scenario import Exponential, Scenario, parse_scenario
from runs.api import simulate
from runs.studies.stats import finite_mean_ci


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


MAX_PARITY_RUNS = 100_000   # settings x replications in one study: it runs serially, in this process
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


@dataclass
class ParityResult:
    """Per-run rows, per-setting summaries, and the frontier."""

    runs: pd.DataFrame
    settings: pd.DataFrame
    frontier: pd.DataFrame


def run_parity(scenario: Scenario, axes: list[Axis], replications: int = 3, seed: int = 0, points: int = 5,
               grid: bool = False, progress: Callable[[str], None] | None = None) -> ParityResult:
    """Run the study; replications use seeds seed .. seed + replications - 1 at every setting."""
    if replications < 1 or points < 1:
        raise InputError("--replications and --points must be at least 1")
    runs_planned = (points ** 2 if grid else points * len(axes)) * replications
    if runs_planned > MAX_PARITY_RUNS:
        raise InputError(f"the study has {runs_planned:,} runs (settings x replications); at most "
                         f"{MAX_PARITY_RUNS:,} run in one parity study (one after another, in this process)")
    if "unit_failure_rate" in [a.name for a in axes] and not isinstance(scenario.failures.unit, Exponential):
        raise InputError("--axes unit_failure_rate: failures.unit must be exponential in this scenario")
    rows = []
    for settings in settings_list(axes, points, grid):
        sc = variant(scenario, settings)
        for k in range(replications):
            s = simulate(sc, seed=seed + k).summary
            rows.append({**settings, "seed": seed + k,
                         "orbit_to_earth_cost_ratio": s["orbit_to_earth_cost_ratio"],
                         "orbit_cheaper_from_year": s["orbit_cheaper_from_year"],
                         "orbit_levelised_usd_per_pflops_day": s["orbit_levelised_usd_per_pflops_day"],
                         "earth_levelised_usd_per_pflops_day": s["earth_levelised_usd_per_pflops_day"]})
        if progress:
            progress(", ".join(f"{n}={v:g}" for n, v in settings.items()))
    runs = pd.DataFrame(rows)
    names = [a.name for a in axes]
    summaries = []
    for key, group in runs.groupby(names, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        ratio = finite_mean_ci(group["orbit_to_earth_cost_ratio"].to_numpy())
        year = finite_mean_ci(group["orbit_cheaper_from_year"].to_numpy())
        summaries.append({**dict(zip(names, key)),
                          "ratio_mean": ratio.mean, "ratio_ci_low": ratio.low, "ratio_ci_high": ratio.high,
                          "cheaper_share": float(np.isfinite(group["orbit_cheaper_from_year"]).mean()),
                          "cheaper_from_year_mean": year.mean, "cheaper_from_year_ci_low": year.low,
                          "cheaper_from_year_ci_high": year.high})
    settings_frame = pd.DataFrame(summaries)
    return ParityResult(runs=runs, settings=settings_frame, frontier=_frontier(runs, settings_frame, axes, grid))


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
                   for _, g in r.sort_values(ax.name).groupby("seed")]
        parity = finite_mean_ci(per_rep)
        out.append({**fixed, "axis": ax.name, "field": ax.field, "parity_at_mean_ratio": at_mean,
                    "parity_mean": parity.mean, "parity_ci_low": parity.low, "parity_ci_high": parity.high,
                    "replications_crossing": int(np.isfinite(per_rep).sum()), "replications": len(per_rep)})
    return pd.DataFrame(out)
