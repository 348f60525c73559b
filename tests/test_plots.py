"""Each plot draws exactly the numbers of the result it was given."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fleet.scenario import parse_scenario
from runs import load_scenario, plots, simulate


def rough_scenario():
    """tiny with two clusters, unreliable launches, debris, storms and a second generation."""
    s = load_scenario("tiny").model_dump(mode="json")
    s["fleet"].update(clusters=2, target_power_mw=0.128)
    s["launch"]["vehicles"][0].update(success_probability=0.6, payload_kg=5000)
    s["failures"]["debris"] = {"strikes_per_module_year": 0.08}
    s["failures"]["solar_particle_events"] = {"mean_rate_per_year": 0.5, "unit_kill_probability": 0.05}
    s["failures"]["unit"]["rate_per_year"] = 0.15
    s["servicing"]["success_probability"] = 0.8
    return parse_scenario(s, "rough")


RICH = ("launch_failures", "module_failures", "servicing_failures")


@pytest.fixture(scope="module")
def run():
    """The first replication (seeds 0, 1, ...) with launch, module and servicing failures, so that
    the plots' counts are checked on every cause; rough_scenario makes one likely at any seed."""
    for seed in range(20):
        r = simulate(rough_scenario(), seed=seed)
        if all(r.summary[k] > 0 for k in RICH):
            return r
    pytest.fail(f"no replication of rough_scenario with every one of {RICH}")


def lines(fig, ax=0):
    return fig.axes[ax].get_lines()


def test_capacity_plots_the_timeline_columns(run):
    fig = plots.capacity(run.timeline)
    cap, target = lines(fig)
    np.testing.assert_array_equal(cap.get_xdata(), run.timeline.time_years)
    np.testing.assert_array_equal(cap.get_ydata(), run.timeline.capacity_pflops)
    np.testing.assert_array_equal(target.get_ydata(), run.timeline.demand_pflops)


def test_modules_by_state_counts_match_timeline_and_events(run):
    data = plots.modules_by_state(run.timeline, run.events)
    np.testing.assert_array_equal(data["operational"], run.timeline.modules_operational)
    np.testing.assert_array_equal(data["in pipeline"], run.timeline.modules_in_pipeline)
    last = data.iloc[-1]
    s = run.summary
    assert last["failed in orbit"] == s["module_failures"]
    assert last["deorbited"] == s["deorbits"]
    assert last["lost at launch"] == s["modules_lost_at_launch"]
    assert (np.diff(data["failed in orbit"]) >= 0).all()
    # at each sample, the failed count is the module_failure events up to then
    failed_days = run.events.loc[run.events.kind == "module_failure", "time_days"].to_numpy()
    for day, n in zip(run.timeline.time_days, data["failed in orbit"]):
        assert n == (failed_days <= day).sum()
    fig = plots.modules(run.timeline, run.events)
    drawn = {line.get_label(): line.get_ydata() for line in lines(fig)}
    for col in data.columns[1:]:
        np.testing.assert_array_equal(drawn[col], data[col])


def test_failures_by_cause_add_up_to_the_summary(run):
    units, causes = plots.failures_by_cause(run.events)
    s = run.summary
    assert units.sum() == s["unit_failures"]
    assert causes["launch failure"].sum() == s["modules_lost_at_launch"]
    assert causes["bus failure"].sum() + causes["debris strike"].sum() == s["module_failures"]
    assert causes["servicing failure"].sum() == s["servicing_failures"]
    fig = plots.failures(run.events)
    heights = [p.get_height() for p in fig.axes[0].patches]
    np.testing.assert_array_equal(heights, units.to_numpy())
    stacked = sum(p.get_height() for p in fig.axes[1].patches)
    assert stacked == causes.to_numpy().sum()


def test_servicers_ground_and_cost_plot_their_columns(run):
    t = run.timeline
    fig = plots.servicers(t, 1)
    busy, queued, fleet = lines(fig)
    np.testing.assert_array_equal(busy.get_ydata(), t.servicers_busy)
    np.testing.assert_array_equal(queued.get_ydata(), t.trips_queued)
    assert list(fleet.get_ydata()) == [1, 1]
    fig = plots.ground(t)
    np.testing.assert_array_equal(lines(fig, 0)[0].get_ydata(), t.backlog_tb)
    np.testing.assert_array_equal(lines(fig, 1)[0].get_ydata(), t.data_lost_tb)
    fig = plots.cost(t)
    np.testing.assert_allclose(lines(fig)[0].get_ydata() * 1e6, t.cost_cumulative_usd, rtol=1e-12)


