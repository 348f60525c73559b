"""`fleet watch SCENARIO --out FILE.html`: a replication to play in a browser (runs/look/watch.py)."""
from __future__ import annotations

import argparse

from fleet.errors import InputError


def add_parser(sub) -> None:
    p = sub.add_parser("watch", help="write an HTML page that plays one replication",
                       description="Simulate one replication and write one self-contained HTML page (no network, "
                                   "no other file) that plays it: modules coloured by state, servicer trips, "
                                   "launches, ground stations, the backlog and a running KPI strip, with play, "
                                   "pause, next event and a time slider; click a module for its history.")
    p.add_argument("scenario", help="shipped scenario name (tiny, baseline, ...) or a .yaml path")
    p.add_argument("--years", type=float, help="simulate this many years instead of the scenario's horizon")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--policy", help="policy name or module:Class / path.py:Class (default: the scenario's)")
    p.add_argument("--out", required=True, help="the page to write, a file ending in .html")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from runs.api import load_scenario, simulate, with_changes   # the engine loads only when run
    from runs.look.watch import check_target, write_watch

    if args.seed < 0:
        raise InputError("--seed must be a non-negative whole number")
    if args.years is not None and not args.years > 0:
        raise InputError("--years must be positive")
    check_target(args.out)
    scenario = load_scenario(args.scenario)
    if args.years is not None:
        scenario = with_changes(scenario, horizon_years=args.years)
    result = simulate(scenario, seed=args.seed, policy=args.policy)
    print(f"watch: {write_watch(result, args.out)} (open it in a browser)")
    return 0
