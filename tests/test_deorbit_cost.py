"""Leaving orbit costs `economics.deorbit_usd_per_module` plus the launch of the disposal propellant,
at the end of design life or by decision, booked in its own cost category (so the categories still
add up to the total)."""
import dataclasses
import math

import pytest

from fleet.kpis import COST_CATEGORIES
from fleet.reach import deorbit_delta_v_m_s
from fleet.actions import Deorbit
from fleet.scenario import parse_scenario
from fleet.state import OPERATIONAL
from policies.base import Policy
from runs import simulate
from tests.scripted import one_module_dict

DEORBIT_USD = 750_000.0


def one_module(design_life_years: float, deorbit_usd: float = DEORBIT_USD):
    d = one_module_dict()
    d["fleet"]["module"]["design_life_years"] = design_life_years
    d["economics"]["deorbit_usd_per_module"] = deorbit_usd
    return parse_scenario(d, "deorbit-cost")


def deorbit_events(result):
    e = result.events
    return e[e.kind == "deorbit"]


def disposal_usd(sc) -> float:
    """The disposal propellant's launch by hand: module mass x (exp(dv / (Isp g0)) - 1) x $/kg (the
    scripted world's one vehicle costs $1,000/kg)."""
    module_kg = sc.fleet.module.bus_mass_kg + sc.fleet.module.units * sc.hardware.generations[0].mass_kg_per_unit
    dv = deorbit_delta_v_m_s(sc.orbits.shells[0].altitude_km, sc.orbits.deorbit_perigee_km)
    return module_kg * math.expm1(dv / (sc.orbits.deorbit_isp_s * 9.80665)) * 1000.0


def test_the_end_of_design_life_deorbit_is_booked():
    sc = one_module(design_life_years=1.0)
    r = simulate(sc, seed=0, policy="null")
    ev = deorbit_events(r)
    expected = DEORBIT_USD + disposal_usd(sc)
    assert disposal_usd(sc) > 0.05 * DEORBIT_USD
    assert len(ev) == 1 and ev.cost_usd.tolist() == [pytest.approx(expected, rel=1e-12)]
    assert r.summary["cost_deorbit_usd"] == pytest.approx(expected, rel=1e-12)
    parts = sum(r.summary[f"cost_{c}_usd"] for c in COST_CATEGORIES)
    assert parts == pytest.approx(r.summary["cost_total_usd"], rel=1e-12)


def test_no_deorbit_no_cost():
    r = simulate(one_module(design_life_years=10.0), seed=0, policy="null")
    assert len(deorbit_events(r)) == 0 and r.summary["cost_deorbit_usd"] == 0.0


@dataclasses.dataclass(frozen=True)
class DeorbitAt100(Policy):
    """Deorbits every operational module at its review on day 100."""

    name = "deorbit-at-100"
    review_interval_days: float = 100.0

    def review(self, obs):
        ops = tuple(int(m) for m in (obs.status == OPERATIONAL).nonzero()[0])
        return [Deorbit(modules=ops)] if obs.day == 100.0 and ops else []


def test_deorbiting_a_working_module_costs_the_deorbit_price():
    """Same decisions and draws, with and without a deorbit price: the totals differ by that price,
    discounted from day 100 in the present value."""
    free = simulate(one_module(10.0, deorbit_usd=0.0), seed=0, policy=DeorbitAt100()).summary
    paid = simulate(one_module(10.0), seed=0, policy=DeorbitAt100()).summary
    assert paid["deorbits"] == free["deorbits"] == 1
    assert paid["cost_deorbit_usd"] == pytest.approx(DEORBIT_USD + disposal_usd(one_module(10.0)), rel=1e-12)
    assert paid["cost_total_usd"] - free["cost_total_usd"] == pytest.approx(DEORBIT_USD, rel=1e-9)
    rate = one_module(10.0).economics.discount_rate
    assert paid["cost_npv_usd"] - free["cost_npv_usd"] == pytest.approx(
        DEORBIT_USD * (1 + rate) ** (-100 / 365.25), rel=1e-9)
