"""Launch pricing and the choice of vehicle, on scripted one-module worlds (see tests/scripted.py).

Rule (events/launch.py): a flight costs its price whether full or not; among the vehicles that can
launch an order by its due day, the queue takes the lowest expected cost per module delivered (the
flight's price over the modules on board, over the success probability), else the earliest.
"""
import dataclasses

import pytest

from fleet.actions import Launch
from fleet.economics import flight_price_usd
from fleet.scenario import module_mass_kg, parse_scenario
from policies.base import Policy
from runs import load_scenario, simulate
from runs.studies.parity import variant
from tests.scripted import one_module_dict

START_YEAR = 2030


def vehicle(name: str, **change) -> dict:
    """A vehicle that always succeeds, available from the start, 10 days' lead time, $1,000/kg."""
    v = {"name": name, "payload_kg": 50_000.0, "price_per_kg_usd": {2026: 1000.0}, "success_probability": 1.0,
         "launches_per_year": 12.0, "lead_time_days": 10.0, "available_from_year": 2026}
    v.update(change)
    return v


def world(*vehicles: dict, max_wait_days: float | None = None):
    d = one_module_dict()
    d["servicing"]["servicers"] = 0          # no cargo flights: only the module's flights are priced here
    d["launch"]["vehicles"] = list(vehicles)
    if max_wait_days is not None:
        d["launch"]["max_wait_days"] = max_wait_days
    return parse_scenario(d, "launch-pricing")


def launches(result):
    e = result.events
    e = e[e.kind.isin(["launch", "launch_failure"])]
    return [(d.split(":")[0], t, c) for d, t, c in zip(e.detail, e.time_days, e.cost_usd)]


def module_mass(scenario) -> float:
    return module_mass_kg(scenario, scenario.hardware.generations[0])


@pytest.mark.parametrize("cheap_first", [True, False])
def test_two_vehicles_equal_but_for_price_the_cheaper_flies_and_its_price_is_booked(cheap_first):
    """issue 18, vehicle choice: whichever is listed first, the cheaper vehicle flies."""
    cheap, dear = vehicle("cheap", price_per_kg_usd={2026: 1000.0}), vehicle("dear", price_per_kg_usd={2026: 1100.0})
    sc = world(*((cheap, dear) if cheap_first else (dear, cheap)))
    r = simulate(sc, seed=0)
    assert [name for name, _, _ in launches(r)] == ["cheap"]
    assert r.summary["cost_launch_usd"] == pytest.approx(1000.0 * module_mass(sc), rel=1e-12)


def test_the_cost_per_module_delivered_divides_by_the_success_probability():
    """Cheaper per flight but twice as likely to fail: the expected cost per module decides."""
    shaky = vehicle("shaky", price_per_flight_usd={2026: 10e6}, price_per_kg_usd=None, success_probability=0.5)
    sure = vehicle("sure", price_per_flight_usd={2026: 15e6}, price_per_kg_usd=None, success_probability=1.0)
    r = simulate(world(shaky, sure), seed=0)
    assert [name for name, _, _ in launches(r)] == ["sure"]
    r = simulate(world(vehicle("shaky", price_per_flight_usd={2026: 10e6}, price_per_kg_usd=None,
                               success_probability=0.8), sure), seed=0)
    assert launches(r)[0][0] == "shaky"


def test_a_slow_cheap_vehicle_flies_only_if_it_makes_the_due_day():
    slow_cheap = vehicle("slow-cheap", lead_time_days=200.0, price_per_kg_usd={2026: 100.0})
    fast_dear = vehicle("fast-dear", lead_time_days=10.0, price_per_kg_usd={2026: 5000.0})
    late = simulate(world(slow_cheap, fast_dear, max_wait_days=180), seed=0)
    assert [(n, t) for n, t, _ in launches(late)] == [("fast-dear", 10.0)]
    in_time = simulate(world(slow_cheap, fast_dear, max_wait_days=200), seed=0)
    assert [(n, t) for n, t, _ in launches(in_time)] == [("slow-cheap", 200.0)]


def test_when_no_vehicle_makes_the_due_day_the_earliest_flies():
    slower_cheap = vehicle("slower-cheap", lead_time_days=300.0, price_per_kg_usd={2026: 100.0})
    slow_dear = vehicle("slow-dear", lead_time_days=200.0, price_per_kg_usd={2026: 5000.0})
    r = simulate(world(slower_cheap, slow_dear, max_wait_days=30), seed=0)
    assert [(n, t) for n, t, _ in launches(r)] == [("slow-dear", 200.0)]


