"""Demand: the compute users want, a step function of time (PFLOPS over days since the start).

The scenario's `demand` section gives a level in MW of the newest hardware generation available at
each instant (then PFLOPS = MW x 1000 / kW per unit x PFLOPS per unit of that generation) or in
PFLOPS; constant, by calendar year, or growing at each anniversary of its start day; zero before
that day. It changes only at those steps and when a generation appears, so between two changes it
is constant and its integral is exact.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from fleet.economics import DAYS_PER_YEAR
from fleet.scenario import Generation, Scenario


@dataclass(frozen=True)
class DemandCurve:
    """Demand `pflops[i]` from `days[i]` until `days[i + 1]` (the last one to the end of time)."""

    days: np.ndarray
    pflops: np.ndarray
    _steps: tuple[list[float], list[float]] = field(init=False, repr=False, compare=False)   # both as lists

    def __post_init__(self) -> None:
        object.__setattr__(self, "_steps", (self.days.tolist(), self.pflops.tolist()))

    @classmethod
    def constant(cls, pflops: float) -> "DemandCurve":
        """The same demand from day 0 on."""
        return cls(np.zeros(1), np.array([float(pflops)]))

    def at(self, day: float | np.ndarray) -> float | np.ndarray:
        """Demand at `day` (a step takes effect on its day), PFLOPS."""
        if isinstance(day, (int, float)):      # one day: bisect finds the step without numpy's overhead
            days, pflops = self._steps
            return pflops[max(bisect_right(days, day) - 1, 0)]
        return self.pflops[np.maximum(np.searchsorted(self.days, day, side="right") - 1, 0)]

    def integral(self, start: float, stop: float) -> float:
        """Integral of demand over days [start, stop], PFLOPS-days."""
        edges = np.clip(np.append(self.days, np.inf), start, stop)
        return float(np.diff(edges) @ self.pflops)

    def peak(self, start: float, stop: float) -> float:
        """Highest demand over days [start, stop), PFLOPS."""
        inside = (self.days > start) & (self.days < stop)
        return float(max(self.at(start), self.pflops[inside].max(initial=0.0)))

    def changes(self, until: float) -> list[float]:
        """Days after day 0 and before `until` on which demand changes."""
        return [float(d) for d in self.days[1:] if d < until]


def demand_curve(scenario: Scenario, generations: tuple[Generation, ...], horizon_day: float) -> DemandCurve:
    """The scenario's demand over its horizon, with `generations` the hardware catalog."""
    d = scenario.demand
    start = scenario.start_year
    gen_days = np.array([(g.year_available - start) * DAYS_PER_YEAR for g in generations])
    if d.by_year is not None:
        step_days = np.array([(y - start) * DAYS_PER_YEAR for y in d.by_year])
        step_values = np.array(list(d.by_year.values()), dtype=float)
    else:
        level = d.level if d.level is not None else scenario.fleet.target_power_mw
        years = int(np.ceil(horizon_day / DAYS_PER_YEAR)) + 1 if d.growth_per_year else 1
        step_days = d.start_day + np.arange(years) * DAYS_PER_YEAR
        step_values = level * (1.0 + (d.growth_per_year or 0.0)) ** np.arange(years)
    edges = np.concatenate([[0.0, d.start_day], step_days, gen_days])
    days = np.unique(edges[(edges >= 0) & (edges < horizon_day)])
    k = np.maximum(np.searchsorted(step_days, days, side="right") - 1, 0)
    value = np.where(days >= d.start_day, step_values[k], 0.0)
    if d.unit == "mw":
        newest = np.maximum(np.searchsorted(gen_days, days, side="right") - 1, 0)
        per_mw = np.array([1000.0 / g.power_kw_per_unit * g.pflops_per_unit for g in generations])
        value = value * per_mw[newest]
    keep = np.ones(len(days), dtype=bool)
    keep[1:] = value[1:] != value[:-1]
    return DemandCurve(days=days[keep], pflops=value[keep])
