"""`fleet robust EXPERIMENT`: every policy in every sampled future; regret, robustness, and with
--discover the input ranges where a policy fails a constraint."""
from __future__ import annotations

import argparse

from runs.commands.execution import add_execution_args, add_experiment_folder_args


def add_parser(sub) -> None:
    p = sub.add_parser("robust", help="regret of policies across sampled futures; --discover: where they fail",
                       description="Sample the experiment's uncertainties (Latin hypercube futures), run every "
                                   "policy in every future on common random numbers, and print per policy its "
                                   "mean, 90th-percentile and maximum regret on the objective and the share of "
                                   "futures meeting the constraints, naming the most robust policy under each "
                                   "criterion. Rerunning resumes.")
    p.add_argument("experiment", help="shipped experiment name (robust-library; see `fleet scenarios`) or a .yaml path")
    p.add_argument("--discover", metavar="CONSTRAINT",
                   help="find boxes of inputs where a policy fails CONSTRAINT, e.g. 'mean_availability >= 0.9' (PRIM)")
    p.add_argument("--policy", action="append", metavar="NAME",
                   help="with --discover: this policy only (repeatable; default every policy)")
    add_experiment_folder_args(p)
    add_execution_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from fleet.errors import InputError
    from runs.studies.constraints import parse_constraint
    from runs.commands.execution import execute, say_failures
    from runs.studies.futures import ROBUST, default_folder, load_futures
    from runs.robust import RobustStudy

    if args.discover is not None:
        parse_constraint(args.discover, "--discover")       # refused before anything runs
    elif args.policy:
        raise InputError("--policy chooses the policies of --discover; give --discover too")
    plan = load_futures(args.experiment, ROBUST, confirmed=args.yes)
    labels = [p.label for p in plan.policies]
    unknown = [p for p in args.policy or [] if p not in labels]
    if unknown:
        raise InputError(f"--policy: {', '.join(map(repr, unknown))} is not one of the experiment's policies "
                         f"({', '.join(labels)})")
    out = args.out or default_folder(plan)
    print(f"robust {plan.experiment.name}: {len(plan.variants)} futures x {len(plan.policies)} policies x "
          f"{len(plan.seeds)} replications of {plan.base.name} ({plan.base.horizon_years:g} years); "
          f"objective {plan.objectives[0]}")
    report = execute(plan, out, args)
    study = RobustStudy(plan, out, report)
    if study.summary.empty:
        return say_failures(study.failures, out)
    print()
    print(study.text())
    if args.discover is not None:
        boxes = study.discover(args.discover, args.policy)
        print(f"\nwhere each policy fails {args.discover} (PRIM boxes; coverage: share of its failing futures "
              f"inside, density: share of the futures inside that fail):")
        print(boxes.to_string(index=False, na_rep="", float_format=lambda x: f"{x:.2f}"))
    if args.report:
        print(f"report: {study.report(discover=args.discover)}")
    return say_failures(study.failures, out)
