"""Age replacement against its closed form (Barlow and Proschan).

Each of SLOTS slots holds one module of one unit that never fails; the module dies when its bus
does, at a Weibull(shape 3, scale 5 years) age X. The age-replacement policy renews a slot at
min(X, T): at age T it deorbits the module and launches a new one; at failure it launches one.
Launches have no lead time, no cadence limit, no commissioning and never fail, so a slot is never
empty and each renewal is instantaneous, as in the textbook model. The engine's books then map
exactly onto the model's costs:

- Cp = launch ($400/kg x 1,000 kg) + bus ($500k) + one unit ($100k) = $1M, booked at each launch;
- Cf = Cp + `economics.module_failure_usd` ($4M), booked when a module dies in orbit.

The long-run cost rate is C(T) = [Cp R(T) + Cf (1 - R(T))] / integral_0^T R(t) dt. The engine's
estimate is the renewal-reward ratio over the completed cycles (sum of cycle costs over sum of
cycle lengths) with its delta-method standard error. What differs from the textbook: the policy
replaces at reviews, every REVIEW_DAYS, so the replacement age lies in [T, T + REVIEW_DAYS); the
expected rate then lies between C(T) and C(T + REVIEW_DAYS) (C is monotone over so short a span),
and the test asks that this short bracket meets the 99% confidence interval.
"""
import math

import numpy as np
import pytest
from scipy import integrate

from fleet.scenario import parse_scenario
from policies.age_replacement import AgeReplacement
from runs import load_scenario, simulate

SHAPE, SCALE = 3.0, 5.0
CP, CF = 1.0e6, 5.0e6
SLOTS, YEARS, REVIEW_DAYS = 60, 80, 10.0
Z99 = 2.576


def scenario():
    b = load_scenario("tiny").model_dump(mode="json")
    b.update(horizon_years=YEARS, timeline_step_days=3650)
    b["fleet"].update(target_power_mw=SLOTS / 1000, clusters=1)
    b["fleet"]["module"].update(units=1, bus_mass_kg=980, solar_array_kw=1.1, array_degradation_per_year=0.0,
                                eclipse_fraction=0.0, commissioning_days=0, design_life_years=200)
    b["hardware"] = {"generations": [dict(b["hardware"]["generations"][0], power_kw_per_unit=1.0,
                                          mass_kg_per_unit=20, price_usd_per_unit=100_000)], "trend": None}
    b["launch"]["vehicles"] = [dict(b["launch"]["vehicles"][0], success_probability=1.0, lead_time_days=0,
                                    launches_per_year=1e6, price_per_kg_usd={2026: 400},
                                    price_per_flight_usd=None)]
    b["failures"] = {"unit": {"distribution": "exponential", "rate_per_year": 0.0},
                     "bus": {"distribution": "weibull", "shape": SHAPE, "scale_years": SCALE}}
    b["servicing"]["servicers"] = 0
    b["ground"]["stations"] = [dict(b["ground"]["stations"][0], clear_probability=1.0, contact_fraction=1.0)]
    b.pop("orbits")            # no altitude: a deorbit costs nothing and a vehicle lifts its quoted payload
    b["economics"].update(bus_price_usd=500_000, operations_usd_per_module_year=0, ground_usd_per_station_year=0,
                          module_failure_usd=CF - CP, deorbit_usd_per_module=0)   # Cp: the new module alone
    return parse_scenario(b, "age-replacement closed form")


def closed_form(age_years: float) -> float:
    """C(T), USD per slot-year."""
    def survival(t):
        return math.exp(-(t / SCALE) ** SHAPE)
    return (CP * survival(age_years) + CF * (1 - survival(age_years))) / integrate.quad(survival, 0, age_years)[0]


def renewal_reward(result) -> tuple[float, float, int]:
    """(cost rate, standard error, cycles) from the completed cycles in the event log."""
    ev = result.events
    commissioned = ev[ev.kind == "commissioned"].set_index("module").time_days
    ended = ev[ev.kind.isin(["module_failure", "deorbit"])]
    years = (ended.time_days.to_numpy() - commissioned.loc[ended.module].to_numpy()) / 365.25
    # the initial deployment flies in three launches in the first thousandth of a day (a vehicle lifts
    # 22 modules); no bus fails within a day (probability about 1e-8 per run)
    launches = ev[(ev.kind == "launch") & (ev.time_days > 1.0)]
    assert launches["count"].sum() == len(ended)                         # one replacement per cycle
    per_module = launches.cost_usd.sum() / launches["count"].sum()
    assert per_module == pytest.approx(CP)
    cost = per_module + ended.cost_usd.to_numpy()                        # + Cf - Cp where it failed
    assert set(np.round(cost)) <= {CP, CF}
    # everything the engine booked is the initial deployment plus the cycles' costs
    assert result.summary["cost_total_usd"] == pytest.approx(SLOTS * CP + cost.sum(), rel=1e-12)
    n = len(cost)
    rate = cost.sum() / years.sum()
    se = math.sqrt(((cost - rate * years) ** 2).sum() * n / (n - 1)) / years.sum()
    return rate, se, n


@pytest.mark.slow
def test_age_replacement_reproduces_the_closed_form_cost_rate():
    sc = scenario()
    estimates = {}
    for age in (1.5, 2.5, 4.0):
        result = simulate(sc, seed=0, policy=AgeReplacement(age_years=age, review_interval_days=REVIEW_DAYS))
        rate, se, n = renewal_reward(result)
        lo, hi = sorted((closed_form(age), closed_form(age + REVIEW_DAYS / 365.25)))
        gap = max(lo - rate, rate - hi, 0.0)
        assert gap <= Z99 * se, f"T={age}: simulated {rate:,.0f} +- {se:,.0f} ({n} cycles), closed form {lo:,.0f}..{hi:,.0f}"
        estimates[age] = rate
    # the interior optimum shows: C(2.5) is well below C(1.5) and C(4) (by > 5 standard errors)
    assert estimates[2.5] < estimates[1.5] and estimates[2.5] < estimates[4.0]
