"""Studies: simulate, results, statistics and the `fleet` command."""
from runs.api import Result, load_scenario, simulate

__all__ = ["Result", "load_scenario", "simulate"]
