"""Block replacement: replace every module of every cluster at times T, 2T, 3T, ..., and failed
modules at failure in between (the textbook block policy: a replacement at a block time happens
whatever the module's age).

Block times are measured from the start of the run; a block falls due at the first review at or
after it (choose `block_years` a multiple of `review_interval_days` for exact times). With
`staggered`, cluster c of k has its block times shifted by c T / k, so that a large fleet does not
renew every cluster at once. A replacement is a deorbit and a launch into the same cluster.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from fleet.actions import Action, Deorbit
from fleet.economics import DAYS_PER_YEAR
from fleet.observation import Observation
from fleet.state import OPERATIONAL
from fleet.tolerances import TIME_SLACK_DAYS, floor_count
from policies.base import Policy
from policies.slots import fill_slots, renew_lead_field


def epoch_passed(day: float, since_day: float, period_days: float, shift_days: float = 0.0) -> bool:
    """A block time shift + j * period (j >= 0), later than day 0, lies in (since_day, day]."""
    j = floor_count((day - shift_days) / period_days)
    t = shift_days + j * period_days
    return j >= 0 and t > TIME_SLACK_DAYS and t > since_day + TIME_SLACK_DAYS


@dataclasses.dataclass(frozen=True)
class BlockReplacement(Policy):
    """Every `block_years`, deorbit and replace all operational modules; replace failures at once."""

    name = "block-replacement"
    description = "replace every module every T years, and failed modules in between"

    block_years: float = dataclasses.field(
        default=5.0, metadata={"unit": "years", "help": "time between block replacements"})
    staggered: bool = dataclasses.field(
        default=False, metadata={"unit": "yes/no", "help": "shift cluster c's block times by c/k of the period"})
    renew_lead_days: float = renew_lead_field()

    def blocks_due(self, obs: Observation) -> np.ndarray:
        """Clusters for which a block time passed since the previous review."""
        period = self.block_years * DAYS_PER_YEAR
        k = obs.clusters
        shift = np.arange(k) * period / k if self.staggered else np.zeros(k)
        return np.array([epoch_passed(obs.day, obs.day - self.review_interval_days, period, s) for s in shift])

    def review(self, obs: Observation) -> list[Action]:
        out = fill_slots(obs, "replace failed", self.renew_lead_days)
        due = self.blocks_due(obs)
        if due.any():
            ops = np.flatnonzero((obs.status == OPERATIONAL) & due[obs.cluster])
            if len(ops):
                # each deorbit wakes `on_module_failed`, which refills the slot
                out.append(Deorbit(modules=tuple(int(m) for m in ops),
                                   reason=f"block replacement every {self.block_years:g} years"))
        return out

    def on_module_failed(self, obs: Observation, module: int) -> list[Action]:
        return fill_slots(obs, "replace", self.renew_lead_days)

    def on_launch_failed(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return fill_slots(obs, "replace lost at launch", self.renew_lead_days)
