"""One replication of (scenario, policy, seed): build the world, run it to the horizon, summarise."""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from events.ground import GroundNetwork
from events.collector import paced_collections
from events.comparison import MonthlyOutput, earth_comparison
from events.depot import Depot
from events.eclipse import eclipse_seasons
from events.invariants import check_replication, mass_balance
from events.launch import LaunchQueue
from events.log import EventLog
from events.modules import Modules
from events.orbit_outputs import orbit_kpis
from events.review import PolicyDriver
from events.servicing import Servicing
from events.space_weather import SpaceWeather
from events.timeline import Timeline
from events.world import World
from fleet.kpis import COST_CATEGORIES
from fleet.reach import cluster_altitudes_km, decay_years, deorbit_delta_v_m_s
from fleet.scenario import Scenario, at_altitude, modules_for_target
from fleet.state import Status
from policies.base import Policy


@dataclass
class Outcome:
    """What one replication produced. The event log and the timeline become DataFrames when `events`
    and `timeline` are first read: experiments, which keep only summaries, never pay for them."""

    log: EventLog
    samples: dict[str, list]        # the timeline's columns (not the Timeline, which holds the world)
    summary: dict

    @cached_property
    def events(self) -> pd.DataFrame:
        return self.log.frame()

    @cached_property
    def timeline(self) -> pd.DataFrame:
        return pd.DataFrame(self.samples)


def run_replication(scenario: Scenario, policy: Policy, seed: int) -> Outcome:
    """Simulate `scenario` under `policy` with `seed`, from the start to the horizon (the garbage
    collector paced for a large world meanwhile: `events.collector`)."""
    with paced_collections():
        return _replication(scenario, policy, seed)


def _replication(scenario: Scenario, policy: Policy, seed: int) -> Outcome:
    started = time.perf_counter()
    world = World(at_altitude(scenario), seed)
    env = world.env
    driver = PolicyDriver(world, policy)            # reads what the policy declares; starts nothing
    modules = Modules(world, driver, driver.threshold_fraction)
    launches = LaunchQueue(world, modules, driver)
    depot = Depot(world, launches)
    servicing = Servicing(world, modules, driver, launches, depot)
    driver.operate(modules, launches, servicing, depot)
    ground = GroundNetwork(world)
    weather = SpaceWeather(world, modules)
    timeline = Timeline(world, ground, servicing)
    output = MonthlyOutput(world, ground)

    # the processes, started in this order (events at the same instant keep it)
    env.process(launches.run())
    env.process(ground.weather())
    if weather.active:
        env.process(weather.storms())
    env.process(timeline.run())
    env.process(output.run())
    env.process(_follow_demand(world, ground))
    if world.sunlight.constant is None:
        env.process(eclipse_seasons(world, ground))
    _deploy(world, launches)
    servicing.buy_fleet()                           # servicers and boards ride the first flights
    depot.check(world.newest_generation())
    env.process(driver.reviews())
    env.process(driver.generations())
    env.run(until=world.horizon_day)

    # close the books at the horizon
    world.settle(world.table.ids(Status.OPERATIONAL))
    ended = world.table.unsettled_ended()
    world.settle(ended, world.table.end_day[ended])
    timeline.sample()
    output.close()
    world.book_flows()
    _log_unit_failures(world)
    summary = _summary(world, output, ground, servicing, len(world.log))
    summary.update(mass_balance(world))
    summary.update(orbit_kpis(world, timeline.contacts))
    check_replication(world, ground, timeline, summary)
    summary["wall_seconds"] = time.perf_counter() - started      # the whole replication, its KPIs and checks too
    return Outcome(log=world.log, samples=timeline.rows, summary=summary)


def _deploy(world: World, launches: LaunchQueue) -> None:
    """Order the initial fleet now: the decision the engine makes before the policy runs."""
    scenario = world.scenario
    initial = modules_for_target(scenario)
    ref = world.log.new_ref()
    ids = launches.order(initial, None, world.newest_generation(), None, ref)
    world.log.add(0.0, "decision", -1, -1, len(ids), 0.0,
                  f"initial deployment: order {initial} modules of {world.generations[0].name} "
                  f"for {scenario.fleet.target_power_mw:g} MW", ref, -1, tuple(ids))


def _follow_demand(world: World, ground: GroundNetwork):
    """At each change of demand, capacity above the new demand starts to count as surplus."""
    env = world.env
    for day in world.demand.changes(world.horizon_day):
        yield env.timeout(day - env.now)
        ground.sync()
        world.capacity.level = world.demand.at(day)


