"""Metamorphic checks on the same seeds: changes whose direction is known.

Per seed, the direction can flip: with one more servicer, trips leave at other times and draw other
outcomes, so common random numbers pair the runs only loosely. The claims are about expectations,
checked on the mean paired difference over SEEDS seeds: it may fall below zero by at most two
standard errors of that mean (a real decrease larger than the noise of six pairs fails).
"""
import numpy as np
import pytest

from fleet.scenario import parse_scenario
from policies.registry import available, make_policy
from runs import load_scenario, simulate

SEEDS = range(6)


def scenario(servicers: int = 1):
    """8 modules in 2 clusters, units failing at 15%/yr, 90-day trips: servicers are the bottleneck."""
    d = load_scenario("tiny").model_dump(mode="json")
    d["fleet"].update(target_power_mw=0.016 * 8, clusters=2)
    d["failures"]["unit"]["rate_per_year"] = 0.15
    d["servicing"].update(servicers=servicers, trip_days=90)
    d["timeline_step_days"] = 10
    return parse_scenario(d, "metamorphic")


def not_lower(low: list[float], high: list[float]) -> None:
    diff = np.asarray(high) - np.asarray(low)
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    assert diff.mean() >= -2 * se, (low, high)


def test_more_servicers_never_lower_availability_under_service_on_threshold():
    avail = {k: [simulate(scenario(k), seed=s).summary["mean_availability"] for s in SEEDS] for k in (1, 2, 3)}
    not_lower(avail[1], avail[2])
    not_lower(avail[2], avail[3])
    assert np.mean(avail[3]) > np.mean(avail[1])     # and here the bottleneck makes it strictly better


def test_a_lower_threshold_never_lowers_the_number_of_trips():
    trips = {t: [simulate(scenario(), seed=s, policy=make_policy("service-on-threshold", {"threshold_fraction": t}))
                 .summary["servicing_trips"] for s in SEEDS] for t in (0.3, 0.2, 0.1)}
    not_lower(trips[0.3], trips[0.2])
    not_lower(trips[0.2], trips[0.1])
    assert np.mean(trips[0.1]) > np.mean(trips[0.3])


@pytest.mark.parametrize("seed", range(3))
def test_null_delivers_the_least_compute(seed):
    def delivered(name):
        params = {"parts": ["service-on-threshold", "tech-refresh"]} if name == "combined" else {}
        return simulate("tiny", seed=seed, policy=make_policy(name, params)).summary["delivered_pflops_days"]

    null = delivered("null")
    for name in available():
        assert null <= delivered(name) * (1 + 1e-12), name
