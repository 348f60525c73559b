"""The weather planned ahead (events/ground.py WeatherPlan) is the per-station spell process, merged
in time order; and the event log orders its texts by the day each was first logged with, so rows
logged late (the weather) do not reorder the `detail` categories."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from events.ground import WeatherPlan
from events.log import EventLog
from fleet.streams import Streams

HORIZON = 400.0


def stations():
    return [SimpleNamespace(name="a", clear_probability=0.6, mean_outage_hours=30.0),
            SimpleNamespace(name="b", clear_probability=1.0, mean_outage_hours=5.0),    # never changes
            SimpleNamespace(name="c", clear_probability=0.3, mean_outage_hours=80.0),
            SimpleNamespace(name="d", clear_probability=0.9, mean_outage_hours=2.0)]


def streams(seed: int):
    s = Streams(seed)
    return [s.sequence(f"weather/{st.name}") for st in stations()]


def reference(seed: int) -> list[tuple[float, int, bool, int]]:
    """Each station on its own, one spell per draw (blocks of 256), then all merged by day:
    (day, station, clear after, stations up after)."""
    rngs = streams(seed)
    clear = [bool(r.random() < st.clear_probability) for r, st in zip(rngs, stations())]
    changes = []
    for i, (rng, st) in enumerate(zip(rngs, stations())):
        if st.clear_probability >= 1.0:
            continue
        mean_out = st.mean_outage_hours / 24.0
        mean_clear = mean_out * st.clear_probability / (1.0 - st.clear_probability)
        day, state = 0.0, clear[i]
        while day < HORIZON:
            for e in rng.standard_exponential(256).tolist():
                day = day + e * (mean_clear if state else mean_out)
                state = not state
                if day >= HORIZON:
                    break
                changes.append((day, i, state))
    changes.sort(key=lambda c: (c[0], c[1]))
    up, out = sum(clear), []
    for day, i, state in changes:
        up += 1 if state else -1
        out.append((day, i, state, up))
    return out


def planned(seed: int, stops: list[float]) -> tuple[WeatherPlan, list[tuple[float, int, bool, int]]]:
    rngs = streams(seed)
    clear = [bool(r.random() < st.clear_probability) for r, st in zip(rngs, stations())]
    plan = WeatherPlan(stations(), rngs, clear, HORIZON)
    out = []
    for day in stops:
        start, stop = plan.take_until(day)
        out.extend(zip(plan.days[start:stop], plan.who[start:stop], plan.clear[start:stop], plan.ups[start:stop]))
    return plan, out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plan_gives_the_spell_process_changes_exactly(seed):
    expected = reference(seed)
    assert len(expected) > 500                               # many blocks of draws for station d
    stops = sorted(np.random.default_rng(seed).uniform(0, HORIZON, 30).tolist()) + [HORIZON, 2 * HORIZON]
    _, got = planned(seed, stops)
    assert got == expected                                   # the same floats, not close ones


@pytest.mark.parametrize("seed", [0, 1])
def test_taken_changes_come_at_or_before_the_day_asked(seed):
    rngs = streams(seed)
    clear = [bool(r.random() < st.clear_probability) for r, st in zip(rngs, stations())]
    plan = WeatherPlan(stations(), rngs, clear, HORIZON)
    done = 0
    for day in (3.0, 3.0, 50.5, 51.0, 300.0):
        start, stop = plan.take_until(day)
        assert start == done and all(d <= day for d in plan.days[start:stop])
        assert all(d > day for d in plan.days[stop:])
        done = stop


def test_next_blackout_is_the_first_change_leaving_no_station_clear():
    only_cloudy = [SimpleNamespace(name="a", clear_probability=0.5, mean_outage_hours=48.0),
                   SimpleNamespace(name="c", clear_probability=0.5, mean_outage_hours=48.0)]
    s = Streams(4)
    rngs = [s.sequence(f"weather/{st.name}") for st in only_cloudy]
    clear = [bool(r.random() < st.clear_probability) for r, st in zip(rngs, only_cloudy)]
    plan = WeatherPlan(only_cloudy, rngs, clear, HORIZON)
    first = plan.next_blackout()
    start, stop = plan.take_until(HORIZON)
    changes = list(zip(plan.days[start:stop], plan.clear[start:stop], plan.ups[start:stop]))
    blackouts = [d for d, c, up in changes if up == 0 and not c]
    assert len(blackouts) > 3
    assert first == blackouts[0]
    assert plan.next_blackout() is None                      # all taken: none left to wake for


def test_log_orders_texts_by_the_day_first_logged():
    log = EventLog()
    log.add(5.0, "decision", detail="late")
    log.add(2.0, "ground_outage", detail="early")           # logged after, but earlier in time
    log.add(6.0, "decision", detail="late")
    frame = log.frame()
    assert list(frame["detail"].cat.categories) == ["", "early", "late"]
    assert frame["detail"].tolist() == ["early", "late", "late"]
