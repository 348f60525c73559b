"""Fleet state as columns: one row per module, one matrix row of unit end times per module.

Units are not objects. Row m of `unit_end` holds, sorted ascending, the day on which each unit in
module m stops working (failure; `inf` for never). Units alive at t are those with end > t, so a
module's units alive, its usable units under the array's power, and the exact integral of its
compute over any interval are array arithmetic (see `integrate`).

Power: the array gives P(a) = P0 (1 - d)^a at array age a (years since commissioning); a unit
draws `power_kw_per_unit`, so at most floor(P / u) units run. Ranking units by end time (longest
lived first), rank j runs while it is alive and while P >= j u, i.e. until min(end_j, tau_j) where
tau_j = commissioning + age at which P falls to j u. Compute runs the fraction of the time the table's
`sunlight` gives (`fleet.eclipse`: idle in shadow, by blocks of days, unless on batteries).
"""
from __future__ import annotations

from enum import IntEnum
from functools import lru_cache

import numpy as np

from fleet.eclipse import Sunlight
from fleet.economics import DAYS_PER_YEAR
from fleet.scenario import Generation, ModuleDesign
from fleet.tolerances import COUNT_SLACK

SEARCH_FROM_UNITS = 65_536   # above this many unit slots, count alive units by binary search, not a pass


class Status(IntEnum):
    """A module's state, listed in the order of its life (no code relies on the numeric order of the codes)."""

    ORDERED = 0        # waiting in the launch queue
    IN_TRANSIT = 1     # launched, commissioning
    OPERATIONAL = 2
    FAILED = 3         # bus failure or debris strike: dead in orbit
    DEORBITED = 4
    LOST_AT_LAUNCH = 5
    SPARE = 6          # arrived in orbit as a spare: cold standby until activated


OPERATIONAL = int(Status.OPERATIONAL)   # as a plain int, for hot paths


def in_status(status: np.ndarray, *statuses: int) -> np.ndarray:
    """Boolean mask of the entries of `status` equal to any of `statuses` (faster than np.isin)."""
    return _status_table(statuses)[status]


@lru_cache(maxsize=None)
def _status_table(statuses: tuple[int, ...]) -> np.ndarray:
    """Lookup table: True at the codes in `statuses`."""
    wanted = np.zeros(len(Status) + 1, dtype=bool)
    wanted[list(statuses)] = True
    wanted.flags.writeable = False
    return wanted


