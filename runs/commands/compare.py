"""`fleet compare SCENARIO --policies A,B,...`: policies on common random numbers, with honest statistics."""
from __future__ import annotations

import argparse

from runs.commands.execution import add_execution_args
from runs.commands.study_output import add_output_args, show



def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="compare policies over replications with paired statistics",
                       description="Run every policy on the same replication seeds (common random numbers) and "
                                   "print the objective's table (each policy's mean with a 95% confidence "
                                   "interval, the paired difference against the baseline with its interval and "
                                   "Holm-corrected p-value) and the verdict, then the other KPIs. Rerunning the "
                                   "same command resumes; more --replications extend the same folder.")
    p.add_argument("scenario", help="shipped scenario name or a .yaml path")
    p.add_argument("--policies", required=True, help="comma-separated policy names (or module:Class)")
    p.add_argument("--replications", type=int, required=True, help="replications per policy")
    p.add_argument("--param", action="append", default=[], metavar="NAME.KEY=VALUE",
                   help="set parameter KEY of the policy NAME in --policies (VALUE read as a YAML scalar); "
                        "repeatable")
    p.add_argument("--baseline", help="the policy the others are compared with (default: the first)")
    p.add_argument("--objective", default="delivered_pflops_days",
                   help="KPI the verdict is on (default delivered_pflops_days)")
    p.add_argument("--seed", type=int, default=0, help="base seed; replication r uses a seed made from it and r")
    p.add_argument("--years", type=float, help="simulate this many years instead of the scenario's horizon")
    p.add_argument("--out", help="results folder (default results/compare-SCENARIO-HASH; the hash leaves out "
                                 "the replication count)")
    p.add_argument("--force", action="store_true",
                   help="replace another experiment's results in the --out folder (only the files fleet wrote)")
    add_output_args(p)
    add_execution_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from runs.commands.study_output import parse_params
    from runs.study import compare_plan, default_folder

    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    params = parse_params(args.param, policies)
    plan = compare_plan(args.scenario, policies, args.replications, baseline=args.baseline,
                        objective=args.objective, seed=args.seed, years=args.years, params=params,
                        confirmed=args.yes)
    out = args.out or default_folder(plan, "compare")
    header = (f"compare {plan.base.name}: {plan.base.horizon_years:g} years, {args.replications} replications "
              f"(base seed {args.seed}), policies {', '.join(p.label for p in plan.policies)}; "
              f"baseline {plan.baseline}")
    return show(plan, out, args, header, args.objective, kpis=None)
