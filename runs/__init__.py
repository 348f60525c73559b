"""Studies: simulate, results, statistics and the `fleet` command."""
from runs.api import Result, load_scenario, simulate
from runs.store import load_results

__all__ = ["Result", "load_results", "load_scenario", "simulate"]