class FleetTable:
    """Columns of module state; rows are appended as modules are ordered, never removed."""

    def __init__(self, design: ModuleDesign, generations: tuple[Generation, ...], capacity: int = 64,
                 sunlight: Sunlight | None = None):
        self.design = design
        self.sunlight = sunlight or Sunlight.steady(1.0 - (design.eclipse_fraction or 0.0))   # compute runs this
        self.generations = generations
        self.n = 0
        self.units = design.units
        self._alloc(capacity)
        self.pflops_per_unit = np.array([g.pflops_per_unit for g in generations])
        self.kw_per_unit = np.array([g.power_kw_per_unit for g in generations])
        self.price_usd_per_unit = np.array([g.price_usd_per_unit for g in generations])
        # run_until_days[g][k]: days after commissioning that the unit at ascending position k
        # (rank U - k) can still be powered, for generation g.
        self.run_until_days = np.stack([self._power_limits(g.power_kw_per_unit) for g in generations])

    def _alloc(self, capacity: int) -> None:
        self.capacity = capacity
        self.status = np.zeros(capacity, dtype=np.int8)
        self.cluster = np.zeros(capacity, dtype=np.int32)
        self.generation = np.zeros(capacity, dtype=np.int16)
        self.ordered_day = np.full(capacity, np.nan)
        self.launched_day = np.full(capacity, np.nan)
        self.commissioned_day = np.full(capacity, np.nan)
        self.end_day = np.full(capacity, np.nan)
        self.bus_end_day = np.full(capacity, np.inf)
        self.settled_day = np.full(capacity, np.nan)
        self.delivered_pflops_days = np.zeros(capacity)
        self.installs = np.zeros(capacity, dtype=np.int32)
        self.pending_trip = np.zeros(capacity, dtype=bool)
        self.crossed = np.zeros(capacity, dtype=bool)      # reached the policy's failed-unit threshold
        self.spare = np.zeros(capacity, dtype=bool)        # ordered as a spare (standby on arrival)
        self.unit_end = np.full((capacity, self.units), -np.inf)

    _COLUMNS = ("status", "cluster", "generation", "ordered_day", "launched_day", "commissioned_day", "end_day",
                "bus_end_day", "settled_day", "delivered_pflops_days", "installs", "pending_trip", "crossed",
                "unit_end", "spare")

    def _grow(self) -> None:
        old = {name: getattr(self, name) for name in self._COLUMNS}
        self._alloc(self.capacity * 2)
        for name, values in old.items():
            getattr(self, name)[: len(values)] = values

    def _power_limits(self, kw_per_unit: float) -> np.ndarray:
        d = self.design.array_degradation_per_year
        p0 = self.design.solar_array_kw
        rank = np.arange(self.units, 0, -1, dtype=float)  # ascending position k holds rank U - k
        need = rank * kw_per_unit
        with np.errstate(divide="ignore"):
            if d == 0:
                days = np.where(need <= p0, np.inf, -np.inf)
            else:
                days = np.where(need <= p0, np.log(need / p0) / np.log1p(-d) * DAYS_PER_YEAR, -np.inf)
        return days

    # ----- rows -------------------------------------------------------------------------------
    def add(self, cluster: int, generation: int, day: float) -> int:
        """Append an ordered module; returns its id."""
        if self.n == self.capacity:
            self._grow()
        m = self.n
        self.n += 1
        self.status[m] = Status.ORDERED
        self.cluster[m] = cluster
        self.generation[m] = generation
        self.ordered_day[m] = day
        return m

    def commission(self, m: int | np.ndarray, day: float, unit_end: np.ndarray,
                   bus_end_day: float | np.ndarray) -> None:
        """Module m (or modules m, one row of `unit_end` each) starts operating at `day` with units
        ending at `unit_end` (absolute days)."""
        self.status[m] = Status.OPERATIONAL
        self.commissioned_day[m] = day
        self.settled_day[m] = day
        self.bus_end_day[m] = bus_end_day
        self.unit_end[m] = np.sort(unit_end)
        self.installs[m] = 1

    # ----- queries ----------------------------------------------------------------------------
    def ids(self, *statuses: Status) -> np.ndarray:
        """Ids of modules in any of `statuses`."""
        return np.flatnonzero(in_status(self.status[: self.n], *statuses))

    def alive_counts(self, day: float, rows: np.ndarray | None = None) -> np.ndarray:
        """Units alive at `day` per module (all rows, or `rows`); zero unless operational."""
        rows = np.arange(self.n) if rows is None else np.asarray(rows, dtype=np.intp)
        return np.where(self.status.take(rows) == OPERATIONAL, self.alive_units(day, rows), 0)

    def alive_units(self, day: float, rows: np.ndarray) -> np.ndarray:
        """Units alive at `day` in each of `rows`, whatever the module's status."""
        if len(rows) * self.units > SEARCH_FROM_UNITS:
            return self.units - self.ended_counts(day, rows)
        return (self.unit_end.take(rows, axis=0) > day).sum(axis=1)

    def ended_counts(self, day: float, rows: np.ndarray) -> np.ndarray:
        """Units of each of `rows` that ended at or before `day`: a binary search in each sorted row,
        all rows at once (log2(units) passes, each over one entry per row)."""
        units = self.units
        flat = self.unit_end.reshape(-1)
        last = rows * units - 1                  # flat index of a row's k-th entry (1-based): last + k
        count = np.zeros(len(rows), dtype=np.intp)
        step = 1 << (units.bit_length() - 1)
        while step:                              # grow each count by `step` where the entry allows it
            wanted = count + step
            count += step * ((wanted <= units) & (flat.take(np.minimum(wanted, units) + last) <= day))
            step >>= 1
        return count

    def array_kw(self, day: float, rows: np.ndarray) -> np.ndarray:
        """Array power of modules `rows` at `day`, kW (assumes they are commissioned)."""
        age_years = (day - self.commissioned_day[rows]) / DAYS_PER_YEAR
        return self.design.solar_array_kw * (1.0 - self.design.array_degradation_per_year) ** age_years

    def usable_counts(self, day: float, rows: np.ndarray) -> np.ndarray:
        """Units that are alive and powered at `day` in operational modules `rows`: the alive
        ones, at most as many as the array can power."""
        return np.minimum(self.alive_units(day, rows), self.powered_counts(self.array_kw(day, rows), rows))

    def powered_counts(self, array_kw: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Units that arrays giving `array_kw` can power in modules `rows`."""
        return np.floor(array_kw / self.kw_per_unit[self.generation[rows]] + COUNT_SLACK).astype(np.int64)

    def capacity_pflops(self, day: float, rows: np.ndarray) -> np.ndarray:
        """Compute capacity of modules `rows` at `day` (daylight rate), PFLOPS."""
        return self.usable_counts(day, rows) * self.pflops_per_unit[self.generation[rows]]

    def operated_days(self, start: float, stop: float) -> float:
        """Module-days of operation of the whole fleet between days `start` and `stop`."""
        began = self.commissioned_day[: self.n]
        ended = np.where(np.isnan(self.end_day[: self.n]), np.inf, self.end_day[: self.n])
        overlap = np.minimum(ended, stop) - np.maximum(began, start)
        return float(np.nansum(np.clip(overlap, 0.0, None)))

    # ----- integration ------------------------------------------------------------------------
    def integrate(self, rows: np.ndarray, day: float | np.ndarray, ends: np.ndarray | None = None) -> np.ndarray:
        """Add compute delivered by `rows` from their settled day to `day` (one day, or one per row);
        return it, PFLOPS-days. `ends`: `unit_end[rows]`, if the caller has it.

        Exact: each unit slot runs until min(its end, its power limit), times the integral of `sunlight`.
        """
        if len(rows) == 0:
            return np.zeros(0)
        day = np.asarray(day, dtype=float)
        start = self.settled_day[rows]
        gen = self.generation[rows]
        stop = self.run_until_days[gen]                                   # a copy: fancy indexing
        stop += self.commissioned_day[rows, None]
        np.minimum(stop, self.unit_end.take(rows, axis=0) if ends is None else ends, out=stop)
        np.minimum(stop, day[:, None] if day.ndim else day, out=stop)
        sun = self.sunlight
        if sun.constant is None:                          # s(t) by blocks: the integral of s over each run
            np.maximum(stop, start[:, None], out=stop)
            unit_days = sun.integral(start[:, None], stop).sum(axis=1)
            delivered = unit_days * self.pflops_per_unit[gen]
        else:
            stop -= start[:, None]
            unit_days = np.maximum(stop, 0.0, out=stop).sum(axis=1)
            delivered = unit_days * (self.pflops_per_unit[gen] * sun.constant)
        self.delivered_pflops_days[rows] += delivered
        self.settled_day[rows] = np.maximum(start, day)
        return delivered

    def settle(self, rows: np.ndarray, day: float | np.ndarray,
               ends: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Close the interval (settled day, `day`] of `rows` (one day, or one per row): integrate
        compute, report failures. `ends`: `unit_end[rows]`, if the caller has it.

        Returns (module ids, end days) of the units that failed in the interval, one entry each.
        """
        rows = np.asarray(rows, dtype=np.intp)
        day = np.asarray(day, dtype=float)
        ends = self.unit_end.take(rows, axis=0) if ends is None else ends
        failed = ends <= (day[:, None] if day.ndim else day)
        failed &= ends > self.settled_day[rows, None]
        r, k = failed.nonzero()
        self.integrate(rows, day, ends)
        return rows[r], ends[r, k]

    def unsettled_ended(self) -> np.ndarray:
        """Modules that ended (failed or deorbited) and whose life is not yet integrated to its end."""
        n = self.n
        ended = (self.status[:n] == Status.FAILED) | (self.status[:n] == Status.DEORBITED)
        return np.flatnonzero(ended & (self.settled_day[:n] < self.end_day[:n]))
