"""Block replacement: replace every module of every cluster at times T, 2T, 3T, ..., and failed
modules at failure in between (the textbook block policy: a replacement at a block time happens
whatever the module's age).

Block times are measured from the start of the run; a block falls due at the first review at or
after it (choose `block_years` a multiple of `review_interval_days` for exact times). A
replacement is a deorbit and a launch into the same cluster.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from fleet.actions import Action, Deorbit
from fleet.economics import DAYS_PER_YEAR
from fleet.observation import Observation
from fleet.state import OPERATIONAL
from policies.base import Policy
from policies.slots import fill_slots


def epoch_passed(day: float, since_day: float, period_days: float) -> bool:
    """A multiple k * period (k >= 1) lies in (since_day, day]."""
    eps = 1e-9
    return day > 0 and math.floor(day / period_days + eps) > math.floor(max(since_day, 0.0) / period_days + eps)


@dataclasses.dataclass(frozen=True)
class BlockReplacement(Policy):
    """Every `block_years`, deorbit and replace all operational modules; replace failures at once."""

    name = "block-replacement"
    description = "replace every module every T years, and failed modules in between"

    block_years: float = dataclasses.field(
        default=5.0, metadata={"unit": "years", "help": "time between block replacements"})

    def block_due(self, obs: Observation) -> bool:
        """A block time passed since the previous review."""
        return epoch_passed(obs.day, obs.day - self.review_interval_days, self.block_years * DAYS_PER_YEAR)

    def review(self, obs: Observation) -> list[Action]:
        out = fill_slots(obs, "replace failed")
        if self.block_due(obs):
            ops = np.flatnonzero(obs.status == OPERATIONAL)
            if len(ops):
                # each deorbit wakes `on_module_failed`, which refills the slot
                out.append(Deorbit(modules=tuple(int(m) for m in ops),
                                   reason=f"block replacement every {self.block_years:g} years"))
        return out

    def on_module_failed(self, obs: Observation, module: int) -> list[Action]:
        return fill_slots(obs, "replace")

    def on_launch_failed(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return fill_slots(obs, "replace lost at launch")
