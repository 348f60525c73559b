"""Scripted unit lifetimes for hand-computable tests: a stand-in for `World.unit_end_days`."""
from __future__ import annotations

import numpy as np


def first_install_fails_on(fail_days: list[float]):
    """A `World.unit_end_days` whose first installation of every module has units failing on
    `fail_days` (the first slots); every other unit lives forever."""
    def unit_end_days(self, installs, day):
        parts = []
        for _module, install, count in installs:
            ends = np.full(count, np.inf)
            if install == 0:
                ends[: len(fail_days)] = fail_days
            parts.append(ends)
        return np.concatenate(parts)
    return unit_end_days
