"""Structures that keep the engine's cost in proportion to its work as the fleet grows (issue 17's
ten-gw world): each gives what the plain computation it replaces gives."""
from __future__ import annotations

import math

import numpy as np

from fleet.sums import DOT_CHUNK, dot


def test_a_dot_product_is_blas_own_up_to_a_chunk_and_the_sum_of_chunks_above():
    rng = np.random.default_rng(7)
    for n in (0, 1, 17, DOT_CHUNK - 1, DOT_CHUNK):
        a, b = rng.random(n), rng.random(n)
        assert dot(a, b) == float(a @ b)                       # bit for bit: one single-threaded call
    for n in (DOT_CHUNK + 1, 3 * DOT_CHUNK + 5):
        a, b = rng.random(n), rng.random(n)
        chunks = [float(a[i:i + DOT_CHUNK] @ b[i:i + DOT_CHUNK]) for i in range(0, n, DOT_CHUNK)]
        assert dot(a, b) == sum(chunks)
        exact = math.fsum((a * b).tolist())                    # the rounded products, summed exactly
        assert abs(dot(a, b) - exact) <= 4 * n * np.finfo(float).eps * exact


def test_the_launch_queue_serves_the_cluster_holding_the_oldest_order(monkeypatch):
    from events.launch import LaunchQueue
    from runs import simulate

    found = LaunchQueue._oldest_cluster
    seen = []

    def checked(self) -> int:
        heads = [(q[0], c) for c, q in enumerate(self.queues) if q]     # every queue's front: the plain scan
        got = found(self)
        assert got == min(heads)[1]
        seen.append(len(heads))
        return got

    monkeypatch.setattr(LaunchQueue, "_oldest_cluster", checked)
    simulate("baseline", seed=3, years=6.0)
    assert len(seen) > 50 and max(seen) > 1           # many launches, some with several clusters waiting


def test_clusters_come_most_due_first_and_ties_in_ascending_order_as_a_stable_sort_gives_them():
    from policies.service_on_threshold import _most_first

    rng = np.random.default_rng(11)
    for size in (1, 2, 7, 120, 1200):
        for _ in range(20):
            counts = rng.integers(0, 4, size) * rng.integers(0, 2, size)      # many zeros and ties
            plain = [c for c in (-counts).argsort(kind="stable").tolist() if counts[c] > 0]
            assert list(_most_first(counts)) == plain
    assert list(_most_first(np.zeros(5, dtype=np.int64))) == [] and list(_most_first(np.zeros(0, np.int64))) == []


def _seen_in_replications(monkeypatch, read) -> list:
    """A list that gets `read()` as each replication starts (inside the collector's pacing)."""
    import events.engine as engine

    seen, real = [], engine._replication

    def watched(*args):
        seen.append(read())
        return real(*args)

    monkeypatch.setattr(engine, "_replication", watched)
    return seen


def test_a_replication_runs_with_the_collector_paced_and_gives_the_process_its_thresholds_back(monkeypatch):
    import gc

    import pytest

    import events.engine as engine
    from events.collector import MIDDLE, OLD, YOUNG

    own = (900, 11, 12)
    before = gc.get_threshold()
    gc.set_threshold(*own)
    try:
        seen = _seen_in_replications(monkeypatch, gc.get_threshold)
        from runs import simulate
        simulate("tiny", seed=0, years=1.0)
        assert seen == [(YOUNG, MIDDLE, OLD)] and gc.get_threshold() == own

        def failing(*args):
            raise RuntimeError("boom")

        monkeypatch.setattr(engine, "_replication", failing)
        with pytest.raises(RuntimeError):
            engine.run_replication(None, None, 0)
        assert gc.get_threshold() == own
    finally:
        gc.set_threshold(*before)


