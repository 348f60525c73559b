"""Studies: simulate, results, statistics and the `fleet` command."""
from runs.api import Result, load_scenario, simulate
from runs.store import load_results

__all__ = ["Result", "compare", "load_results", "load_scenario", "simulate", "sweep"]

STUDIES = ("compare", "sweep")


def __getattr__(name: str):
    """`runs.compare` and `runs.sweep`, imported on first use (statistics and backends load only then)."""
    if name in STUDIES:
        from runs import studies
        return getattr(studies, name)
    raise AttributeError(f"module 'runs' has no attribute {name!r}")
