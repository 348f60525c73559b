"""`fleet sensitivity` and `runs.sensitivity`: Sobol indices of the Ishigami function against their known
values, Saltelli's design on common random numbers, resume, bad files, and the command end to end."""
import math

import numpy as np
import pytest
import yaml

from fleet.errors import ScenarioError
from runs.studies.futures import SENSITIVITY, _points, load_futures, parse_futures
from runs.sensitivity import sensitivity, sobol_indices
from tests.commands import fleet

# Ishigami, a = 7, b = 0.1, inputs uniform on [-pi, pi]: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2,
# V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V13 = b^2 pi^8 (1/18 - 1/50); S3 = 0.
A, B = 7.0, 0.1
V = A**2 / 8 + B * math.pi**4 / 5 + B**2 * math.pi**8 / 18 + 0.5
V1, V2, V13 = (1 + B * math.pi**4 / 5) ** 2 / 2, A**2 / 8, B**2 * math.pi**8 * (1 / 18 - 1 / 50)
FIRST = [V1 / V, V2 / V, 0.0]
TOTAL = [(V1 + V13) / V, V2 / V, V13 / V]


def ishigami(u: np.ndarray) -> np.ndarray:
    x = -math.pi + 2 * math.pi * u
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


@pytest.mark.parametrize("n", [1024, 4096])
def test_sobol_indices_of_ishigami_match_the_known_values(n):
    design = _points(SENSITIVITY, n * (2 * 3 + 2), 3, seed=11)
    assert design.shape == (n * 8, 3) and design.min() >= 0 and design.max() <= 1
    first, second = sobol_indices(["x1", "x2", "x3"], ishigami(design), seed=11)
    # the estimators' standard error is below about 1/sqrt(N) for Ishigami (bounded output): allow 4 of them
    tolerance = 4 / math.sqrt(n)
    assert first["S1"].to_numpy() == pytest.approx(FIRST, abs=tolerance)
    assert first["ST"].to_numpy() == pytest.approx(TOTAL, abs=tolerance)
    s13 = second.set_index(["input", "with"]).loc[("x1", "x3"), "S2"]
    assert s13 == pytest.approx(V13 / V, abs=2 * tolerance)
    # the intervals are honest: each holds the true value, and narrow with N
    assert ((first["ST_low"] <= TOTAL) & (np.array(TOTAL) <= first["ST_high"])).all()
    assert ((first["ST_high"] - first["ST_low"]) < 2 * tolerance).all()


def tiny_sensitivity(**changes) -> dict:
    data = {"name": "tiny-sensitivity", "scenario": "tiny", "years": 1, "seed": 3, "replications": 1,
            "base_samples": 2,
            "uncertainties": {"failures.unit.rate_per_year": {"low": 0.02, "high": 0.3, "log": True},
                              "launch.vehicles.0.price_per_flight_usd": {"low": 0.5, "high": 2, "scale": True}},
            "policies": [{"name": "replenish"}], "objectives": ["cost_per_pflops_day_usd", "mean_availability"]}
    data.update(changes)
    return data


def test_the_design_has_n_2d_plus_2_samples_on_common_random_numbers():
    plan = parse_futures(tiny_sensitivity(base_samples=4, replications=2), "s.yaml", SENSITIVITY)
    assert len(plan.variants) == 4 * (2 * 2 + 2)
    assert plan.axes[0] == "sample" and [dict(v.values)["sample"] for v in plan.variants] == list(range(24))
    assert {(u.replication, u.seed) for u in plan.units} == set(enumerate(plan.seeds))


@pytest.mark.parametrize("change, field, problem", [
    ({"base_samples": 6}, "base_samples", "not a power of two"),
    ({"base_samples": None}, "base_samples", "whole number"),
    ({"futures": 8}, "futures", "not a field of a sensitivity experiment"),
    ({"uncertainties": {}}, "uncertainties", "a mapping"),
])
def test_bad_files_name_the_field_and_the_problem(change, field, problem):
    with pytest.raises(ScenarioError) as caught:
        parse_futures(tiny_sensitivity(**change), "bad.yaml", SENSITIVITY)
    assert any(p == field and problem in m for p, m in caught.value.problems), caught.value.problems


def test_sensitivity_runs_resumes_and_reports(tmp_path):
    plan = parse_futures(tiny_sensitivity(), "s.yaml", SENSITIVITY)
    first = sensitivity(plan, out=tmp_path / "s", backend="serial")
    assert first.run.computed == len(plan.units) == 12
    again = sensitivity(plan, out=tmp_path / "s", backend="serial")
    assert again.run.computed == 0 and again.run.already_done == 12
    table = again.table()
    assert len(table) == 2 * 2 and set(table["input"]) == set(plan.inputs)
    assert (table["S1_low"] <= table["S1"]).all() and (table["ST"] <= table["ST_high"]).all()
    assert len(again.differences()) == 2                    # one pair, two KPIs
    assert "cost_per_pflops_day_usd under replenish: total indices" in again.verdict()
    page = again.report(tmp_path / "page").read_text()
    assert page.count("<img") == 2 and "Sobol indices" in page


def test_the_command_end_to_end_and_a_bad_file_exits_2(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(tiny_sensitivity(objectives=["cost_per_pflops_day_usd"])))
    done = fleet("sensitivity", str(path), "--out", str(tmp_path / "out"), "--backend", "serial", "--no-progress",
                 "--report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "12 samples (N = 2, D = 2)" in done.stdout and "12 computed" in done.stdout
    assert "ST_high" in done.stdout and "most influential" in done.stdout
    assert (tmp_path / "out" / "report.html").is_file()
    path.write_text(yaml.safe_dump(tiny_sensitivity(base_samples=3)))
    bad = fleet("sensitivity", str(path), "--out", str(tmp_path / "bad"), cwd=tmp_path)
    assert bad.returncode == 2 and f"{path}: base_samples: 3 is not a power of two" in bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "bad").exists()


def test_the_shipped_example_is_small_enough_for_minutes_on_two_cores():
    plan = load_futures("sensitivity-baseline", SENSITIVITY)
    assert plan.experiment.years <= 10 and len(plan.units) <= 128
    assert "cost_per_pflops_day_usd" in plan.objectives and len(plan.inputs) == 3
