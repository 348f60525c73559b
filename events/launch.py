"""Launch campaigns: ordered modules wait in one queue and fly when a vehicle can take them.

Each cluster has its own first-in first-out queue. A launch serves the cluster holding the oldest
order, taking as many of its queued modules as fit the vehicle's payload, once their lead time has
passed and the vehicle's cadence allows. Among the
vehicles available, the one that can fly first is used (the cheaper one on a tie). A failed launch
loses its whole payload. The i-th launch of a replication draws the i-th number of the
`launch-outcomes` stream, so two policies see the same launches fail.
"""
from __future__ import annotations

import heapq
from collections import deque
from typing import Callable

import numpy as np

from events.modules import Modules
from events.world import World, fmt_usd
from fleet.economics import DAYS_PER_YEAR, price_on
from fleet.scenario import module_mass_kg
from fleet.state import Status, in_status


class LaunchQueue:
    """The queue of ordered modules and the process that launches them."""

    def __init__(self, world: World, modules: Modules):
        self.world = world
        self.modules = modules
        self.queues: list[deque[int]] = [deque() for _ in range(world.scenario.fleet.clusters)]
        self.waiting = 0
        self.mass_kg = np.array([module_mass_kg(world.scenario, g) for g in world.generations])
        self.vehicles = world.scenario.launch.vehicles
        self.last_launch_day = [-np.inf] * len(self.vehicles)
        self.outcomes = world.streams.sequence("launch-outcomes")
        self.on_launch_failed: Callable[[tuple[int, ...]], None] = lambda ms: None
        self._wakeup = world.env.event()
        world.env.process(self._run())

    # ----- orders ---------------------------------------------------------------------------------
    def order(self, count: int, cluster: int | None, generation: int) -> list[int]:
        """Queue `count` new modules; returns their ids."""
        w = self.world
        clusters = [cluster] * count if cluster is not None else self._spread(count)
        ids = [w.table.add(c, generation, w.now) for c in clusters]
        for m, c in zip(ids, clusters):
            self.queues[c].append(m)
        self.waiting += len(ids)
        if not self._wakeup.triggered:
            self._wakeup.succeed()
        return ids

    def _spread(self, count: int) -> list[int]:
        """Clusters for `count` modules, each to the cluster with the fewest modules in service or due."""
        t = self.world.table
        k = self.world.scenario.fleet.clusters
        live = in_status(t.status[: t.n], Status.ORDERED, Status.IN_TRANSIT, Status.OPERATIONAL)
        held = np.bincount(t.cluster[: t.n][live], minlength=k)
        heap = [(int(h), c) for c, h in enumerate(held)]
        heapq.heapify(heap)
        out = []
        for _ in range(count):
            h, c = heapq.heappop(heap)
            out.append(c)
            heapq.heappush(heap, (h + 1, c))
        return out

    # ----- the launch process -----------------------------------------------------------------
    def _mass(self, m: int) -> float:
        return float(self.mass_kg[self.world.table.generation[m]])

    def _oldest_cluster(self) -> int:
        """The cluster whose queue holds the oldest order (module ids grow with order time)."""
        heads = [(q[0], c) for c, q in enumerate(self.queues) if q]
        return min(heads)[1]

    def _first_slot(self, head: int) -> tuple[float, float, int]:
        """(day, price per kg, vehicle) of the earliest launch that can carry `head`."""
        w = self.world
        best = None
        for v, veh in enumerate(self.vehicles):
            if veh.payload_kg < self._mass(head):
                continue
            day = max(w.now, w.table.ordered_day[head] + veh.lead_time_days,
                      self.last_launch_day[v] + DAYS_PER_YEAR / veh.launches_per_year,
                      (veh.available_from_year - w.scenario.start_year) * DAYS_PER_YEAR)
            price = price_on(veh.price_per_kg_usd, w.year(day))
            if best is None or (day, price) < best[:2]:
                best = (day, price, v)
        return best

    def _run(self):
        w = self.world
        while True:
            if not self.waiting:
                self._wakeup = w.env.event()
                yield self._wakeup
                continue
            cluster = self._oldest_cluster()
            day, price, v = self._first_slot(self.queues[cluster][0])
            if day > w.now:
                yield w.env.timeout(day - w.now)
            self._launch(v, price, cluster)

    def _launch(self, v: int, price_per_kg: float, cluster: int) -> None:
        w = self.world
        veh = self.vehicles[v]
        queue = self.queues[cluster]
        payload, mass = [], 0.0
        while queue and mass + self._mass(queue[0]) <= veh.payload_kg \
                and w.table.ordered_day[queue[0]] + veh.lead_time_days <= w.now:
            m = queue.popleft()
            payload.append(m)
            mass += self._mass(m)
        self.waiting -= len(payload)
        self.last_launch_day[v] = w.now
        econ = w.scenario.economics
        prices = w.table.price_usd_per_unit[w.table.generation[payload]].tolist()
        hardware = sum(econ.bus_price_usd + w.table.units * p for p in prices)
        launch_cost = price_per_kg * mass
        w.book("launch", launch_cost)
        w.book("hardware", hardware)
        w.counters["launches"] += 1
        w.counters["mass_launched_kg"] += mass
        w.counters["modules_launched"] += len(payload)
        ids = np.array(payload)
        w.table.launched_day[ids] = w.now
        detail = (f"{veh.name}: {len(payload)} modules, {mass / 1000:.1f} t, "
                  f"{fmt_usd(launch_cost)} launch + {fmt_usd(hardware)} hardware")
        if self.outcomes.random() < veh.success_probability:
            w.table.status[ids] = Status.IN_TRANSIT
            w.log.add(w.now, "launch", -1, cluster, len(payload), launch_cost + hardware, detail)
            w.env.process(self._commission_later(tuple(payload)))
        else:
            w.table.status[ids] = Status.LOST_AT_LAUNCH
            w.table.end_day[ids] = w.now
            w.counters["launch_failures"] += 1
            w.counters["modules_lost_at_launch"] += len(payload)
            w.log.add(w.now, "launch_failure", -1, cluster, len(payload), launch_cost + hardware,
                      detail + "; payload lost")
            self.on_launch_failed(tuple(payload))

    def _commission_later(self, payload: tuple[int, ...]):
        yield self.world.env.timeout(self.world.scenario.fleet.module.commissioning_days)
        self.modules.commission(list(payload))
