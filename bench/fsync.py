"""What fsync adds to each unit a comparison or sweep writes.

    python bench/fsync.py [--units 32] [--rounds 5] [--dir DIR]

Computes `--units` short units (`tiny`, 0.05 years) once, then writes their outcomes into a fresh
results store `--rounds` times with fsync and as often with os.fsync made a no-op, alternating,
in a folder under `--dir` (default: the current folder, so that the disk measured is the one
results go to). Prints the median time per unit of each, their difference (the cost of fsync per
unit) and the median simulation time per unit for scale, then one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runs.studies.experiment import parse_experiment  # noqa: E402
from runs.studies.store import Store  # noqa: E402
from runs.studies.workunits import run_unit  # noqa: E402


def write_all(plan, outcomes, where: str) -> float:
    """Seconds to open a fresh store under `where` and write every outcome into it."""
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        started = time.perf_counter()
        with Store(Path(tmp) / "out", plan).open() as store:
            for unit, outcome in zip(plan.units, outcomes):
                store.write(unit, outcome)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", default=".")
    args = parser.parse_args()
    plan = parse_experiment({"name": "bench-fsync", "scenario": "tiny", "years": 0.05, "seed": 1,
                             "replications": args.units, "policies": [{"name": "replenish"}]}, "bench")
    started = time.perf_counter()
    outcomes = [run_unit(u) for u in plan.units]
    simulate = (time.perf_counter() - started) / args.units
    synced, unsynced = [], []
    for _ in range(args.rounds):
        synced.append(write_all(plan, outcomes, args.dir) / args.units)
        with mock.patch.object(os, "fsync", lambda fd: None):
            unsynced.append(write_all(plan, outcomes, args.dir) / args.units)
    with_ms, without_ms = 1000 * statistics.median(synced), 1000 * statistics.median(unsynced)
    print(f"{args.units} units, {args.rounds} rounds, in {Path(args.dir).resolve()}")
    print(f"store write per unit: {with_ms:.2f} ms with fsync, {without_ms:.2f} ms without; "
          f"fsync adds {with_ms - without_ms:.2f} ms per unit")
    print(f"simulating one unit (tiny, 0.05 years): {1000 * simulate:.1f} ms")
    print(json.dumps({"units": args.units, "write_ms_fsync": round(with_ms, 3),
                      "write_ms_no_fsync": round(without_ms, 3), "fsync_ms_per_unit": round(with_ms - without_ms, 3),
                      "simulate_ms_per_unit": round(1000 * simulate, 2), "load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
