"""`fleet compare SCENARIO --policies A,B,...`: policies on common random numbers, with honest statistics."""
from __future__ import annotations

import argparse

from fleet.errors import InputError
from runs.api import load_scenario
from runs.commands.execution import add_execution_args, execute
from runs.comparison import comparison_text, kpi_columns
from runs.experiment import parse_experiment
from runs.folders import safe_name
from runs.store import load_results


def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="compare policies over replications with paired statistics",
                       description="Run every policy on the same replication seeds (common random numbers) and "
                                   "print each KPI's mean with a 95%% confidence interval, the paired difference "
                                   "against the baseline with its interval and Holm-corrected p-value, and a "
                                   "verdict on the objective. Rerunning the same command resumes.")
    p.add_argument("scenario", help="shipped scenario name or a .yaml path")
    p.add_argument("--policies", required=True, help="comma-separated policy names (or module:Class)")
    p.add_argument("--replications", type=int, required=True, help="replications per policy")
    p.add_argument("--baseline", help="the policy the others are compared with (default: the first)")
    p.add_argument("--objective", default="delivered_pflops_days",
                   help="KPI the verdict is on (default delivered_pflops_days)")
    p.add_argument("--seed", type=int, default=0, help="base seed; replication r uses a seed made from it and r")
    p.add_argument("--years", type=float, help="simulate this many years instead of the scenario's horizon")
    p.add_argument("--out", help="results folder (default results/compare-SCENARIO-HASH)")
    p.add_argument("--force", action="store_true",
                   help="replace another experiment's results in the --out folder (only the files fleet wrote)")
    p.add_argument("--report", action="store_true", help="also write report.html into the results folder")
    add_execution_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    if not policies:
        raise InputError("--policies: give at least one policy name")
    base = load_scenario(args.scenario)
    data = {"name": f"compare-{base.name}", "scenario": args.scenario, "seed": args.seed,
            "replications": args.replications, "policies": [{"name": p} for p in policies],
            "baseline": args.baseline or policies[0], "objectives": [args.objective]}
    if args.years is not None:
        data["years"] = args.years
    plan = parse_experiment(data, "fleet compare", base=base, confirmed=args.yes)
    out = args.out or "results/" + safe_name(f"compare-{base.name}-{plan.sha256()[:8]}")
    print(f"compare {base.name}: {plan.base.horizon_years:g} years, {args.replications} replications "
          f"(base seed {args.seed}), policies {', '.join(p.label for p in plan.policies)}; baseline {plan.baseline}")
    execute(plan, out, args)
    results = load_results(out)
    if results.summary.empty:
        raise InputError(f"{out}: every unit failed; see {out}/failures")
    print()
    print(comparison_text(results.summary, kpi_columns(results.summary, list(plan.axes)), plan.baseline,
                          args.objective))
    if args.report:
        from runs.report import write_report   # matplotlib loads only when asked
        print(f"report: {write_report(out)}")
    return 1 if len(results.failures) else 0
