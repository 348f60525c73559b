"""Technology refresh: upgrade a module's units to the newest generation when it is worth it.

A module is upgraded when the newest generation's performance per watt beats its installed one by
`factor` or more, and the module (its design life, and the run's horizon) lasts long enough for the
extra compute to pay the upgrade back: payback days = (new units + a share of the trip) /
(extra PFLOPS x daylight fraction x `value_usd_per_pflops_day`). Upgrade trips go to one cluster
each, as many modules as a servicer carries, best payback first, while servicers are free.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from fleet.actions import Action, Service
from fleet.eclipse import mean_sunlit
from fleet.observation import Observation
from fleet.state import OPERATIONAL
from policies.base import Policy
from policies.slots import design_end_day


def remaining_days(obs: Observation) -> np.ndarray:
    """Days each module has left: to the end of its design life or the horizon, whichever is first."""
    return np.minimum(design_end_day(obs), obs.horizon_day) - obs.day


@dataclasses.dataclass(frozen=True)
class TechRefresh(Policy):
    """Upgrade modules whose units are `factor` times behind the newest in performance per watt."""

    name = "tech-refresh"
    description = "upgrade units to the newest generation when it is better by a factor and pays back in time"

    factor: float = dataclasses.field(
        default=2.0, metadata={"unit": "ratio", "help": "newest over installed performance per watt that justifies an upgrade"})
    value_usd_per_pflops_day: float = dataclasses.field(
        default=100.0, metadata={"unit": "USD per PFLOPS-day", "help": "what a PFLOPS-day of compute is worth (for payback)"})

    def payback_days(self, obs: Observation, modules: np.ndarray) -> np.ndarray:
        """Days of service for an upgrade of each module to pay for itself (inf if it gains nothing)."""
        new = obs.generations[obs.newest_generation]
        units = obs.units_installed
        old_pflops = np.array([g.pflops_per_unit for g in obs.generations])[obs.generation[modules]]
        gain = units * new.pflops_per_unit - obs.units_alive_of(modules) * old_pflops
        per_trip = max(1, obs.units_per_trip // units)
        cost = units * new.price_usd_per_unit + obs.scenario.servicing.cost_per_trip_usd / per_trip
        daily = gain * mean_sunlit(obs.scenario) * self.value_usd_per_pflops_day
        with np.errstate(divide="ignore"):
            return np.where(daily > 0, cost / daily, np.inf)

    def candidates(self, obs: Observation) -> np.ndarray:
        """Modules worth upgrading now, best payback first."""
        newest = obs.newest_generation
        per_watt = np.array([g.pflops_per_unit / g.power_kw_per_unit for g in obs.generations])
        ok = (obs.status == OPERATIONAL) & ~obs.pending_trip & (obs.generation < newest)
        ok &= per_watt[newest] >= self.factor * per_watt[np.minimum(obs.generation, newest)]
        mods = np.flatnonzero(ok)
        if len(mods) == 0:
            return mods
        payback = self.payback_days(obs, mods)
        keep = payback <= remaining_days(obs)[mods]
        return mods[keep][np.argsort(payback[keep], kind="stable")]

    def upgrades(self, obs: Observation) -> list[Action]:
        per_trip = obs.units_per_trip // obs.units_installed
        trips = obs.servicers_free
        if per_trip == 0 or trips <= 0 or obs.scenario.servicing.servicers == 0:
            return []
        mods = self.candidates(obs)
        if len(mods) == 0:
            return []
        counts = np.bincount(obs.cluster[mods], minlength=obs.clusters)
        out: list[Action] = []
        for c in np.lexsort((np.arange(len(counts)), -counts))[:trips]:
            if counts[c] == 0:
                break
            take = mods[obs.cluster[mods] == c][:per_trip]
            out.append(Service(modules=tuple(int(m) for m in take), upgrade=True,
                               reason=f"upgrade to {obs.generations[obs.newest_generation].name}"))
        return out

    def review(self, obs: Observation) -> list[Action]:
        return self.upgrades(obs)

    def on_generation_available(self, obs: Observation, generation: int) -> list[Action]:
        return self.upgrades(obs)

    def on_trip_returned(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return self.upgrades(obs)
