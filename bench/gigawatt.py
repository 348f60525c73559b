"""Benchmark: 30-year replications of the shipped `gigawatt` scenario at a fixed size; a 10 GW world; the engine
against the floor (bench/floor.py); the engine against the naive per-unit model (tests/naive_model.py)
on a small world both can run.

Run from the repository root:  python bench/gigawatt.py [--seed N] [--pairs P] [--floor-pairs F] [--gigawatt-runs G] [--no-ten-gw]

Prints what it measures as it goes; the LAST line is one JSON object with wall_seconds (the median of
the gigawatt runs), gigawatt_runs_seconds, events, events_per_second, peak_rss_mb (of the gigawatt
runs), ten_gw_seconds, ten_gw_to_gigawatt, ten_gw_events_to_gigawatt, ten_gw_per_event_to_gigawatt
(ten-gw's time per event over gigawatt's), ten_gw_peak_rss_mb, floor_seconds, engine_to_floor and
speedup_vs_naive, plus extras.

1. gigawatt at a fixed size (`fixed_size`: its demand held at the PFLOPS of its first fleet, the
   10,000-module, 1M-board world that issue 17 measured), timed with its event log made into a DataFrame,
   as `fleet run --out` needs it, `--gigawatt-runs` times (the median is its wall time: one run of
   5 s moves by 10% on a quiet machine, and ten-gw's ratio with it). As shipped, gigawatt's demand is 1 GW of the newest generation, so
   the PFLOPS wanted grow with each generation and the fleet with them (about 74,000 modules launched
   and 4.7M events in 30 years): a speed benchmark needs work that stays put while the model changes.
2. ten-gw (`ten_gw`): the fixed-size gigawatt scaled tenfold (100,000 modules, ten million boards: target power,
   clusters, servicers and launch cadences x 10), timed the same way in a child process, so that its
   peak RSS is its own. Its wall time over gigawatt's says whether cost grows faster than the work.
3. The floor: gigawatt under the floor's world (`bench.floor.floor_scenario`: null policy, one vehicle
   that never fails, no servicers, no storms) for the engine and for the floor, timed alternately
   `--floor-pairs` times; each pair asserts that both give the same KPIs and event counts. The engine
   is timed to its summary and its event log's typed arrays (`simulate`), then separately to the
   DataFrame; the floor to its KPIs and event arrays. engine_to_floor is the median over the pairs of
   (engine + DataFrame) / floor, engine_to_floor_without_frame of engine / floor.
4. The small world (a 3% slice of gigawatt under service-on-threshold): `--pairs` alternating
   (engine, naive) pairs, seeds 0.., each timed to its KPIs (the naive model makes no event log, and
   `simulate` makes no DataFrame unless `result.events` is read); speedup_vs_naive is the median of
   the pairs' naive / engine ratios. The engine runs `--engine-reps` seeds in all, for the check that
   both models agree in distribution.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from bench.floor import floor_scenario, mismatches, run_floor  # noqa: E402
from fleet.scenario import Scenario, parse_scenario  # noqa: E402
from policies.service_on_threshold import ServiceOnThreshold  # noqa: E402
from runs import load_scenario, simulate  # noqa: E402
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


def fixed_size(data: dict) -> dict:
    """Scenario `data` with demand held at the PFLOPS of its first fleet (target power in the first
    generation), so that the fleet keeps its size whatever later generations offer."""
    first = data["hardware"]["generations"][0]
    pflops = data["fleet"]["target_power_mw"] * 1000.0 / first["power_kw_per_unit"] * first["pflops_per_unit"]
    data["demand"] = {"unit": "pflops", "level": pflops}
    return data


def gigawatt(years: float) -> Scenario:
    """gigawatt at a fixed size (`fixed_size`) over `years`."""
    data = fixed_size(load_scenario("gigawatt").model_dump())
    data["horizon_years"] = years
    return parse_scenario(data, "gigawatt at a fixed size (bench/gigawatt.py)")


def ten_gw(years: float) -> Scenario:
    """The fixed-size gigawatt scaled tenfold: 10 GW, 1,200 clusters of about 83 modules, 160 servicers,
    every vehicle's cadence x 10 (the fleet deploys in the same time)."""
    data = load_scenario("gigawatt").model_dump()
    data["name"] = "ten-gw"
    data["horizon_years"] = years
    data["fleet"]["target_power_mw"] *= 10
    data = fixed_size(data)
    data["fleet"]["clusters"] *= 10
    data["servicing"]["servicers"] *= 10
    for vehicle in data["launch"]["vehicles"]:
        vehicle["launches_per_year"] *= 10
    return parse_scenario(data, "ten-gw (bench/gigawatt.py)")