def test_overlapping_replications_share_the_paced_collector_and_the_last_one_out_restores_it():
    import gc
    import threading

    from events.collector import MIDDLE, OLD, YOUNG, paced_collections

    before = gc.get_threshold()
    inside, leave = threading.Event(), threading.Event()
    seen = []

    def other():
        with paced_collections():
            inside.set()
            leave.wait(10)
            seen.append(gc.get_threshold())

    worker = threading.Thread(target=other)
    with paced_collections():
        worker.start()
        inside.wait(10)
    seen.append(gc.get_threshold())            # the first one left; the other still runs
    leave.set()
    worker.join(10)
    assert seen == [(YOUNG, MIDDLE, OLD)] * 2 and gc.get_threshold() == before


def test_settling_modules_a_block_at_a_time_gives_what_one_pass_gives(monkeypatch):
    import events.world as world
    from runs import simulate

    def run():
        r = simulate("baseline", seed=2, years=4.0)
        return {k: v for k, v in r.summary.items() if k != "wall_seconds"}, r.events, r.timeline

    big = run()                                            # blocks larger than baseline's fleet: one pass
    monkeypatch.setattr(world, "SETTLE_SLOTS", 1)          # one module a block
    small = run()
    assert small[0] == big[0]
    assert small[1].equals(big[1]) and small[2].equals(big[2])


def _worlds() -> int:
    import gc

    from events.world import World
    return sum(isinstance(obj, World) for obj in gc.get_objects())


def test_a_finished_replication_leaves_no_world_behind_while_its_outcome_is_kept():
    """The outcome holds the log, the timeline's columns and the summary, not the world; the world's
    cycles are collected when the replication ends, so a serial study holds one world at a time."""
    import gc

    from events.engine import run_replication
    from policies.registry import make_policy
    from runs import load_scenario

    gc.collect()                                   # what earlier tests left
    scenario = load_scenario("tiny")
    outcomes = [run_replication(scenario, make_policy(scenario.policy.name, scenario.policy.params), seed)
                for seed in range(3)]
    assert [o.summary["events"] for o in outcomes] == [len(o.events) for o in outcomes]
    assert _worlds() == 0


def test_a_raising_replication_s_world_is_freed_when_the_next_one_starts(monkeypatch):
    """A replication that raises ends while its exception still holds the world; once the caller has
    dropped the exception, the next replication frees it before anything is frozen."""
    import gc

    import pytest

    import events.engine as engine
    from runs import simulate

    gc.collect()
    real, calls = engine._deploy, []

    def every_other(world, launches):               # raises inside the replication, its world alive
        calls.append(1)
        if len(calls) % 2:
            raise RuntimeError("a failing unit")
        return real(world, launches)

    monkeypatch.setattr(engine, "_deploy", every_other)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            simulate("tiny", seed=0, years=1.0)
        simulate("tiny", seed=0, years=1.0)
        assert _worlds() == 0


def test_the_process_frozen_objects_come_back_and_a_users_own_freeze_is_kept(monkeypatch):
    """While a replication runs, what the process held before is frozen (its closing collection then
    costs the world's size); afterwards nothing of it stays frozen, unless the process froze it itself."""
    import gc

    from runs import simulate

    gc.unfreeze()                                  # whatever an earlier test froze
    seen = _seen_in_replications(monkeypatch, gc.get_freeze_count)
    try:
        simulate("tiny", seed=0, years=1.0)
        assert seen[0] > 0 and gc.get_freeze_count() == 0
        gc.freeze()
        own = gc.get_freeze_count()
        simulate("tiny", seed=0, years=1.0)
        # nothing more frozen for the run (objects freed meanwhile leave the count), and not unfrozen after
        assert 0 < seen[1] <= own and 0 < gc.get_freeze_count() <= own
    finally:
        gc.unfreeze()


def test_a_long_dot_product_does_not_depend_on_the_number_of_blas_threads():
    """OpenBLAS splits a long dot product over its threads; `dot` gives the same bits with one or two."""
    import os
    import subprocess
    import sys

    code = ("import numpy as np; from fleet.sums import dot; rng = np.random.default_rng(3); "
            "a, b = rng.random(250_000), rng.random(250_000); print(repr(dot(a, b)), repr(float(a @ b)))")
    out = {}
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads}
        out[threads] = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                      check=True).stdout.split()
    assert out["1"][0] == out["2"][0]
