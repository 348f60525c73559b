"""Orbit against the terrestrial reference: the summary KPIs that compare a run with Earth.

Orbit's dated flows come from the timeline: the costs booked between two samples are dated at the
later sample, and the capacity sampled holds until the next sample (compute idles in eclipse).
Both are then scaled so that their totals equal the exact figures (the ledger's present value,
the fleet's integrated delivered compute); only their timing has the timeline's resolution.
"""
from __future__ import annotations

import numpy as np

from events.timeline import Timeline
from events.world import World
from fleet.earth import Flows, first_cheaper_year, scenario_earth_flows
from fleet.economics import DAYS_PER_YEAR, discount_factor


def orbit_flows(world: World, timeline: Timeline, delivered_pflops_days: float) -> Flows:
    """Dated costs and delivered compute of the orbital fleet, from its timeline samples."""
    years = np.asarray(timeline.rows["time_days"], dtype=float) / DAYS_PER_YEAR
    cumulative = np.asarray(timeline.rows["cost_cumulative_usd"], dtype=float)
    capacity = np.asarray(timeline.rows["capacity_pflops"], dtype=float)
    cost = np.diff(cumulative, prepend=0.0)
    rate = world.scenario.economics.discount_rate
    pv = float(np.sum(cost * discount_factor(rate, years)))
    if pv > 0:
        cost = cost * (world.ledger.npv / pv)   # same timing, exact present value
    widths = np.diff(years)
    output = capacity[:-1] * widths * DAYS_PER_YEAR * (1.0 - world.scenario.fleet.module.eclipse_fraction)
    if output.sum() > 0:
        output = output * (delivered_pflops_days / output.sum())
    return Flows(cost_usd=cost, cost_years=years, pflops_days=output, output_years=years[:-1] + widths / 2)


def earth_comparison(world: World, timeline: Timeline, delivered_pflops_days: float) -> dict:
    """KPIs of the terrestrial reference for the same target and horizon, and orbit's ratio to it."""
    s = world.scenario
    earth = scenario_earth_flows(s, world.generations, world.target_pflops)
    orbit = orbit_flows(world, timeline, delivered_pflops_days)
    r_orbit, r_earth = s.economics.discount_rate, s.earth.cost_of_capital
    orbit_lc = orbit.levelised(r_orbit)
    earth_lc = earth.levelised(r_earth)
    earth_delivered = earth.delivered_pflops_days
    return {
        "earth_cost_total_usd": earth.total_usd,
        "earth_cost_npv_usd": earth.npv_usd(r_earth),
        "earth_delivered_pflops_days": earth_delivered,
        "earth_cost_per_pflops_day_usd": earth.total_usd / earth_delivered if earth_delivered > 0 else float("inf"),
        "orbit_levelised_usd_per_pflops_day": orbit_lc,
        "earth_levelised_usd_per_pflops_day": earth_lc,
        "orbit_to_earth_cost_ratio": orbit_lc / earth_lc if earth_lc > 0 else float("inf"),
        "orbit_cheaper_from_year": first_cheaper_year(orbit, earth, r_orbit, r_earth, s.start_year,
                                                      s.horizon_years),
    }
