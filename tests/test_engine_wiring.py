"""Processes are started where they are seen: building a component starts nothing; `run_replication`
starts each process itself. Hooks are passed in constructors, and Combined's parts given as data are
built by the registry (no patch at import time)."""
import math

import pytest

from events.comparison import MonthlyOutput
from events.ground import GroundNetwork
from events.launch import LaunchQueue
from events.modules import Modules
from events.review import PolicyDriver
from events.servicing import Servicing
from events.space_weather import SpaceWeather
from events.timeline import Timeline
from events.world import World
from fleet.errors import PolicyError
from policies.combined import Combined
from policies.registry import make_policy
from policies.service_on_threshold import ServiceOnThreshold
from policies.tech_refresh import TechRefresh
from runs import load_scenario


def test_building_the_components_starts_no_process():
    scenario = load_scenario("suncatcher-cluster")           # storms, several stations
    world = World(scenario, 0)
    driver = PolicyDriver(world, ServiceOnThreshold())
    modules = Modules(world, driver, driver.threshold_fraction)
    launches = LaunchQueue(world, modules, driver)
    servicing = Servicing(world, modules, driver)
    driver.operate(modules, launches, servicing)
    ground = GroundNetwork(world)
    weather = SpaceWeather(world, modules)
    Timeline(world, ground, servicing)
    MonthlyOutput(world, ground)
    assert math.isinf(world.env.peek())                      # nothing on the clock
    assert weather.active == (scenario.failures.solar_particle_events is not None)
    assert driver.threshold_fraction == ServiceOnThreshold().threshold_fraction


def test_the_registry_builds_combined_parts_given_as_data():
    policy = make_policy("combined", {"parts": [{"name": "service-on-threshold", "params": {"threshold_fraction": 0.3}},
                                                "tech-refresh"]})
    first, second = policy.parts
    assert isinstance(first, ServiceOnThreshold) and first.threshold_fraction == 0.3
    assert isinstance(second, TechRefresh)
    with pytest.raises(PolicyError, match="policy combined: each part must be a policy"):
        make_policy("combined", {"parts": [42]})
    with pytest.raises(PolicyError, match="each part must be a policy"):
        Combined(parts=("service-on-threshold",))            # from Python, parts are policies