def _log_unit_failures(world: World) -> None:
    """`unit_failure` rows, made in bulk: one per module and day on which units failed, with their count.

    Failures are recorded module by module in day order, so units failing together are adjacent.
    """
    modules, days, counts = world.unit_failures()
    if len(days) == 0:
        return
    first = np.ones(len(days), dtype=bool)
    first[1:] = (days[1:] != days[:-1]) | (modules[1:] != modules[:-1])
    starts = np.flatnonzero(first)
    counts = np.add.reduceat(counts, starts)
    world.log.add_bulk("unit_failure", days[starts], modules[starts], world.table.cluster[modules[starts]], counts)


def _altitude_costs(world: World) -> dict:
    """Servicer Δv, one deorbit burn's Δv and the debris decay time (see `fleet.kpis`)."""
    orb = world.scenario.orbits
    out = {"servicer_delta_v_m_s": float(world.counters["servicer_delta_v_m_s"]),
           "deorbit_delta_v_m_s": 0.0, "debris_decay_years": 0.0}
    if orb is None:
        return out
    altitudes = cluster_altitudes_km(world.scenario)
    out["deorbit_delta_v_m_s"] = float(np.mean([deorbit_delta_v_m_s(h, orb.deorbit_perigee_km) for h in altitudes]))
    dead = world.table.ids(Status.FAILED)
    if len(dead):
        years = {h: decay_years(h, orb.ballistic_coefficient_kg_m2) for h in np.unique(altitudes).tolist()}
        out["debris_decay_years"] = float(np.mean([years[h] for h in altitudes[world.table.cluster[dead]].tolist()]))
    return out


def _summary(world: World, output: MonthlyOutput, ground: GroundNetwork, servicing: Servicing,
             events: int) -> dict:
    """The replication's KPIs from its closed books (`wall_seconds` is set last, by the caller)."""
    t = world.table
    status = t.status[: t.n]
    c = world.counters
    delivered = ground.delivered_pflops_days
    demand = world.demand.integral(0.0, world.horizon_day)
    total = world.ledger.total_usd
    n_servicers = world.scenario.servicing.servicers
    summary = {
        "delivered_pflops_days": delivered,
        "mean_availability": delivered / demand if demand > 0 else 1.0,
        "capacity_pflops_days": ground.capacity_pflops_days,
        "surplus_pflops_days": ground.surplus_pflops_days,
        "lost_pflops_days": ground.lost_pflops_days,
        "pending_pflops_days": ground.pending_pflops_days,
        "launches": c["launches"],
        "launch_failures": c["launch_failures"],
        "modules_launched": c["modules_launched"],
        "modules_lost_at_launch": c["modules_lost_at_launch"],
        "unit_failures": world.unit_failure_count,
        "module_failures": int((status == Status.FAILED).sum()),
        "servicing_trips": c["servicing_trips"],
        "servicing_failures": c["servicing_failures"],
        "units_replaced": world.units_replaced,
        "upgrades": c["upgrades"],
        "deorbits": int((status == Status.DEORBITED).sum()),
        "debris_left": int((status == Status.FAILED).sum()),
        "mass_launched_kg": float(c["mass_launched_kg"]),
        "mass_lost_at_launch_kg": float(c["mass_lost_at_launch_kg"]),
        "mass_propellant_burned_kg": float(c["propellant_burned_kg"]),
        "propellant_launched_kg": float(c["propellant_launched_kg"]),
        "boards_launched": c["boards_launched"],
        "boards_installed": c["boards_installed"],
        "boards_lost_at_launch": c["boards_lost_at_launch"],
        "servicers_launched": c["servicers_launched"],
        "servicers_lost": c["servicers_lost"],
        "refuels": c["refuels"],
        **_altitude_costs(world),
        "cost_total_usd": total,
        "cost_npv_usd": world.ledger.npv,
        "cost_per_pflops_day_usd": total / delivered if delivered > 0 else float("inf"),
        "data_generated_tb": ground.generated_tb,
        "data_delivered_tb": ground.delivered_tb,
        "data_lost_tb": ground.lost_tb,
        "data_backlog_tb": ground.backlog_tb,
        "ground_blackout_fraction": ground.blackout_days / world.horizon_day,
        "servicer_utilisation": servicing.busy_days / (n_servicers * world.horizon_day) if n_servicers else 0.0,
        "space_weather_events": c["space_weather_events"],
        "modules_operational_final": int((status == Status.OPERATIONAL).sum()),
        "demand_pflops_days": demand,
        "events": events,
        "wall_seconds": 0.0,
    }
    for cat in COST_CATEGORIES:
        summary[f"cost_{cat}_usd"] = float(world.ledger.total[cat])
    summary.update(earth_comparison(world, output))
    return summary

