"""`fleet optimise` and runs.optimise: a known optimum, resume, backends, and refusals of bad files."""
from __future__ import annotations

import numpy as np
import pytest
import yaml

from fleet.errors import ScenarioError

from runs.trust import theory
from runs.studies.optimisation import load_problem, optimise
from runs.trust.validate import DAYS_PER_YEAR, neutral
from tests.commands import fleet

MODULES, FAIL_RATE, MEAN_REPAIR_YEARS = 5, 1.0, 0.2


def _availability(servicers: int) -> float:
    """Closed-form long-run availability of the finite-source M/M/r//5 machine-repair world."""
    up = theory.machine_repair_up(MODULES, servicers, FAIL_RATE, 1.0 / MEAN_REPAIR_YEARS)
    return float(np.dot(up, np.arange(MODULES + 1))) / MODULES


def _threshold() -> tuple[float, int]:
    """An availability level midway between what 1 and 2 servicers reach, and the fewest servicers reaching it."""
    level = (_availability(1) + _availability(2)) / 2
    return level, min(r for r in range(1, MODULES + 1) if _availability(r) >= level)


def _files(tmp_path, **changes) -> str:
    world = neutral("machine-repair", MODULES, years=40.0)
    world["failures"]["unit"] = {"distribution": "exponential", "rate_per_year": FAIL_RATE}
    world["servicing"].update(servicers=1, trip_days=MEAN_REPAIR_YEARS * DAYS_PER_YEAR,
                              trip_time_distribution="exponential", work_at_fraction=1.0)
    (tmp_path / "world.yaml").write_text(yaml.safe_dump(world))
    level, _ = _threshold()
    exp = {"name": "fewest-repairers", "scenario": "world.yaml", "seed": 7,
           "policy": {"name": "runs.trust.validate:RepairAtOnce"},
           "decisions": {"servicing.servicers": {"low": 1, "high": MODULES}},
           "objective": {"kpi": "servicing.servicers", "direction": "minimise"},
           "constraints": [f"mean_availability >= {level:.4f}"],
           "search": {"trials": 6, "batch": 3, "replications": 4},
           "selection": {"candidates": 3, "delta": 0.5, "step": 2, "max_replications": 12}, **changes}
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(exp))
    return str(path)


def test_finds_the_fewest_servicers_of_a_machine_repair_world(tmp_path):
    study = optimise(_files(tmp_path), out=tmp_path / "out", backend="serial")
    _, fewest = _threshold()
    assert study.selection.chosen == (fewest,)
    assert study.selection.guaranteed
    table = study.table()
    assert table.loc[0, "servicing.servicers"] == fewest and table.loc[0, "role"] == "chosen"
    assert "Chosen: servicing.servicers = 2" in study.verdict()
    assert study.summary["candidate"].nunique() == len(study.seen)
    assert (tmp_path / "out" / "report.html") == study.report()


def test_a_rerun_recomputes_nothing_and_backends_agree(tmp_path):
    path = _files(tmp_path, decisions={"servicing.servicers": {"low": 1, "high": MODULES},
                                        "policy.review_interval_days": {"low": 100.0, "high": 3650.0}},
                  objective={"kpi": "mean_availability"}, constraints=[],
                  search={"trials": 4, "batch": 2, "replications": 3},
                  selection={"candidates": 3, "delta": 0.01, "step": 2, "max_replications": 9})
    first = optimise(path, out=tmp_path / "serial", backend="serial")
    assert first.evaluator.computed == first.replications > first.problem.spec.search.trials * 3   # KN added some
    again = optimise(path, out=tmp_path / "serial", backend="serial")
    assert again.evaluator.computed == 0 and again.seen == first.seen
    local = optimise(path, out=tmp_path / "local", backend="local", workers=2)
    assert local.seen == first.seen and local.selection == first.selection
    columns = ["candidate", "mean", "ci_low", "ci_high", "n"]
    assert local.table()[columns].equals(first.table()[columns])


