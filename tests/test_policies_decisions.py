"""For each policy, a hand-built observation whose right decision is known, and the decision it makes.

Fleets are `tiny`-like: modules of 16 units (2 PFLOPS each), a servicer that carries 32 units.
"""
import dataclasses
import math

import pytest

from fleet.actions import Activate, Deorbit, Launch, Service
from fleet.economics import DAYS_PER_YEAR
from fleet.errors import PolicyError
from fleet.state import Status
from policies.age_replacement import AgeReplacement
from policies.block_replacement import BlockReplacement
from policies.combined import Combined, compose, merge
from policies.economic import Economic
from policies.null import Null
from policies.opportunistic_service import OpportunisticService
from policies.ramp import scheduled_modules
from policies.replenish import Replenish
from policies.service_on_threshold import ServiceOnThreshold
from policies.spares import Spares
from policies.tech_refresh import TechRefresh
from runs.trust.worlds import Row, observe, small_scenario

Y = DAYS_PER_YEAR
F, S = Status.FAILED, Status.SPARE


def test_null_never_acts_even_on_a_ruined_fleet():
    obs = observe(small_scenario(), [Row(status=F), Row(failed=16, crossed=True), Row(status=F), Row()], day=Y)
    p = Null()
    assert p.review(obs) == [] and p.on_module_failed(obs, 0) == [] and p.on_threshold(obs, 1) == []


def test_replenish_launches_the_missing_capacity():
    # target 4 x 32 PFLOPS = 128; one module dead, one at 8 of 16 units: 32 + 16 + 32 = 80 -> 48 missing
    obs = observe(small_scenario(), [Row(status=F), Row(failed=8), Row(), Row()], day=Y)
    assert Replenish().review(obs) == [Launch(count=2, reason=Replenish().review(obs)[0].reason)]
    healthy = observe(small_scenario(), [Row() for _ in range(4)], day=Y)
    assert Replenish().review(healthy) == []


def test_replenishing_policies_order_replacements_a_lead_time_before_the_design_end_of_life():
    """tiny: 10-year design life, 5-year horizon. At 4.8 years, modules 0 and 1 reach their design end
    at 4.9 years (37 days on), module 2 at 5.1 years (after the horizon: never replaced), module 3 in
    10 years. With a 180-day lead, two replacements are ordered; with none, or a 30-day one, none."""
    rows = [Row(commissioned_day=-5.1 * Y), Row(commissioned_day=-5.1 * Y), Row(commissioned_day=-4.9 * Y), Row()]
    obs = observe(small_scenario(), rows, day=4.8 * Y)
    for make in (lambda lead: Replenish(renew_lead_days=lead), lambda lead: ServiceOnThreshold(renew_lead_days=lead),
                 lambda lead: AgeReplacement(age_years=20, renew_lead_days=lead),
                 lambda lead: BlockReplacement(block_years=20, renew_lead_days=lead)):
        assert [(type(a), a.count) for a in make(180.0).review(obs)] == [(Launch, 2)]
        assert make(30.0).review(obs) == [] and make(0.0).review(obs) == []


def test_age_replacement_deorbits_modules_past_the_age_and_refills_dead_slots():
    obs = observe(small_scenario(), [Row(commissioned_day=0), Row(commissioned_day=4 * Y), Row(commissioned_day=0.5 * Y),
                                     Row(status=F)], day=6 * Y)
    actions = AgeReplacement(age_years=5).review(obs)
    assert [type(a) for a in actions] == [Launch, Deorbit]
    assert actions[0].count == 1 and actions[0].cluster == 0       # the dead module's slot
    assert actions[1].modules == (0, 2)                             # ages 6 and 5.5 years; 2 years is kept
    # a deorbit (or a failure) empties a slot, which the reaction refills
    after = observe(small_scenario(), [Row(status=Status.DEORBITED), Row(), Row(), Row()], day=6 * Y)
    assert AgeReplacement().on_module_failed(after, 0)[0].count == 1


