"""Pacing of Python's cyclic garbage collector while a replication runs.

A collection of the oldest generation traverses every live object the collector tracks, and a large
world holds millions of them (each pending timeout, its callback list and its callback). With
Python's default thresholds (700, 10, 10) such full collections come often enough that their cost
grows with the fleet's size times the run's length: over 16 years, ten-gw (bench/gigawatt.py) spent
6.1 s of 52 s in 17 full collections, gigawatt 0.15 s in 2. While a replication runs, the collector
starts a young collection every YOUNG net allocations instead, and a full one every MIDDLE * OLD young
ones (Python adds its own rule: only once a quarter of the old generation is new). Cycles are still
collected: later, never lost.

When the last replication running in the process ends, one full collection frees the finished
worlds' cycles at once (without it, a serial study of 64 replications of baseline held about 825 MB,
the cycles of several worlds waiting for a full collection; with it, a world at a time). So that it
costs the worlds' size, not the process's, what the process held before the first replication
began is frozen meanwhile (`gc.freeze`: left out of collections) and unfrozen after; in a process
with pandas and scipy loaded that collection took 45 ms after a 5-year baseline, and 1.3 ms with
the freeze. A process that froze objects itself keeps them frozen, and pays the full collection.
Then the process's own thresholds come back.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

YOUNG, MIDDLE, OLD = 100_000, 20, 100      # thresholds while replications run

_lock = threading.Lock()
_running = 0                               # replications running in this process
_saved: tuple[int, int, int] = gc.get_threshold()
_froze = False                             # whether the first replication froze what the process held


@contextmanager
def paced_collections() -> Iterator[None]:
    """Run the block with the collector's thresholds at (YOUNG, MIDDLE, OLD); nested or concurrent
    blocks share them, and the thresholds found before the first come back after the last."""
    global _running, _saved, _froze
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(YOUNG, MIDDLE, OLD)
            _froze = gc.get_freeze_count() == 0
            if _froze:
                gc.freeze()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.collect()        # the finished worlds' cycles, at once rather than some replications later
                if _froze:
                    gc.unfreeze()
                gc.set_threshold(*_saved)
