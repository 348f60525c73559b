"""Work units in forked worker processes that the parent watches one by one, so a unit that crashes,
is killed or hangs costs only itself.

Each worker runs one unit at a time and the parent knows which: a worker that dies (`os._exit`, a
signal, the kernel's out-of-memory killer) has its unit run again in a fresh worker, at most
`retries` more times, then recorded as failed with the cause (exit code or signal). A unit still
running after `timeout` seconds has its worker killed and is recorded as failed, not retried.
Workers die with their parent (Linux: PR_SET_PDEATHSIG; elsewhere they exit when their pipe
closes) and ignore Ctrl-C, which the parent handles by killing them.

Workers are forked once and reused: a unit costs only the pickling of it and of its outcome
through a pipe; a fork (tens of milliseconds for a parent of 200 MB) happens only to replace a
worker that died or ran out of time.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import pickle
import select
import signal
import sys
import threading
import time
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from fleet.errors import InputError, Interruption
from runs.studies.workunits import UnitOutcome, WorkUnit

Task = Callable[[WorkUnit], UnitOutcome]
POLL_SECONDS = 0.5      # longest wait between checks of the deadlines (s)
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True) if sys.platform.startswith("linux") else None


def cause_of_death(status: int) -> str:
    """Words for a `waitpid` status: the exit code or the signal that ended the process."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"killed by signal {number} ({signal.Signals(number).name})"
        except ValueError:
            return f"killed by signal {number}"
    return f"exited with code {os.waitstatus_to_exitcode(status)} without a result"


def _die_with_parent(parent: int) -> None:
    """In a child: be killed when the parent dies (Linux); exit now if it already has."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _frame(obj: object) -> bytes:
    """`obj` pickled, after its length (8 bytes, little-endian): one message on a pipe."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(8, "little") + data


def _send(stream, obj: object) -> None:
    stream.write(_frame(obj))
    stream.flush()


def _serve(task: Task, units_fd: int, outcomes_fd: int, parent: int, parents_fds: tuple[int, ...]) -> None:
    """In a worker: run each unit read from `units_fd`, send its outcome to `outcomes_fd`; never return.

    `parents_fds`: the parent's ends of the pipes, closed here.
    """
    try:
        for fd in parents_fds:
            os.close(fd)
        _die_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # the parent handles Ctrl-C and kills its workers
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with os.fdopen(units_fd, "rb") as units, os.fdopen(outcomes_fd, "wb") as outcomes:
            while len(header := units.read(8)) == 8:
                unit = pickle.loads(units.read(int.from_bytes(header, "little")))
                try:
                    outcome = task(unit)
                    _send(outcomes, outcome)
                except BaseException as exc:  # SystemExit from a policy, an unpicklable result: this unit fails
                    _send(outcomes, UnitOutcome(unit.key, error=f"{type(exc).__name__}: {exc}",
                                                detail=traceback.format_exc()))
                _flush_std()
    finally:
        os._exit(0)


def _flush_std() -> None:
    """Flush stdout and stderr, whatever became of them (a closed pipe is not this unit's failure)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass


def _fork() -> int:
    """os.fork, quiet about the threads of a Dask worker (the child only serves units)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
        return os.fork()


def _reap(pid: int, flags: int) -> int | None:
    """waitpid, retried on EINTR: the wait status, or None if the child still runs (with WNOHANG)."""
    while True:
        try:
            done, status = os.waitpid(pid, flags)
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0
        return status if done else None


