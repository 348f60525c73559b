"""`fleet optimise EXPERIMENT`: the best decisions under constraints, with a guaranteed probability of
correct selection."""
from __future__ import annotations

import argparse

from runs.commands.execution import add_execution_args, add_experiment_folder_args


def add_parser(sub) -> None:
    p = sub.add_parser("optimise", help="search decisions for the best objective under constraints",
                       description="Search the decisions of an optimisation experiment (scenario fields or policy "
                                   "parameters) with a seeded optimiser on common random numbers, judge the "
                                   "constraints with one-sided intervals, then select among the best feasible "
                                   "candidates with KN (a guaranteed probability of correct selection). Prints "
                                   "the chosen settings, their KPIs with intervals, and the runners-up. Rerunning "
                                   "resumes: units already in the results folder are reused.")
    p.add_argument("experiment", help="shipped experiment name (fewest-servicers) or a .yaml path")
    add_experiment_folder_args(p)
    add_execution_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from runs.commands.execution import say_failures
    from runs.studies.optimisation import default_folder, load_problem, optimise

    problem = load_problem(args.experiment, confirmed=args.yes)
    spec = problem.spec
    out = args.out or default_folder(problem)
    print(f"optimise {spec.name}: {len(problem.decisions)} decisions on {problem.base.name} "
          f"({problem.base.horizon_years:g} years), {spec.search.trials} trials in batches of {spec.search.batch}, "
          f"{spec.search.replications} replications each; then KN, PCS {spec.selection.pcs:.0%}, "
          f"indifference zone {spec.selection.delta:g}")
    study = optimise(problem, out=out, backend=args.backend, workers=args.workers, scheduler=args.scheduler,
                     unit_timeout=args.unit_timeout, force=args.force, progress=not args.no_progress)
    ev = study.evaluator
    print(f"results: {out} ({ev.found} units found done, {ev.computed} computed, {ev.failed} failed)\n")
    print(study.text())
    if args.report:
        print(f"report: {study.report()}")
    return say_failures(study.failures, out)