@dataclasses.dataclass(frozen=True)
class OrderOnceAt100(Policy):
    """At its review on day 100, orders one module due `due_in_days` later."""

    name = "order-once-at-100"
    review_interval_days: float = 100.0
    due_in_days: float = 0.0

    def review(self, obs):
        if obs.day == 100.0:
            return [Launch(count=1, cluster=0, due_day=obs.day + self.due_in_days)]
        return []


@pytest.mark.parametrize("due_in_days, flies", [(150.0, "fast-dear"), (250.0, "slow-cheap")])
def test_a_launch_order_carries_its_own_due_day(due_in_days, flies):
    slow_cheap = vehicle("slow-cheap", lead_time_days=200.0, price_per_kg_usd={2026: 100.0})
    fast_dear = vehicle("fast-dear", lead_time_days=10.0, price_per_kg_usd={2026: 5000.0})
    # the scenario's own wait (1000 days) would always let the slow vehicle fly the initial module
    r = simulate(world(slow_cheap, fast_dear, max_wait_days=1000), seed=0,
                 policy=OrderOnceAt100(due_in_days=due_in_days))
    assert launches(r)[0][0] == "slow-cheap"
    assert launches(r)[1][0] == flies


def test_a_half_empty_flight_pays_the_whole_flight_price():
    sc = world(vehicle("rocket", price_per_kg_usd=None, price_per_flight_usd={2026: 30e6}))
    assert module_mass(sc) < sc.launch.vehicles[0].payload_kg / 2          # far from full
    r = simulate(sc, seed=0)
    assert r.summary["cost_launch_usd"] == 30e6
    assert launches(r)[0][2] == pytest.approx(30e6 + r.summary["cost_hardware_usd"])


@pytest.mark.parametrize("minimum_usd", [1e6, 1.0])
def test_a_flight_priced_per_kg_never_costs_less_than_its_minimum_charge(minimum_usd):
    sc = world(vehicle("rocket", price_per_kg_usd={2026: 100.0}, minimum_charge_usd={2026: minimum_usd}))
    by_mass = 100.0 * module_mass(sc)
    assert 1.0 < by_mass < 1e6
    r = simulate(sc, seed=0)
    assert r.summary["cost_launch_usd"] == pytest.approx(max(minimum_usd, by_mass), rel=1e-12)


def test_flight_prices_follow_their_tables_over_the_years():
    v = parse_scenario(dict(one_module_dict(), launch={"vehicles": [vehicle(
        "r", price_per_kg_usd={2030: 100.0, 2040: 50.0}, minimum_charge_usd={2030: 2e6, 2040: 1e6})]}), "x")
    rocket = v.launch.vehicles[0]
    assert flight_price_usd(rocket, 2035.0, 10.0) == pytest.approx(1.5e6)
    assert flight_price_usd(rocket, 2035.0, 40_000.0) == pytest.approx(75.0 * 40_000)


@pytest.mark.parametrize("change, problem", [
    (dict(price_per_flight_usd={2026: 1e6}), "exactly one"),
    (dict(price_per_kg_usd=None), "exactly one"),
    (dict(price_per_kg_usd=None, price_per_flight_usd={2026: 1e6}, minimum_charge_usd={2026: 1.0}),
     "minimum_charge_usd goes with price_per_kg_usd"),
])
def test_a_vehicle_has_one_form_of_price(change, problem):
    d = one_module_dict()
    d["launch"]["vehicles"] = [vehicle("r", **change)]
    with pytest.raises(Exception) as err:
        parse_scenario(d, "bad.yaml")
    assert "launch.vehicles.0" in str(err.value) and problem in str(err.value)


def test_parity_launch_price_axis_scales_every_form_of_price():
    per_flight = variant(load_scenario("baseline"), {"launch_price": 2.0}).launch.vehicles
    assert per_flight[0].price_per_flight_usd == {2030: 100e6, 2035: 40e6, 2045: 20e6}
    assert per_flight[1].price_per_flight_usd == {2026: 124e6}
    learning = variant(load_scenario("suncatcher-cluster"), {"launch_price": 2.0}).launch.vehicles[0]
    assert learning.minimum_charge_usd == {2026: 6.6e6}
    assert learning.price_per_kg_usd.usd_per_kg == 1940 and learning.price_per_kg_usd.floor_usd_per_kg == 66
