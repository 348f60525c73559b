"""Pinned behaviour of the engine's processes (events/): values derived by hand from the rules the
modules document, so that a wrong operator or constant changes an asserted value (issue 18)."""
from __future__ import annotations

import re

import numpy as np
import pytest

from fleet.economics import DAYS_PER_YEAR
from runs import simulate


def test_each_change_of_weather_is_one_free_fleet_wide_event_naming_the_stations_up():
    result = simulate("tiny", seed=1)
    weather = result.events[result.events.kind.isin(["ground_outage", "ground_restored"])]
    assert len(weather) > 0
    assert (weather["count"] == 1).all() and (weather.cost_usd == 0.0).all()
    assert (weather.module == -1).all() and (weather.cluster == -1).all()
    stations = len(result.scenario.ground.stations)
    for kind, detail in zip(weather.kind, weather.detail):
        up, n = map(int, re.search(r"\((\d+) of (\d+) stations up\)", detail).groups())
        assert n == stations and (0 <= up < n if kind == "ground_outage" else 1 <= up <= n)


def stormy_tiny():
    from fleet.scenario import parse_scenario
    from runs import load_scenario

    data = load_scenario("tiny").model_dump(mode="json")
    data["failures"]["solar_particle_events"] = {"mean_rate_per_year": 3.0, "unit_kill_probability": 0.1}
    return parse_scenario(data, "stormy-tiny")


def test_storms_are_counted_once_each_and_follow_the_documented_cycle():
    from events.space_weather import SpaceWeather

    result = simulate(stormy_tiny(), seed=2)
    storms = result.events[result.events.kind == "space_weather"]
    assert len(storms) > 0 and result.summary["space_weather_events"] == len(storms)
    # rate = mean (1 + A cos(2 pi (year - max) / cycle)): mean (1 + A) at a maximum, mean (1 - A) half a cycle on
    spec = result.scenario.failures.solar_particle_events
    weather = SpaceWeather.__new__(SpaceWeather)
    weather.spec = spec
    assert weather.rate_per_year(2025.0) == pytest.approx(3.0 * 1.8)
    assert weather.rate_per_year(2025.0 + 5.5) == pytest.approx(3.0 * 0.2)
    assert weather.rate_per_year(2025.0 + 11 / 4) == pytest.approx(3.0)


def test_a_decision_costs_nothing_by_itself_and_counts_the_modules_it_names():
    result = simulate("tiny", seed=1)
    decisions = result.events[result.events.kind == "decision"]
    assert len(decisions) > 0 and (decisions.cost_usd == 0.0).all()
    for count, detail in zip(decisions["count"], decisions.detail):
        named = re.search(r"(?:order|repair|upgrade) (\d+)", detail)
        assert named is None or int(named.group(1)) == count


def test_availability_on_the_timeline_is_capacity_over_demand_at_most_one():
    timeline = simulate("tiny", seed=1).timeline
    expected = np.minimum(1.0, timeline.capacity_pflops / timeline.demand_pflops)
    assert np.allclose(timeline.availability, expected) and (timeline.demand_pflops > 0).all()
    assert (timeline.availability < 1.0).any()


def test_monthly_output_is_read_at_each_months_end_up_to_the_horizon():
    from types import SimpleNamespace

    from events.comparison import MonthlyOutput
    from events.world import World
    from runs import load_scenario

    world = World(load_scenario("tiny"), seed=0)                    # five years
    monthly = MonthlyOutput(world, SimpleNamespace(sync=lambda: None))
    assert len(monthly.edges) == 5 * 12 + 1 and monthly.edges[-1] == pytest.approx(world.horizon_day)
    assert np.allclose(np.diff(monthly.edges), DAYS_PER_YEAR / 12)


def test_a_trips_message_names_up_to_eight_modules_and_counts_the_rest():
    from events.servicing import _ids

    assert _ids((3,)) == "3"
    assert _ids(tuple(range(8))) == "0, 1, 2, 3, 4, 5, 6, 7"
    assert _ids(tuple(range(11))) == "0, 1, 2, 3, 4, 5, 6, 7 and 3 more"


def test_a_negative_counter_is_reported_by_name_the_first_one_found():
    from types import SimpleNamespace

    from events.invariants import InvariantError, check_stocks
    from fleet.kpis import COST_CATEGORIES

    summary = {**{f"cost_{c}_usd": 0.0 for c in COST_CATEGORIES},
               **{k: 0.0 for k in ("data_generated_tb", "data_delivered_tb", "data_lost_tb", "data_backlog_tb",
                                   "capacity_pflops_days", "delivered_pflops_days", "surplus_pflops_days",
                                   "lost_pflops_days", "pending_pflops_days")}}
    world = SimpleNamespace(table=SimpleNamespace(delivered_pflops_days=np.zeros(1), n=1), now=5.0,
                            counters={"launches": 2, "servicing_trips": -1, "upgrades": -3})
    with pytest.raises(InvariantError, match="servicing_trips is -1"):
        check_stocks(world, None, None, summary)
    world.counters = {"launches": 2, "deorbits": -1}
    with pytest.raises(InvariantError, match="deorbits is -1"):
        check_stocks(world, None, None, summary)
