"""The objective cannot be gamed (issue 12, point 9): a policy wins only by operating the fleet better.

Each test runs paired replications on common random numbers (the same seeds) with a fixed policy,
on `tiny` cut to three years without new hardware generations:
- a fleet built to twice the demand: without failures it delivers exactly the same and costs more;
  with failures it delivers at most the single fleet's shortfall more, at a higher cost per
  delivered PFLOPS-day;
- halving the buffers or the ground stations never raises delivered compute (replication by
  replication: the fleet does the same, only results are lost);
- deorbiting working modules and launching the same hardware again never raises delivered compute
  and raises the cost per delivered PFLOPS-day;
- with no failures, ample ground, a constant demand in PFLOPS, no new generations and a fleet
  working from day 0, delivered compute equals the integral of demand exactly.
"""
from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np
import pytest

from fleet.actions import Deorbit, Launch
from fleet.observation import Observation
from fleet.scenario import parse_scenario
from policies.base import Policy
from policies.service_on_threshold import ServiceOnThreshold
from runs import load_scenario, simulate

SEEDS = (0, 1, 2, 3)
YEARS = 3
POLICY = ServiceOnThreshold(threshold_fraction=0.25, review_interval_days=30.0)


def world(**changes) -> dict:
    """`tiny` over three years, one hardware generation, certain launches."""
    base = load_scenario("tiny").model_dump(mode="json")
    base["horizon_years"] = YEARS
    base["hardware"]["trend"] = None
    base["launch"]["vehicles"][0]["success_probability"] = 1.0
    base.update(changes)
    return base


def without_failures(base: dict) -> dict:
    base["failures"] = {"unit": {"distribution": "exponential", "rate_per_year": 0.0},
                        "bus": {"distribution": "exponential", "rate_per_year": 0.0}}
    base["fleet"]["module"]["array_degradation_per_year"] = 0.0
    return base


def ample_ground(base: dict) -> dict:
    base["ground"]["stations"] = [{"name": "ample", "downlink_gbps": 1000.0, "clear_probability": 1.0, "mean_outage_hours": 1.0,
                                   "contact_fraction": 1.0}]
    return base


def twice(base: dict) -> dict:
    """The same demand, served by a fleet built to twice it."""
    double = {**base, "fleet": {**base["fleet"], "target_power_mw": 2 * base["fleet"]["target_power_mw"]}}
    double["demand"] = {"level": base["fleet"]["target_power_mw"]}
    return double


def summaries(base: dict, policy: Policy = POLICY) -> list[dict]:
    scenario = parse_scenario(base, "gaming")
    return [simulate(scenario, seed=s, policy=policy).summary for s in SEEDS]


def column(runs: list[dict], key: str) -> np.ndarray:
    return np.array([s[key] for s in runs])


def test_twice_the_fleet_without_failures_delivers_the_same_at_a_higher_cost():
    base = ample_ground(without_failures(world()))
    single, double = summaries(base, "null"), summaries(twice(base), "null")
    assert column(double, "modules_launched").min() == 2 * column(single, "modules_launched").max()
    np.testing.assert_allclose(column(double, "delivered_pflops_days"), column(single, "delivered_pflops_days"),
                               rtol=1e-9)
    assert (column(double, "surplus_pflops_days") > 0).all()
    assert (column(double, "cost_total_usd") > column(single, "cost_total_usd")).all()
    assert (column(double, "cost_per_pflops_day_usd") > column(single, "cost_per_pflops_day_usd")).all()


def test_twice_the_fleet_with_failures_gains_at_most_the_shortfall_and_costs_more_per_pflops_day():
    base = world()
    single, double = summaries(base), summaries(twice(base))
    gain = column(double, "delivered_pflops_days") - column(single, "delivered_pflops_days")
    shortfall = column(single, "demand_pflops_days") - column(single, "delivered_pflops_days")
    assert column(single, "unit_failures").min() > 0 and shortfall.mean() > 0
    assert gain.mean() <= shortfall.mean()
    assert (gain <= shortfall * (1 + 1e-9)).all()
    cost = column(double, "cost_per_pflops_day_usd") - column(single, "cost_per_pflops_day_usd")
    assert cost.mean() > 0


@pytest.mark.parametrize("halve", ["buffers", "stations"])
def test_halving_buffers_or_stations_never_raises_delivered(halve):
    base = world()
    base["ground"]["data_tb_per_pflops_day"] = 0.05                # results that strain the downlink
    base["fleet"]["module"]["data_buffer_tb"] = 5.0
    half = {**base, "fleet": {**base["fleet"], "module": dict(base["fleet"]["module"])},
            "ground": dict(base["ground"])}
    if halve == "buffers":
        half["fleet"]["module"]["data_buffer_tb"] /= 2
    else:
        half["ground"]["stations"] = base["ground"]["stations"][:1]
    full, less = summaries(base), summaries(half)
    assert column(full, "lost_pflops_days").min() > 0               # the ground limits delivery
    np.testing.assert_allclose(column(less, "capacity_pflops_days"), column(full, "capacity_pflops_days"), rtol=1e-12)
    delivered_full, delivered_less = column(full, "delivered_pflops_days"), column(less, "delivered_pflops_days")
    assert (delivered_less <= delivered_full * (1 + 1e-12)).all()
    assert delivered_less.mean() < delivered_full.mean()


@dataclasses.dataclass(frozen=True)
class Churn(Policy):
    """Deorbits two working modules at the review of day 360 and orders two of the same hardware."""

    name: ClassVar[str] = "churn"
    review_interval_days: float = 90.0

    def review(self, obs: Observation) -> list:
        if obs.day != 360.0:
            return []
        ops = obs.operational()[:2]
        return [Deorbit(modules=tuple(int(m) for m in ops), reason="churn"),
                Launch(count=len(ops), generation=int(obs.generation[ops[0]]), reason="churn")]


def test_deorbiting_working_modules_and_relaunching_them_never_raises_delivered():
    base = ample_ground(without_failures(world()))
    kept, churned = summaries(base, "null"), summaries(base, Churn())
    assert (column(churned, "deorbits") == 2).all()
    assert (column(churned, "delivered_pflops_days") <= column(kept, "delivered_pflops_days") * (1 + 1e-12)).all()
    assert (column(churned, "cost_per_pflops_day_usd") > column(kept, "cost_per_pflops_day_usd")).all()


def test_a_perfect_fleet_delivers_the_integral_of_demand_exactly():
    base = ample_ground(without_failures(world()))
    base["launch"]["vehicles"][0]["lead_time_days"] = 0
    base["fleet"]["module"].update(commissioning_days=0, eclipse_fraction=0.0)
    base["demand"] = {"unit": "pflops", "level": 100.0}             # below the fleet's 128 PFLOPS
    for s in summaries(base, "null"):
        assert s["delivered_pflops_days"] == pytest.approx(s["demand_pflops_days"], rel=1e-12)
        assert s["demand_pflops_days"] == pytest.approx(100.0 * YEARS * 365.25, rel=1e-12)
        assert s["surplus_pflops_days"] == pytest.approx(28.0 * YEARS * 365.25, rel=1e-12)
        assert s["lost_pflops_days"] == 0 and s["pending_pflops_days"] == pytest.approx(0.0, abs=1e-9)
        assert s["mean_availability"] == pytest.approx(1.0, rel=1e-12)
