"""Solar particle events: common-cause storms that kill units in many modules at once.

Storms arrive as a Poisson process whose rate follows the solar cycle,
    rate(year) = mean * (1 + A cos(2 pi (year - solar_max_year) / cycle_years)),
sampled exactly by thinning. Each storm hits each operational module with `module_fraction_hit`
and kills each working unit of a hit module with `unit_kill_probability`. The k-th storm draws
from its own keyed stream. (Debris strikes are drawn per module in `events.modules`.)
"""
from __future__ import annotations

import math

import numpy as np

from events.modules import Modules
from events.world import World
from fleet.economics import DAYS_PER_YEAR
from fleet.state import Status


class SpaceWeather:
    """The storm process."""

    def __init__(self, world: World, modules: Modules):
        self.world = world
        self.modules = modules
        self.spec = world.scenario.failures.solar_particle_events

    @property
    def active(self) -> bool:
        """Storms can happen: the scenario has them at a positive rate."""
        return self.spec is not None and self.spec.mean_rate_per_year > 0

    def rate_per_year(self, year: float) -> float:
        s = self.spec
        return s.mean_rate_per_year * (1 + s.cycle_amplitude * math.cos(2 * math.pi * (year - s.solar_max_year) / s.cycle_years))

    def storms(self):
        """The storm process (start it only if `active`)."""
        w = self.world
        peak = self.spec.mean_rate_per_year * (1 + self.spec.cycle_amplitude)
        arrivals = w.streams.sequence("solar-particle-events")
        storm = 0
        while True:
            yield w.env.timeout(arrivals.exponential(DAYS_PER_YEAR / peak))
            if arrivals.random() * peak <= self.rate_per_year(w.year()):
                self._hit(storm)
                storm += 1

    def _hit(self, storm: int) -> None:
        w = self.world
        table = w.table
        rng = w.streams.keyed("storm-damage", storm)
        ops = table.ids(Status.OPERATIONAL)
        hit = ops[rng.random(len(ops)) < self.spec.module_fraction_hit]
        killed_total = 0
        if len(hit):
            kill = (rng.random((len(hit), table.units)) < self.spec.unit_kill_probability) \
                & (table.unit_end[hit] > w.now)
            struck = np.flatnonzero(kill.any(axis=1))
            hit_rows, kill = hit[struck], kill[struck]
            w.settle(hit_rows)
            rows = table.unit_end[hit_rows]
            killed = kill.sum(axis=1)
            killed_total = int(killed.sum())
            rows[kill] = w.now
            w.units_killed(hit_rows, kill)
            w.record_failures(hit_rows, np.full(len(hit_rows), w.now), killed)
            rows.sort(axis=1)
            w.capacity.remove(hit_rows, w.now)
            table.unit_end[hit_rows] = rows
            w.capacity.add(hit_rows, w.now)
            self.modules.reschedule_all(hit_rows)
        w.counters["space_weather_events"] += 1
        w.log.add(w.now, "space_weather", -1, -1, killed_total, 0.0,
                  f"solar particle event hit {len(hit)} modules, {killed_total} units failed", w.log.new_ref())
