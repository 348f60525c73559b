"""`fleet robust` and `runs.robust`: regret and robustness on a synthetic case with a known answer, the
constraint grammar, sampled futures, resume, bad experiment files, and the command end to end."""
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from fleet.errors import InputError, ScenarioError
from fleet.kpis import MAXIMISE, MINIMISE
from runs.studies.constraints import parse_constraint
from runs.studies.futures import ROBUST, load_futures, parse_futures
from runs.robust import most_robust, regret, robust, robustness
from tests.commands import fleet

# Regret per future of four policies, built so that each criterion has a different, known winner:
# A is 5 everywhere (least maximum), B is 0 but once 100 (least 90th percentile), C is 2 but twice 30
# (least mean: 4.8), and D is best only in the future where B fails.
FUTURES = 20
KNOWN = pd.DataFrame({
    "A": [5.0] * FUTURES,
    "B": [100.0] + [0.0] * (FUTURES - 1),
    "C": [30.0, 30.0] + [2.0] * (FUTURES - 2),
    "D": [0.0] + [1000.0] * (FUTURES - 1),
})


@pytest.mark.parametrize("direction", [MINIMISE, MAXIMISE])
def test_regret_recovers_the_planted_regrets_and_each_criterion_names_its_winner(direction):
    best = 50.0 + 10.0 * np.arange(FUTURES)        # each future's best objective differs
    sign = 1.0 if direction == MINIMISE else -1.0
    objective = KNOWN.mul(sign).add(best, axis=0)
    found = regret(objective, direction)
    assert np.allclose(found.to_numpy(), KNOWN.to_numpy())
    table = robustness(found, None)
    assert table.loc["A", "max_regret"] == 5 and table.loc["B", "p90_regret"] == 0
    assert table.loc["C", "mean_regret"] == pytest.approx(4.8)
    assert most_robust(table) == {"max_regret": "A", "p90_regret": "B", "mean_regret": "C"}


def test_share_meeting_and_nan_objectives():
    objective = pd.DataFrame({"A": [1.0, 2.0, np.nan], "B": [2.0, 1.0, 3.0]})
    found = regret(objective, MINIMISE)
    assert found["A"].tolist()[:2] == [0.0, 1.0] and math.isnan(found.at[2, "A"])
    assert found.at[2, "B"] == 0.0           # a NaN never sets the best
    meets = pd.DataFrame({"A": [True, True, False], "B": [True, False, False]})
    table = robustness(found, meets)
    assert table.loc["A", "futures"] == 2 and table.loc["A", "share_meeting"] == pytest.approx(2 / 3)
    assert most_robust(table)["share_meeting"] == "A"


def test_bounds_parse_the_small_grammar_and_nothing_else():
    frame = pd.DataFrame({"mean_availability": [0.95, 0.85, np.nan], "data_lost_tb": [1.0, 5.0, 1.0],
                          "data_generated_tb": [100.0, 100.0, 100.0]})
    assert parse_constraint("mean_availability >= 0.9", "c").met(frame).tolist() == [True, False, False]
    lost = parse_constraint("data_lost_tb <= 0.02 * data_generated_tb", "c")
    assert str(lost) == "data_lost_tb <= 0.02 * data_generated_tb"
    assert lost.met(frame).tolist() == [True, False, True]
    for bad in ["__import__('os').system('true') > 1", "mean_availability => 0.9", "mean_availability >= ",
                "availability >= 0.9", "mean_availability >= 1e999"]:
        with pytest.raises(InputError, match="c: "):
            parse_constraint(bad, "c")


def tiny_robust(**changes) -> dict:
    data = {"name": "tiny-robust", "scenario": "tiny", "years": 1, "seed": 5, "replications": 2, "futures": 4,
            "uncertainties": {"failures.unit.rate_per_year": {"low": 0.02, "high": 0.3, "log": True},
                              "launch.vehicles.0.price_per_flight_usd": {"low": 0.5, "high": 2, "scale": True},
                              "demand.growth_per_year": {"low": 0.0, "high": 0.1}},
            "policies": [{"name": "replenish"}, {"name": "null"}],
            "objectives": ["cost_per_pflops_day_usd"], "constraints": ["mean_availability >= 0.8"]}
    data.update(changes)
    return data


def test_futures_are_a_seeded_latin_hypercube_with_log_ranges_and_scaled_trajectories():
    plan = parse_futures(tiny_robust(futures=16), "t.yaml", ROBUST)
    again = parse_futures(tiny_robust(futures=16), "t.yaml", ROBUST)
    assert [v.values for v in plan.variants] == [v.values for v in again.variants]
    rates = np.array([dict(v.values)["failures.unit.rate_per_year"] for v in plan.variants])
    strata = np.floor(16 * np.log(rates / 0.02) / np.log(0.3 / 0.02)).astype(int)
    assert sorted(strata) == list(range(16))    # one future per stratum of the logarithm
    base = plan.base.launch.vehicles[0].price_per_flight_usd
    for v in plan.variants:
        factor = dict(v.values)["launch.vehicles.0.price_per_flight_usd"]
        prices = v.scenario.launch.vehicles[0].price_per_flight_usd
        assert {y: p / factor for y, p in prices.items()} == pytest.approx(base)
        assert v.scenario.demand.growth_per_year == dict(v.values)["demand.growth_per_year"]
    # common random numbers: the units of one replication share its seed in every future and policy
    seeds = {(u.replication, u.seed) for u in plan.units}
    assert len(seeds) == len(plan.seeds) == 2
    assert parse_futures(tiny_robust(futures=16, seed=6), "t.yaml", ROBUST).sha256() != plan.sha256()
    narrower = {**tiny_robust()["uncertainties"], "demand.growth_per_year": {"low": 0.0, "high": 0.05}}
    assert parse_futures(tiny_robust(futures=16, uncertainties=narrower), "t.yaml", ROBUST).sha256() != plan.sha256()
    # constraints only judge the results: changing them resumes the same folder
    assert parse_futures(tiny_robust(futures=16, constraints=[]), "t.yaml", ROBUST).sha256() == plan.sha256()


