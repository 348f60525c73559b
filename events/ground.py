"""Ground links: stations alternate clear and cloudy spells; results wait on board for a clear path.

Each station's clear and outage spells are exponential with the scenario's mean outage length and
a clear mean set so that the station is clear `clear_probability` of the time; each starts in its
stationary state.

What counts as delivered. At each instant the fleet runs u = min(C, D) of its capacity C (daylight
PFLOPS, from the capacity path `events.capacity`) for demand D, in sunlight only: compute used is
s u PFLOPS-days per day, s the fraction of the time compute runs (1 - the shadow fraction, constant
over blocks of days, `fleet.eclipse`; 1 on batteries), and capacity above demand stays idle (surplus). Only
used compute produces results, `data_tb_per_pflops_day` TB per PFLOPS-day used. D changes only at
clock events and C only falls between them, so production never rises between two changes of
weather or of the fleet, and the backlog and its losses are integrated exactly
(`fleet.ground.fill_backlog`). Results are lost when the backlog overflows the modules' buffers,
and when a module stops running (it fails or is deorbited): the backlog is one pool held in equal
shares by the running modules, so a module that stops takes backlog / n of the n running modules
with it. Used compute whose results reached the ground is delivered; compute whose results were
lost is lost; compute whose results are on board at the horizon is pending. So, exactly:
integral of capacity = used + surplus, used = delivered + lost + pending (PFLOPS-days).
"""
from __future__ import annotations

import numpy as np

from events.world import World
from fleet.ground import DownlinkCapacity, fill_backlog
from fleet.orbits import contact_fractions


