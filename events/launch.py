"""Launch campaigns: ordered modules wait in one queue and fly when a vehicle can take them.

Each cluster has its own first-in first-out queue. A launch serves the cluster holding the oldest
order, taking as many of its queued modules as fit the vehicle's payload, once their lead time has
passed and the vehicle's cadence allows.

Which vehicle: every order has a due day (its own, or the order day plus `launch.max_wait_days`).
For each vehicle that can carry the oldest order, the queue finds its earliest launch day and the
modules it would carry then, and prices that flight (`fleet.economics.flight_price_usd`: a flight
costs its price whether full or not). Among the vehicles that can launch by the due day, it takes
the one with the lowest expected cost per module delivered, the flight's price divided by the
modules on board and by the vehicle's success probability (then the earlier, then the one listed
first). If none can launch by the due day, it takes the earliest (then the cheaper). The flight is
booked at its price on the day it flies, for the modules it then carries.

A failed launch loses its whole payload. The i-th launch of a replication draws the i-th number of
the `launch-outcomes` stream, so two policies see the same launches fail.
"""
from __future__ import annotations

import heapq
from collections import deque
import numpy as np

from events.modules import Modules
from events.reactions import Reactions
from events.world import World, fmt_usd
from fleet.economics import DAYS_PER_YEAR, expected_cost_per_module_usd, flight_price_usd
from fleet.scenario import module_mass_kg
from fleet.state import Status, in_status


class LaunchQueue:
    """The queue of ordered modules and the process that launches them."""

    def __init__(self, world: World, modules: Modules, reactions: Reactions):
        self.world = world
        self.modules = modules
        self.reactions = reactions
        self.queues: list[deque[int]] = [deque() for _ in range(world.scenario.fleet.clusters)]
        self.waiting = 0
        self.mass_kg = np.array([module_mass_kg(world.scenario, g) for g in world.generations])
        self.vehicles = world.scenario.launch.vehicles
        self.last_launch_day = [-np.inf] * len(self.vehicles)
        self.max_wait_days = world.scenario.launch.max_wait_days
        self.due_day: dict[int, float] = {}          # queued module -> day by which it should fly
        self.ordered_by: dict[int, int] = {}         # queued module -> ref of the decision that ordered it
        self.outcomes = world.streams.sequence("launch-outcomes")
        self._wakeup = world.env.event()

    # ----- orders ---------------------------------------------------------------------------------
    def order(self, count: int, cluster: int | None, generation: int, due_day: float | None, ref: int) -> list[int]:
        """Queue `count` new modules, due to fly by `due_day` (None: now + `launch.max_wait_days`), as
        ordered by the decision `ref`; returns their ids."""
        w = self.world
        clusters = [cluster] * count if cluster is not None else self._spread(count)
        ids = [w.table.add(c, generation, w.now) for c in clusters]
        due = w.now + self.max_wait_days if due_day is None else float(due_day)
        for m, c in zip(ids, clusters):
            self.queues[c].append(m)
            self.due_day[m] = due
            self.ordered_by[m] = ref
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

    def _earliest_day(self, v: int, head: int) -> float:
        """Earliest day vehicle v can launch the order `head`: lead time, cadence and availability."""
        w, veh = self.world, self.vehicles[v]
        return max(w.now, w.table.ordered_day[head] + veh.lead_time_days,
                   self.last_launch_day[v] + DAYS_PER_YEAR / veh.launches_per_year,
                   (veh.available_from_year - w.scenario.start_year) * DAYS_PER_YEAR)

    def _load(self, v: int, cluster: int, day: float) -> tuple[list[int], float]:
        """The modules (from the front of `cluster`'s queue) vehicle v carries if it flies on `day`,
        and their mass, kg: in order, while they fit and their lead time has passed."""
        veh = self.vehicles[v]
        ordered = self.world.table.ordered_day
        payload, mass = [], 0.0
        for m in self.queues[cluster]:
            mm = self._mass(m)
            if mass + mm > veh.payload_kg or ordered[m] + veh.lead_time_days > day:
                break
            payload.append(m)
            mass += mm
        return payload, mass

    def _choose(self, cluster: int) -> tuple[float, int]:
        """(day, vehicle) of the next launch for `cluster`, by the rule in the module docstring."""
        head = self.queues[cluster][0]
        if len(self.vehicles) == 1:         # no choice to price: the one vehicle lifts every module
            return self._earliest_day(0, head), 0
        due = self.due_day[head]
        on_time, late = [], []
        for v, veh in enumerate(self.vehicles):
            if veh.payload_kg < self._mass(head):
                continue
            day = self._earliest_day(v, head)
            payload, mass = self._load(v, cluster, day)
            cost = expected_cost_per_module_usd(veh, self.world.year(day), len(payload), mass)
            if day <= due:
                on_time.append((cost, day, v))
            else:
                late.append((day, cost, v))
        if on_time:
            _, day, v = min(on_time)
        else:
            day, _, v = min(late)
        return day, v

    def run(self):
        """The launch process: fly the queue's orders as vehicles allow (see module doc)."""
        w = self.world
        while True:
            if not self.waiting:
                self._wakeup = w.env.event()
                yield self._wakeup
                continue
            cluster = self._oldest_cluster()
            day, v = self._choose(cluster)
            if day > w.now:
                yield w.env.timeout(day - w.now)
            self._launch(v, cluster)

    def _launch(self, v: int, cluster: int) -> None:
        w = self.world
        veh = self.vehicles[v]
        queue = self.queues[cluster]
        payload, mass = self._load(v, cluster, w.now)
        cause = self.ordered_by[payload[0]]
        for m in payload:
            queue.popleft()
            del self.due_day[m]
            del self.ordered_by[m]
        self.waiting -= len(payload)
        self.last_launch_day[v] = w.now
        econ = w.scenario.economics
        prices = w.table.price_usd_per_unit[w.table.generation[payload]].tolist()
        hardware = sum(econ.bus_price_usd + w.table.units * p for p in prices)
        launch_cost = flight_price_usd(veh, w.year(), mass)
        w.book("launch", launch_cost)
        w.book("hardware", hardware)
        w.counters["launches"] += 1
        w.counters["mass_launched_kg"] += mass
        w.counters["modules_launched"] += len(payload)
        ids = np.array(payload)
        w.table.launched_day[ids] = w.now
        detail = (f"{veh.name}: {len(payload)} modules, {mass / 1000:.1f} t, "
                  f"{fmt_usd(launch_cost)} launch + {fmt_usd(hardware)} hardware")
        ref = w.log.new_ref()
        flown = tuple(payload)
        if self.outcomes.random() < veh.success_probability:
            w.table.status[ids] = Status.IN_TRANSIT
            w.log.add(w.now, "launch", -1, cluster, len(payload), launch_cost + hardware, detail, ref, cause, flown)
            w.env.process(self._commission_later(flown, ref))
        else:
            w.table.status[ids] = Status.LOST_AT_LAUNCH
            w.table.end_day[ids] = w.now
            w.counters["launch_failures"] += 1
            w.counters["modules_lost_at_launch"] += len(payload)
            w.log.add(w.now, "launch_failure", -1, cluster, len(payload), launch_cost + hardware,
                      detail + "; payload lost", ref, cause, flown)
            self.reactions.launch_failed(flown, ref)

    def _commission_later(self, payload: tuple[int, ...], ref: int):
        yield self.world.env.timeout(self.world.scenario.fleet.module.commissioning_days)
        self.modules.commission(list(payload), ref)
