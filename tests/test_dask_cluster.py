"""A real Dask cluster: `dask scheduler` and two `dask worker` processes on 127.0.0.1, started for these tests
and always stopped. A compare through `--scheduler` gives the numbers of `--backend serial`, and a unit that
kills its process costs only itself, never a Dask worker."""
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from runs import load_results
from runs.commands.cli import main
from tests.commands import repo_env

START_SECONDS = 90      # the longest a scheduler or worker may take to start on a loaded machine


def _stop(procs: list[subprocess.Popen]) -> None:
    """Kill the cluster's processes (a graceful Dask shutdown takes seconds; units' processes die with them)."""
    for proc in procs:
        proc.kill()
    for proc in procs:
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory) -> str:
    """The address of a scheduler with two single-threaded workers, this checkout on their path."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("cluster")
    file = folder / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    quiet = dict(cwd=folder, env=repo_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(file)], **quiet)]
    try:
        deadline = time.monotonic() + START_SECONDS
        while not file.exists() or not file.read_text().strip():
            assert time.monotonic() < deadline and procs[0].poll() is None, "the scheduler did not start"
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs += [subprocess.Popen([*dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                    "--no-nanny", "--no-dashboard"], **quiet) for _ in range(2)]
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=START_SECONDS)
        yield address
    finally:
        _stop(procs)


def _numbers(out: Path) -> pd.DataFrame:
    return load_results(out).summary.drop(columns="wall_seconds").sort_values("key").reset_index(drop=True)


def test_compare_on_a_real_cluster_gives_the_serial_numbers(tmp_path, scheduler, capsys):
    args = ["compare", "tiny", "--policies", "replenish,service-on-threshold", "--replications", "3", "--years", "1",
            "--no-progress", "--unit-timeout", "120"]     # bounded, whatever becomes of the cluster
    assert main([*args, "--out", str(tmp_path / "dask"), "--backend", "dask", "--scheduler", scheduler]) == 0
    assert "6 units: 0 found done, 6 computed, 0 failed" in capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "serial"), "--backend", "serial"]) == 0
    pd.testing.assert_frame_equal(_numbers(tmp_path / "dask"), _numbers(tmp_path / "serial"))


def test_a_unit_that_kills_its_process_never_takes_a_dask_worker_down(tmp_path, scheduler):
    from distributed import Client

    policy = tmp_path / "killer.py"
    policy.write_text(textwrap.dedent('''
        import os, signal
        from policies.replenish import Replenish

        class Killer(Replenish):
            name = "killer"
            def review(self, obs):
                os.kill(os.getpid(), signal.SIGKILL)
    '''))
    with Client(scheduler, timeout="30s") as client:
        before = set(client.scheduler_info()["workers"])
        out = tmp_path / "out"
        assert main(["compare", "tiny", "--policies", f"replenish,{policy}:Killer", "--replications", "2",
                     "--years", "0.5", "--out", str(out), "--backend", "dask", "--scheduler", scheduler,
                     "--no-progress", "--unit-timeout", "120"]) == 1
        assert set(client.scheduler_info()["workers"]) == before and len(before) == 2
    results = load_results(out)
    assert len(results.summary) == 2 and set(results.summary["policy_name"]) == {"replenish"}
    assert set(results.failures["error"]) == {"worker process killed by signal 9 (SIGKILL) (3 times)"}
