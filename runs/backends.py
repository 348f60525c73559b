"""Execution backends behind one interface: `run(units)` yields each unit's outcome as it finishes.

- `SerialBackend`: one unit after another in this process.
- `ProcessPoolBackend` (the default): a local pool of worker processes.
- `DaskBackend`: a Dask distributed cluster, an existing one (`address`, or the environment variable
  DASK_SCHEDULER_ADDRESS) or a LocalCluster on the loopback interface started for the run. Its
  workers must be able to import this package.

A unit that raises comes back as a failed outcome (see `runs.workunits.run_unit`); the others go on.
A unit whose worker process dies is run again, at most `retries` more times, then recorded as
failed with its key and the cause. The seed travels with the unit, so every backend gives the same
numbers.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator

from fleet.errors import InputError
from runs.workunits import UnitOutcome, WorkUnit, run_unit

Task = Callable[[WorkUnit], UnitOutcome]
BACKENDS = ("local", "dask", "serial")
DEFAULT_RETRIES = 2


class SerialBackend:
    """Run units in this process, in order."""

    name = "serial"

    def run(self, units: Iterable[WorkUnit], task: Task = run_unit) -> Iterator[UnitOutcome]:
        for unit in units:
            yield task(unit)


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork on Linux (workers start with the simulator imported: no seconds of imports each), else spawn."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class ProcessPoolBackend:
    """Run units on `workers` local processes (default: one per CPU)."""

    name = "local"

    def __init__(self, workers: int | None = None, retries: int = DEFAULT_RETRIES):
        self.workers = workers or os.cpu_count() or 1
        self.retries = retries

    def run(self, units: Iterable[WorkUnit], task: Task = run_unit) -> Iterator[UnitOutcome]:
        pending = {u.key: u for u in units}
        lost: Counter[str] = Counter()
        while pending:
            pool = ProcessPoolExecutor(max_workers=min(self.workers, len(pending)), mp_context=_pool_context())
            try:
                futures = {}
                for unit in pending.values():
                    try:
                        futures[pool.submit(task, unit)] = unit
                    except BrokenProcessPool:  # broke while submitting: the rest wait for the next pool
                        if not futures:
                            raise RuntimeError("the local worker processes cannot start") from None
                        break
                while futures:
                    done, _ = wait(futures, return_when=FIRST_COMPLETED)
                    for future in done:
                        unit = futures.pop(future)
                        try:
                            outcome = future.result()
                        except BrokenProcessPool:  # a worker died: every unfinished unit is charged once
                            lost[unit.key] += 1
                            if lost[unit.key] <= self.retries:
                                continue
                            outcome = UnitOutcome(unit.key, error=f"worker process lost {lost[unit.key]} times")
                        del pending[unit.key]
                        yield outcome
            finally:
                pool.shutdown(wait=False, cancel_futures=True)


class DaskBackend:
    """Run units on a Dask cluster; task keys are the work-unit keys."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None, retries: int = DEFAULT_RETRIES):
        self.address = address or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
        self.workers = workers or os.cpu_count() or 1
        self.retries = retries

    def _client(self, stack):
        import dask
        from distributed import Client, LocalCluster

        if self.address:
            try:
                return stack.enter_context(Client(self.address, timeout="20s"))
            except (OSError, TimeoutError) as exc:
                raise InputError(f"--scheduler {self.address}: cannot reach a Dask scheduler there ({exc})") from None
        # the scheduler runs in this process and reads its config when it starts
        with dask.config.set({"distributed.scheduler.allowed-failures": self.retries}):
            cluster = stack.enter_context(LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, silence_logs=logging.ERROR))
        return stack.enter_context(Client(cluster))

    def run(self, units: Iterable[WorkUnit], task: Task = run_unit) -> Iterator[UnitOutcome]:
        from contextlib import ExitStack

        from distributed import as_completed

        units = list(units)
        if not units:
            return
        with ExitStack() as stack:
            client = self._client(stack)
            futures = [client.submit(task, u, key=u.key, pure=False, retries=0) for u in units]
            for future in as_completed(futures):
                if future.status == "finished":
                    outcome = future.result()
                else:  # the task itself never raises: this is a lost worker (KilledWorker) or a cancel
                    exc = future.exception()
                    outcome = UnitOutcome(future.key, error=f"{type(exc).__name__}: {exc}")
                future.release()
                yield outcome


def make_backend(name: str, workers: int | None = None, scheduler: str | None = None):
    """The backend called `name` (local, dask or serial)."""
    if workers is not None and workers < 1:
        raise InputError("--workers must be at least 1")
    if scheduler and name != "dask":
        raise InputError("--scheduler needs --backend dask")
    if name == "serial":
        return SerialBackend()
    if name == "local":
        return ProcessPoolBackend(workers)
    if name == "dask":
        return DaskBackend(scheduler, workers)
    raise InputError(f"--backend {name!r}: choose one of {', '.join(BACKENDS)}")
