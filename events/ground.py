"""Ground links: stations alternate clear and cloudy spells; results wait on board for a clear path.

Each station's clear and outage spells are exponential with the scenario's mean outage length and
a clear mean set so that the station is clear `clear_probability` of the time; each starts in its
stationary state. Between two changes every rate is constant, so the backlog, deliveries and
losses are integrated exactly (`fleet.ground.advance_backlog`). The fleet's rate of producing
results and its buffer size are refreshed at every timeline sample.
"""
from __future__ import annotations

import numpy as np

from events.world import World
from fleet.ground import DownlinkCapacity, advance_backlog


class GroundNetwork:
    """Weather processes and the fleet's backlog of results."""

    def __init__(self, world: World):
        self.world = world
        spec = world.scenario.ground
        self.stations = spec.stations
        self.capacity = DownlinkCapacity(spec, world.scenario.fleet.clusters)
        self.backlog_tb = 0.0
        self.generate_tb_per_day = 0.0
        self.buffer_tb = 0.0
        self.generated_tb = self.delivered_tb = self.lost_tb = 0.0
        self.blackout_days = 0.0
        self._last_day = 0.0
        streams = [world.streams.sequence(f"weather/{s.name}") for s in self.stations]
        self.clear = [bool(rng.random() < s.clear_probability) for rng, s in zip(streams, self.stations)]
        self.drain_tb_per_day = self.capacity.total(tuple(self.clear))
        for i, rng in enumerate(streams):
            world.env.process(self._weather(i, rng))

    def advance(self) -> None:
        """Integrate the backlog from the last change to now."""
        now = self.world.env.now
        days = now - self._last_day
        if days <= 0:
            return
        self.backlog_tb, delivered, lost = advance_backlog(
            self.backlog_tb, self.generate_tb_per_day, self.drain_tb_per_day, self.buffer_tb, days)
        self.generated_tb += self.generate_tb_per_day * days
        self.delivered_tb += delivered
        self.lost_tb += lost
        if self.drain_tb_per_day == 0.0:
            self.blackout_days += days
        self._last_day = now

    def set_generation(self, tb_per_day: float, buffer_tb: float) -> None:
        """New production rate of the fleet (TB/day) and its total buffer (TB)."""
        self.advance()
        self.generate_tb_per_day = tb_per_day
        self.buffer_tb = buffer_tb

    def _weather(self, i: int, rng: np.random.Generator):
        w = self.world
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
                if state[i]:
                    log.add(w.env.now, "ground_restored", -1, -1, 1, 0.0, restored[sum(state)])
                else:
                    log.add(w.env.now, "ground_outage", -1, -1, 1, 0.0, outage[sum(state)])
