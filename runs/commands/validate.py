"""`fleet validate`: the simulator against closed-form and published results.

Exit status 0 when every case passes, 1 when one fails (the simulator disagrees with theory: a bug).
"""
from __future__ import annotations

import argparse
import math
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from fleet.errors import InputError, shown

if TYPE_CHECKING:
    from runs.trust.validate import Row


def _cases_help() -> str:
    """The case names (imports the catalog, so only for --help)."""
    from runs.trust.validate import case_names

    return f"Cases: {', '.join(case_names())}."


def add_parser(sub) -> None:
    p = sub.add_parser("validate", help="check the simulator against closed-form results",
                       description="Run the validation catalog: each case is a small scenario whose expected "
                                   "result theory or published data give, simulated by the normal engine.")
    p.add_argument("--quick", action="store_true", help="fewer replications (all cases in under a minute)")
    p.add_argument("--case", action="append", metavar="NAME",
                   help="run only this case (repeatable; the cases are listed above)")
    p.add_argument("--replications", type=int, metavar="N", help="replications per case (default: the case's)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="cases run in parallel (default 2)")
    p.more_help = _cases_help
    p.set_defaults(func=main)


def _run(name: str, replications: int) -> tuple[list[Row], float]:
    """Rows of the case `name` (named, so that a process pool can send it) and its run time, s."""
    from runs.trust.validate import CASES

    started = time.perf_counter()
    rows = next(c for c in CASES if c.name == name).run(replications)
    return rows, time.perf_counter() - started


PROBABILITY = re.compile(r"P\(|availability|bus survival")   # quantities that are probabilities, by name


def _fmt(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else str(x)


def interval(quantity: str, low: float, high: float) -> tuple[float, float]:
    """The interval as printed: clipped to [0, 1] when the quantity is a probability."""
    if PROBABILITY.match(quantity):
        return max(low, 0.0), min(high, 1.0)
    return low, high


def main(args: argparse.Namespace) -> int:
    from runs.trust.validate import CASES, FAMILY_ALPHA, case_names   # scipy and the engine load only when run

    chosen = list(CASES)
    if args.case:
        unknown = [n for n in args.case if n not in case_names()]
        if unknown:
            raise InputError(f"--case: unknown case {shown(unknown[0])}; cases are {', '.join(case_names())}")
        chosen = [c for c in CASES if c.name in args.case]
    if args.replications is not None and args.replications < 2:
        raise InputError("--replications must be at least 2 (a confidence interval needs two)")
    if args.jobs < 1:
        raise InputError("--jobs must be at least 1")
    reps = [args.replications or (c.quick if args.quick else c.full) for c in chosen]
    started = time.perf_counter()
    if args.jobs == 1 or len(chosen) == 1:
        results = [_run(c.name, n) for c, n in zip(chosen, reps)]
    else:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(_run, [c.name for c in chosen], reps))
    compared = sum(1 for rows, _ in results for r in rows if r.tolerance is None)
    alpha = FAMILY_ALPHA / max(compared, 1)
    failed = 0
    header = f"{'quantity':<62} {'expected':>10} {'simulated':>10}  {f'{100 * (1 - alpha):.3g}% CI':<22} result"
    for case, n, (rows, seconds) in zip(chosen, reps, results):
        print(f"\n{case.name}: {case.what} ({n} replications, {seconds:.1f} s)")
        print("  " + header)
        for r in rows:
            ok = r.passed(alpha)
            failed += not ok
            if r.tolerance is not None:
                ci = f"exact, rel. tol {r.tolerance:g}"
            else:
                low, high = interval(r.quantity, *r.interval(alpha))
                ci = f"[{_fmt(low)}, {_fmt(high)}]"   # the interval the check is judged with
            print(f"  {r.quantity:<62} {_fmt(r.expected):>10} {_fmt(r.mean):>10}  {ci:<22} {'pass' if ok else 'FAIL'}")
    total = sum(len(rows) for rows, _ in results)
    print(f"\n{total - failed} of {total} checks passed in {time.perf_counter() - started:.1f} s. A stochastic "
          f"check passes when the expected value lies within the {100 * (1 - alpha):.3g}% interval "
          f"(95% family-wise over {compared} checks, Bonferroni).")
    return 1 if failed else 0
