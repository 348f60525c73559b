"""Parity on the plan, store and backends: resume, common seeds, a sentence when there is no parity."""
from __future__ import annotations

import pandas as pd

import runs
from runs.studies.parity import AXES, parity_plan, tables
from runs.studies.workunits import replication_seed


def test_parity_resumes_and_extends_recomputing_nothing(tmp_path):
    first = runs.parity("tiny", "launch_price", replications=2, points=2, years=0.2, seed=3, out=tmp_path / "p",
                        backend="serial")
    assert first.run.computed == 4 and len(first.summary) == 4
    assert set(first.runs["seed"]) == {replication_seed(3, 0), replication_seed(3, 1)}   # the common seed scheme
    again = runs.parity("tiny", "launch_price", replications=2, points=2, years=0.2, seed=3, out=tmp_path / "p",
                        backend="serial")
    assert again.run.computed == 0 and again.run.already_done == 4
    pd.testing.assert_frame_equal(again.table(), first.table())
    more = runs.parity("tiny", "launch_price", replications=3, points=2, years=0.2, seed=3, out=tmp_path / "p",
                       backend="local", workers=2)
    assert more.run.computed == 2 and more.run.already_done == 4
    assert more.summary.groupby("variant").size().tolist() == [3, 3]


def test_no_parity_is_a_sentence_not_a_table_of_nan(tmp_path):
    study = runs.parity("tiny", "launch_price", replications=2, points=3, years=1, out=tmp_path / "p",
                        backend="serial")
    ratios = study.table()["ratio_mean"]
    assert (ratios > 1).all()
    assert study.verdict() == (f"orbit costs {ratios.min():.3g} to {ratios.max():.3g} times Earth across "
                               "launch price 0.1x to 3x; no parity")
    diffs = study.differences()
    assert (diffs["diff_usd_per_pflops_day"] > 0).all() and len(diffs) == 3
    assert study.report().name == "report.html"


def test_a_crossing_is_named_with_its_interval(tmp_path):
    study = runs.parity("tiny", "launch_price", replications=2, points=2, years=0.2, out=tmp_path / "p",
                        backend="serial")
    assert study.plan.sha256() == parity_plan("tiny", "launch_price", replications=5, points=2, years=0.2).sha256()
    # Feign ratios that cross 1 between the two settings, to check the sentence (not the simulator).
    study.runs["orbit_to_earth_cost_ratio"] = [0.5, 0.6, 1.5, 1.4]
    study.settings, study.frontier = tables(study.runs, [AXES["launch_price"]], False)
    assert study.verdict().startswith("parity at launch price ") and "2 of 2 replications cross" in study.verdict()
