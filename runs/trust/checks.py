"""The policy conformance kit: the promises of the `Policy` interface, checked on any policy.

    from runs import check_policy, parametrize_with_checks
    check_policy(MyPolicy)                    # every check; raises ConformanceError listing what failed

    @parametrize_with_checks([MyPolicy(), MyPolicy(batch_modules=3)])
    def test_my_policy(policy, check):        # one pytest test per (policy, check)
        check(policy)

Each check takes a policy instance and raises `ConformanceError` saying what is wrong. The checks on
hand-built observations (runs/trust/worlds.py) call every hook directly; the engine checks run short
replications of the shipped `tiny` scenario.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import pickle
from typing import Any, Callable, Iterable

import pandas as pd

from events.engine import run_replication
from fleet.actions import ACTION_TYPES
from fleet.economics import DAYS_PER_YEAR
from fleet.errors import PolicyError, PolicyFailure
from fleet.observation import Observation
from fleet.scenario import Scenario
from fleet.state import Status
from policies.base import Policy
from runs.api import load_scenario, with_changes
from runs.trust.worlds import Row, observe, same, small_scenario, snapshot

Check = Callable[[Policy], None]
ENGINE_SEED = 0
ENGINE_SCENARIO = "tiny"
HOOKS: tuple[tuple[str, tuple], ...] = (
    ("review", ()), ("on_module_failed", (2,)), ("on_launch_failed", ((2,),)), ("on_trip_returned", ((0,),)),
    ("on_generation_available", (1,)), ("on_threshold", (0,)))
MASKED_SUMMARY = frozenset({"wall_seconds"})   # wall-clock time, the one figure that may differ between runs


class ConformanceError(AssertionError):
    """A policy broke a promise of the Policy interface; the message names the policy and the promise."""


def worlds(servicers_busy: int | None = None) -> dict[str, Callable[[], Observation]]:
    """(name, builder) of observations covering the states a policy meets: a fresh fleet, a damaged
    one with every status, a late one with a servicer out. `servicers_busy` overrides the busy count."""
    S, O, F, D = Status.SPARE, Status.OPERATIONAL, Status.FAILED, Status.DEORBITED
    one, two = small_scenario(), small_scenario(clusters=2, modules=6, generations=2)

    def busy(default: int, scenario: Scenario) -> int:
        return default if servicers_busy is None else min(servicers_busy, scenario.servicing.servicers)

    return {
        "fresh": lambda: observe(one, [Row() for _ in range(4)], day=0.0, servicers_busy=busy(0, one)),
        "damaged": lambda: observe(two, [
            Row(failed=5, crossed=True, commissioned_day=100), Row(failed=1, commissioned_day=100),
            Row(status=F), Row(cluster=1, failed=16, crossed=True), Row(cluster=1, commissioned_day=900),
            Row(status=Status.IN_TRANSIT, cluster=1), Row(status=S, spare=True), Row(status=Status.ORDERED, spare=True),
            Row(status=D, cluster=1)], day=3 * DAYS_PER_YEAR, servicers_busy=busy(0, two)),
        "late": lambda: observe(two, [Row(failed=3, crossed=True), Row(cluster=1, failed=2, pending_trip=True),
                                      Row(status=F, cluster=1), Row(status=O, failed=9, crossed=True)],
                                day=4.9 * DAYS_PER_YEAR, servicers_busy=busy(1, two)),
    }


def _fail(policy: Policy, promise: str, problem: str) -> None:
    raise ConformanceError(f"policy {_name(policy)}: {promise}: {problem}")


def _name(policy: Any) -> str:
    try:
        return str(policy.label)
    except Exception:   # a broken label is itself reported by check_label_and_parameters
        return type(policy).__name__


def _calls(policy: Policy, obs: Observation) -> Iterable[tuple[str, Any]]:
    """(hook, what it returned) for every hook called on `obs`."""
    for hook, args in HOOKS:
        yield hook, getattr(policy, hook)(obs, *args)


def check_returns_only_actions(policy: Policy) -> None:
    """Every hook returns a list whose items are actions (fleet.actions)."""
    for world, build in worlds().items():
        for hook, actions in _calls(policy, build()):
            if not isinstance(actions, list):
                _fail(policy, "hooks return a list of actions", f"{hook} returned {type(actions).__name__} "
                                                                 f"in the {world} world")
            wrong = [a for a in actions if not isinstance(a, ACTION_TYPES)]
            if wrong:
                _fail(policy, "hooks return a list of actions", f"{hook} returned {wrong[0]!r} in the {world} world")


def check_leaves_the_observation_alone(policy: Policy) -> None:
    """No hook changes the observation it is given (its table's arrays and its fields)."""
    for world, build in worlds().items():
        obs = build()
        before = snapshot(obs)
        for hook, _ in _calls(policy, obs):
            if not same(before, snapshot(obs)):
                _fail(policy, "the observation is read-only", f"{hook} changed it in the {world} world")


def check_deterministic(policy: Policy) -> None:
    """Equal observations give equal actions, hook by hook."""
    for world, build in worlds().items():
        for (hook, first), (_, again) in zip(_calls(policy, build()), _calls(policy, build())):
            if first != again:
                _fail(policy, "equal observations give equal actions",
                      f"{hook} returned {first!r}, then {again!r} in the {world} world")


def check_label_and_parameters(policy: Policy) -> None:
    """The label is text; parameters round-trip through the constructor; the policy pickles."""
    if not isinstance(policy.label, str) or not policy.label:
        _fail(policy, "the label is text", f"got {policy.label!r}")
    params = policy.params()
    again = type(policy)(**params)
    if again != policy or again.params() != params:
        _fail(policy, "parameters round-trip", f"{type(policy).__name__}(**{params!r}) differs from the policy")
    copy = pickle.loads(pickle.dumps(policy))
    if copy != policy or copy.label != policy.label:
        _fail(policy, "the policy pickles", "the unpickled copy differs")
    if copy.review(worlds()["damaged"]()) != policy.review(worlds()["damaged"]()):
        _fail(policy, "the policy pickles", "the unpickled copy reviews differently")


def check_parameters_documented(policy: Policy) -> None:
    """Every parameter (dataclass field) carries metadata `unit` and `help`, which `fleet policies` shows."""
    if not dataclasses.is_dataclass(policy):
        _fail(policy, "parameters are dataclass fields", f"{type(policy).__name__} is not a dataclass")
    missing = [f.name for f in dataclasses.fields(policy) if not (f.metadata.get("unit") and f.metadata.get("help"))]
    if missing:
        _fail(policy, "parameters carry a unit and a help text", f"missing on {', '.join(missing)}")


def check_wake_up_declarations(policy: Policy) -> None:
    """`threshold_failed_fraction()` is None or a fraction in [0, 1]; `threshold_needs_free_servicer()`
    is True or False; the review interval is a number of days, at least the engine's minimum."""
    fraction = policy.threshold_failed_fraction()
    if fraction is not None and (isinstance(fraction, bool) or not isinstance(fraction, (int, float))
                                 or not 0 <= fraction <= 1):
        _fail(policy, "threshold_failed_fraction() is None or a fraction from 0 to 1", f"got {fraction!r}")
    if not isinstance(policy.threshold_needs_free_servicer(), bool):
        _fail(policy, "threshold_needs_free_servicer() is True or False",
              f"got {policy.threshold_needs_free_servicer()!r}")
    interval = policy.review_interval_days
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or math.isnan(interval):
        _fail(policy, "review_interval_days is a number of days", f"got {interval!r}")


def check_needs_free_servicer_promise(policy: Policy) -> None:
    """A policy that says `threshold_needs_free_servicer()` does nothing in `on_threshold` while every
    servicer is busy: on hand-built observations, and in the engine, whose results must not change
    when it wakes the policy anyway."""
    if not policy.threshold_needs_free_servicer():
        return
    for world, build in worlds(servicers_busy=10**6).items():
        actions = policy.on_threshold(build(), 0)
        if actions:
            _fail(policy, "on_threshold does nothing while no servicer is free (threshold_needs_free_servicer)",
                  f"it returned {actions!r} with every servicer busy in the {world} world")
    skipped, woken = _replicate(policy), _replicate(_AlwaysWoken(policy))
    if not _same_runs(skipped, woken):
        _fail(policy, "on_threshold does nothing while no servicer is free (threshold_needs_free_servicer)",
              f"a run of {ENGINE_SCENARIO} (seed {ENGINE_SEED}) changes when the engine wakes it anyway")


def check_runs_in_the_engine(policy: Policy) -> None:
    """A replication of `tiny` under the policy ends without the engine refusing an action (a refusal
    is reported with the engine's message), and a second one gives the same events and summary."""
    first = _replicate(policy)
    if not _same_runs(first, _replicate(policy)):
        _fail(policy, "a replication is a function of (scenario, policy, seed)",
              f"two runs of {ENGINE_SCENARIO} with seed {ENGINE_SEED} differ")


CHECKS: tuple[Check, ...] = (
    check_returns_only_actions, check_leaves_the_observation_alone, check_deterministic,
    check_label_and_parameters, check_parameters_documented, check_wake_up_declarations,
    check_needs_free_servicer_promise, check_runs_in_the_engine)


class _AlwaysWoken:
    """The policy, except that it asks to be woken at every threshold crossing."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    def __getattr__(self, name: str) -> Any:
        return getattr(self._policy, name)

    def threshold_needs_free_servicer(self) -> bool:
        return False


def _replicate(policy: Any) -> tuple[pd.DataFrame, dict]:
    """The event table and summary of one engine run of the check scenario; a refused action fails."""
    scenario = _engine_scenario()
    try:
        out = run_replication(scenario, policy, ENGINE_SEED)
    except (PolicyFailure, PolicyError) as exc:
        _fail(policy, "its actions are valid in the engine", f"the engine refused: {exc}")
    summary = {k: v for k, v in out.summary.items() if k not in MASKED_SUMMARY}
    return out.log.frame(), summary


@functools.cache
def _engine_scenario() -> Scenario:
    return with_changes(load_scenario(ENGINE_SCENARIO), horizon_years=3)


def _same_runs(a: tuple[pd.DataFrame, dict], b: tuple[pd.DataFrame, dict]) -> bool:
    return a[0].equals(b[0]) and a[1] == b[1]


def _instance(policy: Policy | type) -> Policy:
    if not isinstance(policy, type):
        return policy
    try:
        return policy()
    except Exception as exc:
        raise ConformanceError(f"policy class {policy.__name__}: constructible with default parameters: "
                               f"{type(exc).__name__}: {exc}") from exc


def check_policy(policy: Policy | type) -> None:
    """Run every check on `policy` (an instance, or a class built with its defaults); raise
    ConformanceError listing every promise it breaks."""
    instance = _instance(policy)
    problems = []
    for check in CHECKS:
        try:
            check(instance)
        except ConformanceError as exc:
            problems.append(str(exc))
        except Exception as exc:
            problems.append(f"policy {_name(instance)}: {check.__name__} raised {type(exc).__name__}: {exc}")
    if problems:
        raise ConformanceError("\n".join(problems))


def parametrize_with_checks(policies: Iterable[Policy | type]) -> Callable:
    """A pytest decorator: the test `(policy, check)` runs once per policy and check, with ids
    `label-check_name`."""
    import pytest   # only the test-time helper needs pytest

    instances = [_instance(p) for p in policies]
    cases = [(p, c) for p in instances for c in CHECKS]
    ids = [f"{_name(p)}-{c.__name__.removeprefix('check_')}" for p, c in cases]
    return pytest.mark.parametrize(("policy", "check"), cases, ids=ids)
