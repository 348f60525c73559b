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
Then the process's own thresholds come back. Garbage that existed before a replication began is
frozen with the rest, so a plain full collection runs first before every FULL_EVERY-th first
replication, and before the next one after a replication that raised (its world was still held by
the exception when it ended). Replications that keep overlapping in threads never all end: a full
collection runs after every OVERLAPPING of them end.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

YOUNG, MIDDLE, OLD = 100_000, 20, 100      # thresholds while replications run
FULL_EVERY = 16                            # a plain full collection before every 16th first replication in
OVERLAPPING = 4                            # a collection after every 4 replications ended while others run

_lock = threading.RLock()                  # re-entrant: a finalizer run by a collection may start a replication
_running = 0                               # replications running in this process
_starts = 0                                # times a first replication started
_ended = 0                                 # replications ended since the last collection
_dirty = False                             # the last replication out raised: its world may still be held
_saved: tuple[int, int, int] = gc.get_threshold()
_froze = False                             # whether the first replication froze what the process held


@contextmanager
def paced_collections() -> Iterator[None]:
    """Run the block with the collector's thresholds at (YOUNG, MIDDLE, OLD); nested or concurrent
    blocks share them, and the thresholds found before the first come back after the last."""
    global _running, _saved, _froze, _starts, _ended, _dirty
    with _lock:
        if _running == 0:
            if _dirty or _starts % FULL_EVERY == 0:
                gc.collect()        # garbage made outside replications (or a raising one's world) is not frozen
            _dirty = False
            _starts += 1
            _saved = gc.get_threshold()
            gc.set_threshold(YOUNG, MIDDLE, OLD)
            _froze = gc.get_freeze_count() == 0
            if _froze:
                gc.freeze()
        _running += 1
    raised = True
    try:
        yield
        raised = False
    finally:
        with _lock:
            _running -= 1
            _ended += 1
            if _running == 0:
                _dirty = raised
                try:
                    gc.collect()    # the finished worlds' cycles, at once rather than some replications later
                finally:
                    _ended = 0
                    if _froze:
                        gc.unfreeze()
                    gc.set_threshold(*_saved)
            elif _ended >= OVERLAPPING:
                _ended = 0
                gc.collect()        # replications overlapping in threads: their finished worlds, now and then
