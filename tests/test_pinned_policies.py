"""Pinned behaviour of the policies' rules: decisions at thresholds computed by hand from the rule
each policy documents, so that a wrong operator or constant in policies/ changes a decision
(issue 18: a measured mutation score)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from fleet.actions import Deorbit, Service
from fleet.economics import DAYS_PER_YEAR
from fleet.scenario import module_mass_kg, parse_scenario
from policies.economic import KEEP, REPAIR, UPGRADE, Economic, unit_days
from tests.policy_world import Row, observe, small_scenario

Y = DAYS_PER_YEAR


def scenario(generations: int = 1, **economics):
    """`small_scenario` whose units never fail, with no operations cost and a dear deorbit, so that
    keep, repair and upgrade compete on compute against hardware and trips alone."""
    data = small_scenario(generations=generations).model_dump(mode="json")
    data["failures"]["unit"] = {"distribution": "exponential", "rate_per_year": 0.0}
    data["economics"].update({"operations_usd_per_module_year": 0.0, "deorbit_usd_per_module": 1e6, **economics})
    return parse_scenario(data, "pinned-economic")


def test_unit_days_integrate_the_exponential_survival():
    sc = small_scenario()
    obs = observe(sc, [Row()], day=0.0)
    rate = sc.failures.unit.rate_per_year / Y                     # per day
    days = np.array([0.0, 100.0, 3000.0])
    # the rule integrates on a grid of 256 steps up to the longest time: linear interpolation between
    # its points is off by at most rate h^2 / 8 days (h the step)
    h = days.max() / 256
    assert np.allclose(unit_days(obs, days), (1 - np.exp(-rate * days)) / rate, rtol=0, atol=rate * h * h / 8 + 1e-9)
    assert list(unit_days(obs, np.array([0.0, -5.0]))) == [0.0, 0.0]


def test_a_new_modules_rate_is_its_value_less_its_costs_per_day_of_service():
    sc = scenario(operations_usd_per_module_year=73_000.0)
    obs = observe(sc, [Row()] * 4, day=Y)
    design, gen, vehicle = sc.fleet.module, sc.hardware.generations[0], sc.launch.vehicles[0]
    arrive = vehicle.lead_time_days + design.commissioning_days
    days = min(design.design_life_years * Y, sc.horizon_years * Y - Y - arrive)
    mass = module_mass_kg(sc, gen)
    flight = vehicle.price_per_kg_usd[2026] * mass                # one module by mass, no minimum charge
    per_module = (flight + sc.economics.bus_price_usd + 16 * gen.price_usd_per_unit) / vehicle.success_probability
    disposal = 1e6 if days >= design.design_life_years * Y else 0.0
    cost = per_module + 73_000.0 * days / Y + disposal
    value = 100.0 * 16 * days * gen.pflops_per_unit * (1 - design.eclipse_fraction)
    assert Economic(value_usd_per_pflops_day=100.0).new_module_rate(obs, 1) == pytest.approx((value - cost) / days)


def repair_threshold(sc, obs, pflops: float, price: float) -> float:
    """The value per PFLOPS-day above which replacing a failed unit pays: v D p (1 - eclipse) equals
    the unit's price and its share of a trip."""
    days = sc.fleet.module.design_life_years * Y - obs.day              # commissioned on day 0
    days = min(days, sc.horizon_years * Y - obs.day)
    trip = sc.servicing.cost_per_trip_usd / sc.servicing.units_per_trip
    return (price + trip) / (days * pflops * (1 - sc.fleet.module.eclipse_fraction))


def test_repair_wins_over_keep_exactly_when_a_units_compute_is_worth_its_price_and_trip():
    sc = scenario()
    obs = observe(sc, [Row(failed=5), Row(), Row(), Row()], day=Y)
    gen = sc.hardware.generations[0]
    v = repair_threshold(sc, obs, gen.pflops_per_unit, gen.price_usd_per_unit)
    assert Economic(value_usd_per_pflops_day=1.05 * v).choices(obs, np.array([0]))[0] == REPAIR
    assert Economic(value_usd_per_pflops_day=0.95 * v).choices(obs, np.array([0]))[0] == KEEP
    service = [a for a in Economic(value_usd_per_pflops_day=1.05 * v).review(obs) if isinstance(a, Service)]
    assert [a.modules for a in service] == [(0,)] and not any(isinstance(a, Deorbit)
                                                              for a in Economic(value_usd_per_pflops_day=0.95 * v).review(obs))


def test_upgrade_wins_over_keep_exactly_when_the_extra_compute_is_worth_new_units_and_trips():
    sc = scenario(generations=2)
    obs = observe(sc, [Row(), Row(), Row(), Row()], day=2.5 * Y)    # the 3x generation is out from year 2
    old, new = sc.hardware.generations
    # upgrade - keep = v D (3p - p)(1 - eclipse) units - units (new price + trip share): zero at
    v = repair_threshold(sc, obs, new.pflops_per_unit - old.pflops_per_unit, new.price_usd_per_unit)
    assert Economic(value_usd_per_pflops_day=1.05 * v).choices(obs, np.array([0, 1]))[0] == UPGRADE
    assert Economic(value_usd_per_pflops_day=0.95 * v).choices(obs, np.array([0, 1]))[0] == KEEP
    upgrades = [a for a in Economic(value_usd_per_pflops_day=1.05 * v).review(obs) if isinstance(a, Service)]
    assert upgrades and all(a.upgrade for a in upgrades)
