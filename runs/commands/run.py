"""`fleet run SCENARIO`: one replication, a summary table, and optionally saved results."""
from __future__ import annotations

import argparse
import sys

from fleet.errors import InputError
from runs.folders import check_save, safe_name


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="simulate one replication and print its summary",
                       description="Simulate one replication of a scenario and print its KPIs.")
    p.add_argument("scenario", help="shipped scenario name (tiny, baseline, gigawatt, ...) or a .yaml path")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--policy", help="policy name or module:Class / path.py:Class (default: the scenario's)")
    p.add_argument("--years", type=float, help="simulate this many years instead of the scenario's horizon")
    p.add_argument("--out", help="write events, timeline, summary, scenario and manifest to this folder: a new "
                                 "or empty one (with --report, default results/SCENARIO-POLICY-YEARSy-seedSEED)")
    p.add_argument("--force", action="store_true", help="replace a previous run in the --out folder")
    p.add_argument("--report", action="store_true", help="also write report.html into the output folder")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="stop the simulation after this long (exit 1)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from runs.api import RUN_LAYOUT, load_scenario, resolve_policy, simulate, with_changes   # the engine loads here
    from runs.studies.isolation import UnitTimeout, check_seconds, time_limit
    from runs.look.table import summary_table

    if args.seed < 0:
        raise InputError("--seed must be a non-negative whole number")
    if args.timeout is not None:
        check_seconds(args.timeout, "--timeout")
    scenario = load_scenario(args.scenario)
    if args.years is not None:
        scenario = with_changes(scenario, horizon_years=args.years)
    policy = resolve_policy(scenario, args.policy)
    out = args.out
    if args.report and out is None:
        out = "results/" + safe_name(f"{scenario.name}-{policy.name}-{scenario.horizon_years:g}y-seed{args.seed}")
    if out is not None:
        check_save(out, RUN_LAYOUT, args.force)
    try:
        with time_limit(args.timeout):
            result = simulate(scenario, seed=args.seed, policy=policy)
    except UnitTimeout as exc:   # in a policy's hook, the policy is named: it had not returned
        during = exc.hook_running()
        where = f"{during} had not returned" if during else f"{scenario.name}, seed {args.seed}"
        print(f"fleet: {where}: {exc}", file=sys.stderr)
        return 1
    s = result.summary
    print(f"{scenario.name}: {scenario.horizon_years:g} years from {scenario.start_year}, "
          f"policy {result.policy.label}, seed {args.seed}")
    print(summary_table(s, years=scenario.horizon_years))
    if out is not None:
        path = result.save(out, force=args.force)
        if args.report:
            import matplotlib

            matplotlib.use("Agg")          # no display needed; only the command line's report path chooses one
            from runs.look.report import write_report
            print(f"report: {write_report(path)}")
        print(f"results: {path}")
    return 0

