"""`fleet report DIR`: write report.html (plots embedded) for a run, comparison or sweep folder."""
from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="write a self-contained HTML report for a results folder",
                       description="Write report.html, with the key inputs, the summary table and the plots, "
                                   "into a run folder (fleet run --out) or a comparison or sweep folder "
                                   "(fleet compare or fleet sweep --out).")
    p.add_argument("dir", help="results folder")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")                   # no display needed; only this path chooses a backend
    from runs.look.report import write_report   # matplotlib loads only for this command

    print(f"report: {write_report(args.dir)}")
    return 0
