"""Scale of the experiment backends: parallel efficiency on 2 workers and Dask's per-unit overhead.

    python bench/experiments.py [--replications 200] [--years 30] [--overhead-units 200]

1. `--replications` replications of `baseline` (`--years` long), serially and on a local process
   pool of 2 workers: wall time of each and their ratio (goal: pool at most 0.6 of serial).
2. `--overhead-units` very short units (`tiny` for 0.05 years) on the process pool and on a Dask
   LocalCluster, both with 2 workers, cluster start excluded: wall time per unit of each; the
   difference is Dask's overhead per unit.

Prints the figures, then one JSON line (with the machine's load average: on a machine whose cores
other work keeps busy, the pool cannot reach the goal, and the ratio says nothing of the backend).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runs.studies.backends import DaskBackend, ProcessPoolBackend, SerialBackend  # noqa: E402
from runs.studies.experiment import parse_experiment  # noqa: E402
from runs.studies.runner import run_plan  # noqa: E402


def plan(scenario: str, years: float, replications: int):
    return parse_experiment({"name": f"bench-{scenario}", "scenario": scenario, "years": years, "seed": 1,
                             "replications": replications, "policies": [{"name": "service-on-threshold"}]},
                            "bench")


def timed_run(p, backend) -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        report = run_plan(p, out, backend, progress=False)
        wall = time.perf_counter() - started
    assert report.failed == 0 and report.computed == len(p.units)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--years", type=float, default=30.0)
    parser.add_argument("--overhead-units", type=int, default=200)
    args = parser.parse_args()

    from distributed import LocalCluster

    big = plan("baseline", args.years, args.replications)
    serial = timed_run(big, SerialBackend())
    pool = timed_run(big, ProcessPoolBackend(workers=2))
    print(f"baseline, {args.replications} replications x {args.years:g} years: serial {serial:.1f} s, "
          f"2-process pool {pool:.1f} s, ratio {pool / serial:.3f} (goal <= 0.6)")

    small = plan("tiny", 0.05, args.overhead_units)
    pool_small = timed_run(small, ProcessPoolBackend(workers=2))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        timed_run(plan("tiny", 0.05, 4), DaskBackend(cluster.scheduler_address))  # workers import the simulator
        dask_small = timed_run(small, DaskBackend(cluster.scheduler_address))
    per_pool = pool_small / args.overhead_units * 1000
    per_dask = dask_small / args.overhead_units * 1000
    print(f"{args.overhead_units} short units: pool {per_pool:.1f} ms/unit, dask {per_dask:.1f} ms/unit, "
          f"dask overhead {per_dask - per_pool:+.1f} ms/unit")
    print(json.dumps({"replications": args.replications, "years": args.years, "serial_s": round(serial, 2),
                      "pool2_s": round(pool, 2), "ratio": round(pool / serial, 3),
                      "efficiency": round(serial / pool / 2, 3), "overhead_units": args.overhead_units,
                      "pool_ms_per_unit": round(per_pool, 2), "dask_ms_per_unit": round(per_dask, 2),
                      "dask_overhead_ms_per_unit": round(per_dask - per_pool, 2),
                      "cpus": os.cpu_count(), "load_average_1min_at_end": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
