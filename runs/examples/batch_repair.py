"""An example of a user's own policy: repair in batches, so that each trip is worth its cost.

A module that lost `threshold_fraction` of its units waits until `batch_modules` modules of its
cluster are in the same state, then one servicer goes to fix them all; a review (every
`review_interval_days`) sends trips to every cluster where modules wait, so none waits forever.
Dead modules are replaced with new ones.

Run it with
    fleet run tiny --policy runs/examples/batch_repair.py:BatchRepair
or name it in a scenario:
    policy: {name: runs/examples/batch_repair.py:BatchRepair, params: {batch_modules: 3}}
"""
from __future__ import annotations

import dataclasses

import numpy as np

from fleet.actions import Action
from fleet.observation import Observation
from fleet.state import OPERATIONAL
from policies import Policy
from policies.service_on_threshold import pack_trips
from policies.slots import fill_slots


@dataclasses.dataclass(frozen=True)
class BatchRepair(Policy):
    """Send a servicer to a cluster once enough of its modules need repair."""

    name = "batch-repair"
    description = "repair a cluster once batch_modules of its modules crossed the threshold"

    threshold_fraction: float = dataclasses.field(
        default=0.2, metadata={"unit": "fraction of units", "help": "failed fraction at which a module needs repair"})
    batch_modules: int = dataclasses.field(
        default=2, metadata={"unit": "modules", "help": "modules of a cluster needing repair that justify a trip"})
    review_interval_days: float = dataclasses.field(
        default=180.0, metadata={"unit": "days", "help": "reviews repair every waiting module, batch or not"})

    def threshold_failed_fraction(self) -> float | None:
        return self.threshold_fraction          # the engine sets obs.threshold_crossed and wakes on_threshold

    def trips(self, obs: Observation, batch: int) -> list[Action]:
        """Trips to the clusters where at least `batch` modules wait for repair."""
        free = obs.servicers_free
        if free <= 0:
            return []
        waiting = np.flatnonzero(obs.threshold_crossed & (obs.status == OPERATIONAL) & ~obs.pending_trip)
        per_cluster = np.bincount(obs.cluster[waiting], minlength=obs.clusters)
        return pack_trips(obs, waiting[per_cluster[obs.cluster[waiting]] >= batch], free)

    def review(self, obs: Observation) -> list[Action]:
        return fill_slots(obs, "replace dead") + self.trips(obs, batch=1)

    def on_threshold(self, obs: Observation, module: int) -> list[Action]:
        return self.trips(obs, self.batch_modules)

    def on_trip_returned(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return self.trips(obs, self.batch_modules)
