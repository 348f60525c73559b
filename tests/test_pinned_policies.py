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
from fleet.state import Status
from policies.economic import KEEP, REPAIR, UPGRADE, Economic, unit_days
from runs.trust.worlds import Row, observe, small_scenario

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


# --- trips (policies/service_on_threshold.py) --------------------------------------------------

def test_a_trip_carries_up_to_exactly_its_units_most_damaged_first():
    from policies.service_on_threshold import pack_trips

    sc = small_scenario(modules=4)                                  # 16 units a module, 32 a trip
    obs = observe(sc, [Row(failed=1), Row(failed=16), Row(failed=16), Row(failed=3)], day=Y)
    [trip] = pack_trips(obs, np.array([0, 1, 2, 3]), trips=1)
    assert trip.modules == (1, 2)                                   # 16 + 16 = 32 fills it; 1 and 3 wait
    [trip] = pack_trips(obs, np.array([0, 2, 3]), trips=1)
    assert trip.modules == (2, 3, 0)                                # 16 + 3 + 1 = 20
    assert pack_trips(obs, np.array([0, 1]), trips=0) == [] and pack_trips(obs, np.array([], int), trips=2) == []


def test_trips_go_first_to_the_clusters_with_most_modules_due():
    from policies.service_on_threshold import pack_trips

    sc = small_scenario(clusters=2, modules=4)
    rows = [Row(cluster=0, failed=2), Row(cluster=1, failed=2), Row(cluster=1, failed=3), Row(cluster=0)]
    obs = observe(sc, rows, day=Y)
    assert [t.modules for t in pack_trips(obs, np.array([0, 1, 2]), trips=1)] == [(2, 1)]
    assert [t.modules for t in pack_trips(obs, np.array([0, 1, 2]), trips=5)] == [(2, 1), (0,)]


def test_service_on_threshold_sends_the_one_free_servicer_to_crossed_modules_without_a_trip():
    from policies.service_on_threshold import ServiceOnThreshold

    sc = small_scenario(modules=4)
    rows = [Row(failed=5, crossed=True), Row(failed=5, crossed=True, pending_trip=True), Row(failed=5), Row()]
    p = ServiceOnThreshold(threshold_fraction=0.25)
    assert [a.modules for a in p.on_threshold(observe(sc, rows, day=Y), 0)] == [(0,)]
    assert p.on_threshold(observe(sc, rows, day=Y, servicers_busy=1), 0) == []


# --- slots (policies/slots.py) -----------------------------------------------------------------

def test_slots_spread_the_design_number_over_the_clusters_in_turn():
    from policies.slots import fill_slots, modules_to_reach_target, slots_per_cluster

    for modules, clusters, slots in ((7, 2, [4, 3]), (7, 3, [3, 2, 2]), (6, 3, [2, 2, 2])):
        obs = observe(small_scenario(clusters=clusters, modules=modules), [Row()], day=Y)
        assert list(slots_per_cluster(obs)) == slots
    obs = observe(small_scenario(clusters=2, modules=7), [Row(cluster=0), Row(cluster=1)], day=Y)
    assert [(a.cluster, a.count) for a in fill_slots(obs)] == [(0, 3), (1, 2)]
    one = obs.nominal_module_pflops()
    assert modules_to_reach_target(obs, 0.0) == 7 and modules_to_reach_target(obs, 2.5 * one) == 5
    assert modules_to_reach_target(obs, 7 * one) == 0


def test_a_module_is_retiring_when_its_design_end_falls_within_the_lead_and_before_the_horizon():
    from policies.slots import retiring

    sc = small_scenario(modules=4)                       # 10-year design life, 5-year horizon from 2030
    life = sc.fleet.module.design_life_years * Y
    rows = [Row(commissioned_day=-life + 1.5 * Y),       # ends at 1.5 y: within a year's lead of day 1 y
            Row(commissioned_day=-life + 2.5 * Y),       # ends at 2.5 y: beyond the lead
            Row(commissioned_day=-life + 6.0 * Y),       # ends after the horizon
            Row(commissioned_day=-life + 1.5 * Y, status=Status.DEORBITED)]
    obs = observe(sc, rows, day=Y)
    assert list(retiring(obs, 0.6 * Y)) == [True, False, False, False]
    assert list(retiring(obs, 2.0 * Y)) == [True, True, False, False]
    assert not retiring(obs, 0.0).any()


