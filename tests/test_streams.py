"""Named random streams (fleet/streams.py): every stream the engine uses gives its own numbers.

The names are not listed by hand: they are recorded as the engine creates its streams during a
replication in which every source of randomness is on, and a scan of the engine's source checks
that the replication reached every stream named there.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from fleet.scenario import parse_scenario
from fleet.streams import Streams
from runs.api import SCENARIO_DIR, simulate

ROOT = Path(__file__).resolve().parents[1]
SEEDS = (0, 7)


def everything_random():
    """tiny with every source of randomness on: unreliable launches, unit and bus failures,
    radiation, storms, debris, weather at two stations, unreliable servicing with exponential
    trip times."""
    d = yaml.safe_load((SCENARIO_DIR / "tiny.yaml").read_text())
    d["name"] = "streams"
    d["horizon_years"] = 3
    d["launch"]["vehicles"][0]["success_probability"] = 0.7
    d["failures"]["unit"]["rate_per_year"] = 0.3
    d["failures"]["radiation"] = {"dose_rate_rad_per_year": 1000, "hazard_per_year_per_krad": 0.05}
    d["failures"]["solar_particle_events"] = {"mean_rate_per_year": 4.0, "unit_kill_probability": 0.1}
    d["failures"]["debris"] = {"strikes_per_module_year": 0.05}
    d["servicing"].update(success_probability=0.8, trip_time_distribution="exponential")
    return parse_scenario(d, "streams")


@pytest.fixture(scope="module")
def uses() -> dict[tuple[str, str], set[tuple[str, int]]]:
    """(kind, name) of each stream the engine asked for -> the call sites (file, line) that asked."""
    seen: dict[tuple[str, str], set[tuple[str, int]]] = {}
    sequence, keyed = Streams.sequence, Streams.keyed

    def record(kind: str, name: str) -> None:
        caller = sys._getframe(2)
        seen.setdefault((kind, name), set()).add((caller.f_code.co_filename, caller.f_lineno))

    def recorded_sequence(self, name):
        record("sequence", name)
        return sequence(self, name)

    def recorded_keyed(self, name, i, j=0):
        record("keyed", name)
        return keyed(self, name, i, j)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Streams, "sequence", recorded_sequence)
        mp.setattr(Streams, "keyed", recorded_keyed)
        r = simulate(everything_random(), seed=1, policy="service-on-threshold")
    assert r.summary["servicing_trips"] > 0 and r.summary["launches"] > 0
    return seen


def names_in_source() -> set[str]:
    """Stream names written in the engine's source (an f-string name up to its first brace)."""
    found = set()
    for path in [*(ROOT / "events").glob("*.py"), *(ROOT / "fleet").glob("*.py"), *(ROOT / "policies").glob("*.py")]:
        if path.name == "streams.py":
            continue
        for name in re.findall(r"""\b(?:sequence|keyed)\(\s*f?["']([^"'{]+)""", path.read_text()):
            found.add(name)
    return found


def test_the_replication_reaches_every_stream_named_in_the_engine(uses):
    written = names_in_source()
    assert len(written) >= 7, written                # the scan itself works
    used = {name for _, name in uses}
    missing = {w for w in written if not any(u.startswith(w) for u in used)}
    assert not missing, f"the test replication never created {missing}"


def test_each_stream_is_drawn_from_one_place(uses):
    """Two parts of the engine sharing a stream would couple their numbers."""
    shared = {key: sites for key, sites in uses.items() if len(sites) > 1}
    assert not shared
    assert len({name for _, name in uses}) == len(uses), "a name used both as sequence and keyed stream"


def fingerprint(streams: Streams, kind: str, name: str) -> tuple[float, ...]:
    if kind == "sequence":
        return tuple(streams.sequence(name).random(4))
    return tuple(streams.keyed(name, 0, 0).random(4)) + tuple(streams.keyed(name, 1, 0).random(4))


@pytest.mark.parametrize("seed", SEEDS)
def test_every_stream_gives_different_numbers_for_the_same_seed(uses, seed):
    assert len(uses) >= 8
    streams = Streams(seed)
    firsts: dict[float, str] = {}
    for kind, name in sorted(uses):
        numbers = fingerprint(streams, kind, name)
        for x in numbers:
            assert x not in firsts or firsts[x] == name, f"streams {firsts[x]!r} and {name!r} share numbers"
            firsts[x] = name
        assert len(set(numbers)) == len(numbers)


def test_a_keyed_stream_gives_each_thing_its_own_numbers():
    s = Streams(3)
    draws = {(i, j): tuple(s.keyed("unit-lifetimes", i, j).random(3)) for i in range(4) for j in range(3)}
    assert len(set(draws.values())) == len(draws)
    assert np.array_equal(s.keyed("unit-lifetimes", 2, 1).random(3), draws[(2, 1)])   # replayable
