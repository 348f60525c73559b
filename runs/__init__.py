"""Studies: simulate, results, statistics and the `fleet` command.

The API and the files one run needs sit here (api, folders, atomic, jsonio); the rest is in rooms:
studies/ (plans, execution, store, statistics, parity), trust/ (validation, conformance checks),
look/ (tables, report, plots, trace), study.py (`compare`, `sweep`) and commands/ (`fleet`).
See docs/architecture.md.

The names below load on first use, so that `fleet --help` and the cheap subcommands start without
pandas or scipy (see bench/startup.py).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runs.api import Result, load_scenario, simulate
    from runs.robust import robust
    from runs.sensitivity import sensitivity
    from runs.trust.checks import check_policy, parametrize_with_checks
    from runs.studies.store import load_results

__all__ = ["Result", "check_policy", "compare", "load_results", "load_scenario", "optimise", "parametrize_with_checks",
           "parity", "plots", "robust", "sensitivity", "simulate", "sweep"]
_HOMES = {"Result": "runs.api", "load_scenario": "runs.api", "simulate": "runs.api", "load_results": "runs.studies.store",
          "compare": "runs.study", "sweep": "runs.study", "optimise": "runs.studies.optimisation",
          "parity": "runs.studies.parity", "robust": "runs.robust", "sensitivity": "runs.sensitivity",
          "check_policy": "runs.trust.checks", "parametrize_with_checks": "runs.trust.checks"}
_MODULES = {"plots": "runs.look.plots"}   # `from runs import plots`, as the tutorials write it


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    if name not in _HOMES:
        raise AttributeError(f"module 'runs' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
