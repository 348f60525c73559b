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
    np.testing.assert_array_equal(cap.get_xdata(), run.timeline.year)        # calendar years
    assert cap.get_xdata()[0] == run.scenario.start_year
    assert fig.axes[0].get_ylabel() == "PFLOPS" and fig.axes[0].get_xlabel() == "year"
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
    calendar, _ = plots.failures_by_cause(run.events, run.scenario.start_year)
    assert calendar.index[0] == run.scenario.start_year and calendar.tolist() == units.tolist()
    stacked = sum(p.get_height() for p in fig.axes[1].patches)
    assert stacked == causes.to_numpy().sum()


def test_servicers_ground_and_cost_plot_their_columns(run):
    t = run.timeline
    fig = plots.servicers(t, 1)
    busy, queued, fleet = lines(fig)
    np.testing.assert_array_equal(busy.get_ydata(), t.servicers_busy_mean)     # averaged over each step
    np.testing.assert_array_equal(queued.get_ydata(), t.trips_queued_mean)
    assert list(fleet.get_ydata()) == [1, 1]
    fig = plots.ground(t)
    np.testing.assert_array_equal(lines(fig, 0)[0].get_ydata(), t.backlog_tb)
    np.testing.assert_array_equal(lines(fig, 1)[0].get_ydata(), t.data_lost_tb)
    fig = plots.cost(t)
    np.testing.assert_array_equal(lines(fig)[0].get_ydata(), t.cost_cumulative_usd)
    for f in (plots.capacity(t), plots.modules(t, run.events), plots.failures(run.events), plots.servicers(t, 1),
              plots.ground(t), plots.cost(t)):
        for ax in f.axes:
            assert ax.get_ylabel(), "every axis has its unit"


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


def test_capacity_far_above_target_uses_a_log_scale_and_big_costs_si_suffixes():
    t = pd.DataFrame({"time_years": [0.0, 1.0, 2.0], "capacity_pflops": [0.0, 100.0, 5000.0],
                      "demand_pflops": [100.0] * 3, "cost_cumulative_usd": [0.0, 1e10, 3e10]})
    fig = plots.capacity(t)
    assert fig.axes[0].get_yscale() == "log"
    np.testing.assert_array_equal(lines(fig)[0].get_ydata(), t.capacity_pflops)
    fig = plots.cost(t)
    assert fig.axes[0].get_ylabel().startswith("USD")
    np.testing.assert_allclose(lines(fig)[0].get_ydata(), t.cost_cumulative_usd)
    fig.canvas.draw()
    ticks = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert "30 G" in ticks and not fig.axes[0].yaxis.get_offset_text().get_text()


def test_variant_differences_leave_a_variant_without_its_baseline_blank():
    table = pd.DataFrame({"policy": ["a", "b", "a", "b", "b"], "replication": [0, 0, 1, 1, 0],
                          "x.y": [1, 1, 1, 1, 2], "kpi": [1.0, 3.0, 2.0, 5.0, 9.0]})
    grid = plots.variant_differences_grid(table, "kpi", "a", ["x.y"])
    assert grid.loc["x.y = 1", "b"] == pytest.approx(2.5) and np.isnan(grid.loc["x.y = 2", "b"])
    plots.variant_differences(table, "kpi", "a", ["x.y"])


@pytest.mark.parametrize("value, text", [(0, "0"), (0.25, "0.25"), (7, "7"), (1234, "1,234"), (9999, "9,999"),
                                         (12_345, "12.3 k"), (250_000, "250 k"), (1.5e6, "1.5 M"), (2.5e9, "2.5 G"),
                                         (4e13, "40 T"), (-12_000, "-12 k")])
def test_tick_labels_have_thousands_separators_then_si_suffixes(value, text):
    assert plots.si(value) == text


def test_servicer_plot_averages_each_step_and_counts_waiting_trips():
    """Busy servicers averaged over each step integrate to the servicer-days of the summary; trips sent beyond
    the free servicers wait, and the queue line shows them."""
    from policies.base import Policy
    from fleet.actions import Service
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class Overbook(Policy):
        """Sends a trip to every module with a failed board at each review, free servicer or not."""
        name = "overbook"
        review_interval_days: float = 60.0

        def review(self, obs):
            ops = obs.operational()
            ops = ops[~obs.pending_trip[ops]]
            down = ops[obs.units_installed - obs.units_alive_of(ops) > 0]
            return [Service(modules=(int(m),), reason="overbooked") for m in down]

    scenario = load_scenario("tiny")                            # one servicer, fixed trip time
    assert scenario.servicing.servicers == 1 and scenario.servicing.trip_time_distribution == "fixed"
    result = simulate(scenario, seed=0, policy=Overbook())
    t = result.timeline
    # by hand: trips take the one servicer first come, first served
    trip = scenario.servicing.trip_days
    end, busy, waiting = 0.0, [], []
    for sent in result.events.loc[result.events.kind == "servicing_dispatch", "time_days"]:
        start = max(sent, end)
        end = start + trip
        busy.append((start, end))
        waiting.append((sent, start))

    def mean_over(intervals, a, b):
        return sum(max(0.0, min(e, b) - max(s, a)) for s, e in intervals) / (b - a)

    days = t.time_days.to_numpy()
    for i in range(1, len(days)):
        assert t.servicers_busy_mean.iloc[i] == pytest.approx(mean_over(busy, days[i - 1], days[i]), abs=1e-9)
        assert t.trips_queued_mean.iloc[i] == pytest.approx(mean_over(waiting, days[i - 1], days[i]), abs=1e-9)
    assert t.trips_queued_mean.max() > 0, "trips waited for the one servicer"
    fig = plots.servicers(t, scenario.servicing.servicers)
    assert lines(fig)[1].get_label() == "trips waiting for a servicer"
    quiet = simulate(scenario, seed=0).timeline                 # the library's policy sends trips only when free
    assert lines(plots.servicers(quiet, 1))[1].get_label() == "trips waiting for a servicer: none"


def test_failures_by_cause_read_the_typed_reason_not_the_sentence(run):
    """Blank every `detail`: the module failures still split by cause, from the `reason` column."""
    blank = run.events.assign(detail=pd.Categorical([""] * len(run.events)))
    _, causes = plots.failures_by_cause(blank)
    _, full = plots.failures_by_cause(run.events)
    pd.testing.assert_frame_equal(causes, full)
    failed = run.events[run.events.kind == "module_failure"]
    assert set(failed["reason"].astype(str)) <= {"bus failure", "debris strike"}
