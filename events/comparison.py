"""Orbit against the terrestrial reference: the summary KPIs that compare a run with Earth.

Orbit's dated flows are exact and do not depend on the timeline: every cost booked at its day;
operations and ground costs, which accrue with time, month by month; and delivered compute month
by month, from the ground network's exact delivered compute read at each month's end. Monthly amounts are dated at the
month's midpoint, as on Earth's side (`fleet.earth`).
"""
from __future__ import annotations

import numpy as np

from events.ground import GroundNetwork
from events.world import World
from fleet.earth import STEPS_PER_YEAR, Flows, first_cheaper_year, scenario_earth_flows
from fleet.economics import DAYS_PER_YEAR
from fleet.tolerances import ceil_count


class MonthlyOutput:
    """Reads the fleet's delivered compute to date (PFLOPS-days) at each month's end."""

    def __init__(self, world: World, ground: GroundNetwork):
        self.world = world
        self.ground = ground
        months = max(1, ceil_count(world.scenario.horizon_years * STEPS_PER_YEAR))
        self.edges = np.minimum(np.arange(months + 1) * (DAYS_PER_YEAR / STEPS_PER_YEAR), world.horizon_day)
        self.delivered = [0.0]

    def run(self):
        """The process reading the integral at each month's end."""
        env = self.world.env
        for day in self.edges[1:-1].tolist():
            yield env.timeout(day - env.now)
            self.close()

    def close(self) -> None:
        """Read the integral now (at a month's end, or at the horizon)."""
        self.ground.sync()
        self.delivered.append(self.ground.delivered_pflops_days)


def orbit_flows(world: World, output: MonthlyOutput) -> Flows:
    """Dated costs and delivered compute of the orbital fleet."""
    edges = output.edges
    mid = (edges[:-1] + edges[1:]) / 2 / DAYS_PER_YEAR
    flows = np.array([world.accrued_usd(a, b) for a, b in zip(edges[:-1], edges[1:])])
    cost = np.concatenate([np.asarray(world.ledger.amounts, dtype=float), flows])
    when = np.concatenate([np.asarray(world.ledger.days, dtype=float) / DAYS_PER_YEAR, mid])
    compute = np.diff(np.asarray(output.delivered))
    return Flows(cost_usd=cost, cost_years=when, pflops_days=compute, output_years=mid)


def earth_comparison(world: World, output: MonthlyOutput) -> dict:
    """KPIs of the terrestrial reference serving the same demand over the same horizon, and orbit's ratio to it."""
    s = world.scenario
    earth = scenario_earth_flows(s, world.generations, world.demand)
    orbit = orbit_flows(world, output)
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