def test_block_replacement_replaces_everything_at_block_times_only():
    rows = [Row(), Row(commissioned_day=4.9 * Y), Row(), Row()]
    at_block = observe(small_scenario(), rows, day=5 * Y)
    actions = BlockReplacement(block_years=5).review(at_block)
    assert actions == [Deorbit(modules=(0, 1, 2, 3), reason=actions[0].reason)]   # young module 1 too
    between = observe(small_scenario(), rows, day=5 * Y + 30)
    assert BlockReplacement(block_years=5).review(between) == []
    failed = observe(small_scenario(), [Row(status=F), Row(), Row(), Row()], day=3 * Y)
    assert [(a.count, a.cluster) for a in BlockReplacement().on_module_failed(failed, 0)] == [(1, 0)]
    # staggered over 2 clusters: cluster 1 renews at 2.5, 7.5, ... years, cluster 0 at 5, 10, ...
    two = small_scenario(clusters=2)
    rows = [Row(), Row(), Row(cluster=1), Row(cluster=1)]
    p = BlockReplacement(block_years=5, staggered=True, review_interval_days=Y / 4)
    assert [a.modules for a in p.review(observe(two, rows, day=2.5 * Y))] == [(2, 3)]
    assert [a.modules for a in p.review(observe(two, rows, day=5 * Y))] == [(0, 1)]
    assert p.review(observe(two, rows, day=4 * Y)) == []


def test_service_on_threshold_sends_a_servicer_to_the_crossed_module():
    obs = observe(small_scenario(), [Row(failed=1), Row(failed=4, crossed=True), Row(), Row()], day=Y)
    actions = ServiceOnThreshold(threshold_fraction=0.25).on_threshold(obs, 1)
    assert [a.modules for a in actions] == [(1,)] and not actions[0].upgrade
    busy = observe(small_scenario(), [Row(failed=1), Row(failed=4, crossed=True), Row(), Row()], day=Y, servicers_busy=1)
    assert ServiceOnThreshold().on_threshold(busy, 1) == []


