"""Experiments: expansion, common random numbers, the results store, and identical numbers on every backend."""
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from events import MODEL_VERSION
from fleet.errors import InputError
from runs import load_results
from runs.studies.backends import DaskBackend, ProcessPoolBackend, SerialBackend
from runs.studies.experiment import load_experiment, parse_experiment
from runs.studies.runner import run_plan
from runs.studies.stats import paired_difference, unpaired_difference
from runs.studies.workunits import replication_seed

SMALL = {
    "name": "small", "scenario": "tiny", "years": 1, "seed": 11, "replications": 3,
    "axes": {"servicing.servicers": [0, 1]},
    "policies": [{"name": "replenish"}, {"name": "service-on-threshold"}],
    "baseline": "replenish", "objectives": ["delivered_pflops_days"],
}


def numbers(directory) -> pd.DataFrame:
    """The summary without wall time, which is the only column allowed to differ between runs."""
    return load_results(directory).summary.drop(columns=["wall_seconds"])


def test_expansion_grid_hypercube_and_crn_seeds():
    data = {**SMALL, "axes": {"servicing.servicers": [1, 2], "servicing.trip_days": {"low": 30, "high": 90},
                              "fleet.clusters": {"low": 1, "high": 3}}, "samples": 4,
            "policies": [{"name": "replenish"}, {"name": "service-on-threshold", "params": {"threshold_fraction": [0.1, 0.3]}}]}
    plan = parse_experiment(data, "test")
    assert len(plan.variants) == 2 * 4 and len(plan.policies) == 3
    assert len(plan.units) == 8 * 3 * 3 and len({u.key for u in plan.units}) == len(plan.units)
    trips = sorted(dict(v.values)["servicing.trip_days"] for v in plan.variants[:4])
    assert all(30 <= t <= 90 for t in trips)
    # a Latin hypercube: one point in each quarter of the range
    assert [int((t - 30) // 15) for t in trips] == [0, 1, 2, 3]
    assert all(isinstance(dict(v.values)["fleet.clusters"], int) for v in plan.variants)
    assert parse_experiment(data, "again").variants == plan.variants
    # common random numbers: the seed depends on the replication only
    for u in plan.units:
        assert u.seed == replication_seed(11, u.replication)
    assert len(set(plan.seeds)) == 3
    assert [p.label for p in plan.policies] == [
        "replenish", "service-on-threshold[threshold_fraction=0.1]", "service-on-threshold[threshold_fraction=0.3]"]


def test_serial_process_pool_and_dask_give_identical_numbers(tmp_path):
    from distributed import LocalCluster

    plan = parse_experiment(SMALL, "test")
    run_plan(plan, tmp_path / "serial", SerialBackend(), progress=False)
    run_plan(plan, tmp_path / "pool", ProcessPoolBackend(workers=2), progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        run_plan(plan, tmp_path / "dask", DaskBackend(cluster.scheduler_address), progress=False)
    serial = numbers(tmp_path / "serial")
    assert len(serial) == len(plan.units) == 12
    assert set(serial["key"]) == {u.key for u in plan.units}
    assert list(serial.columns[:7]) == ["key", "variant", "policy", "policy_name", "replication", "seed",
                                        "servicing.servicers"]
    pd.testing.assert_frame_equal(serial, numbers(tmp_path / "pool"))
    pd.testing.assert_frame_equal(serial, numbers(tmp_path / "dask"))


def test_paired_interval_narrower_than_unpaired_on_the_same_runs(tmp_path):
    """Two repair thresholds see the same launches and unit failures: their outputs move together."""
    data = {**SMALL, "years": 2, "replications": 8, "axes": {},
            "policies": [{"name": "service-on-threshold", "params": {"threshold_fraction": [0.2, 0.3]}}],
            "baseline": "service-on-threshold[threshold_fraction=0.2]"}
    plan = parse_experiment(data, "test")
    run_plan(plan, tmp_path, SerialBackend(), progress=False)
    wide = numbers(tmp_path).pivot(index="replication", columns="policy", values="delivered_pflops_days")
    a, b = wide.iloc[:, 0], wide.iloc[:, 1]
    assert a.std() > 0 and not np.allclose(a, b)
    assert paired_difference(b, a).half_width < 0.5 * unpaired_difference(b, a).half_width


def test_failing_unit_is_recorded_and_the_rest_go_on(tmp_path):
    policy_file = tmp_path / "exploding.py"
    policy_file.write_text(
        "import dataclasses\nfrom policies.base import Policy\n\n"
        "@dataclasses.dataclass(frozen=True)\nclass Exploding(Policy):\n    name = 'exploding'\n\n"
        "    def review(self, obs):\n        raise RuntimeError('boom at review')\n")
    data = {**SMALL, "axes": {}, "policies": [{"name": "replenish"}, {"name": f"{policy_file}:Exploding"}]}
    plan = parse_experiment(data, "test")
    report = run_plan(plan, tmp_path / "out", SerialBackend(), progress=False)
    assert (report.computed, report.failed) == (3, 3)
    results = load_results(tmp_path / "out")
    assert set(results.summary["policy"]) == {"replenish"}
    assert len(results.failures) == 3
    assert all("RuntimeError: boom at review" in e for e in results.failures["error"])
    bad_keys = {u.key for u in plan.units if u.policy.name.endswith(":Exploding")}
    assert set(results.failures["key"]) == bad_keys


def test_store_refuses_a_changed_experiment_and_resumes_the_same(tmp_path):
    plan = parse_experiment({**SMALL, "axes": {}}, "test")
    first = run_plan(plan, tmp_path, SerialBackend(), progress=False)
    assert (first.already_done, first.computed) == (0, 6)
    again = run_plan(parse_experiment({**SMALL, "axes": {}}, "test"), tmp_path, SerialBackend(), progress=False)
    assert (again.already_done, again.computed) == (6, 0)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seeds"] == [replication_seed(11, r) for r in range(3)]
    assert manifest["versions"]["numpy"] == np.__version__
    changed = parse_experiment({**SMALL, "axes": {}, "seed": SMALL["seed"] + 1}, "test")
    with pytest.raises(InputError, match="different experiment"):
        run_plan(changed, tmp_path, SerialBackend(), progress=False)


def test_store_refuses_results_of_another_model_version(tmp_path):
    plan = parse_experiment({**SMALL, "axes": {}, "replications": 1}, "test")
    run_plan(plan, tmp_path, SerialBackend(), progress=False)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["model_version"] == MODEL_VERSION
    manifest["model_version"] = MODEL_VERSION - 1
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    units = sorted((tmp_path / "units").iterdir())
    with pytest.raises(InputError, match=f"model version {MODEL_VERSION - 1}.*cannot be mixed"):
        run_plan(plan, tmp_path, SerialBackend(), progress=False)
    assert sorted((tmp_path / "units").iterdir()) == units          # nothing touched
    del manifest["model_version"]                                   # written before versions were recorded
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="model version 1,"):
        run_plan(plan, tmp_path, SerialBackend(), progress=False)


def test_timelines_kept_when_asked(tmp_path):
    plan = parse_experiment({**SMALL, "axes": {}, "replications": 1, "keep_timelines": True}, "test")
    run_plan(plan, tmp_path, SerialBackend(), progress=False)
    results = load_results(tmp_path)
    timelines = results.timelines
    assert set(timelines["key"]) == set(results.summary["key"])
    assert {"policy", "replication", "time_years", "capacity_pflops"} <= set(timelines.columns)


def test_shipped_experiment_is_valid():
    from pathlib import Path

    import runs

    path = Path(runs.__file__).parent / "experiments" / "servicers-sweep.yaml"
    plan = load_experiment(path)
    assert plan.baseline == "replenish" and len(plan.variants) == 6
    assert yaml.safe_load(path.read_text())["name"] == "servicers-sweep"
