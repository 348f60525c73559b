"""Named tolerances: how far floating-point arithmetic may land from the exact value it stands for.

A count computed with floats (0.2 of 16 units, 64 kW over 16 kW per module, 5 years of 12 steps)
can land a hair above or below the whole number it means; rounding it up or down must not count
that hair as one more (or one fewer) thing. Instants in days and relative comparisons of amounts
have their own slack. Every rule here is the one the model already used; naming it keeps one copy.
"""
from __future__ import annotations

import math

COUNT_SLACK = 1e-9        # a float meant to be a whole count may differ from it by this (absolute)
TIME_SLACK_DAYS = 1e-9    # two instants (days) closer than this are the same instant
RELATIVE_SLACK = 1e-9     # two amounts whose ratio is within 1 +/- this are equal


def ceil_count(x: float) -> int:
    """The least whole count at or above `x`, ignoring float error up to COUNT_SLACK."""
    return math.ceil(x - COUNT_SLACK)


def floor_count(x: float) -> int:
    """The greatest whole count at or below `x`, ignoring float error up to COUNT_SLACK."""
    return math.floor(x + COUNT_SLACK)


def units_for_fraction(fraction: float, units: int) -> int:
    """Failed units that reach `fraction` (0 to 1) of a module's `units`: at least one, at most all."""
    return min(units, max(1, ceil_count(fraction * units)))
