"""Slots: the design number of modules per cluster, and the launches that keep every slot filled.

The design number n is the count of new modules of the newest generation that hold today's demand
(for the initial deployment, `modules_for_target`), spread over the clusters in turn, so cluster c
holds n // k modules plus one if c < n % k. A slot is held by an operational module or by a
module ordered or in transit to replace one (spares, which wait in standby, hold no slot).

Renewal lead time: a policy may count a module whose design end of life falls within `lead_days`
(and before the horizon) as already gone, so that its replacement is ordered that long ahead and
the modules of a fleet launched together do not all leave service at once.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from fleet.actions import Action, Launch
from fleet.observation import Observation
from fleet.economics import DAYS_PER_YEAR
from fleet.state import OPERATIONAL, Status, in_status
from fleet.tolerances import ceil_count


def slots_per_cluster(obs: Observation) -> np.ndarray:
    """Design number of modules in each cluster: new modules that hold today's demand."""
    n, k = modules_for_demand(obs), obs.clusters
    return n // k + (np.arange(k) < n % k).astype(np.int64)


def modules_for_demand(obs: Observation) -> int:
    """New modules of the newest generation that hold today's demand (at least one)."""
    return max(1, modules_to_reach_target(obs, 0.0))


def modules_to_reach_target(obs: Observation, have_pflops: float) -> int:
    """New-generation modules needed to bring `have_pflops` up to today's demand."""
    return ceil_count((obs.demand_pflops - have_pflops) / obs.nominal_module_pflops())


def renew_lead_field() -> dataclasses.Field:
    """The `renew_lead_days` parameter of the policies that launch replacements."""
    return dataclasses.field(default=0.0, metadata={
        "unit": "days", "help": "order a module's replacement this long before its design end of life "
                                "(0: when it leaves service)"})


def design_end_day(obs: Observation) -> np.ndarray:
    """Day on which each module reaches its design end of life (from its commissioning)."""
    return obs.commissioned_day + obs.scenario.fleet.module.design_life_years * DAYS_PER_YEAR


def retiring(obs: Observation, lead_days: float) -> np.ndarray:
    """Mask of operational modules whose design end of life comes within `lead_days` of now and
    before the horizon (none if `lead_days` is 0)."""
    if lead_days <= 0:
        return np.zeros(len(obs.status), dtype=bool)
    end = design_end_day(obs)
    return (obs.status == OPERATIONAL) & (end <= obs.day + lead_days) & (end < obs.horizon_day)


ON_THE_WAY = (Status.ORDERED, Status.IN_TRANSIT)   # statuses of a module ordered for a slot, not yet in service


def held_per_cluster(obs: Observation) -> np.ndarray:
    """Modules holding a slot in each cluster: operational, or ordered or in transit (not spares)."""
    status = obs.status
    holding = in_status(status, *ON_THE_WAY, OPERATIONAL) & ~(obs.spare & in_status(status, *ON_THE_WAY))
    if obs.clusters == 1:
        return np.array([np.count_nonzero(holding)])
    return np.bincount(obs.cluster[holding], minlength=obs.clusters)


def deficit_per_cluster(obs: Observation, lead_days: float = 0.0) -> np.ndarray:
    """Empty slots per cluster (negative: more modules than slots); modules retiring within
    `lead_days` count as gone."""
    deficit = slots_per_cluster(obs) - held_per_cluster(obs)
    if lead_days > 0:
        deficit += np.bincount(obs.cluster[retiring(obs, lead_days)], minlength=obs.clusters)
    return deficit


def fill_slots(obs: Observation, why: str = "replace", lead_days: float = 0.0) -> list[Action]:
    """One launch per cluster with empty slots, of as many modules as it lacks; modules retiring
    within `lead_days` count as gone."""
    deficit = deficit_per_cluster(obs, lead_days)
    return [Launch(count=int(d), cluster=int(c), reason=f"{why}: {int(d)} empty slots in cluster {c}")
            for c, d in enumerate(deficit) if d > 0]
