"""The benchmark's floor (bench/floor.py) computes the same replication as the engine: the same
KPIs (to 1e-9 relative: only the order of floating-point sums differs) and the same event counts,
in a world where the backlog overflows, capacity exceeds demand and modules end while results wait
on board, in a slice of gigawatt as shipped, and in a run that ends while the first fleet is still
launching."""
from __future__ import annotations

import pytest

from bench.floor import floor_scenario, mismatches, run_floor
from fleet.scenario import modules_for_target, parse_scenario
from runs import load_scenario, simulate


def world(**fleet) -> object:
    """A slice of gigawatt under the floor's changes, with `fleet` fields changed."""
    data = load_scenario("gigawatt").model_dump()
    data["fleet"].update(fleet)
    data["horizon_years"] = 12
    return data


def engine_and_floor(data: dict, seed: int):
    scenario = floor_scenario(parse_scenario(data, "test"))
    result = simulate(scenario, seed=seed)
    kinds = result.events["kind"].value_counts().to_dict()
    return run_floor(scenario, seed), result.summary, kinds


@pytest.mark.parametrize("seed", [0, 3])
def test_floor_equals_engine_with_overflowing_backlog(seed):
    data = world(target_power_mw=10, clusters=3)
    data["fleet"]["module"]["data_buffer_tb"] = 0.5
    data["ground"]["data_tb_per_pflops_day"] = 0.05       # production above the downlink of most states
    data["ground"]["stations"] = data["ground"]["stations"][:3]
    data["demand"] = {"level": 7}                          # capacity above demand early on
    floor, summary, kinds = engine_and_floor(data, seed)
    assert mismatches(floor, summary, kinds) == []
    # every part of the floor was exercised
    assert summary["data_lost_tb"] > 0 and summary["surplus_pflops_days"] > 0
    assert summary["module_failures"] > 0 and summary["deorbits"] == 0 and summary["unit_failures"] > 1000


def test_floor_equals_engine_on_a_gigawatt_slice():
    data = world(target_power_mw=30, clusters=4)
    data["horizon_years"] = 20
    floor, summary, kinds = engine_and_floor(data, 1)
    assert mismatches(floor, summary, kinds) == []
    assert summary["deorbits"] > 0 and summary["ground_blackout_fraction"] > 0


def test_floor_equals_engine_when_the_run_ends_during_the_first_deployment():
    data = world(target_power_mw=60, clusters=4)
    data["horizon_years"] = 128 / 365.25     # flights every 2.4 days from day 90 to 136; 30 days to commission
    floor, summary, kinds = engine_and_floor(data, 2)
    assert mismatches(floor, summary, kinds) == []
    ordered = modules_for_target(parse_scenario(data, "test"))
    # some modules computed, some flew but were not yet commissioned, some never flew
    assert 0 < kinds["commissioned"] < summary["modules_launched"] < ordered
    assert summary["delivered_pflops_days"] > 0


def test_a_differing_kpi_or_count_is_reported():
    data = world(target_power_mw=10, clusters=3)
    floor, summary, kinds = engine_and_floor(data, 0)
    summary = dict(summary, delivered_pflops_days=summary["delivered_pflops_days"] * (1 + 1e-8))
    kinds = dict(kinds, deorbit=kinds["deorbit"] + 1, space_weather=1)
    bad = mismatches(floor, summary, kinds)
    assert len(bad) == 3 and bad[0].startswith("delivered_pflops_days") and "deorbit events" in bad[1]
