"""Demand: the compute users want over time.

- The curve by hand: MW of the newest generation (more PFLOPS as generations appear), PFLOPS,
  a table by year, growth at each anniversary, nothing before the start day.
- Bad demand sections are refused naming the field.
- A run shows it: the timeline's `demand_pflops`, the policy's observation (today's value and the
  trajectory), availability as capacity up to demand over demand, and the Earth reference serving
  the same demand.
- Replacement launches aim at demand: doubling demand doubles what a replenishing policy launches.
"""
import math

import numpy as np
import pytest

from fleet.demand import DemandCurve, demand_curve
from fleet.earth import availability
from fleet.economics import DAYS_PER_YEAR
from fleet.errors import ScenarioError
from fleet.hardware import catalog
from fleet.scenario import parse_scenario
from policies.null import Null
from runs import load_scenario, simulate
from tests.scripted import one_module_dict

Y = DAYS_PER_YEAR


def tiny_with(demand: dict | None = None, **top) -> dict:
    data = load_scenario("tiny").model_dump(mode="json")
    if demand is not None:
        data["demand"] = demand
    data.update(top)
    return data


def curve(data: dict):
    s = parse_scenario(data, "t")
    return demand_curve(s, catalog(s), s.horizon_years * Y), s


def test_default_is_the_target_power_in_the_newest_hardware():
    c, s = curve(tiny_with())
    gens = catalog(s)
    mw = s.fleet.target_power_mw
    new = (gens[1].year_available - s.start_year) * Y
    assert 0 < new < s.horizon_years * Y
    per_mw = [1000 / g.power_kw_per_unit * g.pflops_per_unit for g in gens]
    assert c.at(0.0) == pytest.approx(mw * per_mw[0])
    assert c.at(new - 1) == pytest.approx(mw * per_mw[0])
    assert c.at(new) == pytest.approx(mw * per_mw[1]) and per_mw[1] > per_mw[0]   # better hardware, more wanted
    assert c.integral(0.0, new) == pytest.approx(mw * per_mw[0] * new)


def test_pflops_table_growth_and_start_day():
    c, s = curve(tiny_with({"unit": "pflops", "by_year": {2030: 100.0, 2034: 300.0}}))
    assert s.start_year == 2030
    assert c.at(0.0) == 100.0 and c.at(4 * Y - 1e-6) == 100.0 and c.at(4 * Y) == 300.0
    assert c.integral(0.0, 5 * Y) == pytest.approx(100 * 4 * Y + 300 * Y)
    c, _ = curve(tiny_with({"unit": "pflops", "level": 50.0, "growth_per_year": 0.1, "start_day": 100.0}))
    assert c.at(99.0) == 0.0 and c.at(100.0) == 50.0
    assert c.at(100.0 + 2 * Y) == pytest.approx(50.0 * 1.1 ** 2)
    assert c.peak(0.0, 100.0 + Y) == 50.0 and c.peak(0.0, 101.0 + Y) == pytest.approx(55.0)


@pytest.mark.parametrize("demand, field", [
    ({"unit": "pflops"}, "demand: level"),
    ({"level": 10.0, "by_year": {2030: 5.0}}, "demand"),
    ({"unit": "gw"}, "demand.unit"),
    ({"level": -1.0}, "demand.level"),
])
def test_bad_demand_is_refused_naming_the_field(demand, field):
    with pytest.raises(ScenarioError) as err:
        parse_scenario(tiny_with(demand), "bad.yaml")
    assert field in str(err.value) and "bad.yaml" in str(err.value)


def instant(demand: dict) -> dict:
    """One module running from day 0, never failing, under a policy that does nothing."""
    base = one_module_dict()
    base["launch"]["vehicles"][0]["lead_time_days"] = 0
    base["fleet"]["module"].update(commissioning_days=0, array_degradation_per_year=0.0)
    base["demand"] = demand
    return base


@pytest.mark.parametrize("ratio", [0.5, 1.0, 2.0])
def test_availability_is_delivered_compute_over_demand(ratio):
    """The module runs min(capacity, demand) in sunlight, and every result reaches the ground."""
    probe = simulate(parse_scenario(instant({}), "probe"), seed=0, policy=Null())
    capacity = probe.timeline.capacity_pflops.iloc[0]
    r = simulate(parse_scenario(instant({"unit": "pflops", "level": ratio * capacity}), "d"), seed=0, policy=Null())
    sunlit = 1.0 - r.scenario.fleet.module.eclipse_fraction
    assert r.summary["lost_pflops_days"] == 0.0
    assert r.summary["mean_availability"] == pytest.approx(sunlit * min(1.0, 1.0 / ratio), rel=1e-9)
    assert r.summary["demand_pflops_days"] == pytest.approx(ratio * capacity * r.scenario.horizon_years * Y)
    assert np.allclose(r.timeline.demand_pflops, ratio * capacity)


def test_timeline_and_observation_show_demand():
    seen = []

    class Watch(Null):
        def review(self, obs):
            seen.append((obs.day, obs.demand_pflops, obs.demand.at(obs.day + Y)))
            return []

    r = simulate(parse_scenario(tiny_with(horizon_years=8), "t"), seed=0, policy=Watch(review_interval_days=90.0))
    c, _ = curve(tiny_with(horizon_years=8))
    assert np.allclose(r.timeline.demand_pflops, c.at(r.timeline.time_days.to_numpy()))
    assert len(seen) > 10
    for day, now, later in seen:
        assert now == c.at(day) and later == c.at(day + Y)
    assert r.timeline.demand_pflops.iloc[-1] > r.timeline.demand_pflops.iloc[0]


def test_earth_serves_the_same_demand():
    data = tiny_with({"unit": "pflops", "by_year": {2030: 100.0, 2033: 250.0}}, horizon_years=6)
    s = simulate(parse_scenario(data, "t"), seed=0).summary
    earth = load_scenario("tiny").earth
    served = availability(earth.unit_failure_rate_per_year, earth.repair_days)
    assert s["earth_delivered_pflops_days"] == pytest.approx(s["demand_pflops_days"] * served, rel=1e-12)
    assert s["demand_pflops_days"] == pytest.approx((100 * 3 + 250 * 3) * Y)


@pytest.mark.parametrize("policy", ["replenish", "service-on-threshold", "age-replacement"])
def test_replacement_launches_aim_at_demand(policy):
    launched = []
    for factor in (1.0, 2.0):
        data = tiny_with(horizon_years=4)
        c, _ = curve(data)
        data["demand"] = {"unit": "pflops", "level": factor * c.at(0.0)}
        s = simulate(parse_scenario(data, "t"), seed=1, policy=policy).summary
        launched.append(s["modules_launched"])
    initial = math.ceil(load_scenario("tiny").fleet.target_power_mw * 1000 / 32)   # modules of 32 kW
    assert launched[1] - launched[0] >= initial


def test_demand_on_one_day_is_the_step_the_array_form_finds():
    c = DemandCurve(np.array([0.0, 10.0, 20.0]), np.array([1.0, 2.0, 3.0]))
    days = [-1.0, 0.0, 5.0, 9.999999999, 10.0, 19.5, 20.0, 1e9]
    expected = [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0]      # a step takes effect on its day
    assert [c.at(d) for d in days] == expected
    assert c.at(np.array(days)).tolist() == expected
    assert [c.at(np.float64(d)) for d in days] == expected and c.at(10) == 2.0
