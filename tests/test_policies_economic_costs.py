"""`economic` (v2, v3) prices what it decides: a flight's price shared by the modules launched together,
the launch risk, and the deorbit; and values only the compute that demand uses (see the rule in
policies/economic.py)."""
import pytest

from fleet.actions import Deorbit
from fleet.economics import DAYS_PER_YEAR
from fleet.scenario import module_mass_kg, parse_scenario
from fleet.state import Status
from policies.economic import Economic
from runs.trust.worlds import Row, observe, small_scenario

Y = DAYS_PER_YEAR


def changed(change, **kw):
    data = small_scenario(**kw).model_dump(mode="json")
    change(data)
    return parse_scenario(data, "economic-costs")


def per_flight(price: float, success: float = 1.0):
    def change(d):
        d["launch"]["vehicles"][0].update(price_per_kg_usd=None, price_per_flight_usd={2026: price},
                                          success_probability=success)
    return changed(change)


def arrival_days(sc) -> float:
    return sc.launch.vehicles[0].lead_time_days + sc.fleet.module.commissioning_days


def test_a_flight_price_is_shared_by_the_modules_launched_together():
    sc = per_flight(10e6)
    obs = observe(sc, [Row(), Row(), Row(), Row()], day=Y)
    days = min(sc.fleet.module.design_life_years * Y, sc.horizon_years * Y - Y - arrival_days(sc))
    p = Economic()
    assert p.new_module_rate(obs, 4) - p.new_module_rate(obs, 1) == pytest.approx((10e6 - 10e6 / 4) / days)
    # no more modules share a flight than it lifts
    fit = int(sc.launch.vehicles[0].payload_kg // module_mass_kg(sc, sc.hardware.generations[0]))
    assert p.new_module_rate(obs, fit + 5) == p.new_module_rate(obs, fit)


def test_a_launch_that_may_fail_costs_more_per_module_delivered():
    sure, shaky = per_flight(10e6, 1.0), per_flight(10e6, 0.5)
    rows = [Row(), Row(), Row(), Row()]
    days = min(sure.fleet.module.design_life_years * Y, sure.horizon_years * Y - Y - arrival_days(sure))
    hardware = sure.economics.bus_price_usd + 16 * sure.hardware.generations[0].price_usd_per_unit
    p = Economic()
    assert p.new_module_rate(observe(sure, rows, day=Y)) - p.new_module_rate(observe(shaky, rows, day=Y)) \
        == pytest.approx((10e6 + hardware) / days)


def test_a_new_module_carries_its_own_deorbit_when_its_life_ends_in_the_run():
    def short_life(price):
        return lambda d: (d["fleet"]["module"].update(design_life_years=2.0),
                          d["economics"].update(deorbit_usd_per_module=price))
    free, paid = changed(short_life(0.0)), changed(short_life(3e6))
    rows = [Row(), Row(), Row(), Row()]
    p = Economic()
    assert p.new_module_rate(observe(free, rows, day=Y)) - p.new_module_rate(observe(paid, rows, day=Y)) \
        == pytest.approx(3e6 / (2.0 * Y))


def test_deorbiting_a_dead_module_is_a_decision_with_a_price():
    """No servicers, a module whose units all died, compute not worth a new module: with free
    deorbits it leaves; when leaving costs more than operating it to the horizon, it stays."""
    def no_servicers(price):
        return lambda d: (d["servicing"].update(servicers=0), d["economics"].update(deorbit_usd_per_module=price))
    rows = [Row(failed=16), Row(), Row(), Row()]
    free, dear = changed(no_servicers(0.0)), changed(no_servicers(5e6))
    # four years to the horizon at $200k a year of operations: $800k < $5M
    assert [(type(a), a.modules) for a in Economic().review(observe(free, rows, day=Y))] == [(Deorbit, (0,))]
    assert Economic().review(observe(dear, rows, day=Y)) == []
    # a module whose design life ends before the horizon leaves then anyway: leaving now costs nothing more
    old = [Row(failed=16, commissioned_day=-8 * Y), Row(), Row(), Row()]
    assert [(type(a), a.modules) for a in Economic().review(observe(dear, old, day=Y))] == [(Deorbit, (0,))]


def test_empty_slots_are_refilled_cluster_by_cluster_when_a_shared_flight_pays():
    sc = per_flight(40e6)
    lone = observe(sc, [Row(status=Status.DEORBITED), Row(), Row(), Row()], day=Y)
    many = observe(sc, [Row(status=Status.DEORBITED)] * 4, day=Y)
    p = Economic(value_usd_per_pflops_day=1000)
    assert p.new_module_rate(lone, 1) < 0 < p.new_module_rate(many, 4)
    assert p.on_module_failed(lone, 0) == []
    assert [(a.count, a.cluster) for a in p.on_module_failed(many, 0)] == [(4, 0)]


def test_only_compute_that_demand_uses_is_worth_keeping():
    """v3: five working modules where demand wants four: with free deorbits the surplus one (ranked
    last) leaves, the four that demand uses stay; when demand wants them all, all stay."""
    def demand_of(modules: float):
        def change(d):
            gen = d["hardware"]["generations"][0]
            d["economics"]["deorbit_usd_per_module"] = 0.0
            d["demand"] = {"unit": "pflops", "level": modules * d["fleet"]["module"]["units"] * gen["pflops_per_unit"]}
        return change
    rows = [Row()] * 5
    four, ten = changed(demand_of(4)), changed(demand_of(10))
    p = Economic()
    assert [(type(a), a.modules) for a in p.review(observe(four, rows, day=Y, demand=True))] == [(Deorbit, (4,))]
    assert p.review(observe(ten, rows, day=Y, demand=True)) == []
    # an empty slot is refilled, when compute is worth a lone flight, only while the fleet is short of demand
    full = [Row(status=Status.DEORBITED)] + [Row()] * 4
    rich = Economic(value_usd_per_pflops_day=1e4)
    assert rich.on_module_failed(observe(four, full, day=Y, demand=True), 0) == []
    assert [a.count for a in rich.on_module_failed(observe(ten, full, day=Y, demand=True), 0)] == [10 - 4]
