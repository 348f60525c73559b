"""Benchmark: one 30-year replication of the shipped `gigawatt` scenario, and the engine against the
naive per-unit model (tests/naive_model.py) on a small world both can run.

Run from the repository root:  python bench/gigawatt.py [--seed N] [--engine-reps K] [--naive-reps M]

Prints what it measures as it goes; the LAST line is one JSON object with wall_seconds, events,
events_per_second, peak_rss_mb (of the gigawatt run) and speedup_vs_naive (mean naive wall time over
mean engine wall time on the small world, over the seeds both ran, timed alternately), plus extras.

The gigawatt run is timed with its event log made into a DataFrame, as `fleet run --out` needs it.
On the small world both models are timed to their KPIs: the naive model makes no event log, and
`simulate` makes the engine's DataFrame only when `result.events` is first read.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from policies.service_on_threshold import ServiceOnThreshold  # noqa: E402
from runs import simulate  # noqa: E402
from tests.naive_model import KPIS, run_naive, small_world  # noqa: E402

Z = 4.0


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MB (ru_maxrss is in KB on Linux)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0 / 1024.0


def the_small_world(years: float):
    """A 3% slice of gigawatt: 300 modules in 4 clusters with gigawatt's failure rates, its servicer per
    module ratio (16 for 10,000 modules: one here) and its 600-unit trips, and 256 boards per module,
    the board count of DESIGN.md's naive measurement (1,000 modules x 256 boards)."""
    return small_world(
        modules=300, units=256, clusters=4, horizon_years=years,
        unit={"distribution": "exponential", "rate_per_year": 0.068},            # as gigawatt
        bus={"distribution": "weibull", "shape": 0.4521, "scale_years": 2607.0},  # Castet & Saleh, as gigawatt
        design_life_years=15.0, servicers=1, trip_days=30.0, units_per_trip=600, threshold_fraction=0.2,
        lead_time_days=90.0, commissioning_days=30.0, modules_per_launch=30, launches_per_year=150.0,
        name="bench-small-world")


def with_events(result):
    """`result`, its event log made into a DataFrame."""
    if len(result.events) != result.summary["events"]:
        raise RuntimeError("the event log's DataFrame does not have the summary's number of events")
    return result


def timed(fn, *args, **kwargs):
    """(fn's result, its wall seconds), garbage from earlier runs collected first, for both models alike."""
    gc.collect()
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--years", type=float, default=30.0, help="horizon of both runs")
    ap.add_argument("--engine-reps", type=int, default=8, help="engine replications on the small world")
    ap.add_argument("--naive-reps", type=int, default=3, help="naive replications on the small world")
    args = ap.parse_args()

    # ----- the gigawatt fleet -------------------------------------------------------------------
    print(f"gigawatt: one {args.years:g}-year replication, seed {args.seed} ...", flush=True)
    result, wall = timed(lambda: with_events(simulate("gigawatt", seed=args.seed, years=args.years)))
    rss = peak_rss_mb()
    s = result.summary
    events = int(s["events"])
    print(f"  wall {wall:.2f} s, {events:,} events, {events / wall:,.0f} events/s, peak RSS {rss:.0f} MB")
    for k in ("modules_launched", "unit_failures", "units_replaced", "servicing_trips", "module_failures",
              "delivered_pflops_days", "mean_availability"):
        print(f"  {k:24s} {s[k]:,.6g}")
    del result

    # ----- engine against the naive per-unit model -----------------------------------------------
    world = the_small_world(args.years)
    policy = ServiceOnThreshold(threshold_fraction=0.2)
    print(f"\nsmall world: 300 modules x 256 units, {args.years:g} years; engine x {args.engine_reps}, "
          f"naive x {args.naive_reps} (seeds 0..)", flush=True)
    # interleaved, so that a change in machine load affects both models alike
    engine, engine_walls, naive, naive_walls = [], [], [], []
    for seed in range(max(args.engine_reps, args.naive_reps)):
        if seed < args.engine_reps:
            r, w = timed(simulate, world, seed=seed, policy=policy)
            engine.append(r.summary)
            engine_walls.append(w)
        if seed < args.naive_reps:
            k, w = timed(run_naive, world, seed, policy)
            naive.append(k)
            naive_walls.append(w)
            print(f"  seed {seed}: naive {w:.2f} s" + (f", engine {engine_walls[seed]:.2f} s"
                                                       if seed < len(engine_walls) else ""), flush=True)
    # speedup on the seeds both models ran, timed side by side
    common = min(len(engine_walls), len(naive_walls))
    engine_wall, naive_wall = float(np.mean(engine_walls[:common])), float(np.mean(naive_walls[:common]))
    speedup = naive_wall / engine_wall
    print(f"  seeds 0..{common - 1}: engine {engine_wall:.3f} s per replication, naive {naive_wall:.3f} s: "
          f"speedup {speedup:.1f}x")

    # Equal in distribution? Under that hypothesis both samples share one variance; the naive model
    # has too few replications to estimate it, so the engine's sample variance stands for both:
    # SE of the difference of means = s_engine * sqrt(1/K + 1/M). Agreement: |z| <= 4.
    print(f"\n  {'KPI':28s} {'engine mean':>16s} {'naive mean':>16s} {'z':>7s}")
    worst = 0.0
    for k in KPIS:
        e = np.array([x[k] for x in engine], float)
        n = np.array([x[k] for x in naive], float)
        sd = e.std(ddof=1) if len(e) > 1 else 0.0
        se = sd * math.sqrt(1 / len(e) + 1 / len(n))
        diff = n.mean() - e.mean()
        z = diff / se if se > 0 else (0.0 if diff == 0 else math.inf)
        worst = max(worst, abs(float(z)))
        print(f"  {k:28s} {e.mean():16,.6g} {n.mean():16,.6g} {z:7.2f}")
    agree = bool(worst <= Z)
    print(f"  results statistically equal (all |z| <= {Z:g}): {agree}")

    print(json.dumps({
        "wall_seconds": round(wall, 3),
        "events": events,
        "events_per_second": round(events / wall, 1),
        "peak_rss_mb": round(rss, 1),
        "speedup_vs_naive": round(speedup, 2),
        "naive_world": f"300 modules x 256 units x {args.years:g} years, service-on-threshold",
        "engine_seconds_small_world": round(engine_wall, 3),
        "naive_seconds_small_world": round(naive_wall, 3),
        "small_world_agrees": agree,
        "small_world_max_abs_z": round(worst, 2),
    }))


if __name__ == "__main__":
    main()
