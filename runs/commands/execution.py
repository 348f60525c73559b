"""Options shared by the commands that run many work units: backend, scheduler, workers, output."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from fleet.errors import one_line

if TYPE_CHECKING:
    from runs.studies.experiment import Plan
    from runs.studies.runner import RunReport

UNIT_TIMEOUT = 3600.0   # s, the default of --unit-timeout (runs.studies.backends.DEFAULT_UNIT_TIMEOUT)


def add_experiment_folder_args(p: argparse.ArgumentParser, report: bool = True) -> None:
    """--out and --force of a command that runs an experiment file (and --report, unless its output
    options add it)."""
    p.add_argument("--out", help="results folder (default results/NAME, NAME from the experiment file)")
    p.add_argument("--force", action="store_true",
                   help="replace another experiment's results in the --out folder (only the files fleet wrote)")
    if report:
        p.add_argument("--report", action="store_true", help="also write report.html into the results folder")


def add_execution_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", default="local", metavar="{local,dask,serial}",
                   help="local process pool (default), dask (a cluster), or serial (this process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler tcp://HOST:PORT (default: $DASK_SCHEDULER_ADDRESS, else a local cluster)")
    p.add_argument("--workers", type=int, help="worker processes for local or a started Dask cluster (default: CPUs)")
    p.add_argument("--unit-timeout", type=float, default=UNIT_TIMEOUT, metavar="SECONDS",
                   help=f"a unit still running after this long is stopped and recorded as failed "
                        f"(default {UNIT_TIMEOUT:g})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--yes", action="store_true",
                   help="run a plan too large to run unasked (a refusal names the limits and asks for --yes)")


def execute(plan: Plan, out: str, args: argparse.Namespace) -> RunReport:
    """Run the plan's missing units into `out` and say how it went (on stdout)."""
    from runs.studies.backends import make_backend   # pandas loads only when the command runs
    from runs.studies.runner import run_plan

    backend = make_backend(args.backend, args.workers, args.scheduler, args.unit_timeout)
    report = run_plan(plan, out, backend, progress=not args.no_progress, force=args.force)
    print(f"results: {out} ({report.total} units: {report.already_done} found done, {report.computed} computed, "
          f"{report.failed} failed)")
    return report


def say_failures(failures, out: str) -> int:
    """Print one line per policy and error among the failed units (a DataFrame of failure records) on
    stderr, each beginning `fleet: policy NAME:`; return 1 if any unit failed, else 0."""
    if failures.empty:
        return 0
    groups = failures.groupby(["policy", "error"], sort=False).size()
    for (policy, error), count in groups.items():
        units, error = f"{count} unit{'s' if count > 1 else ''}", one_line(str(error), 400)
        if error.startswith("policy "):       # the engine named the policy, its hook and the day
            print(f"fleet: {error} ({units})", file=sys.stderr)
        else:
            print(f"fleet: policy {policy}: {units} failed: {error}", file=sys.stderr)
    print(f"fleet: {len(failures)} units failed; their records are in {out}/failures", file=sys.stderr)
    return 1
