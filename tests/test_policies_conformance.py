"""Every registered policy, two compositions and the how-to's example pass the conformance kit
(runs/trust/checks.py), one pytest test per policy and check; and the kit itself catches a policy
that breaks each promise."""
import dataclasses
from pathlib import Path

import pytest

from fleet.actions import Service
from fleet.observation import Observation
from policies.base import Policy
from policies.combined import compose
from policies.opportunistic_service import OpportunisticService
from policies.registry import LIBRARY, available, make_policy
from policies.service_on_threshold import ServiceOnThreshold
from policies.spares import Spares
from policies.tech_refresh import TechRefresh
from runs import check_policy, parametrize_with_checks
from runs.trust import checks
from runs.trust.checks import ConformanceError

EXAMPLE = str(Path(__file__).resolve().parents[1] / "runs/examples/batch_repair.py:BatchRepair")
POLICIES = [cls() for cls in available().values()] + [
    compose(ServiceOnThreshold(), TechRefresh(factor=1.5)),
    compose(Spares(), OpportunisticService(threshold_fraction=0.3)),
    make_policy(EXAMPLE),                       # the how-to's example, loaded by path
]


def test_every_library_policy_is_registered_with_a_description():
    names = set(available())
    assert {"null", "replenish", "age-replacement", "block-replacement", "service-on-threshold",
            "opportunistic-service", "spares", "tech-refresh", "economic", "combined"} <= names
    for cls in LIBRARY:
        assert cls.description and cls.version >= 1


@parametrize_with_checks(POLICIES)
def test_policy_conforms(policy, check):
    check(policy)


def test_parametrize_makes_one_test_per_policy_and_check():
    mark = parametrize_with_checks([ServiceOnThreshold, Spares()]).mark
    assert len(mark.args[1]) == 2 * len(checks.CHECKS)
    assert "service-on-threshold-v1-needs_free_servicer_promise" in mark.kwargs["ids"]


# ----- the kit catches each broken promise ------------------------------------------------------

DOCUMENTED = {"unit": "modules", "help": "a parameter"}


@dataclasses.dataclass(frozen=True)
class Quiet(Policy):
    name = "quiet"


@dataclasses.dataclass(frozen=True)
class ServesWithoutAServicer(Policy):
    """Says it needs a free servicer, yet orders a trip on every threshold crossing."""

    name = "serves-anyway"

    def threshold_failed_fraction(self) -> float | None:
        return 0.1

    def threshold_needs_free_servicer(self) -> bool:
        return True

    def on_threshold(self, obs: Observation, module: int) -> list:
        return [Service(modules=(module,))]


@dataclasses.dataclass(frozen=True)
class Scribbles(Policy):
    """Writes into the observation's table."""

    name = "scribbles"

    def review(self, obs: Observation) -> list:
        obs._table.crossed[:] = True
        return []


@dataclasses.dataclass(frozen=True)
class Moody(Policy):
    """Decides differently on equal observations (a counter kept outside its parameters)."""

    name = "moody"
    calls: list = dataclasses.field(default_factory=list, compare=False, metadata=DOCUMENTED)

    def review(self, obs: Observation) -> list:
        self.calls.append(1)
        return [] if len(self.calls) % 2 else [Service(modules=(0,))]


@dataclasses.dataclass(frozen=True)
class Chatty(Policy):
    """Returns text instead of actions."""

    name = "chatty"

    def review(self, obs: Observation) -> list:
        return ["launch two modules"]


@dataclasses.dataclass(frozen=True)
class Undocumented(Policy):
    name = "undocumented"
    batch: int = 2


@dataclasses.dataclass(frozen=True)
class LaunchesNothingReal(Policy):
    """Services a module that does not exist: the engine refuses it."""

    name = "no-such-module"

    def review(self, obs: Observation) -> list:
        return [Service(modules=(10**6,))]


def test_a_conforming_policy_passes():
    check_policy(Quiet)
    check_policy(Quiet(review_interval_days=60.0))


@pytest.mark.parametrize("policy, check, words", [
    (ServesWithoutAServicer(), checks.check_needs_free_servicer_promise, "while no servicer is free"),
    (Scribbles(), checks.check_leaves_the_observation_alone, "review changed it"),
    (Moody(), checks.check_deterministic, "equal observations give equal actions"),
    (Chatty(), checks.check_returns_only_actions, "review returned 'launch two modules'"),
    (Undocumented(), checks.check_parameters_documented, "missing on batch"),
    (LaunchesNothingReal(), checks.check_runs_in_the_engine, "the engine refused: policy no-such-module-v1"),
], ids=["needs-free-servicer", "mutates", "nondeterministic", "not-actions", "undocumented", "refused"])
def test_each_check_catches_its_broken_promise(policy, check, words):
    with pytest.raises(ConformanceError, match="policy") as caught:
        check(policy)
    assert words in str(caught.value)
    with pytest.raises(ConformanceError) as all_checks:
        check_policy(policy)
    assert words in str(all_checks.value)


def test_a_class_that_cannot_be_built_with_defaults_is_named():
    @dataclasses.dataclass(frozen=True)
    class NeedsArgs(Policy):
        name = "needs-args"
        batch: int = dataclasses.field(kw_only=True, metadata=DOCUMENTED)

    with pytest.raises(ConformanceError, match="NeedsArgs: constructible with default parameters"):
        check_policy(NeedsArgs)
