"""Slots: the design number of modules per cluster, and the launches that keep every slot filled.

The initial deployment puts `modules_for_target` modules into the clusters in turn, so cluster c
holds n // k modules plus one if c < n % k. A slot is held by an operational module or by a
module ordered or in transit to replace one (spares, which wait in standby, hold no slot).
"""
from __future__ import annotations

import numpy as np

from fleet.actions import Action, Launch
from fleet.observation import Observation
from fleet.scenario import modules_for_target
from fleet.state import OPERATIONAL


def slots_per_cluster(obs: Observation) -> np.ndarray:
    """Design number of modules in each cluster."""
    n, k = modules_for_target(obs.scenario), obs.clusters
    return n // k + (np.arange(k) < n % k).astype(np.int64)


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
