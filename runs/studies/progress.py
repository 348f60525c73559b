"""A progress bar on stderr for long commands: units done, failures, rate and time left."""
from __future__ import annotations

import sys

from tqdm import tqdm


class _Bar(tqdm):
    monitor_interval = 0  # no monitor thread: the local backend forks worker processes


class Progress:
    """Counts finished and failed units of a run of `total`, of which `done` were finished before."""

    def __init__(self, total: int, done: int = 0, label: str = "units", enabled: bool = True):
        self.failures = 0
        self.bar = _Bar(total=total, initial=done, desc=label, unit="unit", file=sys.stderr, mininterval=0.5,
                        dynamic_ncols=True, disable=not enabled, smoothing=0.1,
                        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                   "[{elapsed}<{remaining}, {rate_fmt}{postfix}]")
        self.bar.set_postfix_str("0 failed", refresh=False)

    def advance(self, failed: bool) -> None:
        if failed:
            self.failures += 1
            self.bar.set_postfix_str(f"{self.failures} failed", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
