"""Module lives: commissioning, bus failure, debris strike, end of design life, threshold wake-ups.

Each operational module has one SimPy process holding one pending timeout: the earliest of its
bus failure, debris strike, end of design life and (if the policy asked) the day its failed-unit
count reaches the policy's threshold. Anything that changes a module's units (servicing, a solar
storm) interrupts the process so it recomputes that day. Unit failures themselves never touch the
clock; they are read from the module's sorted unit end days.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import simpy

from events.world import World
from fleet.economics import DAYS_PER_YEAR
from fleet.lifetimes import sample_years
from fleet.state import OPERATIONAL, Status


class Modules:
    """Starts, watches and ends module lives."""

    def __init__(self, world: World):
        self.world = world
        self.processes: dict[int, simpy.Process] = {}
        self.death_cause: dict[int, str] = {}        # what ends the module at its bus_end_day
        self.threshold_units: int | None = None      # failed units that wake the policy
        self.on_threshold: Callable[[int], None] = lambda m: None
        self.on_module_ended: Callable[[int], None] = lambda m: None
        design = world.scenario.fleet.module
        self.life_days = design.design_life_years * DAYS_PER_YEAR

    def set_threshold(self, failed_fraction: float | None) -> None:
        if failed_fraction is not None:
            units = self.world.table.units
            self.threshold_units = min(units, max(1, math.ceil(failed_fraction * units - 1e-9)))

    def commission(self, m: int) -> None:
        """Module m starts operating now, with fresh units and its own bus and debris fates."""
        w, t = self.world, self.world.now
        ends = w.unit_end_days(m, 0, w.table.units, t)
        f = w.scenario.failures
        rng = w.streams.keyed("bus-lifetime", m)
        bus = t + sample_years(f.bus, rng, 1)[0] * DAYS_PER_YEAR
        if f.debris is not None and f.debris.strikes_per_module_year > 0:
            strike = t + rng.standard_exponential() / f.debris.strikes_per_module_year * DAYS_PER_YEAR
        else:
            strike = math.inf
        w.table.commission(m, t, ends, min(bus, strike))
        self.death_cause[m] = "bus failure" if bus <= strike else "debris strike"
        w.log.add(t, "commissioned", m, int(w.table.cluster[m]), 1, 0.0,
                  f"{w.table.units} units of {w.generations[w.table.generation[m]].name}")
        self.processes[m] = w.env.process(self._life(m))

    def _next(self, m: int) -> tuple[float, str]:
        w = self.world
        table = w.table
        options = [(float(table.bus_end_day[m]), self.death_cause[m]),
                   (float(table.commissioned_day[m]) + self.life_days, "end of design life")]
        if self.threshold_units is not None and not table.crossed[m]:
            options.append((max(w.now, table.crossing_day(m, self.threshold_units)), "threshold"))
        return min(options)

    def _life(self, m: int):
        w = self.world
        while w.table.status[m] == OPERATIONAL:
            day, what = self._next(m)
            if day >= w.horizon_day:
                return
            try:
                yield w.env.timeout(max(0.0, day - w.now))
            except simpy.Interrupt:
                continue
            if w.table.status[m] != OPERATIONAL:
                return
            if what == "threshold":
                w.table.crossed[m] = True
                self.on_threshold(m)
            elif what == "end of design life":
                self.deorbit(m, what)
            else:
                self.fail(m, what)

    def wake(self, m: int) -> None:
        """Make module m's process recompute its next day (after its units changed)."""
        proc = self.processes.get(m)
        if proc is not None and proc.is_alive and proc is not self.world.env.active_process:
            proc.interrupt()

    def _end(self, m: int, status: Status) -> None:
        w = self.world
        w.settle(np.array([m]))
        w.table.status[m] = status
        w.table.end_day[m] = w.now
        self.wake(m)

    def fail(self, m: int, cause: str) -> None:
        """Module m dies in orbit (bus failure, debris strike)."""
        w = self.world
        self._end(m, Status.FAILED)
        w.log.add(w.now, "module_failure", m, int(w.table.cluster[m]), 1, 0.0, cause)
        self.on_module_ended(m)

    def deorbit(self, m: int, reason: str) -> None:
        """Module m is retired and leaves orbit."""
        w = self.world
        self._end(m, Status.DEORBITED)
        w.log.add(w.now, "deorbit", m, int(w.table.cluster[m]), 1, 0.0, reason)
        self.on_module_ended(m)

    def replace_units(self, m: int, count: int | None, generation: int | None = None) -> int:
        """Replace up to `count` failed units of m (None: all units, with `generation`); returns how many."""
        w = self.world
        table = w.table
        if table.settled_day[m] < w.now:
            w.settle(np.array([m]))
        row = table.unit_end[m]
        if count is None:
            slots = np.arange(table.units)
            table.generation[m] = generation
        else:
            failed = np.flatnonzero(row <= w.now)
            slots = failed[:count]
        if len(slots):
            row[slots] = w.unit_end_days(m, int(table.installs[m]), len(slots), w.now)
            table.installs[m] += 1
            row.sort()
            if self.threshold_units is not None:
                table.crossed[m] = table.failed_count(m, w.now) >= self.threshold_units
            self.wake(m)
        return len(slots)