# --- spares and tech refresh (policies/spares.py, policies/tech_refresh.py) -------------------------

def spare_launches(rows: list[Row]) -> list[tuple[int, bool]]:
    from fleet.actions import Launch
    from policies.spares import Spares

    obs = observe(small_scenario(modules=4), rows, day=Y)            # four slots in one cluster
    actions = Spares(initial_spares=2, reorder_point=1, order_quantity=2).decide(obs)
    return [(a.count, a.spare) for a in actions if isinstance(a, Launch)]


def test_spares_reorder_by_the_inventory_position_on_hand_plus_on_order_minus_backorders():
    working = [Row(), Row(), Row(spare=True)]                         # a spare was activated once
    # one empty slot, nothing on hand: position -1, so Q x ceil((r + 1 - position) / Q) = 2 x 2
    assert spare_launches(working) == [(4, True)]
    standby = Row(status=Status.SPARE, spare=True)
    # four working, one on hand and one spare on order: position 2 > r = 1, no order
    assert spare_launches([*working, Row(), standby, Row(status=Status.ORDERED, spare=True)]) == []
    # a replacement on order is not a spare: position 1 <= r, order Q
    assert spare_launches([*working, Row(), standby, Row(status=Status.ORDERED)]) == [(2, True)]


def test_tech_refresh_pays_back_the_new_units_and_a_share_of_the_trip_with_the_compute_gained():
    from policies.tech_refresh import TechRefresh

    sc = small_scenario(generations=2)
    old, new = sc.hardware.generations
    rows = [Row(failed=4), Row(), Row(status=Status.FAILED), Row(pending_trip=True)]
    obs = observe(sc, rows, day=2.5 * Y)
    p = TechRefresh(factor=2.0, value_usd_per_pflops_day=100.0)
    gain = 16 * new.pflops_per_unit - 12 * old.pflops_per_unit           # module 0: 12 units alive
    cost = 16 * new.price_usd_per_unit + sc.servicing.cost_per_trip_usd / (32 // 16)
    daily = gain * (1 - sc.fleet.module.eclipse_fraction) * 100.0
    assert p.payback_days(obs, np.array([0]))[0] == pytest.approx(cost / daily)
    # only operational modules without a trip on the way, the shortest payback (most gained) first
    assert list(p.candidates(obs)) == [0, 1]
    assert [a.modules for a in p.upgrades(obs)] == [(0, 1)]
    assert TechRefresh(factor=3.01).candidates(obs).size == 0            # the new generation is 3x per watt


# --- composition (policies/combined.py) --------------------------------------------------------

def test_merge_keeps_the_largest_launch_of_a_kind_and_drops_modules_an_earlier_part_named():
    from fleet.actions import Launch
    from policies.combined import merge

    first = [Launch(count=2, cluster=0), Service(modules=(1, 2))]
    second = [Launch(count=3, cluster=0), Launch(count=1, cluster=1), Service(modules=(2, 3)), Deorbit(modules=(1,))]
    merged = merge([first, second])
    assert [(a.cluster, a.count) for a in merged if isinstance(a, Launch)] == [(0, 3), (1, 1)]
    assert [(type(a), a.modules) for a in merged if not isinstance(a, Launch)] == [(Service, (1, 2)), (Service, (3,))]


def test_a_combined_policy_reviews_at_its_parts_shortest_interval_each_part_at_its_own():
    from policies.combined import Combined, _review_due
    from policies.service_on_threshold import ServiceOnThreshold
    from policies.spares import Spares

    assert Combined(parts=(ServiceOnThreshold(), Spares(review_interval_days=10.0))).review_interval_days == 10.0
    assert Combined(parts=(Spares(review_interval_days=10.0),), review_interval_days=5.0).review_interval_days == 5.0
    # a multiple of the part's interval in (day - step, day]
    assert _review_due(0.0, 10.0, 30.0) and _review_due(30.0, 10.0, 30.0) and _review_due(35.0, 10.0, 30.0)
    assert not _review_due(40.0, 10.0, 30.0) and not _review_due(29.0, 10.0, 30.0)
    assert not _review_due(300.5, 0.25, 1.0) and _review_due(301.0, 0.25, 1.0)


def test_a_part_sees_crossings_of_its_own_threshold_and_waits_for_a_servicer_only_if_all_do():
    from policies.base import Policy
    from policies.combined import Combined, compose
    from policies.service_on_threshold import ServiceOnThreshold

    low, high = ServiceOnThreshold(threshold_fraction=0.1), ServiceOnThreshold(threshold_fraction=0.5)
    both = Combined(parts=(low, high))
    obs = observe(small_scenario(modules=4), [Row(failed=3, crossed=True), Row(failed=8, crossed=True), Row(), Row()],
                  day=Y)
    assert list(both._view(obs, high).threshold_crossed) == [False, True, False, False]   # 8 of 16 is half
    assert both._view(obs, low) is obs

    class Wakes(Policy):
        """Acts on a threshold wake-up without a threshold of its own, servicer or not."""
        name = "wakes"

        def on_threshold(self, obs, module):
            return []

    assert compose(low).threshold_needs_free_servicer()
    assert not compose(low, Wakes()).threshold_needs_free_servicer()


# --- block replacement (policies/block_replacement.py) ------------------------------------------

def test_a_block_time_is_due_once_in_the_review_step_that_holds_it():
    from policies.block_replacement import epoch_passed

    assert epoch_passed(205.0, 195.0, 100.0) and not epoch_passed(215.0, 205.0, 100.0)
    assert not epoch_passed(5.0, -5.0, 100.0)                       # day 0 is not a block time
    assert epoch_passed(135.0, 125.0, 100.0, shift_days=30.0) and not epoch_passed(105.0, 95.0, 100.0, shift_days=30.0)


def test_staggered_blocks_shift_cluster_c_by_c_over_k_of_the_period():
    from policies.block_replacement import BlockReplacement

    obs = observe(small_scenario(clusters=2, modules=4), [Row(cluster=0), Row(cluster=1)], day=Y)
    p = BlockReplacement(block_years=2.0, staggered=True, review_interval_days=10.0)
    assert list(p.blocks_due(obs)) == [False, True]                  # cluster 1's blocks: 1 y, 3 y, ...
    assert list(BlockReplacement(block_years=2.0, review_interval_days=10.0).blocks_due(obs)) == [False, False]
    later = observe(small_scenario(clusters=2, modules=4), [Row(cluster=0), Row(cluster=1)], day=2 * Y)
    assert list(p.blocks_due(later)) == [True, False]
    deorbits = [a for a in p.review(later) if isinstance(a, Deorbit)]
    assert [a.modules for a in deorbits] == [(0,)]


def test_an_opportunistic_trip_called_by_one_module_takes_the_neighbours_past_the_lower_threshold():
    from policies.opportunistic_service import OpportunisticService

    sc = small_scenario(clusters=2, modules=4)
    rows = [Row(cluster=0, failed=5, crossed=True), Row(cluster=0, failed=1), Row(cluster=0, failed=2),
            Row(cluster=1, failed=3)]
    p = OpportunisticService(threshold_fraction=0.25, opportunistic_fraction=0.1)   # 4 and 2 of 16 units
    assert [a.modules for a in p.on_threshold(observe(sc, rows, day=Y), 0)] == [(0, 2)]
    assert p.on_threshold(observe(sc, [Row(failed=5), Row(failed=2)], day=Y), 0) == []


def test_a_dead_module_is_replaced_when_a_flight_shared_with_its_clusters_empty_slots_pays():
    from policies.economic import REPLACE

    data = small_scenario(modules=4).model_dump(mode="json")
    data["failures"]["unit"] = {"distribution": "exponential", "rate_per_year": 0.0}
    data["servicing"]["servicers"] = 0
    data["economics"].update(operations_usd_per_module_year=0.0, deorbit_usd_per_module=0.0)
    data["launch"]["vehicles"][0].update(price_per_kg_usd=None, price_per_flight_usd={2026: 50e6})
    sc = parse_scenario(data, "shared-flight")
    design, gen, vehicle = sc.fleet.module, sc.hardware.generations[0], sc.launch.vehicles[0]
    days = sc.horizon_years * Y - Y - vehicle.lead_time_days - design.commissioning_days   # within the design life
    hardware = sc.economics.bus_price_usd + 16 * gen.price_usd_per_unit
    cost_per_day = [(50e6 / b + hardware) / vehicle.success_probability / days for b in (1, 2)]
    # value per day of a new module: v x 16 units x PFLOPS x daylight; halfway between the two costs
    v = (cost_per_day[0] + cost_per_day[1]) / 2 / (16 * gen.pflops_per_unit * (1 - design.eclipse_fraction))
    p = Economic(value_usd_per_pflops_day=v)
    dead = Row(failed=16)
    # one slot empty: the replacement flies with it, two modules share the flight
    shared = observe(sc, [dead, Row(), Row(), Row(status=Status.DEORBITED)], day=Y)
    assert p.choices(shared, np.array([0]))[0] == REPLACE
    alone = observe(sc, [dead, Row(), Row(), Row()], day=Y)
    assert p.choices(alone, np.array([0]))[0] == KEEP


def test_a_new_module_lives_its_design_life_pays_its_deorbit_and_flies_only_on_vehicles_that_lift_it():
    data = scenario().model_dump(mode="json")
    data["fleet"]["module"]["design_life_years"] = 2.0
    sc = parse_scenario(data, "short-life")
    obs = observe(sc, [Row()] * 4, day=Y)
    design, gen, vehicle = sc.fleet.module, sc.hardware.generations[0], sc.launch.vehicles[0]
    days = 2.0 * Y                                        # ends before the horizon: the deorbit is paid
    mass = module_mass_kg(sc, gen)
    per_module = (vehicle.price_per_kg_usd[2026] * mass + sc.economics.bus_price_usd
                  + 16 * gen.price_usd_per_unit) / vehicle.success_probability
    value = 100.0 * 16 * days * gen.pflops_per_unit * (1 - design.eclipse_fraction)
    rate = Economic(value_usd_per_pflops_day=100.0).new_module_rate(obs, 1)
    assert rate == pytest.approx((value - per_module - 1e6) / days)
    # a cheaper vehicle that cannot lift a module changes nothing
    small = dict(data["launch"]["vehicles"][0], name="small", payload_kg=mass - 1.0, price_per_kg_usd={2026: 1.0})
    data["launch"]["vehicles"].append(small)
    both = parse_scenario(data, "with-a-small-vehicle")
    assert Economic(value_usd_per_pflops_day=100.0).new_module_rate(observe(both, [Row()] * 4, day=Y), 1) == rate


def test_a_dead_module_reviewed_on_its_design_end_day_is_still_priced_per_day():
    from policies.economic import REPLACE

    sc = scenario()
    life = sc.fleet.module.design_life_years * Y
    obs = observe(sc, [Row(failed=16, commissioned_day=Y - life), Row(), Row(), Row()], day=Y)   # no day left
    assert Economic(value_usd_per_pflops_day=1000.0).choices(obs, np.array([0]))[0] == REPLACE
