"""Processes are started where they are seen: building a component starts nothing; `run_replication`
starts each process itself, and hooks are passed in constructors."""
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
from policies.service_on_threshold import ServiceOnThreshold
from runs import load_scenario


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
