"""Studies: simulate, results, statistics and the `fleet` command.

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
    from runs.store import load_results

__all__ = ["Result", "compare", "load_results", "load_scenario", "robust", "sensitivity", "simulate", "sweep"]
_HOMES = {"Result": "runs.api", "load_scenario": "runs.api", "simulate": "runs.api", "load_results": "runs.store",
          "compare": "runs.studies", "sweep": "runs.studies", "robust": "runs.robust",
          "sensitivity": "runs.sensitivity"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'runs' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
