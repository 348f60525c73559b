"""Slots: the design number of modules per cluster, and the launches that keep every slot filled.

The design number n is the count of new modules of the newest generation that hold today's demand
(for the initial deployment, `modules_for_target`), spread over the clusters in turn, so cluster c
holds n // k modules plus one if c < n % k. A slot is held by an operational module or by a
module ordered or in transit to replace one (spares, which wait in standby, hold no slot).
"""
from __future__ import annotations

import math

import numpy as np

from fleet.actions import Action, Launch
from fleet.observation import Observation
from fleet.state import OPERATIONAL


def slots_per_cluster(obs: Observation) -> np.ndarray:
    """Design number of modules in each cluster: new modules that hold today's demand."""
    n, k = modules_for_demand(obs), obs.clusters
    return n // k + (np.arange(k) < n % k).astype(np.int64)


def modules_for_demand(obs: Observation) -> int:
    """New modules of the newest generation that hold today's demand (at least one)."""
    return max(1, math.ceil(obs.demand_pflops / obs.nominal_module_pflops() - 1e-9))


def held_per_cluster(obs: Observation) -> np.ndarray:
    """Modules holding a slot in each cluster: operational, or ordered or in transit (not spares)."""
    status = obs.status
    holding = (status <= OPERATIONAL) & ~(obs.spare & (status < OPERATIONAL))   # ORDERED < IN_TRANSIT < OPERATIONAL
    if obs.clusters == 1:
        return np.array([np.count_nonzero(holding)])
    return np.bincount(obs.cluster[holding], minlength=obs.clusters)


def fill_slots(obs: Observation, why: str = "replace") -> list[Action]:
    """One launch per cluster with empty slots, of as many modules as it lacks."""
    deficit = slots_per_cluster(obs) - held_per_cluster(obs)
    return [Launch(count=int(d), cluster=int(c), reason=f"{why}: {int(d)} empty slots in cluster {c}")
            for c, d in enumerate(deficit) if d > 0]
