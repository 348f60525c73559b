"""What a policy sees: a read-only view of the fleet's columns at one moment.

An observation is valid only during the policy call it is passed to. Fleet-wide arrays that cost a
pass over every unit (`units_alive`, `module_capacity_pflops`, `capacity_pflops`) are computed on
first access, so a reaction that looks at a few modules (`units_alive_of`) stays cheap even in a
fleet of a million units.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from fleet.demand import DemandCurve
from fleet.scenario import Generation, Scenario
from fleet.state import OPERATIONAL, FleetTable, Status, in_status


SPARE_OFFSET = len(Status) + 1   # status codes of modules ordered as spares, shifted past the others


@dataclass(frozen=True)
class ReachCost:
    """What reaching each cluster (columns) costs each servicer launched (rows, by servicer id) from
    the plane it is parked in now (with `orbits`; see `fleet.reach`): the leg's `days` (any wait for
    precession plus the phasing out, `work_at_fraction` of the mean `trip_days`), propellant `kg` by the rocket
    equation (or the scenario's flat figure) carrying a load of the newest boards, and `delta_v_m_s`;
    NaN rows for servicers lost. `position`: the cluster whose plane each servicer is in (or heads for)."""

    days: np.ndarray
    kg: np.ndarray
    delta_v_m_s: np.ndarray
    position: np.ndarray


class lazy:
    """`functools.cached_property` without the lock Python 3.11's takes on every first read: the
    value is computed once, then stored on the instance, where later reads find it directly."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


def read_only(a: np.ndarray) -> np.ndarray:
    """A non-writable view of `a`."""
    v = a.view()
    v.flags.writeable = False
    return v


class Observation:
    """The fleet at `day` (days since the start). Module arrays are indexed by module id.

    Units: days, calendar years, PFLOPS (daylight rate), units (boards).
    """

    def __init__(self, *, table: FleetTable, day: float, year: float, horizon_day: float,
                 scenario: Scenario, generations: tuple[Generation, ...], target_pflops: float,
                 demand: DemandCurve | None = None,
                 servicers: int, servicers_busy: int, trips_queued: int,
                 boards_in_stock: np.ndarray | None = None, boards_on_order: np.ndarray | None = None,
                 reach: Callable[[], ReachCost | None] | None = None):
        self._table = table
        self.day = day
        self.year = year
        self.horizon_day = horizon_day
        self.scenario = scenario
        self.generations = generations          # available now, catalog order
        self.target_pflops = target_pflops      # the initial deployment's capacity
        self.demand = demand if demand is not None else DemandCurve.constant(target_pflops)
        self.demand_pflops = self.demand.at(day)   # wanted now; `demand.at(day)` for any other day
        self.servicers = servicers
        self.servicers_busy = servicers_busy
        self.trips_queued = trips_queued
        self.units_installed = table.units      # unit slots per module
        self.units_per_trip = scenario.servicing.units_per_trip
        self._reach = reach
        n = len(generations)
        # replacement boards in the depot in orbit and on order, per available generation (catalog index)
        self.boards_in_stock = read_only(np.zeros(n, np.int64) if boards_in_stock is None else boards_in_stock[:n].copy())
        self.boards_on_order = read_only(np.zeros(n, np.int64) if boards_on_order is None else boards_on_order[:n].copy())

    @lazy
    def reach(self) -> ReachCost | None:
        """The reach cost of each cluster from each servicer (`ReachCost`), computed when first read;
        None without `orbits` (every trip then takes `trip_days` and the flat propellant figure)."""
        return self._reach() if self._reach is not None else None

    # ----- module columns, read-only views made when first read --------------------------------
    @lazy
    def status(self) -> np.ndarray:
        """`fleet.state.Status` code per module."""
        return read_only(self._table.status[: self._table.n])

    @lazy
    def cluster(self) -> np.ndarray:
        return read_only(self._table.cluster[: self._table.n])

    @lazy
    def generation(self) -> np.ndarray:
        """Catalog index of each module's units."""
        return read_only(self._table.generation[: self._table.n])

    @lazy
    def pending_trip(self) -> np.ndarray:
        """A servicing trip is on its way to the module."""
        return read_only(self._table.pending_trip[: self._table.n])

    @lazy
    def threshold_crossed(self) -> np.ndarray:
        """The module reached the failed-unit fraction the policy declared (False if none)."""
        return read_only(self._table.crossed[: self._table.n])

    @lazy
    def spare(self) -> np.ndarray:
        """The module was ordered as a spare (in standby once it arrives, until activated)."""
        return read_only(self._table.spare[: self._table.n])

    @lazy
    def commissioned_day(self) -> np.ndarray:
        return read_only(self._table.commissioned_day[: self._table.n])

    # ----- derived, computed when first read ---------------------------------------------------
    @lazy
    def units_alive(self) -> np.ndarray:
        """Alive units per module (0 unless operational)."""
        return read_only(self._table.alive_counts(self.day))

    @lazy
    def module_capacity_pflops(self) -> np.ndarray:
        """Usable capacity per module now (0 unless operational), PFLOPS."""
        cap = np.zeros(self._table.n)
        ops = self.operational()
        cap[ops] = self._table.capacity_pflops(self.day, ops)
        return read_only(cap)

    @lazy
    def capacity_pflops(self) -> float:
        """Usable capacity of the operational fleet now, PFLOPS."""
        return float(self.module_capacity_pflops.sum())

    @lazy
    def nominal_capacity_pflops(self) -> float:
        """Capacity of the operational modules if every unit worked, PFLOPS."""
        return float(self._nominal_by_status[OPERATIONAL] + self._nominal_by_status[OPERATIONAL + SPARE_OFFSET])

    @lazy
    def pipeline_pflops(self) -> float:
        """Nominal capacity of modules ordered or in transit, PFLOPS (spares excluded)."""
        return float(self._nominal_by_status[Status.ORDERED] + self._nominal_by_status[Status.IN_TRANSIT])

    @lazy
    def _nominal_by_status(self) -> np.ndarray:
        """Nominal capacity (every unit working) summed by status code, PFLOPS; modules ordered as
        spares are counted under their code + SPARE_OFFSET."""
        per_module = self._table.pflops_per_unit.take(self.generation) * self.units_installed
        return np.bincount(self.status + SPARE_OFFSET * self.spare, weights=per_module,
                           minlength=2 * SPARE_OFFSET)

    @property
    def age_days(self) -> np.ndarray:
        """Days since commissioning per module; NaN before."""
        return self.day - self.commissioned_day

    @property
    def servicers_free(self) -> int:
        """Servicers neither busy nor claimed by a queued trip."""
        return self.servicers - self.servicers_busy - self.trips_queued

    @property
    def newest_generation(self) -> int:
        return len(self.generations) - 1

    @property
    def clusters(self) -> int:
        return self.scenario.fleet.clusters

    # ----- helpers ------------------------------------------------------------------------------
    def units_alive_of(self, modules: np.ndarray) -> np.ndarray:
        """Alive units of the given modules only (cheap for a few modules)."""
        return self._table.alive_counts(self.day, np.asarray(modules, dtype=np.intp))

    def operational(self) -> np.ndarray:
        """Ids of operational modules."""
        return np.flatnonzero(self.status == Status.OPERATIONAL)

    def count(self, *statuses: Status) -> int:
        """Number of modules in any of `statuses`."""
        return int(in_status(self.status, *statuses).sum())

    def failed_fraction(self) -> np.ndarray:
        """Fraction of each module's units that failed (0 unless operational)."""
        ok = self.status == Status.OPERATIONAL
        return np.where(ok, 1.0 - self.units_alive / self.units_installed, 0.0)

    def nominal_module_pflops(self, generation: int | None = None) -> float:
        """Capacity of a new module with every unit working, PFLOPS."""
        g = self.generations[self.newest_generation if generation is None else generation]
        return self.units_installed * g.pflops_per_unit
