"""Pinned behaviour of the engine's processes (events/): values derived by hand from the rules the
modules document, so that a wrong operator or constant changes an asserted value (issue 18)."""
from __future__ import annotations

import re

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
