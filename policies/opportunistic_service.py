"""Opportunistic service: a trip called by one module also repairs its neighbours.

A module that lost `threshold_fraction` of its units calls a servicer to its cluster, as in
`service-on-threshold`; the trip then also repairs every module of that cluster that lost at least
`opportunistic_fraction` of its units, most damaged first, up to what the servicer carries. Dead
modules are replaced.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from fleet.actions import Action
from fleet.errors import PolicyError
from fleet.observation import Observation
from fleet.state import OPERATIONAL
from fleet.tolerances import units_for_fraction
from policies.service_on_threshold import ServiceOnThreshold, pack_trips


@dataclasses.dataclass(frozen=True)
class OpportunisticService(ServiceOnThreshold):
    """Service-on-threshold whose trips also repair modules above a lower threshold in the same cluster."""

    name = "opportunistic-service"
    description = "a trip called at one threshold also repairs modules of its cluster above a lower one"

    opportunistic_fraction: float = dataclasses.field(
        default=0.05, metadata={"unit": "fraction of units",
                                "help": "failed fraction at which a module rides along on a trip to its cluster"})

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 <= self.opportunistic_fraction <= self.threshold_fraction:
            raise PolicyError(f"policy {self.name}: opportunistic_fraction ({self.opportunistic_fraction}) "
                              f"must lie between 0 and threshold_fraction ({self.threshold_fraction})")

    def _dispatch(self, obs: Observation) -> list[Action]:
        free = obs.servicers_free
        if free <= 0:
            return []
        ready = (obs.status == OPERATIONAL) & ~obs.pending_trip
        due = np.flatnonzero(obs.threshold_crossed & ready)
        if len(due) == 0:
            return []
        nearby = np.flatnonzero(ready & np.isin(obs.cluster, np.unique(obs.cluster[due])))
        failed = obs.units_installed - obs.units_alive_of(nearby)
        lower = units_for_fraction(self.opportunistic_fraction, obs.units_installed)
        return pack_trips(obs, due, free, companions=nearby[failed >= lower])
