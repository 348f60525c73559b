"""`fleet parity SCENARIO`: where orbit and Earth cost the same per delivered compute."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from events import MODEL_VERSION
from fleet.errors import InputError
from runs.atomic import Writer, text
from runs.folders import MANIFEST, Layout, check_save, save_result
from runs.jsonio import strict_json

if TYPE_CHECKING:
    import pandas as pd

LAYOUT = Layout("parity", "parity result", "fleet parity",
                frozenset({"runs.csv", "settings.csv", "frontier.csv", MANIFEST}))


def _axes_help() -> str:
    """The axes with their fields and default ranges (imports the study, so only for --help)."""
    from runs.studies.parity import AXES

    return "Axes: " + "; ".join(f"{a.name}: {a.field}, {a.low:g}-{a.high:g}{' (log)' if a.log else ''}"
                                for a in AXES.values()) + "."


def add_parser(sub) -> None:
    p = sub.add_parser("parity", help="sweep inputs for where orbit and Earth cost the same",
                       description="Sweep inputs over their ranges; report where orbit and Earth cost the same "
                                   "per delivered compute, and the first year orbit is cheaper, with 95% "
                                   "intervals across replications.")
    p.more_help = _axes_help
    p.add_argument("scenario", help="shipped scenario name or a .yaml path")
    p.add_argument("--axes", default="launch_price", help="comma-separated axes (default launch_price)")
    p.add_argument("--replications", type=int, default=3, help="replications per setting (default 3)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--points", type=int, default=5, help="settings per axis (default 5)")
    p.add_argument("--years", type=float, help="simulate this many years instead of the scenario's horizon")
    p.add_argument("--grid", action="store_true", help="every combination of exactly two axes")
    p.add_argument("--out", help="write runs.csv, settings.csv, frontier.csv and manifest.json to this folder "
                                 "(a new or empty one)")
    p.add_argument("--force", action="store_true", help="replace a previous parity result in the --out folder")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import pandas as pd   # pandas, scipy and the engine load only when the command runs

    from runs.api import load_scenario, with_changes
    from runs.studies.parity import parse_axes, run_parity

    if args.seed < 0:
        raise InputError("--seed must be a non-negative whole number")
    axes = parse_axes(args.axes)
    scenario = load_scenario(args.scenario)
    if args.years is not None:
        scenario = with_changes(scenario, horizon_years=args.years)
    if args.out is not None:
        check_save(args.out, LAYOUT, args.force)
    result = run_parity(scenario, axes, replications=args.replications, seed=args.seed, points=args.points,
                        grid=args.grid, progress=lambda s: print(f"  done {s}", file=sys.stderr))
    print(f"{scenario.name}: {scenario.horizon_years:g} years from {scenario.start_year}, "
          f"{args.replications} replications per setting from seed {args.seed}")
    print("orbit / Earth levelised cost per PFLOPS-day, and first year orbit is cheaper (mean [95% CI]):")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(result.settings.to_string(index=False, na_rep="n/a", float_format=lambda x: f"{x:.4g}"))
        print("\nparity frontier (ratio = 1):")
        print(result.frontier.to_string(index=False, na_rep="n/a", float_format=lambda x: f"{x:.4g}"))
    print("n/a: orbit never cheaper within the run, no crossing, or too few values for an interval")
    if args.out is not None:
        print(f"results: {_save(result, args)}")
    return 0


def _save(result, args: argparse.Namespace) -> Path:
    """Write the three tables and a manifest of the options into --out (see runs.folders.save_result)."""
    manifest = {"kind": LAYOUT.kind, "model_version": MODEL_VERSION, "scenario": args.scenario, "axes": args.axes, "replications": args.replications,
                "seed": args.seed, "points": args.points, "years": args.years, "grid": args.grid}
    files = {f"{name}.csv": _csv(frame) for name, frame in
             (("runs", result.runs), ("settings", result.settings), ("frontier", result.frontier))}
    return save_result(args.out, LAYOUT, {**files, MANIFEST: text(strict_json(manifest, indent=2) + "\n")}, args.force)


def _csv(frame: pd.DataFrame) -> Writer:
    return lambda f: frame.to_csv(f, index=False)