def comparison_table():
    rng = np.random.default_rng(3)
    common = rng.normal(100, 10, 8)                 # what the seed does to both policies
    rows = []
    for policy, shift in (("a", 0.0), ("b", 5.0), ("c", -2.0)):
        noise = rng.normal(0, 1, 8)
        for rep in range(8):
            rows.append({"policy": policy, "replication": rep, "cost": common[rep] + shift + noise[rep],
                         "avail": 0.9 + 0.01 * noise[rep]})
    return pd.DataFrame(rows)


def test_policy_means_and_paired_differences_by_hand():
    table = comparison_table()
    means = plots.policy_means(table, "cost")
    v = table.loc[table.policy == "b", "cost"].to_numpy()
    assert means.loc["b", "mean"] == pytest.approx(v.mean())
    assert means.loc["b", "half_width"] == pytest.approx(stats.t.ppf(0.975, 7) * v.std(ddof=1) / math.sqrt(8))
    diff = plots.paired_differences(table, "cost", baseline="a")
    d = v - table.loc[table.policy == "a", "cost"].to_numpy()
    assert list(diff.index) == ["b", "c"]
    assert diff.loc["b", "mean"] == pytest.approx(d.mean())
    assert diff.loc["b", "half_width"] == pytest.approx(stats.t.ppf(0.975, 7) * d.std(ddof=1) / math.sqrt(8))
    # pairing removes the seed's common part: the paired interval is much narrower
    assert diff.loc["b", "half_width"] < means.loc["b", "half_width"] / 3
    with pytest.raises(ValueError, match="baseline"):
        plots.paired_differences(table, "cost", baseline="zzz")


def test_comparison_figures_draw_the_means_and_differences():
    table = comparison_table()
    fig = plots.kpi_distributions(table, ["cost", "avail"])
    assert len(fig.axes) == 2
    means = plots.policy_means(table, "cost")
    drawn = fig.axes[0].get_lines()[0].get_xdata()       # the errorbar's centre points
    np.testing.assert_allclose(drawn, means["mean"])
    fig = plots.differences(table, ["cost"], baseline="a")
    diff = plots.paired_differences(table, "cost", baseline="a")
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_xdata(), diff["mean"])


def test_response_grid_is_the_mean_over_replications():
    rows = [{"policy": "p", "replication": r, "x.a": a, "y.b": b, "cost": a * 10 + b + r}
            for a in (1, 2, 3) for b in (10, 20) for r in range(4)]
    table = pd.DataFrame(rows)
    grid = plots.response_grid(table, "x.a", "y.b", "cost")
    assert grid.shape == (2, 3)
    assert grid.loc[20, 3] == pytest.approx(30 + 20 + 1.5)
    fig = plots.response(table, "x.a", "y.b", "cost", level=35)
    np.testing.assert_allclose(fig.axes[0].get_images()[0].get_array(), grid.to_numpy())
    assert fig.axes[0].collections, "the contour at the level is drawn"


def test_capacity_far_above_target_uses_a_log_scale_and_big_costs_billions():
    t = pd.DataFrame({"time_years": [0.0, 1.0, 2.0], "capacity_pflops": [0.0, 100.0, 5000.0],
                      "demand_pflops": [100.0] * 3, "cost_cumulative_usd": [0.0, 1e10, 3e10]})
    fig = plots.capacity(t)
    assert fig.axes[0].get_yscale() == "log"
    np.testing.assert_array_equal(lines(fig)[0].get_ydata(), t.capacity_pflops)
    fig = plots.cost(t)
    assert fig.axes[0].get_ylabel() == "billion USD"
    np.testing.assert_allclose(lines(fig)[0].get_ydata() * 1e9, t.cost_cumulative_usd)


def test_variant_differences_leave_a_variant_without_its_baseline_blank():
    table = pd.DataFrame({"policy": ["a", "b", "a", "b", "b"], "replication": [0, 0, 1, 1, 0],
                          "x.y": [1, 1, 1, 1, 2], "kpi": [1.0, 3.0, 2.0, 5.0, 9.0]})
    grid = plots.variant_differences_grid(table, "kpi", "a", ["x.y"])
    assert grid.loc["x.y = 1", "b"] == pytest.approx(2.5) and np.isnan(grid.loc["x.y = 2", "b"])
    plots.variant_differences(table, "kpi", "a", ["x.y"])
