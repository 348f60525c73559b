"""`fleet compare` and `fleet sweep` end to end: output, bad input, and resume after a kill."""
import json
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import psutil
import yaml

from runs import load_results
from runs.studies.backends import SerialBackend
from runs.studies.experiment import load_experiment
from runs.studies.runner import run_plan
from tests.commands import FLEET, fleet, repo_env


EXPERIMENT = {
    "name": "resume", "scenario": "tiny", "years": 2, "seed": 5, "replications": 6,
    "axes": {"servicing.servicers": [1, 2]},
    "policies": [{"name": "replenish"}, {"name": "service-on-threshold"}],
    "baseline": "replenish", "objectives": ["delivered_pflops_days"],
}


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_compare_prints_intervals_and_verdict_and_resumes(tmp_path):
    args = ["compare", "tiny", "--policies", "replenish,service-on-threshold", "--replications", "3",
            "--years", "1", "--backend", "serial", "--no-progress"]
    first = fleet(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "6 computed" in first.stdout
    assert "mean ± 95% CI" in first.stdout and "vs replenish [95% CI]" in first.stdout
    assert "verdict on delivered_pflops_days (maximise)" in first.stdout
    assert "service-on-threshold is " in first.stdout
    out = next((tmp_path / "results").iterdir())
    assert out.name.startswith("compare-tiny-")
    again = fleet(*args, cwd=tmp_path)
    assert again.returncode == 0 and "6 found done, 0 computed" in again.stdout


def test_bad_experiment_names_every_problem_and_writes_nothing(tmp_path):
    bad = {**EXPERIMENT, "axes": {"servicing.servicerz": [1, 2], "servicing.trip_days": [],
                                  "failures.unit.rate_per_year": {"low": 0.2, "high": 0.1}},
           "samples": 3, "policies": [{"name": "replenish"}, {"name": "no-such-policy"}],
           "objectives": ["delivered_pflops_days", "happiness"]}
    path = write(tmp_path / "bad.yaml", bad)
    r = fleet("sweep", str(path), "--out", "out", "--backend", "serial", cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    for expected in ["axes.servicing.servicerz: unknown field path",
                     "axes.servicing.trip_days: empty axis",
                     "axes.failures.unit.rate_per_year: bad range: low (0.2) must be below high (0.1)",
                     "policies.1: unknown policy 'no-such-policy'",
                     "objectives.1: 'happiness' is not a KPI"]:
        assert expected in r.stderr, r.stderr
    assert all(line.startswith(f"fleet: {path}") or line.startswith(str(path)) for line in r.stderr.splitlines())
    assert not (tmp_path / "out").exists() and not (tmp_path / "results").exists()


def _wait_for_units(directory: Path, count: int, proc: subprocess.Popen, limit_s: float = 120) -> None:
    end = time.monotonic() + limit_s
    while time.monotonic() < end and proc.poll() is None:
        if len(list((directory / "units").glob("*.parquet"))) >= count:
            return
        time.sleep(0.02)
    raise AssertionError("the run ended or stalled before writing the expected units")


def _uninterrupted(path: Path, tmp_path: Path) -> pd.DataFrame:
    run_plan(load_experiment(path), tmp_path / "reference", SerialBackend(), progress=False)
    return load_results(tmp_path / "reference").summary.drop(columns="wall_seconds")


def _assert_complete_and_identical(out: Path, path: Path, reference: pd.DataFrame) -> None:
    summary = load_results(out).summary
    keys = [u.key for u in load_experiment(path).units]
    assert sorted(summary["key"]) == sorted(keys)           # every unit exactly once
    assert not list((out / "units").glob(".*"))               # no partial files left
    pd.testing.assert_frame_equal(summary.drop(columns="wall_seconds"), reference)


def test_killed_run_completes_on_rerun_with_identical_numbers(tmp_path):
    path = write(tmp_path / "exp.yaml", EXPERIMENT)
    out = tmp_path / "out"
    proc = subprocess.Popen([*FLEET, "sweep", str(path), "--out", str(out),
                             "--backend", "serial", "--no-progress"], cwd=tmp_path, env=repo_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_units(out, 3, proc)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    partial = len(list((out / "units").glob("*.parquet")))
    assert 3 <= partial < 24
    r = fleet("sweep", str(path), "--out", str(out), "--backend", "serial", "--no-progress", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"{partial} found done, {24 - partial} computed" in r.stdout
    _assert_complete_and_identical(out, path, _uninterrupted(path, tmp_path))
    write(path, {**EXPERIMENT, "seed": EXPERIMENT.get("seed", 0) + 1})
    changed = fleet("sweep", str(path), "--out", str(out), "--backend", "serial", cwd=tmp_path)
    assert changed.returncode == 2 and "holds results of a different experiment" in changed.stderr


def test_resume_refuses_results_of_another_model_version(tmp_path):
    args = ["compare", "tiny", "--policies", "replenish", "--replications", "1", "--years", "1",
            "--backend", "serial", "--no-progress", "--out", "study"]
    assert fleet(*args, cwd=tmp_path).returncode == 0
    path = tmp_path / "study" / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "model_version": manifest["model_version"] + 1}))
    r = fleet(*args, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "results of different model versions cannot be mixed" in r.stderr
    assert fleet(*args, "--force", cwd=tmp_path).returncode == 0
    assert json.loads(path.read_text())["model_version"] == manifest["model_version"]


def test_killed_worker_process_is_retried(tmp_path):
    path = write(tmp_path / "exp.yaml", EXPERIMENT)
    out = tmp_path / "out"
    proc = subprocess.Popen([*FLEET, "sweep", str(path), "--out", str(out),
                             "--backend", "local", "--workers", "2", "--no-progress"], cwd=tmp_path, env=repo_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_units(out, 2, proc)
    runner = psutil.Process(proc.pid)
    workers = [c for c in runner.children() if c.cmdline() == runner.cmdline()]  # forked pool workers
    assert workers, "no worker process to kill"
    workers[0].kill()
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert "24 computed, 0 failed" in stdout
    _assert_complete_and_identical(out, path, _uninterrupted(path, tmp_path))
