"""What `fleet compare` and `fleet sweep` share: --kpis, --format, --report, --param, and the output."""
from __future__ import annotations

import argparse

from fleet.errors import InputError

FORMATS = ("text", "json", "csv")


def add_output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kpis", metavar="A,B,...",
                   help="KPIs shown after the objective's table and the verdict (default: all for compare, "
                        "the objectives for sweep)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text tables (default), json, or csv (one row per variant, KPI and policy) on stdout; "
                        "with json and csv, progress lines go to stderr")
    p.add_argument("--report", action="store_true", help="also write report.html into the results folder")


def parse_params(given: list[str], policies: list[str]) -> dict[str, dict]:
    """`NAME.key=value` options as {NAME: {key: value}}, each value read as a YAML scalar.

    Raises InputError naming an option that is malformed, a NAME not in `policies`, or a value that is
    not a scalar. Unknown keys are named when the policy is built (runs.studies.experiment).
    """
    import yaml

    out: dict[str, dict] = {}
    for option in given:
        target, sep, text = option.partition("=")
        name, dot, key = target.rpartition(".")
        if not sep or not dot or not name or not key:
            raise InputError(f"--param {option!r}: expected NAME.KEY=VALUE, e.g. replenish.spares_per_cluster=2")
        if name not in policies:
            raise InputError(f"--param {option!r}: policy {name!r} is not in --policies ({', '.join(policies)})")
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            raise InputError(f"--param {option!r}: {text!r} is not a YAML scalar") from None
        if isinstance(value, (list, dict)) or value is None:
            raise InputError(f"--param {option!r}: give one value (a number, true/false or a word), "
                             f"not {text!r}")
        out.setdefault(name, {})[key] = value
    return out


def kpi_list(text: str | None) -> list[str] | None:
    """The --kpis option as a list (None when not given)."""
    if text is None:
        return None
    return [k.strip() for k in text.split(",") if k.strip()]


def show(plan, out: str, args: argparse.Namespace, header: str, objective: str, kpis: list[str] | None) -> int:
    """Run the plan's missing units into `out`, then print the study in `args.format` (and write the
    report if asked). Exit status 1 if any unit failed."""
    import contextlib
    import sys

    from runs.commands.execution import execute, say_failures
    from runs.study import Study

    log = sys.stdout if args.format == "text" else sys.stderr
    print(header, file=log)
    with contextlib.redirect_stdout(log):
        report = execute(plan, out, args)
    study = Study(plan, out, objective, report)
    if study.summary.empty:
        return say_failures(study.failures, out)
    chosen = kpi_list(args.kpis)
    if chosen is None and kpis is not None:
        chosen = [k for k in kpis if k in study.summary.columns]
    if args.format == "text":
        print()
    print(study.render(args.format, chosen), end="" if args.format == "csv" else "\n")
    if args.report:
        print(f"report: {study.report()}", file=log)
    return say_failures(study.failures, out)