def test_says_when_no_candidate_is_feasible(tmp_path):
    path = _files(tmp_path, constraints=["mean_availability >= 0.999"],
                  search={"trials": 2, "batch": 2, "replications": 2},
                  selection={"delta": 0.5, "step": 2, "max_replications": 4})
    study = optimise(path, out=tmp_path / "out", backend="serial")
    assert study.selection.chosen is None
    assert "No candidate meets every constraint" in study.verdict() and "The closest is" in study.verdict()


@pytest.mark.parametrize("change, says", [
    ({"constraints": ["mean_availability => 0.9"]}, "constraints.0: 'mean_availability => 0.9' is not KPI OP"),
    ({"constraints": ["availability >= 0.9"]}, "constraints.0: 'availability' is not a KPI"),
    ({"decisions": {"servicing.servicerz": {"low": 1, "high": 3}}}, "decisions.servicing.servicerz: unknown field"),
    ({"decisions": {"servicing.servicers": {"low": 3, "high": 1}}}, "decisions.servicing.servicers: low (3) must be"),
    ({"decisions": {"policy.no_such": {"low": 1, "high": 3}}}, "decisions.policy.no_such: policy"),
    ({"objective": {"kpi": "unit_failures"}}, "objective.direction: unit_failures has no usual direction"),
    ({"objective": {"kpi": "nothing"}}, "objective.kpi: 'nothing' is neither a KPI nor a decision"),
    ({"selection": {"delta": 0}}, "selection.delta"),
])
def test_bad_files_are_refused_naming_file_and_field(tmp_path, change, says):
    path = _files(tmp_path, **change)
    with pytest.raises(ScenarioError) as info:
        load_problem(path)
    assert f"{path}: " in str(info.value) and says in str(info.value)


def test_a_bad_file_exits_2_writing_nothing(tmp_path):
    path = _files(tmp_path, constraints=["mean_availability >= 0.9 or 1"])
    done = fleet("optimise", path, "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert f"{path}: constraints.0: " in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_large_budget_needs_yes(tmp_path):
    path = _files(tmp_path, search={"trials": 1000, "batch": 10, "replications": 100},
                  selection={"delta": 0.5, "max_replications": 1000})
    with pytest.raises(ScenarioError, match="add --yes"):
        load_problem(path, confirmed=False)
    assert load_problem(path, confirmed=True).max_units() > 100_000


def test_the_shipped_fewest_servicers_file_asks_a_reachable_question():
    problem = load_problem("fewest-servicers")
    assert [d.name for d in problem.decisions] == ["servicing.servicers"] and problem.decisions[0].integer
    assert problem.objective == "servicing.servicers" and not problem.maximise
    assert [c.text for c in problem.constraints] == ["mean_availability >= 0.75"]
    assert problem.max_units() <= 200      # minutes on 2 cores, not hours


def test_the_shipped_fewest_servicers_level_lies_between_the_fewest_and_the_most_servicers():
    """The question has an answer inside the range: the most servicers reach the level, the fewest do not."""
    from fleet.scenario import parse_scenario
    from runs import load_scenario, simulate
    from runs.api import experiment_path

    problem = load_problem("fewest-servicers")
    (decision,), (constraint,) = problem.decisions, problem.constraints
    spec = yaml.safe_load(experiment_path("fewest-servicers").read_text())
    base = load_scenario(spec["scenario"]).model_dump()
    base.update(horizon_years=float(spec["years"]), policy=spec["policy"])
    availability = {}
    for servicers in (int(decision.low), int(decision.high)):
        base["servicing"]["servicers"] = servicers
        availability[servicers] = simulate(parse_scenario(base, "probe"), seed=1).summary[constraint.kpi]
    assert availability[int(decision.low)] < constraint.number < availability[int(decision.high)]


def test_sweep_points_an_optimisation_file_to_optimise():
    from runs.studies.experiment import load_experiment

    with pytest.raises(ScenarioError, match="decisions: an optimisation experiment: run it with `fleet optimise`"):
        load_experiment("fewest-servicers")
