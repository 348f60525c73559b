"""Processes are started where they are seen: building a component starts nothing; `run_replication`
starts each process itself, and hooks are passed in constructors."""
import dataclasses
import math

from events.comparison import MonthlyOutput
from events.depot import Depot
from events.ground import GroundNetwork
from events.launch import LaunchQueue
from events.modules import Modules
from events.review import PolicyDriver
from events.servicing import Servicing
from events.space_weather import SpaceWeather
from events.timeline import Timeline
from events.world import World
from fleet.actions import Service
from fleet.scenario import parse_scenario
from fleet.state import OPERATIONAL
from policies.null import Null
from policies.service_on_threshold import ServiceOnThreshold
from runs import load_scenario, simulate
from tests.scripted import one_module_dict


def test_building_the_components_starts_no_process():
    scenario = load_scenario("suncatcher-cluster")           # storms, several stations
    world = World(scenario, 0)
    driver = PolicyDriver(world, ServiceOnThreshold())
    modules = Modules(world, driver, driver.threshold_fraction)
    launches = LaunchQueue(world, modules, driver)
    depot = Depot(world, launches)
    servicing = Servicing(world, modules, driver, launches, depot)
    driver.operate(modules, launches, servicing, depot)
    ground = GroundNetwork(world)
    weather = SpaceWeather(world, modules)
    Timeline(world, ground, servicing)
    MonthlyOutput(world, ground)
    assert math.isinf(world.env.peek())                      # nothing on the clock
    assert len(world.log) == 0 and not launches.cargo        # nothing ordered: servicers and boards neither
    assert weather.active == (scenario.failures.solar_particle_events is not None)
    assert driver.threshold_fraction == ServiceOnThreshold().threshold_fraction


CALLS: list[tuple[str, int]] = []


@dataclasses.dataclass(frozen=True)
class _Counting(Null):
    """Null, but it keeps a note of each module end it is told of."""

    name = "counting"

    def on_module_failed(self, obs, module: int) -> list:
        CALLS.append(("on_module_failed", module))
        return []


def test_hooks_left_as_policys_are_not_called_nor_the_fleet_observed(monkeypatch):
    observed = []
    real = PolicyDriver.observe
    monkeypatch.setattr(PolicyDriver, "observe", lambda self: observed.append(self.world.now) or real(self))
    null = simulate("baseline", policy=Null(), seed=3, years=10.0)
    ends = int(null.events["kind"].isin(["module_failure", "deorbit"]).sum())
    assert ends > 10 and observed == []                     # Null overrides no hook: nothing to observe for
    observed.clear()
    CALLS.clear()
    counting = simulate("baseline", policy=_Counting(), seed=3, years=10.0)
    assert len(CALLS) == ends and len(observed) == ends
    same = lambda summary: {k: v for k, v in summary.items() if k != "wall_seconds"}   # noqa: E731
    assert same(counting.summary) == same(null.summary)


@dataclasses.dataclass(frozen=True)
class _HookOnTheInstance(Null):
    """Sets its module-end hook on the instance, not the class."""

    name = "hook-on-the-instance"

    def __post_init__(self) -> None:
        object.__setattr__(self, "on_module_failed", lambda obs, module: CALLS.append(("instance", module)) or [])


def test_a_hook_set_on_the_instance_is_called():
    CALLS.clear()
    result = simulate("baseline", policy=_HookOnTheInstance(), seed=3, years=10.0)
    ends = int(result.events["kind"].isin(["module_failure", "deorbit"]).sum())
    assert ends > 10 and len(CALLS) == ends


SEEN_FREE: list[tuple[int, int]] = []


@dataclasses.dataclass(frozen=True)
class ServeAtEachEnd(Null):
    """Sends a free servicer to the highest operational module at each module end, noting what it saw."""

    name = "serve-at-each-end"

    def on_module_failed(self, obs, module):
        SEEN_FREE.append((module, obs.servicers_free))
        ready = [m for m in range(len(obs.status)) if obs.status[m] == OPERATIONAL and not obs.pending_trip[m]]
        return [Service(modules=(ready[-1],), reason="a free servicer")] if obs.servicers_free > 0 and ready else []


def test_a_decision_at_one_module_end_is_seen_at_the_next_end_of_the_same_instant():
    """Four modules reach their design life on one day; at the first end the policy sends the only
    servicer. Its trip takes it before the next end is handled (engine changes that end modules
    together must keep this), so the later ends see no free servicer and one trip is sent in all."""
    base = one_module_dict()
    base["fleet"]["target_power_mw"] *= 4
    base["fleet"]["module"]["design_life_years"] = 1.0
    SEEN_FREE.clear()
    result = simulate(parse_scenario(base, "ends together"), seed=0, policy=ServeAtEachEnd())
    ev = result.events
    ends = ev[ev.kind == "deorbit"]
    assert ends.module.tolist() == [0, 1, 2, 3] and ends.time_days.nunique() == 1
    assert SEEN_FREE == [(0, 1), (1, 0), (2, 0), (3, 0)]
    assert result.summary["servicing_trips"] == 1