def run_ten_gw(seed: int, years: float) -> None:
    """In a child process: time one ten-gw replication with its DataFrame, print it as JSON."""
    scenario = ten_gw(years)
    result, wall = timed(lambda: with_events(simulate(scenario, seed=seed)))
    print(json.dumps({"wall_seconds": wall, "events": int(result.summary["events"]), "peak_rss_mb": peak_rss_mb()}))


def ten_gw_in_child(seed: int, years: float) -> dict:
    """ten-gw's figures, from a child process of its own."""
    out = subprocess.run([sys.executable, __file__, "--ten-gw-child", "--seed", str(seed), "--years", str(years)],
                         cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def floor_pairs(seed: int, years: float, pairs: int) -> dict:
    """Engine and floor on gigawatt's floor world, alternately, `pairs` times; each pair checked equal."""
    scenario = floor_scenario(load_scenario("gigawatt"))
    if years != scenario.horizon_years:
        scenario = parse_scenario({**scenario.model_dump(), "horizon_years": years}, "floor world")
    run_floor(scenario, seed)                                   # first calls: imports, caches
    engine, frame, floor = [], [], []
    for _ in range(pairs):
        result, e = timed(simulate, scenario, seed=seed)
        events, f = timed(getattr, result, "events")
        got, fl = timed(run_floor, scenario, seed)
        bad = mismatches(got, result.summary, events["kind"].value_counts().to_dict())
        if bad:
            raise AssertionError("the floor and the engine differ: " + "; ".join(bad))
        engine.append(e)
        frame.append(f)
        floor.append(fl)
        print(f"  engine {e:.2f} s + DataFrame {f:.2f} s, floor {fl:.3f} s: same KPIs and event counts", flush=True)
        del result, events
    e, f, fl = np.array(engine), np.array(frame), np.array(floor)
    return {"floor_seconds": float(np.median(fl)), "engine_seconds": float(np.median(e)),
            "dataframe_seconds": float(np.median(f)), "engine_to_floor": float(np.median((e + f) / fl)),
            "engine_to_floor_without_frame": float(np.median(e / fl))}


def timed(fn, *args, **kwargs):
    """(fn's result, its wall seconds), garbage from earlier runs collected first, for both models alike."""
    gc.collect()
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--years", type=float, default=30.0, help="horizon of every run")
    ap.add_argument("--pairs", type=int, default=5, help="alternating (engine, naive) pairs on the small world")
    ap.add_argument("--engine-reps", type=int, default=8,
                    help="engine replications on the small world in all (at least --pairs)")
    ap.add_argument("--floor-pairs", type=int, default=3, help="alternating (engine, floor) pairs")
    ap.add_argument("--gigawatt-runs", type=int, default=3,
                    help="gigawatt replications timed (the same seed); their median is gigawatt's wall time")
    ap.add_argument("--no-ten-gw", action="store_true",
                    help="skip the 10 GW world (most of the run: 11 minutes on a loaded 2-core machine)")
    ap.add_argument("--ten-gw-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.ten_gw_child:
        run_ten_gw(args.seed, args.years)
        return
    if args.pairs < 1 or args.floor_pairs < 1 or args.gigawatt_runs < 1:
        ap.error("--pairs, --floor-pairs and --gigawatt-runs must be at least 1")

    # ----- the gigawatt fleet -------------------------------------------------------------------
    print(f"gigawatt at a fixed size: {args.gigawatt_runs} {args.years:g}-year replications of seed {args.seed} ...",
          flush=True)
    scenario = gigawatt(args.years)
    walls = []
    for _ in range(args.gigawatt_runs):
        result, w = timed(lambda: with_events(simulate(scenario, seed=args.seed)))
        walls.append(w)
        s = result.summary
        del result                                     # one world at a time: the peak RSS is one run's
    wall = float(np.median(walls))
    rss = peak_rss_mb()
    events = int(s["events"])
    print(f"  wall {wall:.2f} s (median of {', '.join(f'{w:.2f}' for w in walls)}), {events:,} events, "
          f"{events / wall:,.0f} events/s, peak RSS {rss:.0f} MB")
    for k in ("modules_launched", "unit_failures", "units_replaced", "servicing_trips", "module_failures",
              "delivered_pflops_days", "mean_availability"):
        print(f"  {k:24s} {s[k]:,.6g}")
    figures = {"wall_seconds": round(wall, 3), "gigawatt_runs_seconds": [round(w, 3) for w in walls], "events": events,
               "events_per_second": round(events / wall, 1), "peak_rss_mb": round(rss, 1)}

    # ----- ten-gw ---------------------------------------------------------------------------------
    if not args.no_ten_gw:
        print(f"\nten-gw: one {args.years:g}-year replication of gigawatt x 10, in a child process ...", flush=True)
        ten = ten_gw_in_child(args.seed, args.years)
        ratio, more_events = ten["wall_seconds"] / wall, ten["events"] / events
        per_event = ratio / more_events                          # how the cost of an event grows with the world
        print(f"  wall {ten['wall_seconds']:.2f} s ({ratio:.2f} x gigawatt; goal <= 8), "
              f"{ten['events']:,} events ({more_events:.2f} x gigawatt's: {per_event:.2f} x its time per event), "
              f"peak RSS {ten['peak_rss_mb']:.0f} MB (goal <= 3,072)")
        figures.update({"ten_gw_seconds": round(ten["wall_seconds"], 3), "ten_gw_events": ten["events"],
                        "ten_gw_to_gigawatt": round(ratio, 2),
                        "ten_gw_events_to_gigawatt": round(more_events, 2),
                        "ten_gw_per_event_to_gigawatt": round(per_event, 2),
                        "ten_gw_peak_rss_mb": round(ten["peak_rss_mb"], 1)})

    # ----- engine against the floor ---------------------------------------------------------------
    print(f"\nfloor world (gigawatt, null policy, one vehicle that never fails, no servicers, no storms): "
          f"engine and floor alternately x {args.floor_pairs}", flush=True)
    floor = floor_pairs(args.seed, args.years, args.floor_pairs)
    print(f"  medians: engine {floor['engine_seconds']:.2f} s + DataFrame {floor['dataframe_seconds']:.2f} s, "
          f"floor {floor['floor_seconds']:.3f} s: engine_to_floor {floor['engine_to_floor']:.1f} "
          f"({floor['engine_to_floor_without_frame']:.1f} without the DataFrame; goal <= 4)")
    figures.update({k: round(v, 3) for k, v in floor.items()})

    # ----- engine against the naive per-unit model -----------------------------------------------
    world = the_small_world(args.years)
    policy = ServiceOnThreshold(threshold_fraction=0.2)
    reps = max(args.engine_reps, args.pairs)
    print(f"\nsmall world: 300 modules x 256 units, {args.years:g} years; {args.pairs} alternating pairs "
          f"(engine, naive), engine x {reps} in all (seeds 0..)", flush=True)
    engine, naive, ratios, engine_walls, naive_walls = [], [], [], [], []
    for seed in range(reps):
        r, w = timed(simulate, world, seed=seed, policy=policy)
        engine.append(r.summary)
        engine_walls.append(w)
        if seed < args.pairs:
            k, n = timed(run_naive, world, seed, policy)
            naive.append(k)
            naive_walls.append(n)
            ratios.append(n / w)
            print(f"  seed {seed}: engine {w:.3f} s, naive {n:.2f} s: {n / w:.1f}x", flush=True)
    speedup = float(np.median(ratios))
    print(f"  median of {args.pairs} pairs: speedup {speedup:.1f}x (goal >= 100)")

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

    figures.update({
        "speedup_vs_naive": round(speedup, 2),
        "speedup_pairs": args.pairs,
        "naive_world": f"300 modules x 256 units x {args.years:g} years, service-on-threshold",
        "engine_seconds_small_world": round(float(np.median(engine_walls[:args.pairs])), 3),
        "naive_seconds_small_world": round(float(np.median(naive_walls)), 3),
        "small_world_agrees": agree,
        "small_world_max_abs_z": round(worst, 2),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    })
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
