"""A real Dask cluster: `dask scheduler` and two `dask worker` processes on 127.0.0.1, started for these tests
and always stopped. A compare through `--scheduler` gives the numbers of `--backend serial`, and a unit that
kills its process costs only itself, never a Dask worker."""
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from runs import load_results
from runs.commands.cli import main
from tests.cluster import local_cluster

@pytest.fixture(scope="module")
def scheduler(tmp_path_factory) -> str:
    """The address of a scheduler with two single-threaded workers, this checkout on their path."""
    with local_cluster(2, tmp_path_factory.mktemp("cluster")) as address:
        assert address.startswith("tcp://127.0.0.1:")
        yield address


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
