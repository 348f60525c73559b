"""Ground links: stations alternate clear and cloudy spells; results wait on board for a clear path.

Each station's clear and outage spells are exponential with the scenario's mean outage length and
a clear mean set so that the station is clear `clear_probability` of the time; each starts in its
stationary state. The fleet produces results at a rate proportional to its capacity, which the
capacity path (`events.capacity`) gives exactly as it falls unit by unit; between two changes of
weather or of the fleet the drain and the buffer are constant and production never rises, so the
backlog and its losses are integrated exactly (`fleet.ground.fill_backlog`). What was produced and
is neither lost nor on board was delivered.
"""
from __future__ import annotations

from events.world import World
from fleet.ground import DownlinkCapacity, fill_backlog


class GroundNetwork:
    """Weather processes and the fleet's backlog of results."""

    def __init__(self, world: World):
        self.world = world
        spec = world.scenario.ground
        self.stations = spec.stations
        self.capacity = DownlinkCapacity(spec, world.scenario.fleet.clusters)
        self.backlog_tb = 0.0
        self.lost_tb = 0.0
        self.blackout_days = 0.0
        self.path = world.capacity
        module = world.scenario.fleet.module
        self.tb_per_pflops_day = (1.0 - module.eclipse_fraction) * spec.data_tb_per_pflops_day   # of capacity
        self.buffer_tb_per_module = module.data_buffer_tb
        self._last_day = 0.0
        self._streams = [world.streams.sequence(f"weather/{s.name}") for s in self.stations]
        self.clear = [bool(rng.random() < s.clear_probability) for rng, s in zip(self._streams, self.stations)]
        self.drain_tb_per_day = self.capacity.total(tuple(self.clear))
        self._blackout = -1                           # ref of the blackout going on (-1: a station is clear)
        self.path.before_change.append(self.advance)

    def advance(self) -> None:
        """Integrate the backlog from the last change to now. Nothing to do while it is empty and
        production cannot exceed the drain (the path's capacity at its day bounds it from above)."""
        now = self.world.env.now
        days = now - self._last_day
        if days <= 0:
            return
        drain = self.drain_tb_per_day
        if drain == 0.0:
            self.blackout_days += days
        path = self.path
        if self.backlog_tb > 0.0 or self.tb_per_pflops_day * path.capacity > drain:
            if path.day < self._last_day:
                path.advance(self._last_day)
            capacity, widths = path.advance(now)
            self.backlog_tb, lost = fill_backlog(self.backlog_tb, capacity * self.tb_per_pflops_day, widths, drain,
                                                 path.modules * self.buffer_tb_per_module)
            self.lost_tb += lost
        self._last_day = now

    def sync(self) -> None:
        """Bring the backlog and the capacity path up to now."""
        self.advance()
        self.path.advance(self.world.env.now)

    @property
    def generated_tb(self) -> float:
        """Results produced up to the path's day, TB."""
        return self.path.area * self.tb_per_pflops_day

    @property
    def delivered_tb(self) -> float:
        """Results that reached the ground up to now (after `sync`), TB."""
        return self.generated_tb - self.lost_tb - self.backlog_tb

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
