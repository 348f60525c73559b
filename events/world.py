"""The state one replication shares between its processes: clock, fleet table, streams, log, costs."""
from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict

import numpy as np
import simpy

from events.capacity import CapacityPath
from events.log import EventLog
from fleet.demand import demand_curve
from fleet.economics import DAYS_PER_YEAR, discounted_days, flight_price_usd
from fleet.hardware import catalog
from fleet.eclipse import shadow_of, sunlight_of
from fleet.lifetimes import has_radiation_hazard, inverse
from fleet.orbits import radiation_of
from fleet.reach import disposal_mass_ratio
from fleet.scenario import Scenario, modules_for_target
from fleet.state import FleetTable
from fleet.streams import Streams

SETTLE_SLOTS = 1 << 17      # unit slots settled in one block (a float array of 1 MB)


class Ledger:
    """Costs booked as they happen, by category, with their present value; each dated booking is kept."""

    def __init__(self, discount_rate: float):
        self.rate = discount_rate
        self.total = defaultdict(float)
        self.npv = 0.0
        self.days: list[float] = []
        self.amounts: list[float] = []

    def book(self, category: str, usd: float, day: float) -> None:
        self.total[category] += usd
        self.npv += usd * (1.0 + self.rate) ** (-day / DAYS_PER_YEAR)   # discount_factor, for one day
        self.days.append(day)
        self.amounts.append(usd)

    def book_flow(self, category: str, usd_per_day: float | np.ndarray, start: float | np.ndarray,
                  stop: float | np.ndarray) -> None:
        """Book costs accruing at `usd_per_day` over days [start, stop] (arrays: one flow each), with
        their present value integrated exactly."""
        self.total[category] += float(np.sum(usd_per_day * (np.asarray(stop) - start)))
        self.npv += float(np.sum(usd_per_day * discounted_days(self.rate, start, stop)))

    @property
    def total_usd(self) -> float:
        return float(sum(self.total.values()))


