"""Execution backends behind one interface: `run(units)` yields each unit's outcome as it finishes.

- `SerialBackend`: one unit after another in this process.
- `ProcessPoolBackend` (the default): `workers` local processes, each running one unit at a time
  (see `runs.studies.isolation`).
- `DaskBackend`: a Dask distributed cluster, an existing one (`address`, or the environment variable
  DASK_SCHEDULER_ADDRESS) or a LocalCluster on the loopback interface started for the run. Its
  workers must be able to import this package; each task runs its unit in a process forked from the
  Dask worker, so a unit that crashes never takes a Dask worker down with it.

A unit that raises comes back as a failed outcome (see `runs.studies.workunits.run_unit`); the others go on.
A unit whose process dies is run again in a fresh one, at most `retries` more times, then recorded
as failed with its key and the cause (exit code or signal). A unit still running after
`unit_timeout` seconds is stopped and recorded as failed. The seed travels with the unit, so every
backend gives the same numbers.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Iterator

from fleet.errors import InputError, shown
from runs.studies.isolation import Task, UnitTimeout, WorkerPool, check_seconds, run_isolated, time_limit
from runs.studies.workunits import UnitOutcome, WorkUnit, run_unit

BACKENDS = ("local", "dask", "serial")
DEFAULT_RETRIES = 2
DEFAULT_UNIT_TIMEOUT = 3600.0   # seconds a unit may run
CONNECT_TIMEOUT = 10.0          # seconds to reach a Dask scheduler and hear it answer


class SerialBackend:
    """Run units in this process, in order; a unit still running after `unit_timeout` seconds is interrupted
    (by SIGALRM, so only when run from the main thread) and recorded as failed."""

    name = "serial"

    def __init__(self, unit_timeout: float | None = DEFAULT_UNIT_TIMEOUT):
        self.unit_timeout = unit_timeout

    def run(self, units: Iterable[WorkUnit], task: Task = run_unit) -> Iterator[UnitOutcome]:
        for unit in units:
            try:
                with time_limit(self.unit_timeout):
                    outcome = task(unit)
            except UnitTimeout as exc:
                outcome = UnitOutcome(unit.key, error=str(exc))
            yield outcome


class ProcessPoolBackend:
    """Run units on `workers` local processes (default: one per CPU), one unit at a time each."""

    name = "local"

    def __init__(self, workers: int | None = None, retries: int = DEFAULT_RETRIES,
                 unit_timeout: float = DEFAULT_UNIT_TIMEOUT):
        self.workers = workers or os.cpu_count() or 1
        self.retries = retries
        self.unit_timeout = unit_timeout

    def run(self, units: Iterable[WorkUnit], task: Task = run_unit) -> Iterator[UnitOutcome]:
        pool = WorkerPool(task, self.workers, self.unit_timeout, self.retries)
        try:
            yield from pool.run(units)
        finally:        # also on Ctrl-C or an error in the caller: no worker outlives the run
            pool.close()


class DaskBackend:
    """Run units on a Dask cluster; task keys are the work-unit keys.

    An `address` (or DASK_SCHEDULER_ADDRESS) is checked when the backend is made: InputError unless
    a Dask scheduler answers there within CONNECT_TIMEOUT seconds.
    """

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None, retries: int = DEFAULT_RETRIES,
                 unit_timeout: float = DEFAULT_UNIT_TIMEOUT):
        source = "--scheduler" if address else "DASK_SCHEDULER_ADDRESS"
        address = address or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
        self.address = check_scheduler(address, source) if address else None
        self.workers = workers or os.cpu_count() or 1
        self.retries = retries
        self.unit_timeout = unit_timeout

    def _client(self, stack):
        import dask
        from distributed import Client, LocalCluster

        if self.address:
            try:
                return stack.enter_context(Client(self.address, timeout=f"{CONNECT_TIMEOUT}s"))
            except Exception as exc:  # it answered the probe: anything now is the scheduler going away
                raise InputError(f"{self.address}: cannot connect to the Dask scheduler there ({exc})") from None
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
            futures = [client.submit(run_isolated, u, task, self.unit_timeout, self.retries,
                                     key=u.key, pure=False, retries=0) for u in units]
            for future in as_completed(futures):
                if future.status == "finished":
                    outcome = future.result()
                else:  # the task itself never raises: this is a lost worker (KilledWorker) or a cancel
                    exc = future.exception()
                    outcome = UnitOutcome(future.key, error=f"{type(exc).__name__}: {exc}")
                future.release()
                yield outcome


def check_scheduler(address: str, source: str = "--scheduler") -> str:
    """`address` as tcp://HOST:PORT once a Dask scheduler answers there; InputError naming `source` if not.

    Malformed addresses, closed ports and servers that speak anything but Dask's protocol (or nothing)
    all fail within CONNECT_TIMEOUT seconds.
    """
    named = f"{source} {shown(address)}"
    text = address.strip()
    if "://" not in text:
        text = "tcp://" + text
    try:
        parts = urllib.parse.urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise InputError(f"{named}: not a scheduler address ({exc}); expected tcp://HOST:PORT") from None
    if parts.scheme not in ("tcp", "tls") or not host or port is None or parts.path.strip("/") or parts.query:
        raise InputError(f"{named}: not a scheduler address; expected tcp://HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        raise InputError(f"{named}: nothing answers there ({exc.strerror or exc})") from None
    with ThreadPoolExecutor(1) as thread:   # a fresh event loop, even if the caller runs one
        problem = thread.submit(asyncio.run, _ask_identity(f"{parts.scheme}://{parts.netloc}")).result()
    if problem:
        raise InputError(f"{named}: {problem}")
    return f"{parts.scheme}://{parts.netloc}"


async def _ask_identity(address: str) -> str:
    """Why `address` is not a Dask scheduler answering within CONNECT_TIMEOUT seconds ('' if it is one)."""
    from distributed.comm import connect

    async def identity():
        comm = await connect(address, timeout=CONNECT_TIMEOUT)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        reply = await asyncio.wait_for(identity(), CONNECT_TIMEOUT)
    except asyncio.TimeoutError:
        return f"no Dask scheduler answered within {CONNECT_TIMEOUT:g} s"
    except Exception as exc:    # garbage on the wire ends anywhere, even in "Unable to allocate 3 EiB"
        return f"what answers there is not a Dask scheduler ({type(exc).__name__})"
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        return "what answers there is not a Dask scheduler"
    return ""


def make_backend(name: str, workers: int | None = None, scheduler: str | None = None,
                 unit_timeout: float = DEFAULT_UNIT_TIMEOUT):
    """The backend called `name` (local, dask or serial); units run at most `unit_timeout` seconds."""
    if workers is not None and workers < 1:
        raise InputError("--workers must be at least 1")
    check_seconds(unit_timeout, "--unit-timeout")
    if scheduler and name != "dask":
        raise InputError("--scheduler needs --backend dask")
    if name == "serial":
        return SerialBackend(unit_timeout)
    if name == "local":
        return ProcessPoolBackend(workers, unit_timeout=unit_timeout)
    if name == "dask":
        return DaskBackend(scheduler, workers, unit_timeout=unit_timeout)
    raise InputError(f"--backend {name!r}: choose one of {', '.join(BACKENDS)}")
