"""Benchmark: `gigawatt` at the fixed size `bench/gigawatt.py` times (`bench.gigawatt.gigawatt`) with its eclipse from the orbit's geometry (blocks of days,
batteries or not) against the same engine with a constant typed-in eclipse fraction, timed side by side.

Run from the repository root:  python bench/geometry_ratio.py [--seed N] [--reps K] [--years Y]

Both variants run alternately (off, on, off, on, ...), each with the geometry's memoised passes and
shadow blocks cleared first, so each pays what it derives before its run. The LAST line is one JSON
object with geometry_ratio (mean wall time with the geometry over without) and both mean wall times.
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from fleet import contacts, eclipse, orbits  # noqa: E402
from bench.gigawatt import gigawatt  # noqa: E402
from runs import simulate  # noqa: E402


def variants(years: float):
    """(without, with) the geometry: gigawatt with its mean shadow fraction typed in, and from its orbits."""
    on = gigawatt(years)
    mean_shadow = 1.0 - eclipse.mean_sunlit(on)
    module = on.fleet.module.model_copy(update={"eclipse_fraction": mean_shadow})
    off = on.model_copy(update={"fleet": on.fleet.model_copy(update={"module": module})})
    return off, on


def cold_run(scenario, seed: int) -> tuple[dict, float]:
    """A replication's summary and wall seconds, with the geometry's memos cleared first."""
    for memo in (eclipse._plane_blocks, orbits.steps_in_view, contacts._views):
        memo.cache_clear()
    gc.collect()
    t = time.perf_counter()
    summary = simulate(scenario, seed=seed).summary
    return summary, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reps", type=int, default=3, help="replications of each variant, alternated")
    ap.add_argument("--years", type=float, default=30.0)
    args = ap.parse_args()
    off, on = variants(args.years)
    walls: dict[str, list[float]] = {"off": [], "on": []}
    for rep in range(args.reps):
        for name, scenario in (("off", off), ("on", on)):
            summary, wall = cold_run(scenario, args.seed)
            walls[name].append(wall)
            print(f"  rep {rep} geometry {name}: {wall:.2f} s, {summary['events']:,} events, "
                  f"delivered {summary['delivered_pflops_days']:,.6g} PFLOPS-days", flush=True)
    mean_off = sum(walls["off"]) / len(walls["off"])
    mean_on = sum(walls["on"]) / len(walls["on"])
    print(json.dumps({"geometry_ratio": round(mean_on / mean_off, 3), "seconds_with_geometry": round(mean_on, 3),
                      "seconds_without_geometry": round(mean_off, 3), "reps": args.reps, "years": args.years}))


if __name__ == "__main__":
    main()
