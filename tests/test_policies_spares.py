"""In-orbit spares in the engine: spare modules wait in cold standby, outside capacity, and take an
empty slot when the (s, Q) policy activates them."""
import dataclasses

import numpy as np
import pytest

from fleet.actions import Activate
from fleet.errors import PolicyFailure
from fleet.scenario import parse_scenario
from policies import Policy
from policies.spares import Spares
from runs import load_scenario, simulate

SLOTS = 8


def scenario():
    """8 modules in 2 clusters whose buses fail at 30%/yr, for 5 years."""
    d = load_scenario("tiny").model_dump(mode="json")
    d["fleet"].update(target_power_mw=0.016 * SLOTS, clusters=2)
    d["failures"]["bus"] = {"distribution": "exponential", "rate_per_year": 0.3}
    d["timeline_step_days"] = 5
    return parse_scenario(d, "spares")


@pytest.fixture(scope="module")
def run():
    return simulate(scenario(), seed=4, policy=Spares(initial_spares=1, reorder_point=0, order_quantity=1))


def test_spares_wait_in_standby_then_fill_empty_slots(run):
    ev = run.events
    standby = ev[(ev.kind == "commissioned") & (ev.detail == "in standby as a spare")]
    activated = ev[ev.kind == "spare_activated"]
    failures = ev[ev.kind == "module_failure"]
    assert len(failures) >= 5 and len(activated) >= 3
    arrived = standby.set_index("module").time_days
    for m, t in zip(activated.module, activated.time_days):
        assert m in arrived.index and arrived[m] <= t            # only spares that arrived are activated
    # a spare waiting in the cluster of a module that dies is activated at that moment
    cluster_of = standby.set_index("module").cluster
    first_active = activated.groupby("module").time_days.min()
    for day, cluster in zip(failures.time_days, failures.cluster):
        waiting = [m for m, t in arrived.items() if t <= day and cluster_of[m] == cluster
                   and first_active.get(m, np.inf) >= day]
        if waiting:
            same = activated[(activated.time_days == day) & (activated.cluster == cluster)]
            assert len(same) == 1, f"a module died on day {day:.1f} in cluster {cluster} while a spare waited"


def test_standby_spares_add_no_capacity_and_never_fail(run):
    assert run.timeline.modules_operational.max() <= SLOTS
    ev = run.events
    activated = dict(zip(ev[ev.kind == "spare_activated"].module, ev[ev.kind == "spare_activated"].time_days))
    standby = set(ev[(ev.kind == "commissioned") & (ev.detail == "in standby as a spare")].module)
    for m, t in zip(ev[ev.kind == "module_failure"].module, ev[ev.kind == "module_failure"].time_days):
        if m in standby:
            assert m in activated and activated[m] <= t           # cold standby: a spare dies only after activation


def test_spares_beat_doing_nothing_on_the_same_seed(run):
    null = simulate(scenario(), seed=4, policy="null").summary
    assert run.summary["mean_availability"] > null["mean_availability"]
    assert run.summary["modules_launched"] > null["modules_launched"] == SLOTS


def test_activating_a_module_that_is_not_a_spare_is_refused():
    @dataclasses.dataclass(frozen=True)
    class Confused(Policy):
        name = "confused"

        def review(self, obs):
            return [Activate(modules=(0,))] if obs.count(2) else []

    with pytest.raises(PolicyFailure, match=r"policy confused-v1: review on day .*: Activate names module 0, which is operational"):
        simulate(scenario(), seed=0, policy=Confused())