class GroundNetwork:
    """Weather processes and the fleet's backlog of results."""

    def __init__(self, world: World):
        self.world = world
        spec = world.scenario.ground
        self.stations = spec.stations
        self.capacity = DownlinkCapacity(spec, contact_fractions(world.scenario))
        self.backlog_tb = 0.0
        self.lost_tb = 0.0
        self.blackout_days = 0.0
        self.path = world.capacity
        module = world.scenario.fleet.module
        self.sunlit = world.sunlight.at(0.0)            # fraction of the time compute runs, now
        self._sunlit_area = self._sunlit_above = 0.0      # integrals of sunlit x C, x (C - level)+ until the marks
        self._area_mark = self._above_mark = 0.0          # the path's integrals when sunlit last changed
        self.tb_per_used_pflops_day = spec.data_tb_per_pflops_day
        self.tb_per_pflops_day = self.sunlit * spec.data_tb_per_pflops_day   # per PFLOPS-day of daylight capacity
        self.buffer_tb_per_module = module.data_buffer_tb
        self._last_day = 0.0
        self._streams = [world.streams.sequence(f"weather/{s.name}") for s in self.stations]
        self.clear = [bool(rng.random() < s.clear_probability) for rng, s in zip(self._streams, self.stations)]
        self.drain_tb_per_day = self.capacity.total(tuple(self.clear))
        self._blackout = -1                           # ref of the blackout going on (-1: a station is clear)
        self.path.before_change.append(self.advance)
        self.path.before_leave.append(self.lose_shares)

    def advance(self) -> None:
        """Integrate the backlog from the last change to now. Nothing to do while it is empty and
        production cannot exceed the drain (the path's capacity at its day bounds it from above).
        Production is min(capacity, demand) per piece: demand (the path's level) is constant
        between two calls, so it still never rises."""
        now = self.world.env.now
        days = now - self._last_day
        if days <= 0:
            return
        drain = self.drain_tb_per_day
        if drain == 0.0:
            self.blackout_days += days
        path = self.path
        if self.backlog_tb > 0.0 or self.tb_per_pflops_day * min(path.capacity, path.level) > drain:
            if path.day < self._last_day:
                path.advance(self._last_day)
            capped = path.peak > path.level               # else demand caps no piece: no copy
            capacity, widths = path.advance(now)
            used = np.minimum(capacity, path.level) if capped else capacity
            self.backlog_tb, lost = fill_backlog(self.backlog_tb, used * self.tb_per_pflops_day, widths, drain,
                                                 path.modules * self.buffer_tb_per_module)
            self.lost_tb += lost
        self._last_day = now

    def lose_shares(self, leaving: int) -> None:
        """`leaving` of the path's running modules stop now (after `advance`): they take their
        shares of the backlog with them."""
        running = self.path.modules
        if self.backlog_tb > 0.0 and running > 0:
            share = self.backlog_tb * min(leaving, running) / running
            self.backlog_tb -= share
            self.lost_tb += share

    def set_sunlit(self, sunlit: float) -> None:
        """From now on compute runs `sunlit` of the time (a new block of eclipse): integrate up to now first."""
        self.sync()
        path = self.path
        self._sunlit_area += self.sunlit * (path.area - self._area_mark)
        self._sunlit_above += self.sunlit * (path.above - self._above_mark)
        self._area_mark, self._above_mark = path.area, path.above
        self.sunlit = sunlit
        self.tb_per_pflops_day = sunlit * self.tb_per_used_pflops_day

    def sync(self) -> None:
        """Bring the backlog and the capacity path up to now."""
        self.advance()
        self.path.advance(self.world.env.now)

    @property
    def generated_tb(self) -> float:
        """Results produced up to the path's day, TB."""
        return self.used_pflops_days * self.tb_per_used_pflops_day

    @property
    def delivered_tb(self) -> float:
        """Results that reached the ground up to now (after `sync`), TB."""
        return self.generated_tb - self.lost_tb - self.backlog_tb

    # ----- compute, PFLOPS-days up to the path's day (after `sync`: up to now) ------------------
    @property
    def capacity_pflops_days(self) -> float:
        """Integral of the fleet's capacity, idle in eclipse."""
        return self._sunlit_area + self.sunlit * (self.path.area - self._area_mark)

    @property
    def surplus_pflops_days(self) -> float:
        """Integral of the capacity above demand, idle in eclipse."""
        return self._sunlit_above + self.sunlit * (self.path.above - self._above_mark)

    @property
    def used_pflops_days(self) -> float:
        """Integral of min(capacity, demand), idle in eclipse: the compute run."""
        return self.capacity_pflops_days - self.surplus_pflops_days

    def _as_compute(self, tb: float) -> float:
        """PFLOPS-days of used compute whose results are `tb` TB (0 if results weigh nothing)."""
        return tb / self.tb_per_used_pflops_day if self.tb_per_used_pflops_day > 0 else 0.0

    @property
    def lost_pflops_days(self) -> float:
        """Used compute whose results were lost."""
        return self._as_compute(self.lost_tb)

    @property
    def pending_pflops_days(self) -> float:
        """Used compute whose results are still on board."""
        return self._as_compute(self.backlog_tb)

    @property
    def delivered_pflops_days(self) -> float:
        """Used compute whose results reached the ground."""
        return self.used_pflops_days - self.lost_pflops_days - self.pending_pflops_days

    def weather(self, i: int):
        """The weather process of station i: clear and cloudy spells, forever (none if always clear)."""
        w = self.world
        rng = self._streams[i]
        s = self.stations[i]
        mean_out = s.mean_outage_hours / 24.0
        if s.clear_probability >= 1.0:
            return
        mean_clear = mean_out * s.clear_probability / (1.0 - s.clear_probability)
        n = len(self.clear)
        restored = [f"{s.name} clear ({up} of {n} stations up)" for up in range(n + 1)]
        outage = [f"{s.name} clouded over ({up} of {n} stations up)" for up in range(n + 1)]
        log = w.log
        while True:
            for e in rng.standard_exponential(256).tolist():   # spell lengths, drawn in blocks
                yield w.env.timeout(e * (mean_clear if self.clear[i] else mean_out))
                self.advance()
                self.clear[i] = not self.clear[i]
                state = tuple(self.clear)
                self.drain_tb_per_day = self.capacity.total(state)
                up = sum(state)
                if state[i]:
                    log.add(w.env.now, "ground_restored", -1, -1, 1, 0.0, restored[up], self._blackout)
                    self._blackout = -1
                else:
                    if up == 0:
                        self._blackout = log.new_ref()
                    log.add(w.env.now, "ground_outage", -1, -1, 1, 0.0, outage[up], self._blackout)
