"""Options shared by the commands that run many work units: backend, scheduler, workers, output."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runs.experiment import Plan
    from runs.runner import RunReport

UNIT_TIMEOUT = 3600.0   # s, the default of --unit-timeout (runs.backends.DEFAULT_UNIT_TIMEOUT)


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
    from runs.backends import make_backend   # pandas loads only when the command runs
    from runs.runner import run_plan

    backend = make_backend(args.backend, args.workers, args.scheduler, args.unit_timeout)
    report = run_plan(plan, out, backend, progress=not args.no_progress, force=args.force)
    print(f"results: {out} ({report.total} units: {report.already_done} found done, {report.computed} computed, "
          f"{report.failed} failed)")
    return report
