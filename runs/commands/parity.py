"""`fleet parity SCENARIO`: where orbit and Earth cost the same per delivered compute."""
from __future__ import annotations

import argparse

from runs.commands.execution import add_execution_args


def _axes_help() -> str:
    """The axes with their fields and default ranges (imports the study, so only for --help)."""
    from runs.studies.parity import AXES

    return "Axes: " + "; ".join(f"{a.name}: {a.field}, {a.low:g}-{a.high:g}{' (log)' if a.log else ''}"
                                for a in AXES.values()) + "."


def add_parser(sub) -> None:
    p = sub.add_parser("parity", help="sweep inputs for where orbit and Earth cost the same",
                       description="Sweep inputs over their ranges; report where orbit and Earth cost the same "
                                   "per delivered compute, and the first year orbit is cheaper, with 95% "
                                   "intervals across replications. Every setting and replication is a unit of a "
                                   "results folder (Parquet): rerunning resumes, more --replications extend it.")
    p.more_help = _axes_help
    p.add_argument("scenario", help="shipped scenario name or a .yaml path")
    p.add_argument("--axes", default="launch_price", help="comma-separated axes (default launch_price)")
    p.add_argument("--replications", type=int, default=3, help="replications per setting (default 3)")
    p.add_argument("--seed", type=int, default=0, help="base seed; replication r uses a seed made from it and r")
    p.add_argument("--points", type=int, default=5, help="settings per axis (default 5)")
    p.add_argument("--years", type=float, help="simulate this many years instead of the scenario's horizon")
    p.add_argument("--grid", action="store_true", help="every combination of exactly two axes")
    p.add_argument("--out", help="results folder (default results/parity-SCENARIO-HASH; the hash leaves out the "
                                 "replication count)")
    p.add_argument("--force", action="store_true",
                   help="replace another study's results in the --out folder (only the files fleet wrote)")
    p.add_argument("--report", action="store_true", help="also write report.html into the results folder")
    add_execution_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import pandas as pd   # pandas, scipy and the engine load only when the command runs

    from runs.commands.execution import execute, say_failures
    from runs.studies.parity import AXES, ParityStudy, default_folder, parity_plan

    plan = parity_plan(args.scenario, args.axes, replications=args.replications, seed=args.seed, points=args.points,
                       grid=args.grid, years=args.years, confirmed=args.yes)
    out = args.out or default_folder(plan)
    base = plan.base
    print(f"parity {base.name}: {base.horizon_years:g} years from {base.start_year}, {len(plan.variants)} settings x "
          f"{args.replications} replications (base seed {args.seed})")
    study = ParityStudy(plan, [AXES[name] for name in plan.axes], args.grid, out, execute(plan, out, args))
    if study.summary.empty:
        return say_failures(study.failures, out)
    print("\norbit / Earth levelised cost per PFLOPS-day, and first year orbit is cheaper (mean [95% CI]):")
    crossed = study.frontier[study.frontier["replications_crossing"] > 0]
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(study.settings.to_string(index=False, na_rep="n/a", float_format=lambda x: f"{x:.4g}"))
        if not crossed.empty:
            print("\nparity frontier (ratio = 1):")
            print(crossed.to_string(index=False, na_rep="n/a", float_format=lambda x: f"{x:.4g}"))
    print("n/a: orbit never cheaper within the run, or too few values for an interval\n")
    print(study.verdict())
    if args.report:
        print(f"report: {study.report()}")
    return say_failures(study.failures, out)

