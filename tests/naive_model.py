"""A naive reference model of a small world: one SimPy process per compute unit.

This is the model the engine's fast path replaces (DESIGN.md, "Speed principle"): every unit is a
SimPy process that sleeps for its sampled lifetime and then fails, every failure is an event on the
clock, and delivered compute is booked unit by unit as each one stops. It shares with the engine
only the contract (the scenario schema, the Policy interface and its Actions, the Status codes);
none of `events/` or `fleet.state`. The policy object is the same one the engine runs: both models
call its hooks at the same moments with an observation of the same shape, and carry out its
actions with the same semantics:

- launches: one first-in first-out queue per cluster; a launch serves the cluster holding the
  oldest order and takes as many of its modules as fit the payload once their lead time has
  passed; launches are at least 365.25 / launches_per_year days apart; a launched module starts
  operating `commissioning_days` later; new modules go to the clusters with the fewest modules
  ordered, in transit or operating;
- modules: each has a bus lifetime and is deorbited at the end of its design life, whichever comes
  first; units stop with their module;
- units: lifetimes exponential or Weibull, drawn when installed; compute is idle in eclipse, so a
  unit offers pflops_per_unit * (1 - eclipse_fraction) PFLOPS-days per day alive (capacity);
- delivered: the fleet uses min(capacity, demand) at each instant, idle in eclipse; the working
  units are counted at every unit event and the used compute integrated between events; results
  weigh nothing (`data_tb_per_pflops_day` 0), so all used compute is delivered;
- threshold: when a module's failed units reach ceil(f * units) the policy's `on_threshold` runs
  (once, until a repair brings the module back below it);
- cargo: servicers (ordered at day 0) and replacement boards wait in one first-in first-out queue,
  each order due `launch.max_wait_days` after it is placed (a Resupply action's own due day if it
  gives one). Cargo rides module flights first: once a module flight is loaded, it takes the
  queued cargo whose lead time has passed into its spare payload, oldest order first, as many items
  of each as fit. Cargo flies alone only when the next module flight would leave after the oldest
  cargo order's due day (or no module waits), and then only if it can leave no later than that
  module flight; a cargo flight carries as many items of the oldest cargo order as fit. Cargo
  reaches orbit on its launch day (a failed flight loses it; lost servicers are reordered);
- depot: boards arrive in stock; the standing order (`servicing.resupply`) is checked at day 0
  (servicers, then boards, are ordered after the initial modules), when a module flight launches
  (before its cargo is loaded), when a trip is sent and when a trip takes boards: stock + on order
  at most the reorder point orders max(quantity, reorder point + 1 - position) boards;
- servicing: a trip waits for a free servicer in orbit (a simpy.Store), flies trip_days / 2 out,
  succeeds with its probability, replaces the failed units of each listed module still operating up
  to the units it carries and the boards in stock, flies back, frees the servicer and calls
  `on_trip_returned`;
- reviews: every review_interval_days from day 0.

Scope (checked by `out_of_scope`): servicers that burn no propellant and are never lost, one launch
vehicle, one hardware generation (no trend), no radiation, no solar particle events, no debris, an
array that can always power every unit, a constant demand in MW from day 0. Ground stations are not
modelled: results weigh nothing.

The model draws from its own numpy Generator, so it agrees with the engine in distribution only.
"""
from __future__ import annotations

import heapq
import math
from collections import deque
from typing import Any

import numpy as np
import simpy

from fleet.actions import Deorbit, Launch, Resupply, Service
from fleet.observation import Observation
from fleet.resupply import resupply_levels
from fleet.scenario import (Exponential, Scenario, module_mass_kg, modules_for_target, parse_scenario,
                            servicer_mass_kg)
from fleet.state import Status
from policies.base import Policy

DAYS_PER_YEAR = 365.25
ORDERED, IN_TRANSIT, OPERATIONAL = int(Status.ORDERED), int(Status.IN_TRANSIT), int(Status.OPERATIONAL)
FAILED, DEORBITED, LOST = int(Status.FAILED), int(Status.DEORBITED), int(Status.LOST_AT_LAUNCH)
LIVE = (ORDERED, IN_TRANSIT, OPERATIONAL)


