"""The terrestrial reference and the levelised-cost arithmetic both sides share.

The data center on Earth serves the orbital run's demand (`fleet.demand`) over the same horizon:

- hardware: the same catalog as orbit (`fleet.hardware.catalog`, so the same technology trend). It
  buys the first generation at the start and, every `hardware_refresh_years`, the newest generation
  available then: as many units (a fractional count) as hold the demand; in any month whose demand
  exceeds what it holds, it adds units of the newest generation. Failed units are replaced at
  their generation's price, at `unit_failure_rate_per_year`.
- delivered compute: demand x availability, with A = MTTF / (MTTF + MTTR), MTTF = 1 / failure
  rate and MTTR = `repair_days` (quick on-site repair); no eclipse.
- facility: `capex_usd_per_mw` x the IT power, built as the IT power first reaches it and rebuilt
  every `facility_life_years` within the horizon; operations per MW built per year.
- energy: IT power of the units in service x PUE x electricity price.

Flows that accrue with time are booked on a monthly grid, at each step's midpoint (exact in total
for these piecewise-constant rates); purchases at their dates.

Levelised cost of compute = present value of costs / present value of delivered compute, both
discounted at the same rate, (1 + r)^-t with t in years from the start. For capital C at the start
and constant yearly costs O and output Q at the end of each of n years this is the textbook
(C CRF(r, n) + O) / Q (see `levelised_cost`); orbit's figures use the same function.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fleet.demand import DemandCurve
from fleet.economics import DAYS_PER_YEAR, discount_factor
from fleet.scenario import EarthReference, Generation, Scenario
from fleet.tolerances import COUNT_SLACK, ceil_count, floor_count

HOURS_PER_YEAR = DAYS_PER_YEAR * 24.0
STEPS_PER_YEAR = 12


def levelised_cost(costs_usd: np.ndarray, cost_years: np.ndarray, output: np.ndarray,
                   output_years: np.ndarray, rate: float) -> float:
    """PV(costs) / PV(output): $ per unit of output (e.g. per PFLOPS-day); times in years from the start."""
    pv_out = float(np.sum(np.asarray(output) * discount_factor(rate, output_years)))
    pv_cost = float(np.sum(np.asarray(costs_usd) * discount_factor(rate, cost_years)))
    return pv_cost / pv_out if pv_out > 0 else math.inf


def availability(failure_rate_per_year: float, repair_days: float) -> float:
    """MTTF / (MTTF + MTTR) of one unit slot with on-site repair."""
    if failure_rate_per_year == 0:
        return 1.0
    mttf_days = DAYS_PER_YEAR / failure_rate_per_year
    return mttf_days / (mttf_days + repair_days)


@dataclass(frozen=True)
class Flows:
    """Dated costs and delivered compute of one side, years from the start."""

    cost_usd: np.ndarray
    cost_years: np.ndarray
    pflops_days: np.ndarray
    output_years: np.ndarray

    @property
    def total_usd(self) -> float:
        return float(self.cost_usd.sum())

    @property
    def delivered_pflops_days(self) -> float:
        return float(self.pflops_days.sum())

    def npv_usd(self, rate: float) -> float:
        return float(np.sum(self.cost_usd * discount_factor(rate, self.cost_years)))

    def levelised(self, rate: float, until_years: float = math.inf) -> float:
        """Levelised cost per PFLOPS-day of the flows up to `until_years`."""
        c = self.cost_years < until_years
        o = self.output_years < until_years
        return levelised_cost(self.cost_usd[c], self.cost_years[c], self.pflops_days[o], self.output_years[o], rate)


def newest_at(generations: tuple[Generation, ...], year: float) -> Generation:
    """The newest generation available in calendar `year` (the first one if none yet)."""
    available = [g for g in generations if g.year_available <= year]
    return available[-1] if available else generations[0]


def earth_flows(earth: EarthReference, generations: tuple[Generation, ...], demand: DemandCurve | float,
                start_year: float, horizon_years: float) -> Flows:
    """Costs and delivered compute of the terrestrial reference serving `demand` (a curve, or a
    constant in PFLOPS)."""
    if not isinstance(demand, DemandCurve):
        demand = DemandCurve.constant(demand)
    n = max(1, ceil_count(horizon_years * STEPS_PER_YEAR))
    dt = horizon_years / n
    edges = np.arange(n + 1) * dt
    mid = (edges[:-1] + edges[1:]) / 2
    days = edges * DAYS_PER_YEAR
    purchases: list[float] = []
    purchase_years: list[float] = []
    kw, failure_cost = np.zeros(n), np.zeros(n)
    cohorts: list[tuple[Generation, float]] = []          # (generation, units) in service
    for m in range(n):
        t = edges[m]
        gen = generations[0] if t == 0 else newest_at(generations, start_year + t)
        if m == 0 or floor_count(t / earth.hardware_refresh_years) > floor_count(
                edges[m - 1] / earth.hardware_refresh_years):
            cohorts = []                                   # a refresh: everything replaced by the newest
        short = demand.peak(days[m], days[m + 1]) - sum(u * g.pflops_per_unit for g, u in cohorts)
        if short > 0:
            cohorts.append((gen, short / gen.pflops_per_unit))
            purchases.append(short / gen.pflops_per_unit * gen.price_usd_per_unit)
            purchase_years.append(t)
        kw[m] = sum(u * g.power_kw_per_unit for g, u in cohorts)
        failure_cost[m] = earth.unit_failure_rate_per_year * sum(u * g.price_usd_per_unit for g, u in cohorts) * dt
    facility_mw = np.maximum.accumulate(kw) / 1000.0          # built for the most IT power so far
    built = np.diff(facility_mw, prepend=0.0) * earth.capex_usd_per_mw
    rebuilds = [k * earth.facility_life_years for k in range(1, ceil_count(horizon_years / earth.facility_life_years))]
    rebuild_cost = [earth.capex_usd_per_mw * facility_mw[min(int(t / dt + COUNT_SLACK), n - 1)] for t in rebuilds]
    step_cost = (kw * earth.pue * earth.electricity_usd_per_kwh * HOURS_PER_YEAR * dt
                 + earth.operations_usd_per_mw_year * facility_mw * dt + failure_cost)
    served = availability(earth.unit_failure_rate_per_year, earth.repair_days)
    delivered = np.array([demand.integral(a, b) for a, b in zip(days[:-1], days[1:])]) * served
    return Flows(cost_usd=np.concatenate([built, np.array(purchases), np.array(rebuild_cost), step_cost]),
                 cost_years=np.concatenate([edges[:-1], np.array(purchase_years), np.array(rebuilds), mid]),
                 pflops_days=delivered, output_years=mid)


def scenario_earth_flows(scenario: Scenario, generations: tuple[Generation, ...], demand: DemandCurve) -> Flows:
    """`earth_flows` for a scenario's Earth section, start and horizon, serving `demand`."""
    return earth_flows(scenario.earth, generations, demand, scenario.start_year, scenario.horizon_years)


def first_cheaper_year(orbit: Flows, earth: Flows, orbit_rate: float, earth_rate: float,
                       start_year: int, horizon_years: float) -> float:
    """First calendar year (start_year for the first year of operation) at whose end orbit's
    levelised cost per PFLOPS-day, counting everything since the start, is at most Earth's; NaN if
    that never happens within the horizon's whole years."""
    for k in range(1, floor_count(horizon_years) + 1):
        if orbit.levelised(orbit_rate, k) <= earth.levelised(earth_rate, k):
            return float(start_year + k - 1)
    return math.nan
