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
from policies.null import Null
from policies.service_on_threshold import ServiceOnThreshold
from runs import load_scenario, simulate


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
