"""`fleet sweep EXPERIMENT`: every variant x policy x replication of an experiment file, resumable."""
from __future__ import annotations

import argparse

from runs.commands.execution import add_execution_args, add_experiment_folder_args
from runs.commands.study_output import add_output_args, show


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="run an experiment file: axes over the scenario, policies, replications",
                       description="Run every (variant, policy, replication) of an experiment file into a "
                                   "results folder; rerunning computes only what is missing, and more "
                                   "replications extend it. Per variant, prints the objective's table and "
                                   "verdict, then the other objectives (or --kpis).")
    p.add_argument("experiment", help="shipped experiment name (servicers-sweep; see `fleet scenarios`) or a .yaml path")
    add_experiment_folder_args(p, report=False)
    add_output_args(p)
    add_execution_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from runs.studies.experiment import load_experiment
    from runs.study import default_folder

    plan = load_experiment(args.experiment, confirmed=args.yes)
    exp = plan.experiment
    out = args.out or default_folder(plan, "sweep")
    header = (f"sweep {exp.name}: {len(plan.variants)} variants x {len(plan.policies)} policies x "
              f"{exp.replications} replications of {plan.base.name} ({plan.base.horizon_years:g} years)")
    return show(plan, out, args, header, plan.objectives[0], kpis=plan.objectives)
