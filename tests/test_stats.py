"""Statistics of replicated runs: hand-checked values, Holm, verdicts, and interval coverage."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from runs.studies.stats import (BETTER, SAME, WORSE, compare, holm, mean_ci, paired_difference, unpaired_difference,
                        verdict)


def test_mean_ci_by_hand():
    ci = mean_ci([1.0, 2.0, 3.0, 4.0])
    half = sps.t.ppf(0.975, 3) * math.sqrt(5 / 3) / 2      # s^2 = 5/3, n = 4
    assert ci.mean == 2.5 and ci.n == 4
    assert ci.low == pytest.approx(2.5 - half) and ci.high == pytest.approx(2.5 + half)
    assert math.isnan(mean_ci([1.0]).low)


def test_paired_difference_matches_paired_t_test():
    x, y = np.array([3.0, 5.0, 4.0, 7.0]), np.array([1.0, 4.0, 4.0, 5.0])
    d = paired_difference(x, y)
    assert d.mean == pytest.approx(1.25)
    assert d.p_value == pytest.approx(sps.ttest_rel(x, y).pvalue)
    same = paired_difference([2.0, 3.0], [1.0, 2.0])
    assert (same.low, same.high, same.p_value) == (1.0, 1.0, 0.0)
    assert paired_difference([1.0, 2.0], [1.0, 2.0]).p_value == 1.0


def test_holm_by_hand():
    # sorted 0.01, 0.02, 0.04 -> 3*0.01, max(2*0.02, .03), max(1*0.04, .04)
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    out = holm([np.nan, 0.01])
    assert math.isnan(out[0]) and out[1] == pytest.approx(0.01)


def test_verdict_follows_direction():
    assert verdict(+5, 0.01, "maximise") == BETTER
    assert verdict(+5, 0.01, "minimise") == WORSE
    assert verdict(-5, 0.01, "minimise") == BETTER
    assert verdict(+5, 0.2, "maximise") == SAME


def test_compare_pairs_on_replication_and_corrects_over_policies():
    rng = np.random.default_rng(1)
    shared = rng.normal(100, 10, 12)
    rows = []
    for policy, shift in [("a", 0.0), ("b", 3.0), ("c", 0.0)]:
        for r in range(12):
            rows.append({"policy": policy, "replication": r, "kpi": shared[r] + shift + rng.normal(0, 0.5)})
    table = compare(pd.DataFrame(rows), ["kpi"], "a", directions={"kpi": "maximise"})
    b, c = table[table.policy == "b"].iloc[0], table[table.policy == "c"].iloc[0]
    assert b.verdict == BETTER and b.diff_low > 0
    assert b.p_holm == pytest.approx(min(1.0, 2 * b.p)) or b.p_holm == pytest.approx(max(b.p, c.p))
    assert c.verdict == SAME


def test_compare_pivots_every_kpi_and_an_empty_summary_gives_an_empty_table():
    rows = pd.DataFrame({"policy": ["a", "a", "b", "b"], "replication": [1, 0, 0, 1],
                         "x": [2.0, 1.0, 1.5, 2.7], "y": [np.nan, np.nan, 3.0, 4.0]})
    table = compare(rows, ["x", "y"], "a", directions={"x": "maximise", "y": "maximise"})
    x_b = table[(table.kpi == "x") & (table.policy == "b")].iloc[0]
    assert x_b["diff"] == pytest.approx(((1.5 - 1.0) + (2.7 - 2.0)) / 2)        # paired on replication
    y_a, y_b = (table[(table.kpi == "y") & (table.policy == p)].iloc[0] for p in "ab")
    assert math.isnan(y_a["mean"]) and y_b["mean"] == pytest.approx(3.5) and y_b.n == 2 and y_b.runs == 2
    assert math.isnan(y_b["diff"])
    assert compare(rows.iloc[:0], ["x"], "a").empty


@pytest.mark.slow
def test_paired_interval_covers_true_difference_95_percent():
    """2,000 seeded repetitions of a 10-replication experiment with true difference 1.5: coverage ~95%."""
    rng = np.random.default_rng(2030)
    reps, n, true = 2000, 10, 1.5
    common = rng.normal(50, 8, (reps, n))       # what common random numbers share
    x = common + true + rng.normal(0, 1, (reps, n))
    y = common + rng.normal(0, 1, (reps, n))
    paired = [paired_difference(x[i], y[i]) for i in range(reps)]
    covered = sum(d.low <= true <= d.high for d in paired)
    se = math.sqrt(0.95 * 0.05 / reps)
    assert abs(covered / reps - 0.95) < 3.5 * se
    # ignoring the pairing, the shared noise stays in: the interval is far wider and over-covers
    welch = [unpaired_difference(x[i], y[i]) for i in range(reps)]
    assert sum(d.low <= true <= d.high for d in welch) / reps >= 0.95 - 3.5 * se
    paired_width = np.mean([d.half_width for d in paired])
    assert np.mean([d.half_width for d in welch]) > 3 * paired_width


def _nan_for(policies_nan: set[str]) -> pd.DataFrame:
    """Three policies, 4 replications; `kpi` is NaN in every run of the policies in `policies_nan`."""
    rng = np.random.default_rng(3)
    rows = []
    for policy in ("a", "b", "c"):
        for r in range(4):
            rows.append({"policy": policy, "replication": r, "ok": rng.normal(),
                         "kpi": math.nan if policy in policies_nan else 2030.0 + r})
    return pd.DataFrame(rows)


def test_a_kpi_nan_in_every_run_of_some_policies_is_reported_not_a_crash():
    from runs.look.comparison import comparison_text
    summary = _nan_for({"a", "b"})
    table = compare(summary, ["kpi", "ok"], "a")
    rows = table[table["kpi"] == "kpi"].set_index("policy")
    assert list(rows["n"]) == [0, 0, 4] and list(rows["runs"]) == [4, 4, 4]
    assert rows["mean"].isna().tolist() == [True, True, False]
    assert rows.loc["c", "mean"] == pytest.approx(2031.5)
    assert rows[["diff", "p_holm"]].isna().all().all()
    text = comparison_text(summary, ["kpi", "ok"], "a", "kpi")
    assert "NaN in all 4 runs" in text and "c cannot be compared with a" in text


def test_a_kpi_nan_in_some_runs_counts_them_and_pairs_the_rest():
    from runs.look.comparison import comparison_text
    summary = _nan_for(set())
    summary.loc[(summary["policy"] == "b") & (summary["replication"] == 0), "kpi"] = math.nan
    rows = compare(summary, ["kpi"], "a").set_index("policy")
    assert rows.loc["b", "n"] == 3 and rows.loc["b", "diff"] == 0.0
    assert "NaN in 1 of 4 runs" in comparison_text(summary, ["kpi"], "a", "kpi")
