"""Economic: at each review, per module, the option with the best expected net value per day.

Options: keep, repair (replace failed units), upgrade (all units to the newest generation),
replace (deorbit and launch a new module) and deorbit. For each, over its service time D (the
module's remaining life and horizon; for a new module its design life from arrival, within the
horizon), the policy estimates the compute C it delivers (PFLOPS-days, units surviving by their
lifetime distribution, daylight only) and what it costs K, and takes the largest (v C - K) / D,
with v = `value_usd_per_pflops_day`: an option wins when the extra compute it buys per dollar beats
1 / v. Rates per day put a new module, bought for its whole life, fairly beside an old one kept for
its last years.

Only delivered compute is worth v: the fleet uses min(capacity, demand), and capacity above demand
is idle. So C counts a module's compute only for the share of it that demand uses: the operational
modules are ranked by capacity now (largest first, then by id) and fill demand in that order; a
module whose predecessors' capacity is P is used for u = clip((demand - P) / c, 0, 1) of its
capacity c after the option (keep: its working units; repair, upgrade: all units; replace: the new
module in its place). A module in an empty slot fills what the fleet and the modules on order leave
of demand: u = clip((demand - capacity - pipeline) / c_new, 0, 1). A surplus module is then worth
nothing and deorbiting it pays when its operations cost more than its deorbit, one rank at a time:
the modules ranked first keep their use. Results lost on board are not estimated.

The costs K:
- keep: operations over D; repair: the failed units and their share of a trip, and operations;
  upgrade: all units new and their share of a trip, and operations;
- deorbit: no compute; it costs `economics.deorbit_usd_per_module` if the module would otherwise
  stay in orbit to the horizon (a module whose design life ends before the horizon is deorbited
  then anyway, so for it leaving now costs nothing more than staying): K = that price, over D;
- replace: the deorbit above, plus a new module's rate: (v C_new - K_new) / D_new, where K_new is
  the expected cost per module delivered, min over the vehicles flying now of (the flight's price
  shared by the modules launched together into the cluster + bus + units) / success probability,
  then operations over D_new, and its own deorbit if its design life ends before the horizon.
  Modules launched together: the cluster's empty slots, and this module.

Simplifications: units installed earlier are valued as new ones (exact for exponential lifetimes);
bus failures, radiation, power limits, discounting and the wait for a launch slot are ignored in
the estimate. Repairs and upgrades wait for free servicers; empty slots are refilled, cluster by
cluster, while a new module launched with the cluster's other replacements is worth its cost.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from fleet.actions import Action, Deorbit, Service
from fleet.eclipse import battery_price_usd, mean_sunlit
from fleet.economics import DAYS_PER_YEAR, expected_cost_per_module_usd
from fleet.lifetimes import survival
from fleet.observation import Observation
from fleet.scenario import LaunchVehicle, module_mass_kg
from fleet.state import OPERATIONAL
from fleet.tolerances import TIME_SLACK_DAYS
from policies.base import Policy
from policies.service_on_threshold import pack_trips
from policies.slots import deficit_per_cluster, design_end_day, fill_slots, renew_lead_field
from policies.tech_refresh import remaining_days

KEEP, REPAIR, UPGRADE, REPLACE, DEORBIT = range(5)
OPTIONS = ("keep", "repair", "upgrade", "replace", "deorbit")


def unit_days(obs: Observation, days: np.ndarray) -> np.ndarray:
    """Expected days a new unit works within each of `days` (integral of its survival function)."""
    days = np.clip(np.asarray(days, dtype=float), 0.0, None)
    top = float(days.max(initial=0.0))
    if top == 0:
        return np.zeros_like(days)
    grid = np.linspace(0.0, top, 257)
    s = survival(obs.scenario.failures.unit, grid / DAYS_PER_YEAR)
    cumulative = np.concatenate(([0.0], np.cumsum((s[1:] + s[:-1]) / 2 * np.diff(grid))))
    return np.interp(days, grid, cumulative)


def used_part(left: np.ndarray, pflops: np.ndarray) -> np.ndarray:
    """PFLOPS of capacity `pflops` that demand uses when `left` PFLOPS of it are still wanted."""
    return np.clip(left, 0.0, pflops)


@dataclasses.dataclass(frozen=True)
class Economic(Policy):
    """Per module: keep, repair, upgrade, replace or deorbit, by expected net value per day."""

    name = "economic"
    version = 3           # v2: flight prices, launch risk and deorbit costs in the rule; v3: only used compute is worth v
    description = "per module, keep/repair/upgrade/replace/deorbit by expected compute per dollar"

    value_usd_per_pflops_day: float = dataclasses.field(
        default=100.0, metadata={"unit": "USD per PFLOPS-day", "help": "what a PFLOPS-day of compute is worth"})
    renew_lead_days: float = renew_lead_field()

    def new_module_rate(self, obs: Observation, batch: int = 1, used: float = 1.0) -> float:
        """Net value per day of launching a new module now with `batch` modules in all on its flight,
        of whose compute demand uses the fraction `used`, USD/day (-inf if it cannot arrive in time)."""
        sc = obs.scenario
        design = sc.fleet.module
        gen = obs.generations[obs.newest_generation]
        mass = module_mass_kg(sc, gen)
        vehicles = [v for v in sc.launch.vehicles
                    if v.available_from_year <= obs.year and v.payload_kg >= mass and v.success_probability > 0]
        if not vehicles:
            return -np.inf
        hardware = sc.economics.bus_price_usd + battery_price_usd(sc) + obs.units_installed * gen.price_usd_per_unit
        per_module = min(self._per_module_usd(v, obs.year, batch, mass, hardware) for v in vehicles)
        arrive = min(v.lead_time_days for v in vehicles) + design.commissioning_days
        life = design.design_life_years * DAYS_PER_YEAR
        days = min(life, obs.horizon_day - obs.day - arrive)
        if days <= 0:
            return -np.inf
        compute = obs.units_installed * float(unit_days(obs, [days])[0]) * gen.pflops_per_unit
        disposal = sc.economics.deorbit_usd_per_module if days >= life else 0.0
        cost = per_module + sc.economics.operations_usd_per_module_year * days / DAYS_PER_YEAR + disposal
        return (self.value_usd_per_pflops_day * used * compute * mean_sunlit(sc) - cost) / days

    @staticmethod
    def _per_module_usd(vehicle: LaunchVehicle, year: float, batch: int, mass_kg: float, hardware_usd: float) -> float:
        """Expected cost per module delivered by `vehicle` carrying `batch` modules (as many as fit)."""
        n = max(1, min(batch, int(vehicle.payload_kg // mass_kg)))
        return expected_cost_per_module_usd(vehicle, year, n, n * mass_kg, hardware_usd)

    def disposal_now_usd(self, obs: Observation, modules: np.ndarray) -> np.ndarray:
        """What deorbiting each of `modules` now adds: the deorbit price if its design life would
        not end before the horizon (else it is deorbited then anyway), USD."""
        end = design_end_day(obs)[modules]
        return np.where(end >= obs.horizon_day, obs.scenario.economics.deorbit_usd_per_module, 0.0)

    @staticmethod
    def demand_before(obs: Observation, modules: np.ndarray) -> np.ndarray:
        """Demand left for each of `modules` (operational) by the operational modules ranked before
        it (largest capacity first, then lowest id), PFLOPS (may be negative)."""
        ops = obs.operational()
        cap = obs.module_capacity_pflops
        ranked = ops[np.lexsort((ops, -cap[ops]))]
        before = np.zeros(len(cap))
        before[ranked] = np.cumsum(cap[ranked]) - cap[ranked]
        return obs.demand_pflops - before[modules]

    def choices(self, obs: Observation, modules: np.ndarray) -> np.ndarray:
        """The best option (index into OPTIONS) for each of `modules` (operational)."""
        sc = obs.scenario
        units = obs.units_installed
        days = np.maximum(remaining_days(obs)[modules], TIME_SLACK_DAYS)
        per_unit_days = unit_days(obs, days)
        daylight = mean_sunlit(sc)
        pflops = np.array([g.pflops_per_unit for g in obs.generations])[obs.generation[modules]]
        price = np.array([g.price_usd_per_unit for g in obs.generations])[obs.generation[modules]]
        alive = obs.units_alive_of(modules)
        ops = sc.economics.operations_usd_per_module_year * days / DAYS_PER_YEAR
        trip_per_unit = sc.servicing.cost_per_trip_usd / obs.units_per_trip
        v = self.value_usd_per_pflops_day
        rate = np.full((len(modules), len(OPTIONS)), -np.inf)
        left = self.demand_before(obs, modules)
        rate[:, KEEP] = (v * used_part(left, alive * pflops) * per_unit_days * daylight - ops) / days
        if sc.servicing.servicers > 0:
            failed = units - alive
            repair_cost = failed * (price + trip_per_unit) + ops
            rate[:, REPAIR] = np.where(
                failed > 0, (v * used_part(left, units * pflops) * per_unit_days * daylight - repair_cost) / days,
                -np.inf)
            new = obs.generations[obs.newest_generation]
            if units <= obs.units_per_trip:
                upgrade_cost = units * (new.price_usd_per_unit + trip_per_unit) + ops
                upgradable = obs.generation[modules] < obs.newest_generation
                useful = used_part(left, units * new.pflops_per_unit)
                rate[:, UPGRADE] = np.where(
                    upgradable, (v * useful * per_unit_days * daylight - upgrade_cost) / days, -np.inf)
        batch = np.maximum(deficit_per_cluster(obs, self.renew_lead_days), 0) + 1
        new_pflops = obs.nominal_module_pflops(obs.newest_generation)
        share = np.clip(left / new_pflops, 0.0, 1.0) if new_pflops > 0 else np.zeros(len(modules))
        leaving = self.disposal_now_usd(obs, modules) / days
        pairs = list(zip(batch[obs.cluster[modules]].tolist(), share.tolist()))
        by_pair = {(b, u): self.new_module_rate(obs, int(b), float(u)) for b, u in set(pairs)}   # few distinct
        rate[:, REPLACE] = np.array([by_pair[p] for p in pairs]) - leaving
        rate[:, DEORBIT] = -leaving
        return np.argmax(rate, axis=1)   # ties go to the earlier option: keep before anything else

    def review(self, obs: Observation) -> list[Action]:
        out = self.refill(obs)
        mods = np.flatnonzero((obs.status == OPERATIONAL) & ~obs.pending_trip)
        if len(mods) == 0:
            return out
        choice = self.choices(obs, mods)
        trips = obs.servicers_free
        upgrade = mods[choice == UPGRADE]
        per_trip = obs.units_per_trip // obs.units_installed
        for c in np.unique(obs.cluster[upgrade]):
            if trips <= 0:
                break
            here = upgrade[obs.cluster[upgrade] == c][:per_trip]
            out.append(Service(modules=tuple(int(m) for m in here), upgrade=True, reason="upgrade pays best"))
            trips -= 1
        out += pack_trips(obs, mods[choice == REPAIR], trips)
        for option in (REPLACE, DEORBIT):
            chosen = mods[choice == option]
            if len(chosen):
                # each deorbit wakes `on_module_failed`, which refills the slot if a new module pays
                out.append(Deorbit(modules=tuple(int(m) for m in chosen), reason=f"{OPTIONS[option]} pays best"))
        return out

    def refill(self, obs: Observation) -> list[Action]:
        """Launches into each cluster's empty slots, if a new module launched with the others is
        worth its cost for the share of its compute that demand uses."""
        new_pflops = obs.nominal_module_pflops(obs.newest_generation)
        left = obs.demand_pflops - obs.capacity_pflops - obs.pipeline_pflops
        used = min(max(left / new_pflops, 0.0), 1.0) if new_pflops > 0 else 0.0
        return [a for a in fill_slots(obs, "replace", self.renew_lead_days)
                if self.new_module_rate(obs, a.count, used) > 0]

    def on_module_failed(self, obs: Observation, module: int) -> list[Action]:
        return self.refill(obs)

    def on_launch_failed(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return self.refill(obs)
