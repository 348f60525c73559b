"""Every summary KPI is an exact integral or count over events: the timeline only samples output.

- The same replication sampled every day, every 30 days and every year gives the same summary (to
  a relative 1e-9; only `wall_seconds` differs): on `baseline`, and on a world with hardware
  refreshes, surplus capacity and data lost to small buffers and few stations; each summary holds
  the compute identities (capacity = used + surplus, used = delivered + lost + pending).
- One module whose demand is below its capacity for a year, then above it, with a unit failure
  between samples: capacity, surplus, lost, pending and delivered PFLOPS-days by hand.
- A module that stops takes its share of the pooled backlog, by hand.
- The first timeline sample shows the modules commissioned on day 0.
- One module, one always-clear station, one scripted unit failure between two samples: the results
  produced, lost and still on board follow from the production rates before and after the failure,
  computed by hand; production must change at the failure, not at a sample.
- The backlog arithmetic and the exact present value of a cost accruing with time, by hand.
"""
import dataclasses
import math
from typing import ClassVar

import numpy as np
import pytest
from scipy import integrate

from fleet.actions import Deorbit
from fleet.observation import Observation
from fleet.economics import discounted_days
from fleet.ground import DownlinkCapacity, fill_backlog
from fleet.orbits import contact_fractions
from fleet.scenario import parse_scenario
from policies.base import Policy
from runs import load_scenario, simulate
from runs.api import with_changes
from tests.scripted import failure_trace, one_module_dict

STEPS = (1.0, 30.0, 365.25)
REL = 1e-9


def by_step(scenario, policy=None, seed=3):
    return [simulate(with_changes(scenario, timeline_step_days=step), seed=seed, policy=policy)
            for step in STEPS]


def assert_identities(s: dict) -> None:
    """The compute identities of issue 12, point 2, to a relative 1e-9."""
    used = s["delivered_pflops_days"] + s["lost_pflops_days"] + s["pending_pflops_days"]
    assert s["capacity_pflops_days"] == pytest.approx(used + s["surplus_pflops_days"], rel=REL)
    assert used <= s["demand_pflops_days"] * (1 + REL)
    assert s["mean_availability"] == pytest.approx(s["delivered_pflops_days"] / s["demand_pflops_days"], rel=REL)
    assert s["cost_per_pflops_day_usd"] == pytest.approx(s["cost_total_usd"] / s["delivered_pflops_days"], rel=REL)
    assert s["data_generated_tb"] == pytest.approx(
        s["data_delivered_tb"] + s["data_lost_tb"] + s["data_backlog_tb"], rel=REL)


def assert_same_summaries(results):
    for r in results:
        assert_identities(r.summary)
    first = results[0].summary
    for r in results[1:]:
        assert set(r.summary) == set(first)
        for key, value in first.items():
            other = r.summary[key]
            if key == "wall_seconds" or (isinstance(value, float) and math.isnan(value) and math.isnan(other)):
                continue
            assert other == pytest.approx(value, rel=REL, abs=1e-12), key


def test_baseline_summary_does_not_depend_on_the_timeline_step():
    results = by_step(with_changes(load_scenario("baseline"), horizon_years=10))
    s = results[0].summary
    assert s["unit_failures"] > 0 and s["servicing_trips"] > 0
    assert_same_summaries(results)


def test_refreshes_and_data_loss_do_not_depend_on_the_timeline_step():
    data = load_scenario("baseline").model_dump(mode="json")
    data.update(horizon_years=8)
    data["fleet"]["module"]["data_buffer_tb"] = 0.5
    data["ground"]["stations"] = data["ground"]["stations"][:3]
    data["demand"] = {"level": 0.9 * data["fleet"]["target_power_mw"]}     # the first fleet is 10% too large
    results = by_step(parse_scenario(data, "refresh-and-loss"), policy="tech-refresh")
    s = results[0].summary
    assert s["upgrades"] > 0 and s["data_lost_tb"] > 0 and s["data_backlog_tb"] >= 0
    assert s["lost_pflops_days"] > 0 and s["surplus_pflops_days"] > 0
    assert_same_summaries(results)


def instant_module(**module) -> dict:
    """`one_module_dict` with no lead time and no commissioning: the module runs from day 0."""
    base = one_module_dict()
    base["launch"]["vehicles"][0]["lead_time_days"] = 0
    base["fleet"]["module"].update(commissioning_days=0, array_degradation_per_year=0.0, **module)
    return base