def test_opportunistic_service_takes_damaged_neighbours_of_the_same_cluster_only():
    obs = observe(small_scenario(clusters=2, modules=6), [
        Row(failed=5, crossed=True), Row(failed=1), Row(), Row(failed=30 // 16), Row(cluster=1, failed=3),
        Row(cluster=1)], day=Y)
    actions = OpportunisticService(threshold_fraction=0.3, opportunistic_fraction=0.05).on_threshold(obs, 0)
    assert [set(a.modules) for a in actions] == [{0, 1, 3}]           # module 4 (cluster 1) waits
    # the servicer carries 32 units: the crossed module first, then the most damaged neighbours
    full = observe(small_scenario(clusters=1, modules=4), [
        Row(failed=16, crossed=True), Row(failed=10), Row(failed=6), Row(failed=2)], day=Y)
    actions = OpportunisticService(threshold_fraction=0.9, opportunistic_fraction=0.1).on_threshold(full, 0)
    assert [set(a.modules) for a in actions] == [{0, 1, 2}]           # 16 + 10 + 6 = 32 units


def test_spares_activate_a_standby_spare_and_reorder_at_the_reorder_point():
    obs = observe(small_scenario(clusters=2, modules=4), [
        Row(status=F), Row(), Row(cluster=1), Row(cluster=1),
        Row(status=S, spare=True), Row(status=S, cluster=1, spare=True), Row(status=S, cluster=1, spare=True),
        Row(), ], day=Y)
    # cluster 0 has 2 slots: module 0 died, 1 and 7 hold them, so nothing to activate; but its stock
    # position (one spare) is at the reorder point r = 1: one order of Q = 2
    assert [(a.count, a.cluster, a.spare) for a in Spares().on_module_failed(obs, 0)] == [(2, 0, True)]
    obs = observe(small_scenario(clusters=2, modules=4), [
        Row(status=F), Row(), Row(cluster=1), Row(cluster=1),
        Row(status=S, spare=True), Row(status=S, cluster=1, spare=True), Row(status=S, cluster=1, spare=True)], day=Y)
    actions = Spares(reorder_point=1, order_quantity=3).on_module_failed(obs, 0)
    assert isinstance(actions[0], Activate) and actions[0].modules == (4,)
    # cluster 0's inventory position falls to 0 <= r = 1: one order of Q = 3; cluster 1 holds 2 > r
    assert [(a.count, a.cluster, a.spare) for a in actions[1:]] == [(3, 0, True)]
    start = observe(small_scenario(clusters=2, modules=4), [Row(), Row(), Row(cluster=1), Row(cluster=1)], day=0)
    assert [(a.count, a.cluster, a.spare) for a in Spares(initial_spares=2).review(start)] == [(2, 0, True), (2, 1, True)]


def test_spares_orders_cover_the_backorders_after_a_burst_of_failures():
    """(s, Q) with the textbook inventory position (on hand + on order - backorders): four modules of
    one cluster died, no spare on hand or on order (the first two were used, they died too), so the
    position is -4; with r = 1, Q = 2, three batches bring it back to 2 > r: 6 spares, 4 of them
    backordered."""
    used = [Row(status=F, spare=True), Row(status=F, spare=True)]
    obs = observe(small_scenario(clusters=1, modules=4), [Row(status=F)] * 4 + used, day=Y)
    actions = Spares(initial_spares=2, reorder_point=1, order_quantity=2).on_module_failed(obs, 0)
    assert [(a.count, a.cluster, a.spare) for a in actions] == [(6, 0, True)]
    # once those six are on order, the position is 6 - 4 = 2 > r: nothing more is ordered
    ordered = [Row(status=Status.ORDERED, spare=True)] * 6
    assert Spares(initial_spares=2, reorder_point=1, order_quantity=2).review(
        observe(small_scenario(clusters=1, modules=4), [Row(status=F)] * 4 + used + ordered, day=Y)) == []


def test_tech_refresh_upgrades_only_where_the_gain_pays_back_in_time():
    sc = small_scenario(generations=2)        # gen-2032 has 3x the performance per watt of gen-2030
    rows = [Row(), Row(), Row(), Row()]
    # payback: (16 units x $40k + half a $2M trip) / (16 x (6 - 2) PFLOPS x 96.1% daylight x $100) = 267 days
    p = TechRefresh(factor=2.0, value_usd_per_pflops_day=100)
    assert p.payback_days(observe(sc, rows, day=2.5 * Y), [0])[0] == pytest.approx(1.64e6 / (64 * 0.961 * 100))
    # 2.5 years before the horizon: all pay back; one servicer, 32 units a trip: modules 0 and 1 first
    assert [(a.modules, a.upgrade) for a in p.review(observe(sc, rows, day=2.5 * Y))] == [((0, 1), True)]
    assert p.review(observe(sc, rows, day=4.5 * Y)) == []                      # half a year left < 267 days
    assert TechRefresh(factor=4.0).review(observe(sc, rows, day=2.5 * Y)) == []  # 3x is not 4x
    assert p.review(observe(sc, rows, day=1.5 * Y)) == []                      # gen-2032 not out yet


def test_economic_repairs_a_broken_module_and_deorbits_when_compute_is_worthless():
    obs = observe(small_scenario(), [Row(failed=12), Row(), Row(), Row()], day=Y)
    actions = Economic(value_usd_per_pflops_day=100).review(obs)
    assert [(type(a), a.modules) for a in actions] == [(Service, (0,))]
    worthless = Economic(value_usd_per_pflops_day=1e-6).review(obs)
    assert [(type(a), a.modules) for a in worthless] == [(Deorbit, (0, 1, 2, 3))]


def test_combined_merges_a_servicing_rule_and_a_refresh_rule():
    sc = small_scenario(generations=2)
    obs = observe(sc, [Row(failed=4, crossed=True), Row(), Row(), Row()], day=2.5 * Y)
    p = compose(ServiceOnThreshold(threshold_fraction=0.25), TechRefresh(factor=2.0))
    actions = p.review(obs)
    named = [m for a in actions for m in a.modules]
    assert len(named) == len(set(named)), "a module is named by two trips"
    assert actions[0] == Service(modules=(0,), reason=actions[0].reason)   # the servicing rule first
    assert all(a.upgrade for a in actions[1:]) and 0 not in [m for a in actions[1:] for m in a.modules]


def test_merge_takes_the_largest_launch_and_drops_modules_already_named():
    merged = merge([[Launch(count=2, cluster=0), Service(modules=(1, 2))],
                    [Launch(count=3, cluster=0), Launch(count=1, cluster=1), Service(modules=(2, 3), upgrade=True),
                     Deorbit(modules=(1,))]])
    assert merged == [Launch(count=3, cluster=0), Launch(count=1, cluster=1), Service(modules=(1, 2)),
                      Service(modules=(3,), upgrade=True)]


def test_combined_gives_each_part_its_own_threshold_and_review_interval():
    obs = observe(small_scenario(), [Row(failed=4, crossed=True), Row(failed=8, crossed=True), Row(), Row()], day=Y)
    p = Combined(parts=(ServiceOnThreshold(threshold_fraction=0.5), ServiceOnThreshold(threshold_fraction=0.2)))
    assert p.threshold_failed_fraction() == 0.2
    # the 50% rule sees only module 1 (8 of 16 failed) as crossed and goes first; the 20% rule's trip
    # would be a second one, but there is one free servicer
    assert [a.modules for a in p.on_threshold(obs, 0)] == [(1,)]
    two = observe(small_scenario(servicers=2), [Row(failed=4, crossed=True), Row(failed=8, crossed=True), Row(), Row()],
                  day=Y)
    assert [a.modules for a in p.on_threshold(two, 0)] == [(1,), (0,)]
    slow = Combined(parts=(Null(review_interval_days=3650), ServiceOnThreshold(review_interval_days=30)))
    assert slow.review_interval_days == 30
    assert math.isclose(Combined(parts=(Null(),), review_interval_days=7).review_interval_days, 7)


@dataclasses.dataclass(frozen=True)
class LaunchOnEveryWake(Null):
    """Declares no threshold of its own but acts on every wake-up, servicers or not."""

    def on_threshold(self, obs, module):
        return [Launch(count=1)]


def test_combined_skips_wake_ups_only_if_every_part_acting_on_them_allows_it():
    assert ServiceOnThreshold().threshold_needs_free_servicer()
    assert not Replenish().threshold_needs_free_servicer()
    assert Combined(parts=(ServiceOnThreshold(), Replenish(), TechRefresh())).threshold_needs_free_servicer()
    assert not Combined(parts=(ServiceOnThreshold(), LaunchOnEveryWake())).threshold_needs_free_servicer()


def test_combined_from_plain_data_as_in_a_scenario_and_back(tmp_path):
    from policies.base import plain_params
    from policies.registry import make_policy
    from runs import simulate
    spec = {"parts": [{"name": "service-on-threshold", "params": {"threshold_fraction": 0.3}}, "tech-refresh-v1"]}
    p = make_policy("combined", spec)
    assert p == compose(ServiceOnThreshold(threshold_fraction=0.3), TechRefresh())
    assert plain_params(p)["parts"][1] == {"name": "tech-refresh", "params": TechRefresh().params()}
    assert make_policy("combined", plain_params(p)) == p and make_policy("combined", p.params()) == p
    assert Combined(**p.params()) == p                       # the constructor takes its own parameters back
    result = simulate("tiny", seed=0, policy=p, years=1)
    saved = result.save(tmp_path / "out")                    # the manifest holds the parts as plain data
    assert '"service-on-threshold"' in (saved / "manifest.json").read_text()
    with pytest.raises(PolicyError, match="policy combined: each part"):
        make_policy("combined", {"parts": [42]})


def test_economic_upgrades_when_a_three_times_better_generation_pays_and_replaces_without_servicers():
    # 2.5 years left, gen-2032 triples the compute of a unit: upgrading earns about $9,200/day of compute
    # for $1.64M (16 new units at $40k and half of a $2M trip), far more than keeping the old units
    sc = small_scenario(generations=2)
    obs = observe(sc, [Row(), Row(), Row(), Row()], day=2.5 * Y)
    actions = Economic(value_usd_per_pflops_day=100).review(obs)
    assert [(a.modules, a.upgrade) for a in actions] == [((0, 1), True)]    # one servicer, 32 units a trip
    # no servicers: a module whose units all died is worth replacing only if compute is worth enough
    dead = [Row(failed=16), Row(), Row(), Row()]
    none = small_scenario(servicers=0)
    assert [(type(a), a.modules) for a in Economic(value_usd_per_pflops_day=1000).review(observe(none, dead, day=Y))] \
        == [(Deorbit, (0,))]
    after = observe(none, [Row(status=Status.DEORBITED), Row(), Row(), Row()], day=Y)
    assert [(a.count, a.cluster) for a in Economic(value_usd_per_pflops_day=1000).on_module_failed(after, 0)] == [(1, 0)]
    # at $100 per PFLOPS-day a new module does not pay back its $7M in four years: deorbit, no refill
    assert Economic(value_usd_per_pflops_day=100).on_module_failed(after, 0) == []


def test_ramp_schedule_is_linear_between_listed_years_rounded_up_and_flat_outside():
    schedule = {2030: 4, 2040: 14}
    assert [scheduled_modules(schedule, y) for y in (2025.0, 2030.0, 2035.0, 2040.0, 2050.0)] == [4, 4, 9, 14, 14]
    assert scheduled_modules(schedule, 2031.05) == 6          # 5.05 modules: one more