@pytest.mark.parametrize("change, field, problem", [
    ({"futures": 0}, "futures", "whole number"),
    ({"uncertainties": {"failures.unit.nope": {"low": 0, "high": 1}}}, "uncertainties.failures.unit.nope",
     "unknown field path"),
    ({"uncertainties": {"failures.unit.rate_per_year": {"low": 0.3, "high": 0.1}}},
     "uncertainties.failures.unit.rate_per_year", "must be below"),
    ({"uncertainties": {"failures.unit.rate_per_year": {"low": 0, "high": 0.1, "log": True}}},
     "uncertainties.failures.unit.rate_per_year", "log range needs low > 0"),
    ({"uncertainties": {"failures.unit.rate_per_year": {"low": -1, "high": 0.1}}},
     "uncertainties.failures.unit.rate_per_year", "low -1 gives an invalid scenario"),
    ({"uncertainties": {"launch.vehicles.0.name": {"low": 1, "high": 2, "scale": True}}},
     "uncertainties.launch.vehicles.0.name", "no number to scale"),
    ({"uncertainties": {"failures.unit": {"low": 1, "high": 2}}}, "uncertainties.failures.unit", "not a number"),
    ({"constraints": ["mean_availability ~ 1"]}, "constraints.0", "is not KPI OP NUMBER"),
    ({"axes": {"servicing.servicers": [1, 2]}}, "axes", "`uncertainties`, not axes"),
    ({"base_samples": 8}, "base_samples", "not a field of a robust experiment"),
    ({"policies": [{"name": "no-such-policy"}]}, "policies.0", "unknown policy"),
])
def test_bad_files_name_the_field_and_the_problem(change, field, problem):
    with pytest.raises(ScenarioError) as caught:
        parse_futures(tiny_robust(**change), "bad.yaml", ROBUST)
    assert any(p == field and problem in m for p, m in caught.value.problems), caught.value.problems


def test_a_bad_file_exits_2_naming_file_field_and_problem_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(tiny_robust(futures=-3, constraints=["mean_availability >> 1"])))
    done = fleet("robust", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"{path}: futures: " in done.stderr and f"{path}: constraints.0: " in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()
    done = fleet("robust", "robust-library", "--discover", "availability > 1", "--out", str(tmp_path / "o2"),
                 cwd=tmp_path)
    assert done.returncode == 2 and "--discover: 'availability' is not a KPI" in done.stderr
    assert not (tmp_path / "o2").exists()
    done = fleet("robust", "robust-library", "--policy", "replenish", "--out", str(tmp_path / "o3"), cwd=tmp_path)
    assert done.returncode == 2 and "give --discover too" in done.stderr and not (tmp_path / "o3").exists()


def test_robust_runs_resumes_without_recomputing_and_reads_the_same(tmp_path):
    plan = parse_futures(tiny_robust(), "t.yaml", ROBUST)
    first = robust(plan, out=tmp_path / "r", backend="serial")
    assert first.run.computed == len(plan.units) == 4 * 2 * 2
    assert len(first.summary) == len(plan.units)
    again = robust(plan, out=tmp_path / "r", backend="serial")
    assert again.run.computed == 0 and again.run.already_done == len(plan.units)
    pd.testing.assert_frame_equal(first.table(), again.table())
    rows = first.differences()
    assert len(rows) == 4 * 2 and set(rows.columns) >= {"future", "policy", "regret", "meets_constraints",
                                                       "cost_per_pflops_day_usd", *plan.inputs}
    means = first.summary.groupby(["future", "policy"])["cost_per_pflops_day_usd"].mean()
    assert rows.set_index(["future", "policy"])["cost_per_pflops_day_usd"].sort_index().to_numpy() == \
        pytest.approx(means.sort_index().to_numpy())
    assert (rows.groupby("future")["regret"].min() == 0).all()
    assert "most robust by maximum regret" in first.verdict()
    boxes = first.discover("mean_availability >= 0.99")
    assert set(boxes["policy"]) == {"replenish", "null"}
    page = first.report(tmp_path / "page", discover="mean_availability >= 0.99").read_text()
    assert page.count("<img") == 2 and "Regret per policy" in page


def test_the_command_end_to_end(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(tiny_robust(replications=1, futures=3)))
    args = ["robust", str(path), "--out", str(tmp_path / "out"), "--backend", "serial", "--no-progress",
            "--discover", "mean_availability >= 0.99", "--report"]
    done = fleet(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "3 futures x 2 policies x 1 replications of tiny (1 years)" in done.stdout
    assert "6 computed" in done.stdout
    for text in ["max_regret", "p90_regret", "share_meeting", "most robust by maximum regret",
                 "most robust by 90th-percentile regret", "most robust by share of futures meeting the constraints",
                 "where each policy fails mean_availability >= 0.99", "coverage"]:
        assert text in done.stdout
    assert (tmp_path / "out" / "report.html").is_file()
    again = fleet(*args, cwd=tmp_path)
    assert again.returncode == 0 and "6 found done, 0 computed" in again.stdout


def test_the_shipped_example_has_four_library_policies_and_at_least_32_futures():
    plan = load_futures("robust-library", ROBUST)
    assert len(plan.policies) == 4 and len(plan.variants) >= 32
    assert len(plan.inputs) == 4 and plan.constraints
