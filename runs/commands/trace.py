"""`fleet trace SCENARIO`: simulate and print a narrative a student can follow line by line."""
from __future__ import annotations

import argparse
import os
import sys

from fleet.errors import InputError


class _Years(argparse.Action):
    """Store the years and the option's spelling (--years or its alias --until-years) for messages."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        namespace.years, namespace.years_option = values, option_string


def add_parser(sub) -> None:
    p = sub.add_parser("trace", help="print a readable narrative of one replication",
                       description="Simulate one replication and print what happened, when and why: launches "
                                   "and the decisions that ordered them, board failures, servicing trips, "
                                   "module losses; ground weather is folded into summary lines.")
    p.add_argument("scenario", help="shipped scenario name (tiny, ...) or a .yaml path")
    p.add_argument("--years", "--until-years", type=float, action=_Years,
                   help="simulate this many years instead of the scenario's horizon (--until-years is an alias)")
    p.add_argument("--module", type=int, help="only lines about this module id")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--policy", help="policy name or module:Class (default: the scenario's)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from runs.api import load_scenario, simulate, with_changes   # the engine and pandas load only when run
    from runs.look.trace import narrative

    if args.seed < 0:
        raise InputError("--seed must be a non-negative whole number")
    if args.module is not None and args.module < 0:
        raise InputError("--module must be a module id (0 or more)")
    scenario = load_scenario(args.scenario)
    if args.years is not None:
        if not args.years > 0:
            raise InputError(f"{args.years_option} must be positive")
        scenario = with_changes(scenario, horizon_years=args.years)
    text = narrative(simulate(scenario, seed=args.seed, policy=args.policy), module=args.module)
    try:
        print(text)
    except BrokenPipeError:   # the reader stopped early (`| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