class World:
    """Everything a replication's processes read and change. One per replication: nothing global."""

    def __init__(self, scenario: Scenario, seed: int):
        self.scenario = scenario
        self.seed = seed
        self.env = simpy.Environment(initial_time=0.0)
        self.streams = Streams(seed)
        self.log = EventLog()
        self.ledger = Ledger(scenario.economics.discount_rate)
        self.generations = catalog(scenario)
        self.shadow = shadow_of(scenario)              # each shell's shadow fraction, by blocks of days
        self.sunlight = sunlight_of(scenario)          # the fraction of time compute runs, by blocks of days
        self.table = FleetTable(scenario.fleet.module, self.generations,
                                capacity=max(64, 2 * modules_for_target(scenario)), sunlight=self.sunlight)
        self.horizon_day = scenario.horizon_years * DAYS_PER_YEAR
        # day on which each generation becomes available (negative: before the start)
        self.generation_days = [(g.year_available - scenario.start_year) * DAYS_PER_YEAR for g in self.generations]
        first = self.generations[0]
        self.target_pflops = modules_for_target(scenario) * scenario.fleet.module.units * first.pflops_per_unit
        self.demand = demand_curve(scenario, self.generations, self.horizon_day)
        self.capacity = CapacityPath(self.table, self.horizon_day, self.demand.at(0.0))
        # unit failures as they are recorded: chunks of (module, day, units failed)
        self._failures: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []
        self.unit_failure_count = 0
        self.units_replaced = 0
        radiation = radiation_of(scenario)
        self._unit_years = inverse(scenario.failures.unit, radiation)
        self._draws_per_unit = 2 if has_radiation_hazard(radiation) else 1
        self._replay = scenario.failures.replay
        self._replay_adds = scenario.failures.trace_mode == "add"
        self._slots: dict[int, np.ndarray] = {}     # with a trace: each module's unit end days, by slot
        self.counters: dict[str, int] = defaultdict(int)
        self.depot = None          # events.depot.Depot, once made: boards in stock
        self.servicing = None      # events.servicing.Servicing, once made: servicers in orbit
        self.disposal_ratio = disposal_mass_ratio(scenario)   # deorbit propellant per kg of module, by cluster
        self._disposal_price = (math.nan, 0.0)                 # (day, USD per kg of disposal propellant then)

    # ----- time -----------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.env.now

    def year(self, day: float | None = None) -> float:
        """Calendar year at `day` (default: now)."""
        return self.scenario.start_year + (self.now if day is None else day) / DAYS_PER_YEAR

    def newest_generation(self) -> int:
        """Catalog index of the newest generation available now."""
        return max(0, bisect_right(self.generation_days, self.env.now) - 1)

    def deorbit_usd(self, m: int) -> float:
        """What deorbiting module m costs now: `economics.deorbit_usd_per_module` plus the launch of its
        disposal propellant (the module's mass x its cluster's `disposal_ratio`) at the lowest price per
        kg of a full flight this year, USD."""
        sc, t = self.scenario, self.table
        flat = sc.economics.deorbit_usd_per_module
        ratio = float(self.disposal_ratio[t.cluster[m]])
        if ratio == 0.0:
            return flat
        day, usd_per_kg = self._disposal_price
        if day != self.now:                 # modules often leave together: priced once per instant
            year = self.year()
            usd_per_kg = min(flight_price_usd(v, year, v.payload_kg) / v.payload_kg for v in sc.launch.vehicles
                             if v.available_from_year <= year)       # one is available from the start
            self._disposal_price = (self.now, usd_per_kg)
        mass = sc.fleet.module.bus_mass_kg + t.units * self.generations[t.generation[m]].mass_kg_per_unit
        return flat + ratio * mass * usd_per_kg

    # ----- units ----------------------------------------------------------------------------------
    def unit_end_days(self, installs: list[tuple[int, int, int]], day: float) -> np.ndarray:
        """End days of units installed on `day`: for each (module, install, count), the first
        `count` units (in slot order) of the module's `install`-th installation, concatenated.

        Unit k of an installation takes the k-th pair (base cause, radiation) of standard exponential
        draws of the keyed stream (module, install), or the k-th draw alone if the scenario has no
        radiation hazard: the same numbers whatever else happened and however many units the
        installation has, which is what common random numbers need.
        """
        keyed = self.streams.keyed
        draws = [keyed("unit-lifetimes", m, i).standard_exponential((n, self._draws_per_unit)) for m, i, n in installs]
        draws = draws[0] if len(draws) == 1 else np.concatenate(draws)
        return self._unit_years(draws[:, 0], draws[:, -1]) * DAYS_PER_YEAR + day   # last column: radiation

    def install_units(self, installs: list[tuple[int, int, int]], day: float) -> np.ndarray:
        """End days of units installed on `day`, as `unit_end_days` takes them: drawn from the
        distribution, or replayed from the scenario's failure trace.

        With a trace, the boards go into slots: an installation 0 fills slots 0 to count-1, a later
        one the `count` slots that ended first (the failed ones a repair replaces; all, for an
        upgrade). A board fails on the first day the trace lists for its slot after `day`. Not
        listed: in `replace` mode a board of installation 0 never fails and a later one keeps its
        drawn end; in `add` mode every board fails at the earlier of its drawn and listed days.
        """
        drawn = self.unit_end_days(installs, day)
        if self._replay is None:
            return drawn
        out, at = drawn.copy(), 0
        for m, install, count in installs:
            slots = np.arange(count) if install == 0 else np.argsort(self._slots[m], kind="stable")[:count]
            listed = np.array([self._replay.unit_day(m, s, day) for s in slots.tolist()])
            own = drawn[at: at + count]
            if self._replay_adds:
                ends = np.minimum(own, listed)
            else:
                ends = listed if install == 0 else np.where(np.isfinite(listed), listed, own)
            if install == 0:
                self._slots[m] = ends.copy()
            else:
                self._slots[m][slots] = ends
            out[at: at + count] = ends
            at += count
        return out

    def units_killed(self, modules: np.ndarray, killed: np.ndarray) -> None:
        """Units of `modules` die now (a storm): `killed`, one row per module, marks them in the
        order of the module's sorted unit end days. Kept only to follow slots for a failure trace."""
        if self._replay is None:
            return
        for m, kill in zip(modules.tolist(), killed):
            ends = self._slots[m]
            ends[np.argsort(ends, kind="stable")[kill]] = self.env.now

    def bus_end_days(self, modules: list[int], drawn: np.ndarray) -> np.ndarray:
        """Bus end days of `modules` commissioned now, given those `drawn` from the distribution:
        replayed from the failure trace if there is one (a day listed before now does not apply)."""
        if self._replay is None:
            return drawn
        listed = np.array([self._replay.bus_day(m) for m in modules])
        listed[listed < self.env.now] = np.inf
        return np.minimum(drawn, listed) if self._replay_adds else listed

    def settle(self, rows: np.ndarray, day: float | np.ndarray | None = None, ends: np.ndarray | None = None) -> int:
        """Integrate compute of `rows` up to now (or `day`, one per row) and record their unit
        failures; returns the count. `ends`: their rows of `unit_end`, if the caller has them.

        Many rows are settled a block at a time, so that the (rows x units) arrays of the
        integration stay about SETTLE_SLOTS large: each row's figures are its own, so the blocks
        give what one pass would, without its memory traffic (a ten-gw fleet has ten million units)."""
        rows = np.asarray(rows, dtype=np.intp)
        day = self.env.now if day is None else day
        block = max(1, SETTLE_SLOTS // self.table.units)
        if len(rows) > block:
            return sum(self.settle(rows[a: a + block], day if np.ndim(day) == 0 else day[a: a + block],
                                   None if ends is None else ends[a: a + block])
                       for a in range(0, len(rows), block))
        modules, days = self.table.settle(rows, day, ends)
        if len(days):
            self.record_failures(modules, days)
        return len(days)

    def record_failures(self, modules: np.ndarray, days: np.ndarray, counts: np.ndarray | None = None) -> None:
        """Note that counts[i] units (default 1) of modules[i] failed on days[i]."""
        self._failures.append((modules, days, counts))
        self.unit_failure_count += len(days) if counts is None else int(counts.sum())

    def unit_failures(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(module, day, count) of every recorded unit failure."""
        if not self._failures:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)
        modules, days, counts = zip(*self._failures)
        counts = [np.ones(len(d), np.int64) if c is None else c for d, c in zip(days, counts)]
        return np.concatenate(modules), np.concatenate(days), np.concatenate(counts)

    def book(self, category: str, usd: float) -> float:
        self.ledger.book(category, usd, self.now)
        return usd

    # ----- costs accruing with time ------------------------------------------------------------
    def flow_rates_usd_per_day(self) -> tuple[float, float]:
        """(operations per operating module, ground network) costs per day."""
        econ = self.scenario.economics
        stations = len(self.scenario.ground.stations)
        return (econ.operations_usd_per_module_year / DAYS_PER_YEAR,
                stations * econ.ground_usd_per_station_year / DAYS_PER_YEAR)

    def accrued_usd(self, start: float, stop: float) -> float:
        """Operations and ground costs accrued over days [start, stop], not yet booked."""
        per_module, network = self.flow_rates_usd_per_day()
        return per_module * self.table.operated_days(start, stop) + network * (stop - start)

    def book_flows(self) -> None:
        """Book the operations and ground costs of the whole run (at the horizon), each module's
        operations over its days in operation."""
        per_module, network = self.flow_rates_usd_per_day()
        t = self.table
        began = t.commissioned_day[: t.n]
        started = ~np.isnan(began)
        ended = np.fmin(t.end_day[: t.n], self.horizon_day)[started]
        self.ledger.book_flow("operations", per_module, began[started], ended)
        self.ledger.book_flow("ground", network, 0.0, self.horizon_day)


def fmt_usd(usd: float) -> str:
    """$1.2M style."""
    if usd == 0 or not math.isfinite(usd):
        return f"${usd:,.0f}"
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(usd) >= scale:
            return f"${usd / scale:,.1f}{suffix}"
    return f"${usd:,.0f}"
