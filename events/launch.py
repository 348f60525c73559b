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

Cargo (replacement boards for the depot, servicers, propellant: `Cargo`) waits in its own
first-in first-out queue and rides first in the spare payload of module flights: each module flight,
once its modules are loaded, takes the queued cargo items that fit the mass left (oldest order
first, items whose lead time has passed) and is priced for its whole mass. Cargo takes a flight of
its own only when no module flight can carry it by its due day: no module is queued, or the next
module flight leaves after the oldest cargo's due day (then the cargo flies first if it can leave
no later than that module flight). A
cargo flight carries items of one order only, as many as fit; its vehicle is chosen by the same
rule, per item delivered instead of per module. Cargo reaches orbit on its launch day, and its items
are bought (booked) when they fly. So cargo never delays a module flight that is due, and runs
without servicers or board orders fly exactly as before.

A failed launch loses its whole payload. The i-th launch of a replication draws the i-th number of
the `launch-outcomes` stream, so two policies see the same launches fail.
"""
from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass
from typing import Callable

import numpy as np

from events.modules import Modules
from events.reactions import Reactions
from events.world import World, fmt_usd
from fleet.economics import DAYS_PER_YEAR, expected_cost_per_module_usd, flight_price_usd
from fleet.eclipse import battery_price_usd
from fleet.scenario import module_mass_kg
from fleet.state import Status, in_status
from fleet.tolerances import floor_count


@dataclass
class Cargo:
    """An order of `count` items of `kg_each` kg, each bought at `usd_each` (booked under `category`)
    when it flies. `arrived(n)` / `lost(n)` are called with the items of each flight that reaches
    orbit or is lost at launch."""

    kind: str                  # boards, servicer or propellant: the log's word for the items
    count: int
    kg_each: float
    usd_each: float
    category: str
    ordered_day: float
    due_day: float
    arrived: Callable[[int], None]
    lost: Callable[[int], None]
    cause: int = -1            # ref of the decision that ordered it


class LaunchQueue:
    """The queue of ordered modules and the process that launches them."""

    def __init__(self, world: World, modules: Modules, reactions: Reactions):
        self.world = world
        self.modules = modules
        self.reactions = reactions
        self.queues: list[deque[int]] = [deque() for _ in range(world.scenario.fleet.clusters)]
        self._in_order: deque[tuple[int, int]] = deque()   # (module, cluster) as queued; launched ones left at the front
        self.waiting = 0
        self.mass_kg = np.array([module_mass_kg(world.scenario, g) for g in world.generations])
        self.bus_usd = world.scenario.economics.bus_price_usd + battery_price_usd(world.scenario)   # battery aboard
        self.vehicles = world.scenario.launch.vehicles
        self.last_launch_day = [-np.inf] * len(self.vehicles)
        self.max_wait_days = world.scenario.launch.max_wait_days
        self.due_day: dict[int, float] = {}          # queued module -> day by which it should fly
        self.ordered_by: dict[int, int] = {}         # queued module -> ref of the decision that ordered it
        self.outcomes = world.streams.sequence("launch-outcomes")
        self.on_modules_launched: Callable[[np.ndarray], None] = lambda ids: None
        self.cargo: deque[Cargo] = deque()
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
            self._in_order.append((m, c))
            self.due_day[m] = due
            self.ordered_by[m] = ref
        self.waiting += len(ids)
        self._wake()
        return ids

    def ship(self, kind: str, count: int, kg_each: float, usd_each: float, category: str,
             arrived: Callable[[int], None], lost: Callable[[int], None], due_day: float | None = None,
             cause: int = -1) -> Cargo:
        """Queue cargo (see `Cargo`) ordered by the decision `cause`, due by `due_day` (default: now +
        `launch.max_wait_days`)."""
        now = self.world.now
        due = now + self.max_wait_days if due_day is None else float(due_day)
        cargo = Cargo(kind, count, kg_each, usd_each, category, now, due, arrived, lost, cause)
        self.cargo.append(cargo)
        self._wake()
        return cargo

    def _wake(self) -> None:
        if not self._wakeup.triggered:
            self._wakeup.succeed()

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
        """The cluster whose queue holds the oldest order: that of the first module of `_in_order`
        still queued (module ids grow with order time, and each queue flies from its front)."""
        in_order = self._in_order
        while in_order[0][0] not in self.due_day:
            in_order.popleft()
        return in_order[0][1]

    def _earliest_day(self, v: int, ordered_day: float) -> float:
        """Earliest day vehicle v can launch an order placed on `ordered_day`: lead time, cadence and
        availability."""
        w, veh = self.world, self.vehicles[v]
        return max(w.now, ordered_day + veh.lead_time_days,
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
        ordered = self.world.table.ordered_day[head]
        if len(self.vehicles) == 1:         # no choice to price: the one vehicle lifts every module
            return self._earliest_day(0, ordered), 0
        options = []
        for v, veh in enumerate(self.vehicles):
            if veh.payload_kg < self._mass(head):
                continue
            day = self._earliest_day(v, ordered)
            payload, mass = self._load(v, cluster, day)
            options.append((v, day, expected_cost_per_module_usd(veh, self.world.year(day), len(payload), mass)))
        return _pick(options, self.due_day[head])

    @staticmethod
    def _items_fitting(cargo: Cargo, room_kg: float) -> int:
        """Items of `cargo` that fit in `room_kg` of payload."""
        return min(cargo.count, floor_count(room_kg / cargo.kg_each))

    def _choose_cargo(self) -> tuple[float, int]:
        """(day, vehicle) of the next cargo flight, by the rule in the module docstring."""
        cargo = self.cargo[0]
        options = []
        for v, veh in enumerate(self.vehicles):
            n = self._items_fitting(cargo, self.vehicles[v].payload_kg)
            if n < 1:
                continue
            day = self._earliest_day(v, cargo.ordered_day)
            options.append((v, day, expected_cost_per_module_usd(veh, self.world.year(day), n, n * cargo.kg_each)))
        return _pick(options, cargo.due_day)

    def run(self):
        """The launch process: fly the queue's orders as vehicles allow (see module doc)."""
        w = self.world
        while True:
            if not self.waiting and not self.cargo:
                self._wakeup = w.env.event()
                yield self._wakeup
                continue
            day, v, cluster = (*self._choose(c := self._oldest_cluster()), c) if self.waiting else (math.inf, -1, -1)
            if self.cargo and day > self.cargo[0].due_day:      # no module flight carries it in time
                cargo_day, cargo_v = self._choose_cargo()
                if cargo_day <= day:
                    if cargo_day > w.now:
                        yield w.env.timeout(cargo_day - w.now)
                    self._launch_cargo(cargo_v)
                    continue
            if day > w.now:
                yield w.env.timeout(day - w.now)
            self._launch(v, cluster)

    def _take_cargo(self, v: int, room_kg: float) -> list[tuple[Cargo, int]]:
        """Cargo items that ride in `room_kg` of vehicle v's spare payload now: (order, items), oldest
        order first, orders whose lead time has passed; emptied orders leave the queue."""
        lead, now = self.vehicles[v].lead_time_days, self.world.now
        loads = []
        for cargo in self.cargo:
            n = self._items_fitting(cargo, room_kg)
            if n < 1 or cargo.ordered_day + lead > now:
                continue
            cargo.count -= n
            room_kg -= n * cargo.kg_each
            loads.append((cargo, n))
        self.cargo = deque(c for c in self.cargo if c.count > 0)
        return loads

    def _launch_cargo(self, v: int) -> None:
        """Fly the oldest cargo order's items that fit vehicle v; the rest wait at the head of the queue."""
        w = self.world
        veh = self.vehicles[v]
        cargo = self.cargo[0]
        n = self._items_fitting(cargo, self.vehicles[v].payload_kg)
        cargo.count -= n
        if cargo.count == 0:
            self.cargo.popleft()
        self.last_launch_day[v] = w.now
        mass = n * cargo.kg_each
        launch_cost = w.book("launch", flight_price_usd(veh, w.year(), mass))
        w.counters["launches"] += 1
        w.counters["mass_launched_kg"] += mass
        ok = self.outcomes.random() < veh.success_probability
        if not ok:
            w.counters["launch_failures"] += 1
            w.counters["mass_lost_at_launch_kg"] += mass
        self._deliver(cargo, n, ok, f"{self._items(cargo, n)} on {veh.name}, {fmt_usd(launch_cost)} launch",
                      w.log.new_ref(), launch_cost)

    @staticmethod
    def _items(cargo: Cargo, n: int) -> str:
        what = cargo.kind.removesuffix("s") if n == 1 else cargo.kind
        return f"{n:,} {what}, {n * cargo.kg_each / 1000:.1f} t"

    def _deliver(self, cargo: Cargo, n: int, ok: bool, detail: str, ref: int, launch_cost: float = 0.0) -> None:
        """Book `n` items of `cargo` flown on the launch `ref` (its flight priced `launch_cost` if the
        cargo flew alone), log them and tell the order whether they reached orbit."""
        w = self.world
        bought = w.book(cargo.category, n * cargo.usd_each)
        detail += f" + {fmt_usd(bought)} {cargo.category}" if bought else ""
        if ok:
            w.log.add(w.now, "resupply", -1, -1, n, launch_cost + bought, detail, ref, cargo.cause)
            cargo.arrived(n)
        else:
            w.log.add(w.now, "resupply_failure", -1, -1, n, launch_cost + bought, detail + "; payload lost", ref,
                      cargo.cause)
            cargo.lost(n)

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
        prices = w.table.price_usd_per_unit[w.table.generation[payload]].tolist()
        hardware = sum(self.bus_usd + w.table.units * p for p in prices)
        ids = np.array(payload)
        self.on_modules_launched(ids)             # the standing order may ship boards on this very flight
        loads = self._take_cargo(v, veh.payload_kg - mass)
        cargo_kg = sum(n * cargo.kg_each for cargo, n in loads)
        launch_cost = flight_price_usd(veh, w.year(), mass + cargo_kg)
        w.book("launch", launch_cost)
        w.book("hardware", hardware)
        w.counters["launches"] += 1
        w.counters["mass_launched_kg"] += mass + cargo_kg
        w.counters["modules_launched"] += len(payload)
        w.table.launched_day[ids] = w.now
        detail = (f"{veh.name}: {len(payload)} modules, {mass / 1000:.1f} t, "
                  f"{fmt_usd(launch_cost)} launch + {fmt_usd(hardware)} hardware"
                  + (f"; with {cargo_kg / 1000:.1f} t of cargo" if loads else ""))
        ref = w.log.new_ref()
        flown = tuple(payload)
        ok = self.outcomes.random() < veh.success_probability
        if ok:
            w.table.status[ids] = Status.IN_TRANSIT
            w.log.add(w.now, "launch", -1, cluster, len(payload), launch_cost + hardware, detail, ref, cause, flown)
            w.env.process(self._commission_later(flown, ref))
        else:
            w.table.status[ids] = Status.LOST_AT_LAUNCH
            w.table.end_day[ids] = w.now
            w.counters["launch_failures"] += 1
            w.counters["modules_lost_at_launch"] += len(payload)
            w.counters["mass_lost_at_launch_kg"] += mass + cargo_kg
            w.log.add(w.now, "launch_failure", -1, cluster, len(payload), launch_cost + hardware,
                      detail + "; payload lost", ref, cause, flown)
        for cargo, n in loads:
            self._deliver(cargo, n, ok, f"{self._items(cargo, n)} on {veh.name} with {len(payload)} modules", ref)
        if not ok:
            self.reactions.launch_failed(flown, ref)

    def _commission_later(self, payload: tuple[int, ...], ref: int):
        yield self.world.env.timeout(self.world.scenario.fleet.module.commissioning_days)
        self.modules.commission(list(payload), ref)


def _pick(options: list[tuple[int, float, float]], due: float) -> tuple[float, int]:
    """(day, vehicle) among `options` (vehicle, earliest day, expected cost per item delivered): the
    cheapest that launches by `due` (then the earlier, then the one listed first), else the earliest
    (then the cheaper)."""
    on_time = [(cost, day, v) for v, day, cost in options if day <= due]
    if on_time:
        _, day, v = min(on_time)
        return day, v
    day, _, v = min((day, cost, v) for v, day, cost in options)
    return day, v