# ----- the small world ----------------------------------------------------------------------------
def small_world(*, modules: int = 12, units: int = 16, clusters: int = 3, horizon_years: float = 10.0,
                unit: dict | None = None, bus: dict | None = None, design_life_years: float = 6.0,
                servicers: int = 2, trip_days: float = 40.0, units_per_trip: int = 24,
                servicing_success: float = 1.0, threshold_fraction: float = 0.25,
                review_interval_days: float = 30.0, lead_time_days: float = 60.0,
                commissioning_days: float = 20.0, modules_per_launch: int = 2,
                launches_per_year: float = 24.0, launch_success: float = 1.0,
                eclipse_fraction: float = 0.039, pflops_per_unit: float = 2.0,
                name: str = "naive-small-world") -> Scenario:
    """A scenario inside the naive model's scope: `modules` modules of `units` units ordered at day 0,
    certain launches, servicing on a failed-fraction threshold, no space weather, ground irrelevant."""
    kw_per_unit = 1.0
    unit_mass, bus_mass = 20.0, 500.0
    module_mass = bus_mass + units * unit_mass
    data = {
        "name": name,
        "description": "small world for the naive per-unit reference model",
        "start_year": 2030,
        "horizon_years": horizon_years,
        "timeline_step_days": min(3650.0, horizon_years * DAYS_PER_YEAR / 4),
        "fleet": {
            "target_power_mw": modules * units * kw_per_unit / 1000.0,
            "clusters": clusters,
            "module": {
                "units": units, "bus_mass_kg": bus_mass,
                "solar_array_kw": units * kw_per_unit * 1.1,     # never limits: no degradation
                "array_degradation_per_year": 0.0, "eclipse_fraction": eclipse_fraction,
                "commissioning_days": commissioning_days, "design_life_years": design_life_years,
                "data_buffer_tb": 10.0,
            },
        },
        "hardware": {"generations": [{
            "name": "gen-0", "year_available": 2030, "pflops_per_unit": pflops_per_unit,
            "power_kw_per_unit": kw_per_unit, "mass_kg_per_unit": unit_mass, "price_usd_per_unit": 1000.0}]},
        "launch": {"vehicles": [{
            "name": "rocket", "payload_kg": module_mass * modules_per_launch + 1.0,
            "price_per_kg_usd": {2030: 1000.0}, "success_probability": launch_success,
            "launches_per_year": launches_per_year, "lead_time_days": lead_time_days,
            "available_from_year": 2030}]},
        "failures": {
            "unit": unit or {"distribution": "exponential", "rate_per_year": 0.15},
            "bus": bus or {"distribution": "weibull", "shape": 1.5, "scale_years": 12.0},
        },
        "servicing": {"servicers": servicers, "trip_days": trip_days, "units_per_trip": units_per_trip,
                      "success_probability": servicing_success, "cost_per_trip_usd": 1e6,
                      "servicer_dry_mass_kg": 250.0, "propellant_kg_per_trip": 0.0,
                      "servicer_loss_probability": 0.0},
        "ground": {"stations": [{"name": "always-clear", "downlink_gbps": 100.0, "clear_probability": 1.0,
                                 "mean_outage_hours": 1.0, "contact_fraction": 1.0}],
                   "isl_gbps": 0.0, "data_tb_per_pflops_day": 0.0},
        "economics": {"bus_price_usd": 1e6, "operations_usd_per_module_year": 0.0,
                      "ground_usd_per_station_year": 0.0, "discount_rate": 0.0},
        "policy": {"name": "service-on-threshold",
                   "params": {"threshold_fraction": threshold_fraction,
                              "review_interval_days": review_interval_days}},
    }
    return parse_scenario(data, name)


