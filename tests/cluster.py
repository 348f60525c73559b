"""A real local Dask cluster for tests and benchmarks: `dask scheduler` and single-threaded `dask worker`
processes of their own on 127.0.0.1, with this checkout on their path, always stopped at the end."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.commands import repo_env

START_SECONDS = 120     # the longest a scheduler or worker may take to start on a loaded machine


@contextmanager
def local_cluster(workers: int, folder: Path) -> Iterator[str]:
    """A scheduler and `workers` single-threaded workers, started in `folder`; yields the scheduler's
    address (tcp://127.0.0.1:PORT) once every worker has joined, and kills them all at the end (a
    graceful Dask shutdown takes seconds; units' processes die with them)."""
    from distributed import Client

    file = folder / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    quiet = dict(cwd=folder, env=repo_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(file)], **quiet)]
    try:
        deadline = time.monotonic() + START_SECONDS
        while not file.exists() or not file.read_text().strip():
            if time.monotonic() > deadline or procs[0].poll() is not None:
                raise RuntimeError("the Dask scheduler did not start")
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        procs += [subprocess.Popen([*dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                    "--no-nanny", "--no-dashboard"], **quiet) for _ in range(workers)]
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=START_SECONDS)
        yield address
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait(timeout=30)
