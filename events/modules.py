"""Module lives: commissioning, bus failure, debris strike, end of design life, threshold wake-ups.

Each operational module has one pending timeout on the clock: the earlier of its end (bus failure
or debris strike, drawn at commissioning) and its end of design life. Neither changes while the
module lives; a module ended otherwise (deorbited by the policy) is skipped when its timeout fires.
Module timeouts wait on a `Calendar` (events/calendar.py) until they come near, which keeps SimPy's
queue short without changing the order of events.

Unit failures never touch the clock: they are read from the module's sorted unit end days. If the
policy declared a failed-unit threshold, each operational module has one timeout on the clock for
the day it will reach it, whose callback wakes the policy; a repair or a storm reschedules it (the
old timeout, now stale, does nothing when it fires). A module that would reach it only after its
own end gets no such timeout (it would find the module ended).
"""
from __future__ import annotations

import math
from functools import partial
import numpy as np
import simpy

from events.calendar import Calendar
from events.reactions import Reactions
from events.world import World
from fleet.economics import DAYS_PER_YEAR
from fleet.lifetimes import inverse
from fleet.state import OPERATIONAL, Status
from fleet.tolerances import RELATIVE_SLACK, units_for_fraction


class Modules:
    """Starts, watches and ends module lives."""

    def __init__(self, world: World, reactions: Reactions, threshold_fraction: float | None):
        """`threshold_fraction`: failed fraction of a module's units that wakes `reactions` (None: never)."""
        self.world = world
        self.reactions = reactions
        self.death_cause: dict[int, str] = {}        # what ends the module at its bus_end_day
        self.threshold_units = self._threshold_units(threshold_fraction)   # failed units that wake the policy
        design = world.scenario.fleet.module
        self.life_days = design.design_life_years * DAYS_PER_YEAR
        failures = world.scenario.failures
        self._bus_years = inverse(failures.bus)
        self._strikes_per_year = failures.debris.strikes_per_module_year if failures.debris is not None else 0.0

        self.calendar = Calendar(world.env, world.horizon_day)   # holds the module timeouts below
        self._version: dict[int, int] = {}             # module -> its latest threshold timeout
        self._last_day: dict[int, float] = {}          # module -> the day its own end comes (drawn at commissioning)

    def _threshold_units(self, failed_fraction: float | None) -> int | None:
        """Failed units at which a module reaches `failed_fraction` of its units (None: never)."""
        if failed_fraction is None:
            return None
        return units_for_fraction(failed_fraction, self.world.table.units)

    def reschedule_all(self, modules: np.ndarray) -> None:
        """Recompute the day each of `modules` reaches the threshold (after its units changed), and put
        a timeout on the clock for it, in order; a timeout made stale by a later reschedule does nothing."""
        for m, day, idle in self._crossings(modules):
            self._watch(m, day, idle)

    def _crossings(self, modules: np.ndarray) -> list[tuple[int, float, bool]]:
        """(module, day it reaches the threshold, whether it needs no timeout: already crossed, not
        operational, or after the horizon) for each of `modules`, marking those crossed; none without
        a threshold."""
        if self.threshold_units is None:
            return []
        w = self.world
        table = w.table
        crossing = table.unit_end[modules, self.threshold_units - 1]
        crossed = crossing <= w.env.now
        table.crossed[modules] = crossed
        idle = crossed | (table.status[modules] != OPERATIONAL) | (crossing >= w.horizon_day)
        return list(zip(modules.tolist(), crossing.tolist(), idle.tolist()))

    def _watch(self, m: int, crossing: float, idle: bool) -> None:
        """Module m reaches the threshold on day `crossing`: a timeout wakes the policy then, unless
        `idle` (already crossed, not operational, or after the horizon). Earlier timeouts go stale."""
        version = self._version[m] = self._version.get(m, 0) + 1
        if not idle and not _after(crossing, self._last_day[m]):
            self.calendar.at(crossing - self.world.env.now, partial(self._reach_threshold, m, version))

    def _reach_threshold(self, m: int, version: int, _timeout: simpy.Event) -> None:
        table = self.world.table
        if self._version[m] == version and table.status[m] == OPERATIONAL:
            table.crossed[m] = True
            self.reactions.threshold_reached(m)

    def commission(self, ids: list[int], ref: int) -> None:
        """Modules `ids` start operating now, each with fresh units and its own bus and debris fates;
        those ordered as spares go into standby instead. Logged in the order of `ids`, as part of `ref`
        (their launch, or the decision that activated a spare)."""
        w, t, now = self.world, self.world.table, self.world.now
        standby = {m for m in ids if t.spare[m] and t.status[m] != Status.SPARE}
        starting = [m for m in ids if m not in standby]
        if starting:
            rows = np.array(starting, dtype=np.intp)
            ends = w.install_units([(m, 0, t.units) for m in starting], now).reshape(len(starting), t.units)
            keyed = w.streams.keyed
            fates = np.array([keyed("bus-lifetime", m).standard_exponential(3) for m in starting])  # bus (2), debris
            bus = w.bus_end_days(starting, now + self._bus_years(fates[:, 0], fates[:, 1]) * DAYS_PER_YEAR)
            if self._strikes_per_year > 0:
                strike = now + fates[:, 2] / self._strikes_per_year * DAYS_PER_YEAR
            else:
                strike = np.full(len(starting), math.inf)
            t.commission(rows, now, ends, np.minimum(bus, strike))
            w.capacity.enter(rows, now)
            ends_of = dict(zip(starting, zip(bus.tolist(), strike.tolist())))
            waits = {m: (day, idle) for m, day, idle in self._crossings(rows)}
        retire = now + self.life_days
        for m in ids:
            if m in standby:
                t.status[m] = Status.SPARE
                w.log.add(now, "commissioned", m, int(t.cluster[m]), 1, 0.0, "in standby as a spare", ref)
                continue
            b, s = ends_of[m]
            cause = self.death_cause[m] = "bus failure" if b <= s else "debris strike"
            w.log.add(now, "commissioned", m, int(t.cluster[m]), 1, 0.0,
                      f"{t.units} units of {w.generations[t.generation[m]].name}", ref)
            end = min((min(b, s), cause), (retire, "end of design life"))
            self._last_day[m] = end[0]
            if m in waits:
                self._watch(m, *waits[m])
            if end[0] < w.horizon_day:
                self.calendar.at(end[0] - now, partial(self._end_of_life, m, end[1]))

    def activate(self, m: int, ref: int) -> None:
        """Spare module m leaves standby and starts operating now (its life starts now: cold standby), by
        the decision `ref`."""
        w = self.world
        w.log.add(w.now, "spare_activated", m, int(w.table.cluster[m]), 1, 0.0, "spare leaves standby", ref)
        self.commission([m], ref)

    def _end_of_life(self, m: int, what: str, _timeout: simpy.Event) -> None:
        """The end drawn at commissioning has come, unless the module already ended otherwise."""
        if self.world.table.status[m] != OPERATIONAL:
            return
        if what == "end of design life":
            self.deorbit(m, what, self.world.log.new_ref(), why=what)
        else:
            self.fail(m, what)

    def _end(self, m: int, status: Status) -> None:
        """Module m stops now. Its compute and unit failures up to now are integrated in bulk when
        the run closes its books (`FleetTable.unsettled_ended`): nothing changes its units after."""
        w = self.world
        w.capacity.leave(np.array([m]), w.now)
        w.table.status[m] = status
        w.table.end_day[m] = w.now

    def fail(self, m: int, cause: str) -> None:
        """Module m dies in orbit (bus failure, debris strike)."""
        w = self.world
        self._end(m, Status.FAILED)
        cost = w.book("failure", w.scenario.economics.module_failure_usd)
        ref = w.log.new_ref()
        w.log.add(w.now, "module_failure", m, int(w.table.cluster[m]), 1, cost, cause, ref, reason=cause)
        self.reactions.module_ended(m, ref)

    def deorbit(self, m: int, detail: str, ref: int, why: str = "policy decision") -> None:
        """Module m is retired and leaves orbit, at `World.deorbit_usd` (flat cost and disposal
        propellant), by the decision `ref` (the policy's, or the module's own at the end of its design
        life: `why`, in `log.REASONS`)."""
        w = self.world
        self._end(m, Status.DEORBITED)
        cost = w.book("deorbit", w.deorbit_usd(m))
        w.log.add(w.now, "deorbit", m, int(w.table.cluster[m]), 1, cost, detail, ref, reason=why)
        self.reactions.module_ended(m, ref)

    def repair(self, modules: np.ndarray, carried: int, stock: np.ndarray) -> np.ndarray:
        """Replace failed units of operational `modules`, in order, until `carried` units are used,
        each with a board of its generation while `stock` (boards per generation) lasts.

        Returns the units replaced per module (the caller takes them from the stock).
        """
        w = self.world
        t = w.table
        now = w.env.now
        rows = t.unit_end.take(modules, axis=0)
        w.settle(modules, ends=rows)
        failed = (rows <= now).sum(axis=1)          # failed units are each row's first ones
        take = _allot(failed, carried, stock, t.generation[modules])
        served = take.nonzero()[0]
        if len(served) == 0:
            return take
        repaired = modules[served]
        installs = t.installs[repaired]
        new = w.install_units(list(zip(repaired.tolist(), installs.tolist(), take[served].tolist())), now)
        t.installs[repaired] = installs + 1
        rows[np.arange(t.units) < take[:, None]] = new   # the failed slots, row by row
        rows.sort(axis=1)
        w.capacity.remove(repaired, now)
        t.unit_end[modules] = rows
        w.capacity.add(repaired, now)
        self.reschedule_all(repaired)
        return take

    def upgrade(self, m: int, generation: int) -> int:
        """Replace every unit of module m with new units of `generation`; returns how many."""
        w = self.world
        t = w.table
        w.settle(np.array([m]))
        w.capacity.remove(np.array([m]), w.now)
        t.generation[m] = generation
        t.unit_end[m] = np.sort(w.install_units([(m, int(t.installs[m]), t.units)], w.env.now))
        w.capacity.add(np.array([m]), w.now)
        t.installs[m] += 1
        self.reschedule_all(np.array([m]))
        return t.units


def _after(day: float, end: float) -> bool:
    """`day` comes surely after `end` (days), whatever the rounding of the timeouts set for them."""
    return day - end > RELATIVE_SLACK * (1.0 + abs(end))


def _allot(failed: np.ndarray, carried: int, stock: np.ndarray, generation: np.ndarray) -> np.ndarray:
    """Units to replace per module, in order: its failed units while the trip's `carried` units and
    the `stock` of its generation last."""
    left = stock.copy()
    take = np.zeros(len(failed), dtype=np.int64)
    for i, (f, g) in enumerate(zip(failed.tolist(), generation.tolist())):
        k = min(f, carried, int(left[g]))
        take[i] = k
        carried -= k
        left[g] -= k
    return take
