"""`fleet sweep EXPERIMENT`: every variant x policy x replication of an experiment file, resumable."""
from __future__ import annotations

import argparse

from runs.commands.execution import add_execution_args, execute
from runs.comparison import comparison_text
from runs.experiment import load_experiment
from runs.folders import safe_name
from runs.store import load_results

SHOWN_VARIANTS = 20


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="run an experiment file: axes over the scenario, policies, replications",
                       description="Run every (variant, policy, replication) of an experiment file into a "
                                   "results folder; rerunning computes only what is missing.")
    p.add_argument("experiment", help="experiment .yaml file (see runs/experiments/ for an example)")
    p.add_argument("--out", help="results folder (default results/NAME, NAME from the experiment file)")
    p.add_argument("--force", action="store_true",
                   help="replace another experiment's results in the --out folder (only the files fleet wrote)")
    p.add_argument("--report", action="store_true", help="also write report.html into the results folder")
    add_execution_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    plan = load_experiment(args.experiment, confirmed=args.yes)
    exp = plan.experiment
    out = args.out or "results/" + safe_name(exp.name)
    print(f"sweep {exp.name}: {len(plan.variants)} variants x {len(plan.policies)} policies x "
          f"{exp.replications} replications of {plan.base.name} ({plan.base.horizon_years:g} years)")
    execute(plan, out, args)
    results = load_results(out)
    summary = results.summary
    kpis = [k for k in plan.objectives if k in summary.columns]
    for i, variant in enumerate(plan.variants):
        if i == SHOWN_VARIANTS:
            print(f"\n... {len(plan.variants) - SHOWN_VARIANTS} more variants: runs.load_results({out!r}).summary")
            break
        rows = summary[summary["variant"] == variant.id]
        if rows.empty:
            continue
        title = ", ".join(f"{k} = {v}" for k, v in variant.values) or "base scenario"
        print(f"\n== {title}")
        print(comparison_text(rows, kpis, plan.baseline, kpis[0]))
    if args.report and not summary.empty:
        from runs.report import write_report   # matplotlib loads only when asked
        print(f"\nreport: {write_report(out)}")
    if len(results.failures):
        print(f"\n{len(results.failures)} units failed; their errors are in {out}/failures")
        return 1
    return 0
