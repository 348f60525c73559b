"""Every summary KPI is an exact integral or count over events: the timeline only samples output.

- The same replication sampled every day, every 30 days and every year gives the same summary (to
  a relative 1e-9; only `wall_seconds` differs): on `baseline`, and on a world with hardware
  refreshes and data lost to small buffers and few stations.
- The first timeline sample shows the modules commissioned on day 0.
- One module, one always-clear station, one scripted unit failure between two samples: the results
  produced, lost and still on board follow from the production rates before and after the failure,
  computed by hand; production must change at the failure, not at a sample.
- The backlog arithmetic and the exact present value of a cost accruing with time, by hand.
"""
import math

import numpy as np
import pytest
from scipy import integrate

from fleet.economics import discounted_days
from fleet.ground import DownlinkCapacity, fill_backlog
from fleet.scenario import parse_scenario
from runs import load_scenario, simulate
from runs.api import with_changes
from tests.scripted import failure_trace, one_module_dict

STEPS = (1.0, 30.0, 365.25)
REL = 1e-9


def by_step(scenario, policy=None, seed=3):
    return [simulate(with_changes(scenario, timeline_step_days=step), seed=seed, policy=policy)
            for step in STEPS]


def assert_same_summaries(results):
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
    assert results[0].summary["unit_failures"] > 0 and results[0].summary["servicing_trips"] > 0
    assert_same_summaries(results)


def test_refreshes_and_data_loss_do_not_depend_on_the_timeline_step():
    data = load_scenario("baseline").model_dump(mode="json")
    data.update(horizon_years=8)
    data["fleet"]["module"]["data_buffer_tb"] = 0.5
    data["ground"]["stations"] = data["ground"]["stations"][:3]
    results = by_step(parse_scenario(data, "refresh-and-loss"), policy="tech-refresh")
    s = results[0].summary
    assert s["upgrades"] > 0 and s["data_lost_tb"] > 0 and s["data_backlog_tb"] >= 0
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
    assert r.summary["mean_availability"] == pytest.approx(1.0, rel=1e-12)


def test_production_changes_at_a_unit_failure_between_samples(tmp_path):
    units, pflops, horizon = 16, 2.0, 730.5
    fail = 0.8 * horizon                      # between two samples 100 days apart
    base = instant_module(units=units, solar_array_kw=17.6, eclipse_fraction=0.0)
    spec = parse_scenario(base, "probe").ground
    drain = DownlinkCapacity(spec, 1).total((True,))
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