@dataclass
class _Worker:
    """A forked worker process: units go down `units_fd`, outcomes come back up `outcomes_fd`."""

    pid: int
    units_fd: int
    outcomes_fd: int
    unit: WorkUnit | None = None            # the unit it runs now, if any
    deadline: float = math.inf              # time.monotonic() by which that unit must be done
    received: bytearray = field(default_factory=bytearray)
    closed: bool = False                    # its end of the outcome pipe is closed: it died

    @classmethod
    def start(cls, task: Task, others: Iterable[int]) -> "_Worker":
        """Fork a worker that runs `task` on each unit it is given; it closes `others`, the other workers' pipes."""
        units_r, units_w = os.pipe()
        outcomes_r, outcomes_w = os.pipe()
        _flush_std()                # else the worker would print again what the parent has buffered
        parent = os.getpid()
        pid = _fork()
        if pid == 0:
            _serve(task, units_r, outcomes_w, parent, (units_w, outcomes_r, *others))
        os.close(units_r)
        os.close(outcomes_w)
        os.set_blocking(outcomes_r, False)
        return cls(pid, units_w, outcomes_r)

    def give(self, unit: WorkUnit, timeout: float) -> bool:
        """Send `unit` to run within `timeout` seconds; False if the worker is gone."""
        message, sent = _frame(unit), 0
        try:
            while sent < len(message):
                sent += os.write(self.units_fd, message[sent:])
        except OSError:         # BrokenPipeError: it died idle
            return False
        self.unit, self.deadline = unit, time.monotonic() + timeout
        return True

    def read(self) -> None:
        """Take what the outcome pipe holds now; note when the worker's end is closed."""
        while True:
            try:
                chunk = os.read(self.outcomes_fd, 1 << 20)
            except BlockingIOError:
                return
            if not chunk:
                self.closed = True
                return
            self.received += chunk

    def outcome(self) -> UnitOutcome | None:
        """The outcome of the current unit once it has fully arrived (the worker is then free)."""
        if len(self.received) < 8:
            return None
        end = 8 + int.from_bytes(self.received[:8], "little")
        if len(self.received) < end:
            return None
        outcome = pickle.loads(self.received[8:end])
        del self.received[:end]
        self.unit, self.deadline = None, math.inf
        return outcome

    def stop(self) -> int:
        """Kill the worker and reap it; its wait status."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        status = _reap(self.pid, 0)
        os.close(self.units_fd)
        os.close(self.outcomes_fd)
        return status


class WorkerPool:
    """At most `size` forked workers running `task`, each on one unit at a time.

    The pool knows which unit each worker runs, so a worker that dies costs only its unit: that unit
    runs again in a fresh worker, at most `retries` more times, then is recorded as failed with the
    cause. A unit still running after `timeout` seconds has its worker killed and is recorded as
    failed (not retried). `close()` kills the workers.
    """

    def __init__(self, task: Task, size: int, timeout: float, retries: int):
        self.task, self.size, self.timeout, self.retries = task, size, timeout, retries
        self.workers: list[_Worker] = []

    def run(self, units: Iterable[WorkUnit]) -> Iterator[UnitOutcome]:
        """Run `units`; yield each outcome as it finishes."""
        queue = list(reversed(list(units)))
        deaths: dict[str, int] = {}
        while queue or any(w.unit is not None for w in self.workers):
            self._hand_out(queue)
            self._wait()
            for worker in list(self.workers):
                outcome = worker.outcome()
                if outcome is None and worker.unit is not None and (worker.closed or time.monotonic() >= worker.deadline):
                    outcome = self._lost(worker, deaths, queue)
                elif worker.closed:       # died idle: nothing to charge
                    self._remove(worker)
                if outcome is not None:
                    yield outcome

    def _hand_out(self, queue: list[WorkUnit]) -> None:
        """Give queued units to idle workers, starting workers up to `size`."""
        idle = [w for w in self.workers if w.unit is None and not w.closed]
        while queue and (idle or len(self.workers) < self.size):
            worker = idle.pop() if idle else self._add()
            if not worker.give(queue[-1], self.timeout):
                self._remove(worker)
                continue
            queue.pop()

    def _add(self) -> _Worker:
        worker = _Worker.start(self.task, [fd for w in self.workers for fd in (w.units_fd, w.outcomes_fd)])
        self.workers.append(worker)
        return worker

    def _remove(self, worker: _Worker) -> int:
        self.workers.remove(worker)
        return worker.stop()

    def _wait(self) -> None:
        """Block until a worker sends something, a deadline passes, or POLL_SECONDS go by."""
        busy = [w for w in self.workers if w.unit is not None]
        now = time.monotonic()
        wait = max(0.0, min([POLL_SECONDS] + [w.deadline - now for w in busy]))
        try:
            ready, _, _ = select.select([w.outcomes_fd for w in self.workers], [], [], wait)
        except InterruptedError:
            return
        for worker in self.workers:
            if worker.outcomes_fd in ready:
                worker.read()

    def _lost(self, worker: _Worker, deaths: dict[str, int], queue: list[WorkUnit]) -> UnitOutcome | None:
        """A busy worker died or ran out of time: its unit's failure, or None if the unit runs again."""
        unit, timed_out = worker.unit, not worker.closed
        status = self._remove(worker)
        if timed_out:
            return UnitOutcome(unit.key, error=f"timed out after {self.timeout:g} s")
        deaths[unit.key] = deaths.get(unit.key, 0) + 1
        if deaths[unit.key] <= self.retries:
            queue.append(unit)
            return None
        times = f" ({deaths[unit.key]} times)" if deaths[unit.key] > 1 else ""
        return UnitOutcome(unit.key, error=f"worker process {cause_of_death(status)}{times}")

    def close(self) -> None:
        """Kill every worker."""
        while self.workers:
            self._remove(self.workers[-1])


_thread_pools = threading.local()


def run_isolated(unit: WorkUnit, task: Task, timeout: float, retries: int) -> UnitOutcome:
    """One unit in a worker process of this thread's own (a Dask task: its worker never dies for a unit)."""
    pool = getattr(_thread_pools, "pool", None)
    if pool is None or (pool.task, pool.timeout, pool.retries) != (task, timeout, retries):
        if pool is not None:
            pool.close()
        pool = _thread_pools.pool = WorkerPool(task, 1, timeout, retries)
    return next(iter(pool.run([unit])))


def check_seconds(seconds: float, option: str) -> float:
    """`seconds` if it is a positive, finite time limit; InputError naming `option` if not."""
    if not 0 < seconds < math.inf:
        raise InputError(f"{option} must be a positive number of seconds, not {seconds:g}")
    return seconds


class UnitTimeout(Interruption):
    """A unit ran past its time limit (a BaseException: no `except Exception` in a policy swallows it)."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise UnitTimeout in this process after `seconds` (SIGALRM; main thread only, else no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def on_alarm(signum, frame):
        raise UnitTimeout(f"timed out after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
