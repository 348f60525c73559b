"""Overhead per unit of a study: `fleet compare` of 32 replications of `baseline` over 5 years on the
serial backend, against the units' own simulation times.

    python bench/overhead.py [--units 32] [--years 5] [--profile]

Runs the command as a user does (a fresh interpreter, this checkout first on PYTHONPATH, results into
a temporary folder), measures its wall time, reads each unit's own simulation time (`wall_seconds` in
the results store) and prints overhead_per_unit = (wall - sum of the units' times) / that sum:
start-up, planning, pickling, the store's writes with their fsync and the report all count as
overhead (goal: at most 0.10). Also gives the command's CPU time (on a loaded machine the wall
time stretches while the process waits for a core) and times `fleet --help` (the interpreter and the CLI's imports), the
part of the overhead no study size can spread. With --profile, runs the command once more under
cProfile and prints the entries with the most cumulative time outside the units' simulations. The
last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from runs import load_results  # noqa: E402
from tests.commands import repo_env  # noqa: E402

POLICY = "service-on-threshold"     # baseline's own policy


def compare_args(units: int, years: float, out: Path) -> list[str]:
    """The `fleet compare` command line: `units` replications of baseline under its own policy."""
    return ["compare", "baseline", "--policies", POLICY, "--replications", str(units), "--years", f"{years:g}",
            "--backend", "serial", "--no-progress", "--out", str(out)]


def run_fleet(args: list[str], prefix: tuple[str, ...] = ()) -> tuple[float, float]:
    """(wall, CPU) seconds of `fleet ARGS` in a child process (optionally run through `prefix`, a module)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run([sys.executable, *prefix, "-m", "runs", *args], cwd=REPO, env=repo_env(), check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, _children_cpu() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def units_seconds(out: Path, units: int) -> float:
    """Sum of the units' own simulation times, s, from the results store."""
    summary = load_results(out).summary
    if len(summary) != units:
        raise RuntimeError(f"{out}: {len(summary)} units in the store, expected {units}")
    return float(summary["wall_seconds"].sum())


def profile_top(units: int, years: float, folder: Path, top: int = 25) -> None:
    """Run the command under cProfile and print the `top` entries by cumulative time."""
    stats_file = folder / "compare.prof"
    run_fleet(compare_args(units, years, folder / "profiled"), ("-m", "cProfile", "-o", str(stats_file)))
    stats = pstats.Stats(str(stats_file))
    print(f"\nprofile of the command (cumulative time, top {top}; run_replication is the units' own time):")
    stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=32, help="replications of baseline")
    parser.add_argument("--years", type=float, default=5.0, help="horizon of each replication")
    parser.add_argument("--profile", action="store_true", help="also profile the command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        startup, _ = run_fleet(["--help"])
        wall, cpu = run_fleet(compare_args(args.units, args.years, folder / "compare"))
        own = units_seconds(folder / "compare", args.units)
        overhead = (wall - own) / own
        print(f"fleet compare baseline, {args.units} units x {args.years:g} years, serial: wall {wall:.2f} s, "
              f"units' own {own:.2f} s ({own / args.units * 1000:.0f} ms each): overhead_per_unit {overhead:.3f} "
              f"(goal <= 0.10); the command's CPU {cpu:.2f} s; `fleet --help` alone {startup:.2f} s")
        if args.profile:
            profile_top(args.units, args.years, folder)
    print(json.dumps({"units": args.units, "years": args.years, "wall_seconds": round(wall, 3),
                      "units_seconds": round(own, 3), "overhead_per_unit": round(overhead, 4),
                      "cpu_seconds": round(cpu, 3),
                      "startup_seconds": round(startup, 3), "load_average_1min_at_end": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