def out_of_scope(scenario: Scenario) -> list[str]:
    """Why the naive model cannot run `scenario` (empty if it can)."""
    why = []
    f = scenario.failures
    if f.radiation is not None and f.radiation.dose_rate_rad_per_year * f.radiation.hazard_per_year_per_krad > 0:
        why.append("radiation")
    if f.solar_particle_events is not None and f.solar_particle_events.mean_rate_per_year > 0:
        why.append("solar particle events")
    if f.debris is not None and f.debris.strikes_per_module_year > 0:
        why.append("debris")
    sv = scenario.servicing
    if sv.servicer_loss_probability > 0:
        why.append("servicers that can be lost")
    if sv.propellant_kg_per_trip > 0:
        why.append("servicers that burn propellant")
    if len(scenario.launch.vehicles) != 1:
        why.append("more than one launch vehicle")
    if len(scenario.hardware.generations) != 1 or scenario.hardware.trend is not None:
        why.append("more than one hardware generation")
    m = scenario.fleet.module
    gen = scenario.hardware.generations[0]
    end_kw = m.solar_array_kw * (1 - m.array_degradation_per_year) ** scenario.horizon_years
    if end_kw + 1e-9 < m.units * gen.power_kw_per_unit:
        why.append("the array cannot power every unit to the horizon")
    d = scenario.demand
    if d.unit != "mw" or d.by_year is not None or d.growth_per_year or d.start_day > 0:
        why.append("demand other than a constant level in MW from day 0")
    if scenario.ground.data_tb_per_pflops_day > 0:
        why.append("results that weigh something (data_tb_per_pflops_day > 0)")
    return why


# ----- what the policy sees -----------------------------------------------------------------------
class NaiveColumns:
    """The naive world's module columns under the names `fleet.observation.Observation` reads, so
    the policy is handed the real Observation class. Only per-module counts live here; the units
    themselves are the SimPy processes of `NaiveModel`."""

    def __init__(self, scenario: Scenario, capacity: int = 64):
        gen = scenario.hardware.generations[0]
        self.units = scenario.fleet.module.units
        self.pflops_per_unit = np.array([gen.pflops_per_unit])
        self.kw_per_unit = np.array([gen.power_kw_per_unit])
        self.n = 0
        self._alloc(capacity)

    def _alloc(self, capacity: int) -> None:
        old = {k: v for k, v in vars(self).items() if isinstance(v, np.ndarray) and v.ndim == 1
               and k not in ("pflops_per_unit", "kw_per_unit")}
        self.capacity = capacity
        self.status = np.zeros(capacity, dtype=np.int8)
        self.cluster = np.zeros(capacity, dtype=np.int32)
        self.generation = np.zeros(capacity, dtype=np.int16)
        self.ordered_day = np.full(capacity, np.nan)
        self.commissioned_day = np.full(capacity, np.nan)
        self.pending_trip = np.zeros(capacity, dtype=bool)
        self.crossed = np.zeros(capacity, dtype=bool)
        self.spare = np.zeros(capacity, dtype=bool)           # the naive model orders no spares
        self.alive = np.zeros(capacity, dtype=np.int64)       # working units per module
        for k, v in old.items():
            getattr(self, k)[: len(v)] = v

    def add(self, cluster: int, day: float) -> int:
        if self.n == self.capacity:
            self._alloc(2 * self.capacity)
        m = self.n
        self.n += 1
        self.status[m] = ORDERED
        self.cluster[m] = cluster
        self.ordered_day[m] = day
        return m

    def alive_counts(self, day: float, rows: np.ndarray | None = None) -> np.ndarray:
        rows = np.arange(self.n) if rows is None else np.asarray(rows, dtype=np.intp)
        return np.where(self.status[rows] == OPERATIONAL, self.alive[rows], 0)

    def usable_counts(self, day: float, rows: np.ndarray) -> np.ndarray:
        return self.alive_counts(day, rows)             # the array powers every unit (see out_of_scope)

    def capacity_pflops(self, day: float, rows: np.ndarray) -> np.ndarray:
        return self.usable_counts(day, rows) * self.pflops_per_unit[self.generation[np.asarray(rows, dtype=np.intp)]]

    def ids(self, *statuses) -> np.ndarray:
        return np.flatnonzero(np.isin(self.status[: self.n], [int(s) for s in statuses]))


