"""Age replacement: replace a module when it reaches a fixed age, or at failure if sooner.

The textbook policy (Barlow and Proschan): each slot renews at min(X, T), a preventive
replacement costing Cp at age T or a corrective one costing Cf at failure; the long-run cost rate
is C(T) = [Cp R(T) + Cf (1 - R(T))] / integral_0^T R(t) dt.

Preventive replacements happen at reviews, so a module is replaced at the first review at or
after age T: within `review_interval_days` of T. A replacement is a deorbit and a launch into the
same cluster; the new module arrives after the launch lead time and commissioning.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from fleet.actions import Action, Deorbit
from fleet.economics import DAYS_PER_YEAR
from fleet.observation import Observation
from fleet.state import OPERATIONAL
from fleet.tolerances import TIME_SLACK_DAYS
from policies.base import Policy
from policies.slots import fill_slots, renew_lead_field


@dataclasses.dataclass(frozen=True)
class AgeReplacement(Policy):
    """Deorbit and replace modules older than `age_years`; replace failed modules at once."""

    name = "age-replacement"
    description = "replace a module at a fixed age, or at failure if sooner"

    age_years: float = dataclasses.field(
        default=5.0, metadata={"unit": "years", "help": "age since commissioning at which a module is replaced"})
    renew_lead_days: float = renew_lead_field()

    def due(self, obs: Observation) -> np.ndarray:
        """Operational modules at or past the replacement age."""
        age = obs.day - obs.commissioned_day
        return np.flatnonzero((obs.status == OPERATIONAL) & (age >= self.age_years * DAYS_PER_YEAR - TIME_SLACK_DAYS))

    def review(self, obs: Observation) -> list[Action]:
        # Empty slots first; the deorbits below wake `on_module_failed`, which refills their slots.
        out = fill_slots(obs, "replace failed", self.renew_lead_days)
        due = self.due(obs)
        if len(due):
            out.append(Deorbit(modules=tuple(int(m) for m in due),
                               reason=f"reached the replacement age of {self.age_years:g} years"))
        return out

    def on_module_failed(self, obs: Observation, module: int) -> list[Action]:
        return fill_slots(obs, "replace", self.renew_lead_days)

    def on_launch_failed(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return fill_slots(obs, "replace lost at launch", self.renew_lead_days)