def test_first_sample_shows_day_zero_commissioning_and_availability_is_exact():
    base = instant_module()
    base["timeline_step_days"] = 365.25
    r = simulate(parse_scenario(base, "instant"), seed=0)
    assert r.timeline["modules_operational"].iloc[0] == 1
    assert r.timeline["availability"].iloc[0] == 1.0
    # the module meets demand all the time, idle in eclipse only; its results always reach the ground
    sunlit = 1.0 - base["fleet"]["module"]["eclipse_fraction"]
    assert r.summary["mean_availability"] == pytest.approx(sunlit, rel=1e-12)


def test_production_changes_at_a_unit_failure_between_samples(tmp_path):
    units, pflops, horizon = 16, 2.0, 730.5
    fail = 0.8 * horizon                      # between two samples 100 days apart
    base = instant_module(units=units, solar_array_kw=17.6, eclipse_fraction=0.0)
    probe = parse_scenario(base, "probe")
    drain = DownlinkCapacity(probe.ground, contact_fractions(probe)).total((True,))
    before, after = units * pflops, (units - 1) * pflops
    tb = drain / (before - pflops / 2)        # production crosses the drain at the failure
    excess = tb * pflops / 2                  # TB/day above the drain before, below it after
    buffer = excess * fail / 2                # full half-way to the failure
    base["ground"]["data_tb_per_pflops_day"] = tb
    base["fleet"]["module"]["data_buffer_tb"] = buffer
    base["timeline_step_days"] = 100.0
    base["failures"]["trace"] = failure_trace(tmp_path, [fail])
    s = simulate(parse_scenario(base, "one-failure"), seed=0).summary

    generated = tb * (before * fail + after * (horizon - fail))
    lost = excess * fail - buffer
    pending = buffer - excess * (horizon - fail)
    assert pending > 0 and lost > 0
    assert s["data_generated_tb"] == pytest.approx(generated, rel=1e-12)
    assert s["data_lost_tb"] == pytest.approx(lost, rel=1e-9)
    assert s["data_backlog_tb"] == pytest.approx(pending, rel=1e-9)
    assert s["data_delivered_tb"] == pytest.approx(generated - lost - pending, rel=1e-12)


def test_demand_below_capacity_then_above_with_a_failure_by_hand(tmp_path):
    """One module of 16 units of 2 PFLOPS (32 PFLOPS, no eclipse) from day 0; demand 28 PFLOPS in the
    first year and 40 in the second; one unit fails at day 584.4, between two samples 100 days
    apart. The fleet uses 28 (4 idle), then 32, then 30 PFLOPS; results of 31 PFLOPS a day go down."""
    units, pflops, horizon, year = 16, 2.0, 730.5, 365.25
    fail = 0.8 * horizon
    base = instant_module(units=units, solar_array_kw=17.6, eclipse_fraction=0.0)
    base["demand"] = {"unit": "pflops", "by_year": {base["start_year"]: 28.0, base["start_year"] + 1: 40.0}}
    probe = parse_scenario(base, "probe")
    drain = DownlinkCapacity(probe.ground, contact_fractions(probe)).total((True,))
    tb = drain / 31.0                          # TB per PFLOPS-day: the drain carries 31 PFLOPS' results
    rise, fall = fail - year, horizon - fail   # 32 then 30 PFLOPS used: +1 then -1 PFLOPS-day per day
    buffer_pd = 0.75 * rise                    # the buffer (in PFLOPS-days of results) fills at 3/4 of the rise
    base["ground"]["data_tb_per_pflops_day"] = tb
    base["fleet"]["module"]["data_buffer_tb"] = buffer_pd * tb
    base["timeline_step_days"] = 100.0
    base["failures"]["trace"] = failure_trace(tmp_path, [fail])
    s = simulate(parse_scenario(base, "demand-and-failure"), seed=0, policy="null").summary

    capacity = 32.0 * fail + 30.0 * fall
    surplus = 4.0 * year                       # 32 - 28 over the first year, none after
    used = 28.0 * year + 32.0 * rise + 30.0 * fall
    lost = rise - buffer_pd                    # 1 PFLOPS-day a day above the drain, beyond the buffer
    pending = buffer_pd - fall                 # then drained at 1 PFLOPS-day a day
    assert lost > 0 and pending > 0
    assert s["capacity_pflops_days"] == pytest.approx(capacity, rel=1e-12)
    assert s["surplus_pflops_days"] == pytest.approx(surplus, rel=1e-12)
    assert s["demand_pflops_days"] == pytest.approx(28.0 * year + 40.0 * year, rel=1e-12)
    assert s["lost_pflops_days"] == pytest.approx(lost, rel=1e-9)
    assert s["pending_pflops_days"] == pytest.approx(pending, rel=1e-9)
    assert s["delivered_pflops_days"] == pytest.approx(used - lost - pending, rel=1e-9)
    assert s["data_lost_tb"] == pytest.approx(lost * tb, rel=1e-9)
    assert s["mean_availability"] == pytest.approx((used - lost - pending) / (68.0 * year), rel=1e-9)
    assert_identities(s)


