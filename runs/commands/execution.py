"""Options shared by the commands that run many work units: backend, scheduler, workers, output."""
from __future__ import annotations

import argparse

from runs.backends import BACKENDS, DEFAULT_UNIT_TIMEOUT, make_backend
from runs.experiment import CONFIRM_UNITS, CONFIRM_VARIANTS, Plan
from runs.runner import RunReport, run_plan


def add_execution_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=BACKENDS, default="local",
                   help="local process pool (default), dask (a cluster), or serial (this process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler tcp://HOST:PORT (default: $DASK_SCHEDULER_ADDRESS, else a local cluster)")
    p.add_argument("--workers", type=int, help="worker processes for local or a started Dask cluster (default: CPUs)")
    p.add_argument("--unit-timeout", type=float, default=DEFAULT_UNIT_TIMEOUT, metavar="SECONDS",
                   help=f"a unit still running after this long is stopped and recorded as failed "
                        f"(default {DEFAULT_UNIT_TIMEOUT:g})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--yes", action="store_true",
                   help=f"run a plan of more than {CONFIRM_UNITS:,} work units or {CONFIRM_VARIANTS:,} variants")


def execute(plan: Plan, out: str, args: argparse.Namespace) -> RunReport:
    """Run the plan's missing units into `out` and say how it went (on stdout)."""
    backend = make_backend(args.backend, args.workers, args.scheduler, args.unit_timeout)
    report = run_plan(plan, out, backend, progress=not args.no_progress, force=args.force)
    print(f"results: {out} ({report.total} units: {report.already_done} found done, {report.computed} computed, "
          f"{report.failed} failed)")
    return report
