"""One suite of checks over every registered policy (and two compositions), as scikit-learn does for
its estimators: constructible with defaults, returns only actions, leaves its observation alone,
deterministic for equal observations, parameters round-trip, picklable."""
import pickle
from pathlib import Path

import pytest

from fleet.actions import ACTION_TYPES
from fleet.economics import DAYS_PER_YEAR
from fleet.state import Status
from policies.combined import compose
from policies.opportunistic_service import OpportunisticService
from policies.registry import LIBRARY, available, make_policy
from policies.service_on_threshold import ServiceOnThreshold
from policies.spares import Spares
from policies.tech_refresh import TechRefresh
from policy_world import Row, observe, same, small_scenario, snapshot

S, O, F, D = Status.SPARE, Status.OPERATIONAL, Status.FAILED, Status.DEORBITED


def worlds():
    """(name, builder) of observations covering the states a policy meets."""
    two = small_scenario(clusters=2, modules=6, generations=2)
    return {
        "fresh": lambda: observe(small_scenario(), [Row() for _ in range(4)], day=0.0),
        "damaged": lambda: observe(two, [
            Row(failed=5, crossed=True, commissioned_day=100), Row(failed=1, commissioned_day=100),
            Row(status=F), Row(cluster=1, failed=16, crossed=True), Row(cluster=1, commissioned_day=900),
            Row(status=Status.IN_TRANSIT, cluster=1), Row(status=S, spare=True), Row(status=Status.ORDERED, spare=True),
            Row(status=D, cluster=1)], day=3 * DAYS_PER_YEAR),
        "late": lambda: observe(two, [Row(failed=3, crossed=True), Row(cluster=1, failed=2, pending_trip=True),
                                      Row(status=F, cluster=1)], day=4.9 * DAYS_PER_YEAR, servicers_busy=1),
    }


HOOKS = [("review", ()), ("on_module_failed", (2,)), ("on_launch_failed", ((2,),)), ("on_trip_returned", ((0,),)),
         ("on_generation_available", (1,)), ("on_threshold", (0,))]

EXAMPLE = str(Path(__file__).resolve().parents[1] / "runs/examples/batch_repair.py:BatchRepair")
POLICIES = [cls() for cls in available().values()] + [
    compose(ServiceOnThreshold(), TechRefresh(factor=1.5)),
    compose(Spares(), OpportunisticService(threshold_fraction=0.3)),
    make_policy(EXAMPLE),                       # the how-to's example, loaded by path
]
IDS = [p.label for p in POLICIES]


def test_every_library_policy_is_registered_with_a_description():
    names = set(available())
    assert {"null", "replenish", "age-replacement", "block-replacement", "service-on-threshold",
            "opportunistic-service", "spares", "tech-refresh", "economic", "combined"} <= names
    for cls in LIBRARY:
        assert cls.description and cls.version >= 1


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
@pytest.mark.parametrize("world", ["fresh", "damaged", "late"])
def test_returns_only_actions_and_leaves_the_observation_alone(policy, world):
    obs = worlds()[world]()
    before = snapshot(obs)
    for hook, args in HOOKS:
        actions = getattr(policy, hook)(obs, *args)
        assert isinstance(actions, list), hook
        assert all(isinstance(a, ACTION_TYPES) for a in actions), (hook, actions)
    assert same(before, snapshot(obs))


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_deterministic_for_equal_observations(policy):
    for build in worlds().values():
        for hook, args in HOOKS:
            assert getattr(policy, hook)(build(), *args) == getattr(policy, hook)(build(), *args), hook


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_parameters_round_trip_and_pickle(policy):
    again = type(policy)(**policy.params())
    assert again == policy and again.params() == policy.params()
    copy = pickle.loads(pickle.dumps(policy))
    assert copy == policy and copy.label == policy.label
    obs = worlds()["damaged"]()
    assert copy.review(obs) == policy.review(worlds()["damaged"]())


@pytest.mark.parametrize("cls", LIBRARY, ids=[c.name for c in LIBRARY])
def test_parameters_carry_units_and_help(cls):
    import dataclasses
    for f in dataclasses.fields(cls):
        assert f.metadata.get("unit") and f.metadata.get("help"), f"{cls.name}.{f.name}"
