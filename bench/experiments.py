"""Scale past one machine: replications of `baseline` serially and on a real Dask cluster.

    python bench/experiments.py [--reps 64] [--years 30] [--scheduler tcp://HOST:PORT] [--workers 2] [--pool]

1. `--reps` replications of `baseline` (`--years` long, its own policy) on the serial backend, after
   two short units in the same process, as the workers below run them.
2. The same on a Dask cluster: by default a scheduler and `--workers` single-threaded workers started
   here as separate processes on 127.0.0.1 (`python -m dask scheduler` / `dask worker`, this checkout
   on their path, as tests/test_dask_cluster.py does) and stopped at the end; with `--scheduler`, an
   existing cluster (give `--workers` as the number of its worker threads). The workers first run
   two short units, so that the timed run does not include their imports; cluster start-up is not
   timed either.
3. Checks that both give the same numbers (every summary column but `wall_seconds`), and prints
   the parallel efficiency, serial wall time / (workers x Dask wall time) (goal: at least 0.85 on
   2 workers), and the per-unit figures a larger study can be sized from: the units' mean
   simulation time and the peak RSS of the process that ran them serially. To tell the backend's
   overhead from the cores' contention, it also gives the units' mean simulation time on Dask and
   the fraction of the workers' time spent in units.
With `--pool`, also times the local process pool (`--backend local`) with `--workers` processes.

The last line is one JSON object, with the machine's load average: on a machine whose cores other
work keeps busy, no backend reaches the goal, and the ratio says nothing of the backend.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from runs import load_results  # noqa: E402
from runs.studies.backends import DaskBackend, ProcessPoolBackend, SerialBackend  # noqa: E402
from runs.studies.experiment import parse_experiment  # noqa: E402
from runs.studies.runner import run_plan  # noqa: E402
from tests.cluster import local_cluster  # noqa: E402

def plan(scenario: str, years: float, replications: int):
    """The experiment: `replications` of `scenario` under its own policy, seed 1."""
    return parse_experiment({"name": f"bench-{scenario}", "scenario": scenario, "years": years, "seed": 1,
                             "replications": replications, "policies": [{"name": "service-on-threshold"}]},
                            "bench")


def timed_run(p, backend, out: Path) -> float:
    """Wall seconds to run plan `p` into `out` on `backend`; every unit must succeed."""
    started = time.perf_counter()
    report = run_plan(p, str(out), backend, progress=False)
    wall = time.perf_counter() - started
    if report.failed or report.computed != len(p.units):
        raise RuntimeError(f"{report.failed} of {len(p.units)} units failed on {type(backend).__name__}")
    return wall


def numbers(out: Path) -> pd.DataFrame:
    """The results' summaries, without their timings, in key order."""
    return load_results(out).summary.drop(columns="wall_seconds").sort_values("key").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=64, help="replications of baseline")
    parser.add_argument("--years", type=float, default=30.0, help="horizon of each replication")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers (and pool processes)")
    parser.add_argument("--scheduler", help="an existing Dask scheduler, tcp://HOST:PORT (default: start one here)")
    parser.add_argument("--pool", action="store_true", help="also time the local process pool")
    args = parser.parse_args()
    if args.reps < 1 or args.workers < 1:
        parser.error("--reps and --workers must be at least 1")

    big = plan("baseline", args.years, args.reps)
    figures: dict = {"replications": args.reps, "years": args.years, "workers": args.workers}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        warm_up = plan("tiny", 0.1, 2)          # two short units first, on each side: imports and caches untimed
        timed_run(warm_up, SerialBackend(), folder / "serial-warm-up")
        serial = timed_run(big, SerialBackend(), folder / "serial")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0     # the units ran in this process
        unit_mean = float(load_results(folder / "serial").summary["wall_seconds"].mean())
        print(f"baseline, {args.reps} replications x {args.years:g} years: serial {serial:.1f} s "
              f"({unit_mean:.2f} s per unit's own simulation)", flush=True)
        with (local_cluster(args.workers, folder) if args.scheduler is None else _given(args.scheduler)) as address:
            backend = DaskBackend(address, workers=args.workers)
            timed_run(warm_up, backend, folder / "warm-up")
            dask = timed_run(big, backend, folder / "dask")
        same = numbers(folder / "dask").equals(numbers(folder / "serial"))
        efficiency = serial / (args.workers * dask)
        dask_unit_mean = float(load_results(folder / "dask").summary["wall_seconds"].mean())
        busy = dask_unit_mean * args.reps / (args.workers * dask)
        print(f"  Dask, {args.workers} workers ({'started here' if args.scheduler is None else address}): "
              f"{dask:.1f} s, parallel efficiency {efficiency:.3f} (goal >= 0.85); same numbers as serial: {same}")
        print(f"  on Dask a unit's own simulation took {dask_unit_mean:.2f} s ({dask_unit_mean / unit_mean:.2f} x "
              f"serial: the cores' contention), and the workers spent {busy:.3f} of their time in units "
              f"(the rest is the backend's)")
        figures.update({"serial_s": round(serial, 2), "dask_s": round(dask, 2), "efficiency": round(efficiency, 3),
                        "same_numbers": same, "unit_mean_s": round(unit_mean, 3),
                        "dask_unit_mean_s": round(dask_unit_mean, 3), "dask_busy_fraction": round(busy, 3)})
        if args.pool:
            pool = timed_run(big, ProcessPoolBackend(workers=args.workers), folder / "pool")
            print(f"  local pool, {args.workers} processes: {pool:.1f} s, "
                  f"efficiency {serial / args.workers / pool:.3f}")
            figures.update({"pool_s": round(pool, 2), "pool_efficiency": round(serial / args.workers / pool, 3)})
    print(f"  peak RSS of the process that ran the units serially: {rss:.0f} MB")
    figures.update({"unit_peak_rss_mb": round(rss, 1), "cpus": os.cpu_count(),
                    "load_average_1min_at_end": round(os.getloadavg()[0], 2)})
    print(json.dumps(figures))
    if not same:
        sys.exit("the Dask cluster's numbers differ from the serial ones")


@contextmanager
def _given(address: str) -> Iterator[str]:
    yield address


if __name__ == "__main__":
    main()
