"""`fleet trace SCENARIO`: simulate and print a narrative a student can follow line by line."""
from __future__ import annotations

import argparse
import os
import sys

from fleet.errors import InputError
from runs.api import load_scenario, simulate, with_changes
from runs.trace import narrative


def add_parser(sub) -> None:
    p = sub.add_parser("trace", help="print a readable narrative of one replication",
                       description="Simulate one replication and print what happened, when and why: launches "
                                   "and the decisions that ordered them, board failures, servicing trips, "
                                   "module losses; ground weather is folded into summary lines.")
    p.add_argument("scenario", help="shipped scenario name (tiny, ...) or a .yaml path")
    p.add_argument("--until-years", type=float, help="stop after this many years (default: the scenario's horizon)")
    p.add_argument("--module", type=int, help="only lines about this module id")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--policy", help="policy name or module:Class (default: the scenario's)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.seed < 0:
        raise InputError("--seed must be a non-negative whole number")
    if args.module is not None and args.module < 0:
        raise InputError("--module must be a module id (0 or more)")
    scenario = load_scenario(args.scenario)
    if args.until_years is not None:
        if not args.until_years > 0:
            raise InputError("--until-years must be positive")
        scenario = with_changes(scenario, horizon_years=min(args.until_years, scenario.horizon_years))
    text = narrative(simulate(scenario, seed=args.seed, policy=args.policy), module=args.module)
    try:
        print(text)
    except BrokenPipeError:   # the reader stopped early (`| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
