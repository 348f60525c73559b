"""`fleet sensitivity EXPERIMENT`: Sobol indices of the experiment's KPIs to its uncertain inputs."""
from __future__ import annotations

import argparse

from runs.commands.execution import add_execution_args, add_experiment_folder_args


def add_parser(sub) -> None:
    p = sub.add_parser("sensitivity", help="what drives a KPI: Sobol indices to the uncertain inputs",
                       description="Run Saltelli's design of N(2D+2) samples of the experiment's D uncertainties "
                                   "(N: base_samples) on common random numbers and print the first-order and "
                                   "total Sobol indices of each objective, with 95% intervals. Rerunning resumes.")
    p.add_argument("experiment",
                   help="shipped experiment name (sensitivity-baseline; see `fleet scenarios`) or a .yaml path")
    add_experiment_folder_args(p)
    add_execution_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from runs.commands.execution import execute, say_failures
    from runs.studies.futures import SENSITIVITY, default_folder, load_futures
    from runs.sensitivity import SensitivityStudy

    plan = load_futures(args.experiment, SENSITIVITY, confirmed=args.yes)
    out = args.out or default_folder(plan)
    print(f"sensitivity {plan.experiment.name}: {len(plan.variants)} samples (N = {plan.design['base_samples']}, "
          f"D = {len(plan.inputs)}) x {len(plan.policies)} policies x {len(plan.seeds)} replications of "
          f"{plan.base.name} ({plan.base.horizon_years:g} years)")
    report = execute(plan, out, args)
    study = SensitivityStudy(plan, out, report)
    if not study.failures.empty:
        return say_failures(study.failures, out)
    print()
    print(study.text())
    if args.report:
        print(f"report: {study.report()}")
    return 0
