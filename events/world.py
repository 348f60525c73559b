"""The state one replication shares between its processes: clock, fleet table, streams, log, costs."""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import simpy

from events.log import EventLog
from fleet.economics import DAYS_PER_YEAR, discount_factor
from fleet.hardware import catalog, newest_index
from fleet.lifetimes import sample_years
from fleet.scenario import Scenario, modules_for_target
from fleet.state import FleetTable
from fleet.streams import Streams

COST_CATEGORIES = ("launch", "hardware", "servicing", "operations", "ground")


class Ledger:
    """Costs booked as they happen, by category, with their present value."""

    def __init__(self, discount_rate: float):
        self.rate = discount_rate
        self.total = defaultdict(float)
        self.npv = 0.0

    def book(self, category: str, usd: float, day: float) -> None:
        self.total[category] += usd
        self.npv += usd * float(discount_factor(self.rate, day / DAYS_PER_YEAR))

    @property
    def total_usd(self) -> float:
        return float(sum(self.total.values()))


class World:
    """Everything a replication's processes read and change. One per replication: nothing global."""

    def __init__(self, scenario: Scenario, seed: int):
        self.scenario = scenario
        self.seed = seed
        self.env = simpy.Environment()
        self.streams = Streams(seed)
        self.log = EventLog()
        self.ledger = Ledger(scenario.economics.discount_rate)
        self.generations = catalog(scenario)
        self.table = FleetTable(scenario.fleet.module, self.generations,
                                capacity=max(64, 2 * modules_for_target(scenario)))
        self.horizon_day = scenario.horizon_years * DAYS_PER_YEAR
        first = self.generations[0]
        self.target_pflops = modules_for_target(scenario) * scenario.fleet.module.units * first.pflops_per_unit
        self.unit_failure_modules: list[np.ndarray] = []
        self.unit_failure_days: list[np.ndarray] = []
        self.units_replaced = 0
        self.counters: dict[str, int] = defaultdict(int)

    # ----- time -----------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return float(self.env.now)

    def year(self, day: float | None = None) -> float:
        """Calendar year at `day` (default: now)."""
        return self.scenario.start_year + (self.now if day is None else day) / DAYS_PER_YEAR

    def newest_generation(self) -> int:
        return newest_index(self.generations, self.year())

    # ----- units ----------------------------------------------------------------------------------
    def unit_end_days(self, module: int, install: int, count: int, day: float) -> np.ndarray:
        """End days of `count` units installed in `module` at its `install`-th installation."""
        rng = self.streams.keyed("unit-lifetimes", module, install)
        f = self.scenario.failures
        return day + sample_years(f.unit, rng, count, f.radiation) * DAYS_PER_YEAR

    def settle(self, rows: np.ndarray) -> int:
        """Integrate compute of `rows` up to now and record their unit failures; returns the count."""
        modules, days = self.table.settle(np.asarray(rows, dtype=np.intp), self.now)
        if len(days):
            self.unit_failure_modules.append(modules)
            self.unit_failure_days.append(days)
        return len(days)

    def unit_failures(self) -> tuple[np.ndarray, np.ndarray]:
        """(module, day) of every recorded unit failure."""
        if not self.unit_failure_days:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(self.unit_failure_modules), np.concatenate(self.unit_failure_days)

    def book(self, category: str, usd: float) -> float:
        self.ledger.book(category, usd, self.now)
        return usd


def fmt_usd(usd: float) -> str:
    """$1.2M style."""
    if usd == 0 or not math.isfinite(usd):
        return f"${usd:,.0f}"
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(usd) >= scale:
            return f"${usd / scale:,.1f}{suffix}"
    return f"${usd:,.0f}"