@dataclasses.dataclass(frozen=True)
class DeorbitOneOnDay300(Policy):
    """Deorbits the first of two operational modules at the review of day 300."""

    name: ClassVar[str] = "deorbit-one-on-day-300"
    review_interval_days: float = 100.0

    def review(self, obs: Observation) -> list:
        ops = obs.operational()
        return [Deorbit(modules=(int(ops[0]),))] if obs.day == 300.0 and len(ops) == 2 else []


def test_a_module_that_stops_takes_its_share_of_the_backlog():
    """Two modules, each producing results at twice the drain, fill a large buffer; on day 300 one
    is deorbited and takes half the backlog with it; the other keeps its half."""
    base = instant_module(eclipse_fraction=0.0)
    base["fleet"]["target_power_mw"] = 0.032                    # two modules of 32 PFLOPS
    base["demand"] = {"unit": "pflops", "level": 1000.0}        # never caps
    probe = parse_scenario(base, "probe")
    drain = DownlinkCapacity(probe.ground, contact_fractions(probe)).total((True,))
    base["ground"]["data_tb_per_pflops_day"] = drain / 16.0     # 32 PFLOPS make twice the drain
    base["fleet"]["module"]["data_buffer_tb"] = 10_000 * drain
    horizon, day = 730.5, 300.0
    s = simulate(parse_scenario(base, "share"), seed=0, policy=DeorbitOneOnDay300()).summary
    assert s["deorbits"] == 1
    backlog = 3 * drain * day                                   # 4 drains produced, 1 sent down
    assert s["data_lost_tb"] == pytest.approx(backlog / 2, rel=1e-9)
    assert s["data_backlog_tb"] == pytest.approx(backlog / 2 + drain * (horizon - day), rel=1e-9)
    assert_identities(s)


def test_backlog_by_hand():
    # rises at 5 TB/day for a day (2 TB overflow a 3 TB buffer), then falls at 1 TB/day for 2 days
    assert fill_backlog(0.0, np.array([10.0, 4.0]), np.array([1.0, 2.0]), 5.0, 3.0) == (1.0, 2.0)
    # a buffer that shrank below the backlog loses the difference, then drains to empty
    assert fill_backlog(5.0, np.array([1.0]), np.array([10.0]), 5.0, 3.0) == (0.0, 2.0)
    # a zero-length piece above the drain after the fall does not count as rising
    assert fill_backlog(2.0, np.array([4.0, 9.0, 4.0]), np.array([1.0, 0.0, 1.0]), 5.0, 3.0) == (0.0, 0.0)


@pytest.mark.parametrize("rate", [0.0, 0.07])
def test_cost_accruing_with_time_has_its_exact_present_value(rate):
    start, stop = 100.0, 4000.0
    numeric, _ = integrate.quad(lambda d: (1 + rate) ** (-d / 365.25), start, stop)
    assert float(discounted_days(rate, start, stop)) == pytest.approx(numeric, rel=1e-12)


def test_orbit_levelised_cost_divides_by_the_same_delivered_compute():
    """At a zero discount rate, orbit's levelised cost (monthly flows) is its total cost over
    delivered compute: the Earth comparison uses the same exact integral of delivered compute."""
    data = load_scenario("tiny").model_dump(mode="json")
    data["economics"]["discount_rate"] = 0.0
    data["ground"]["data_tb_per_pflops_day"] = 0.2          # results lost, so delivered < used
    s = simulate(parse_scenario(data, "undiscounted"), seed=2).summary
    assert s["lost_pflops_days"] > 0
    assert s["orbit_levelised_usd_per_pflops_day"] == pytest.approx(s["cost_per_pflops_day_usd"], rel=1e-9)
