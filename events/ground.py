"""Ground links: stations alternate clear and cloudy spells; results wait on board for a clear path.

Each station's clear and outage spells are exponential with the scenario's mean outage length and
a clear mean set so that the station is clear `clear_probability` of the time; each starts in its
stationary state. Between two changes every rate is constant, so backlogs, deliveries and losses
are integrated exactly (`fleet.ground.advance_backlog`). The rate at which each cluster produces
results is refreshed at every timeline sample.
"""
from __future__ import annotations

import numpy as np

from events.world import World
from fleet.ground import DownlinkCapacity, advance_backlog


class GroundNetwork:
    """Weather processes and the per-cluster backlog of results."""

    def __init__(self, world: World):
        self.world = world
        spec = world.scenario.ground
        self.stations = spec.stations
        k = world.scenario.fleet.clusters
        self.capacity = DownlinkCapacity(spec, k)
        self.buffer_tb = world.scenario.fleet.module.data_buffer_tb
        self.backlog_tb = np.zeros(k)
        self.generate_tb_per_day = np.zeros(k)
        self.modules_per_cluster = np.zeros(k)
        self.generated_tb = self.delivered_tb = self.lost_tb = 0.0
        self.blackout_days = 0.0
        self._last_day = 0.0
        streams = [world.streams.sequence(f"weather/{s.name}") for s in self.stations]
        self.clear = [bool(rng.random() < s.clear_probability) for rng, s in zip(streams, self.stations)]
        self.drain = self.capacity.per_cluster(tuple(self.clear))
        for i, rng in enumerate(streams):
            world.env.process(self._weather(i, rng))

    def advance(self) -> None:
        """Integrate backlogs from the last change to now."""
        days = self.world.now - self._last_day
        if days <= 0:
            return
        buffer = self.buffer_tb * self.modules_per_cluster
        gen = self.generate_tb_per_day
        self.backlog_tb, delivered, lost = advance_backlog(self.backlog_tb, gen, self.drain, buffer, days)
        self.generated_tb += float(gen.sum() * days)
        self.delivered_tb += float(delivered.sum())
        self.lost_tb += float(lost.sum())
        if not any(self.clear):
            self.blackout_days += days
        self._last_day = self.world.now

    def set_generation(self, tb_per_day: np.ndarray, modules_per_cluster: np.ndarray) -> None:
        """New production rates per cluster (TB/day) and module counts (for the buffer size)."""
        self.advance()
        self.generate_tb_per_day = tb_per_day
        self.modules_per_cluster = modules_per_cluster

    def _weather(self, i: int, rng: np.random.Generator):
        w = self.world
        s = self.stations[i]
        mean_out = s.mean_outage_hours / 24.0
        mean_clear = mean_out * s.clear_probability / (1.0 - s.clear_probability) if s.clear_probability < 1 else None
        while True:
            if self.clear[i] and mean_clear is None:
                return
            mean = mean_clear if self.clear[i] else mean_out
            yield w.env.timeout(rng.exponential(mean))
            self.advance()
            self.clear[i] = not self.clear[i]
            self.drain = self.capacity.per_cluster(tuple(self.clear))
            up = sum(self.clear)
            if self.clear[i]:
                w.log.add(w.now, "ground_restored", -1, -1, 1, 0.0, f"{s.name} clear ({up} of {len(self.clear)} up)")
            else:
                w.log.add(w.now, "ground_outage", -1, -1, 1, 0.0, f"{s.name} clouded over ({up} of {len(self.clear)} up)")