# ----- the model ----------------------------------------------------------------------------------
class NaiveModel:
    """One replication of the small world, one SimPy process per unit."""

    def __init__(self, scenario: Scenario, policy: Policy, seed: int):
        why = out_of_scope(scenario)
        if why:
            raise ValueError(f"scenario {scenario.name} is outside the naive model's scope: {', '.join(why)}")
        self.scenario = scenario
        self.policy = policy
        self.rng = np.random.default_rng([seed, 0x4E414956])   # "NAIV": never the engine's streams
        self.env = simpy.Environment()
        design = scenario.fleet.module
        gen = scenario.hardware.generations[0]
        self.units = design.units
        self.sunlit = 1.0 - design.eclipse_fraction
        self.pflops_per_unit = gen.pflops_per_unit
        self.rate = gen.pflops_per_unit * self.sunlit                      # PFLOPS-days per unit-day
        self.horizon_day = scenario.horizon_years * DAYS_PER_YEAR
        self.life_days = design.design_life_years * DAYS_PER_YEAR
        self.design_count = modules_for_target(scenario)
        self.target_pflops = self.design_count * self.units * gen.pflops_per_unit
        level_mw = scenario.demand.level if scenario.demand.level is not None else scenario.fleet.target_power_mw
        self.demand_pflops = level_mw * 1000.0 / gen.power_kw_per_unit * gen.pflops_per_unit
        self.working = 0                                   # units alive in operational modules
        self.counted_day = 0.0                             # used compute integrated up to here
        fraction = policy.threshold_failed_fraction()
        self.threshold = (None if fraction is None else
                          min(self.units, max(1, math.ceil(fraction * self.units - 1e-9))))
        self.t = NaiveColumns(scenario)
        self.unit_start: list[list[float | None]] = []   # per module and slot: day its unit started; None: failed
        # launches
        self.vehicle = scenario.launch.vehicles[0]
        self.module_mass = module_mass_kg(scenario, gen)
        self.queues: list[deque[int]] = [deque() for _ in range(scenario.fleet.clusters)]
        self.waiting = 0
        self.last_launch = -math.inf
        self._wakeup = self.env.event()
        # cargo: [kind, count, kg each, ordered day, due day]; servicers in orbit and free; the depot
        self.cargo: deque[list] = deque()
        self.servicers = simpy.Store(self.env)
        self.stock = 0
        self.on_order = 0
        self.levels = resupply_levels(scenario)
        # KPIs
        self.kpi = dict(unit_failures=0, units_replaced=0, servicing_trips=0, servicing_failures=0,
                        launches=0, launch_failures=0, modules_launched=0, capacity_pflops_days=0.0,
                        delivered_pflops_days=0.0)

    # ----- lifetimes ----------------------------------------------------------------------------
    def _lifetime_days(self, spec) -> float:
        if isinstance(spec, Exponential):
            if spec.rate_per_year == 0:
                return math.inf
            return self.rng.exponential(DAYS_PER_YEAR / spec.rate_per_year)
        return spec.scale_years * DAYS_PER_YEAR * self.rng.weibull(spec.shape)

    # ----- units: one process each --------------------------------------------------------------
    def _working_changes(self, delta: int) -> None:
        """Integrate min(capacity, demand) since the last change, then change the working units by `delta`."""
        now = self.env.now
        used = min(self.working * self.pflops_per_unit, self.demand_pflops) * self.sunlit
        self.kpi["delivered_pflops_days"] += used * (now - self.counted_day)
        self.counted_day = now
        self.working += delta

    def _install(self, m: int, slot: int) -> None:
        self.unit_start[m][slot] = self.env.now
        self._working_changes(1)
        self.t.alive[m] += 1
        life = self._lifetime_days(self.scenario.failures.unit)
        if self.env.now + life < self.horizon_day:
            self.env.process(self._unit(m, slot, life))

    def _unit(self, m: int, slot: int, life: float):
        yield self.env.timeout(life)
        t = self.t
        if t.status[m] != OPERATIONAL:
            return                                         # its module ended first
        self.kpi["capacity_pflops_days"] += (self.env.now - self.unit_start[m][slot]) * self.rate
        self.unit_start[m][slot] = None
        self._working_changes(-1)
        t.alive[m] -= 1
        self.kpi["unit_failures"] += 1
        if self.threshold is not None and not t.crossed[m] and self.units - t.alive[m] >= self.threshold:
            t.crossed[m] = True
            self._react("on_threshold", m)

    def _stop_units(self, m: int) -> None:
        """Book the compute of m's working units up to now (module ended, or the horizon)."""
        now = self.env.now
        for start in self.unit_start[m]:
            if start is not None:
                self.kpi["capacity_pflops_days"] += (now - start) * self.rate
                self._working_changes(-1)

    # ----- modules ------------------------------------------------------------------------------
    def _commission(self, m: int) -> None:
        self.t.status[m] = OPERATIONAL
        self.t.commissioned_day[m] = self.env.now
        for slot in range(self.units):
            self._install(m, slot)
        bus = self._lifetime_days(self.scenario.failures.bus)
        end, status = (bus, FAILED) if bus <= self.life_days else (self.life_days, DEORBITED)
        if self.env.now + end < self.horizon_day:
            self.env.process(self._module_life(m, end, status))

    def _module_life(self, m: int, days: float, status: int):
        yield self.env.timeout(days)
        if self.t.status[m] == OPERATIONAL:
            self._end(m, status)

    def _end(self, m: int, status: int) -> None:
        self._stop_units(m)
        self.t.status[m] = status
        self._react("on_module_failed", m)

    # ----- launches -----------------------------------------------------------------------------
    def order(self, count: int, cluster: int | None) -> list[int]:
        clusters = [cluster] * count if cluster is not None else self._spread(count)
        ids = []
        for c in clusters:
            m = self.t.add(c, self.env.now)
            self.unit_start.append([None] * self.units)
            self.queues[c].append(m)
            ids.append(m)
        self.waiting += count
        if not self._wakeup.triggered:
            self._wakeup.succeed()
        return ids

    def _spread(self, count: int) -> list[int]:
        """Each new module to the cluster with the fewest modules ordered, in transit or operating."""
        t = self.t
        live = np.isin(t.status[: t.n], LIVE)
        held = np.bincount(t.cluster[: t.n][live], minlength=self.scenario.fleet.clusters)
        heap = [(int(h), c) for c, h in enumerate(held)]
        heapq.heapify(heap)
        out = []
        for _ in range(count):
            h, c = heapq.heappop(heap)
            out.append(c)
            heapq.heappush(heap, (h + 1, c))
        return out

    def _launch_day(self, ordered_day: float) -> float:
        """First day the vehicle can fly an order placed on `ordered_day`: lead time, cadence, availability."""
        v = self.vehicle
        available = (v.available_from_year - self.scenario.start_year) * DAYS_PER_YEAR
        return max(self.env.now, ordered_day + v.lead_time_days,
                   self.last_launch + DAYS_PER_YEAR / v.launches_per_year, available)

    def _launcher(self):
        while True:
            if not self.waiting and not self.cargo:
                self._wakeup = self.env.event()
                yield self._wakeup
                continue
            cluster, day = -1, math.inf
            if self.waiting:
                cluster = min((q[0], c) for c, q in enumerate(self.queues) if q)[1]
                day = self._launch_day(self.t.ordered_day[self.queues[cluster][0]])
            if self.cargo and day > self.cargo[0][4]:         # no module flight takes it by its due day
                alone = self._launch_day(self.cargo[0][3])
                if alone <= day:
                    if alone > self.env.now:
                        yield self.env.timeout(alone - self.env.now)
                    self._launch_cargo()
                    continue
            if day > self.env.now:
                yield self.env.timeout(day - self.env.now)
            self._launch(cluster)

    def ship(self, kind: str, count: int, due_day: float | None = None) -> None:
        """Queue `count` servicers or boards for launch, due by `due_day` (default: now + launch.max_wait_days)."""
        kg = servicer_mass_kg(self.scenario.servicing) if kind == "servicers" else self.scenario.hardware.generations[0].mass_kg_per_unit
        due = self.env.now + self.scenario.launch.max_wait_days if due_day is None else float(due_day)
        self.cargo.append([kind, count, kg, self.env.now, due])
        if kind == "boards":
            self.on_order += count
        if not self._wakeup.triggered:
            self._wakeup.succeed()

    def _launch_cargo(self) -> None:
        head = self.cargo[0]
        kind, count, kg = head[0], head[1], head[2]
        n = min(count, math.floor(self.vehicle.payload_kg / kg + 1e-9))
        head[1] -= n
        if head[1] == 0:
            self.cargo.popleft()
        self.last_launch = self.env.now
        self.kpi["launches"] += 1
        ok = self.rng.random() < self.vehicle.success_probability
        if not ok:
            self.kpi["launch_failures"] += 1
        self._cargo_flown(kind, n, ok)

    def _cargo_flown(self, kind: str, n: int, ok: bool) -> None:
        """`n` servicers or boards flew: in orbit if `ok`, else lost (lost servicers are reordered)."""
        if kind == "servicers":
            if ok:
                for _ in range(n):
                    self.servicers.put(0)
            else:
                self.ship("servicers", n)
            return
        self.on_order -= n
        if ok:
            self.stock += n
        self._check_stock()

    def _ride_along(self, room_kg: float) -> list[tuple[str, int]]:
        """Cargo that rides `room_kg` of a module flight's spare payload now: (kind, items) per order,
        oldest order first, orders whose lead time has passed; emptied orders leave the queue."""
        rides = []
        for order in self.cargo:
            kind, count, kg, ordered = order[:4]
            n = min(count, math.floor(room_kg / kg + 1e-9))
            if n < 1 or ordered + self.vehicle.lead_time_days > self.env.now:
                continue
            order[1] -= n
            room_kg -= n * kg
            rides.append((kind, n))
        self.cargo = deque(order for order in self.cargo if order[1] > 0)
        return rides

    def _check_stock(self) -> None:
        if self.levels is None:
            return
        point, quantity = self.levels
        position = self.stock + self.on_order
        if position <= point:
            self.ship("boards", max(quantity, point + 1 - position))

    def _launch(self, cluster: int) -> None:
        v = self.vehicle
        queue = self.queues[cluster]
        payload, mass = [], 0.0
        while queue and mass + self.module_mass <= v.payload_kg \
                and self.t.ordered_day[queue[0]] + v.lead_time_days <= self.env.now:
            payload.append(queue.popleft())
            mass += self.module_mass
        self.waiting -= len(payload)
        self.last_launch = self.env.now
        self.kpi["launches"] += 1
        self.kpi["modules_launched"] += len(payload)
        self._check_stock()
        rides = self._ride_along(v.payload_kg - mass)
        ok = self.rng.random() < v.success_probability
        if ok:
            self.t.status[payload] = IN_TRANSIT
            self.env.process(self._commission_later(payload))
        else:
            self.t.status[payload] = LOST
            self.kpi["launch_failures"] += 1
        for kind, n in rides:
            self._cargo_flown(kind, n, ok)
        if not ok:
            self._react("on_launch_failed", tuple(payload))

    def _commission_later(self, payload: list[int]):
        yield self.env.timeout(self.scenario.fleet.module.commissioning_days)
        for m in payload:
            self._commission(m)

    # ----- servicing ----------------------------------------------------------------------------
    def _dispatch(self, modules: tuple[int, ...]) -> None:
        self.t.pending_trip[list(modules)] = True
        self.kpi["servicing_trips"] += 1
        self._check_stock()
        self.env.process(self._trip(modules))

    def _trip(self, modules: tuple[int, ...]):
        spec = self.scenario.servicing
        t = self.t
        servicer = yield self.servicers.get()
        yield self.env.timeout(spec.trip_days / 2)
        t.pending_trip[list(modules)] = False
        if self.rng.random() < spec.success_probability:
            carried = min(spec.units_per_trip, self.stock)
            used = 0
            for m in modules:
                if t.status[m] != OPERATIONAL or carried <= 0:
                    continue
                failed = [k for k, start in enumerate(self.unit_start[m]) if start is None][:carried]
                for slot in failed:
                    self._install(m, slot)
                if failed and self.threshold is not None:
                    t.crossed[m] = self.units - t.alive[m] >= self.threshold
                self.kpi["units_replaced"] += len(failed)
                carried -= len(failed)
                used += len(failed)
            if used:
                self.stock -= used
                self._check_stock()
        else:
            self.kpi["servicing_failures"] += 1
        yield self.env.timeout(spec.trip_days / 2)
        self.servicers.put(servicer)
        self._react("on_trip_returned", modules)

    # ----- the policy ---------------------------------------------------------------------------
    def observe(self) -> Observation:
        s = self.scenario
        day = float(self.env.now)
        return Observation(table=self.t, day=day, year=s.start_year + day / DAYS_PER_YEAR,
                           horizon_day=self.horizon_day, scenario=s, generations=tuple(s.hardware.generations),
                           target_pflops=self.target_pflops, servicers=s.servicing.servicers,
                           servicers_busy=s.servicing.servicers - len(self.servicers.items) if s.servicing.servicers else 0,
                           trips_queued=len(self.servicers.get_queue),
                           boards_in_stock=np.array([self.stock]), boards_on_order=np.array([self.on_order]))

    def _react(self, hook: str, *args) -> None:
        t = self.t
        for a in getattr(self.policy, hook)(self.observe(), *args) or []:
            if isinstance(a, Launch):
                assert a.generation in (None, 0), "the naive model has one hardware generation"
                assert not getattr(a, "spare", False), "the naive model has no spares"
                self.order(int(a.count), a.cluster)
            elif isinstance(a, Service):
                assert not a.upgrade, "the naive model does not upgrade"
                mods = tuple(int(m) for m in a.modules)
                assert all(t.status[m] == OPERATIONAL and not t.pending_trip[m] for m in mods)
                assert sum(self.units - t.alive[m] for m in mods) <= self.scenario.servicing.units_per_trip
                self._dispatch(mods)
            elif isinstance(a, Resupply):
                self.ship("boards", int(a.boards), a.due_day)
            elif isinstance(a, Deorbit):
                for m in a.modules:
                    if t.status[m] == OPERATIONAL:
                        self._end(int(m), DEORBITED)
            else:
                raise TypeError(f"unknown action {a!r}")

    def _reviews(self):
        interval = float(self.policy.review_interval_days)
        while True:
            self._react("review")
            yield self.env.timeout(interval)

    # ----- run ----------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        self.env.process(self._launcher())
        self.order(self.design_count, None)
        if self.scenario.servicing.servicers:
            self.ship("servicers", self.scenario.servicing.servicers)
        self._check_stock()
        self.env.process(self._reviews())
        self.env.run(until=self.horizon_day)
        status = self.t.status[: self.t.n]
        for m in np.flatnonzero(status == OPERATIONAL):
            self._stop_units(int(m))
        out = dict(self.kpi)
        out["module_failures"] = int((status == FAILED).sum())
        out["deorbits"] = int((status == DEORBITED).sum())
        out["modules_lost_at_launch"] = int((status == LOST).sum())
        out["modules_operational_final"] = int((status == OPERATIONAL).sum())
        return out


def run_naive(scenario: Scenario, seed: int, policy: Policy | None = None) -> dict[str, Any]:
    """KPIs of one naive replication (policy: the scenario's own, by default)."""
    if policy is None:
        from policies.registry import make_policy
        policy = make_policy(scenario.policy.name, scenario.policy.params)
    return NaiveModel(scenario, policy, seed).run()


KPIS = ("unit_failures", "units_replaced", "servicing_trips", "servicing_failures", "module_failures", "deorbits",
        "launches", "launch_failures", "modules_launched", "modules_operational_final", "capacity_pflops_days",
        "delivered_pflops_days")
