"""Repair a module once a given fraction of its units failed; replace dead modules."""
from __future__ import annotations

import dataclasses

import numpy as np

from fleet.actions import Action, Launch, Service
from fleet.observation import Observation
from fleet.scenario import modules_for_target
from fleet.state import Status
from policies.base import Policy


def replace_dead_modules(obs: Observation) -> list[Action]:
    """Launch modules so that operational plus ordered or in-transit modules reach the design count."""
    have = obs.count(Status.OPERATIONAL, Status.IN_TRANSIT, Status.ORDERED)
    need = modules_for_target(obs.scenario) - have
    return [Launch(count=need, reason=f"{have} modules of {need + have} in service or on the way")] if need > 0 else []


def pack_trips(obs: Observation, modules: np.ndarray, failed: np.ndarray, trips: int) -> list[Action]:
    """Up to `trips` trips, each to one cluster, each carrying at most `units_per_trip` units.

    Clusters with the most failed units go first; within a cluster, the most damaged modules.
    """
    if trips <= 0 or len(modules) == 0:
        return []
    fits = failed <= obs.units_per_trip
    modules, failed = modules[fits], failed[fits]
    clusters = obs.cluster[modules]
    totals = {int(c): int(failed[clusters == c].sum()) for c in np.unique(clusters)}
    out: list[Action] = []
    for c in sorted(totals, key=lambda k: (-totals[k], k)):
        if len(out) == trips:
            break
        in_c = np.flatnonzero(clusters == c)
        order = in_c[np.argsort(-failed[in_c], kind="stable")]
        load = np.cumsum(failed[order])
        chosen = modules[order[load <= obs.units_per_trip]]
        if len(chosen):
            out.append(Service(modules=tuple(int(m) for m in chosen),
                               reason=f"{int(load[len(chosen) - 1])} failed units in cluster {c}"))
    return out


@dataclasses.dataclass(frozen=True)
class ServiceOnThreshold(Policy):
    """Send a servicer to modules that lost `threshold_fraction` of their units; replace dead ones."""

    name = "service-on-threshold"
    description = "repair a module once a fraction of its units failed; replace dead modules"

    threshold_fraction: float = dataclasses.field(
        default=0.2, metadata={"unit": "fraction of units", "help": "failed fraction that calls a servicer"})

    def threshold_failed_fraction(self) -> float | None:
        return self.threshold_fraction

    def _free_servicers(self, obs: Observation) -> int:
        return obs.servicers - obs.servicers_busy - obs.trips_queued

    def _dispatch(self, obs: Observation, modules: np.ndarray, alive: np.ndarray) -> list[Action]:
        failed = obs.units_installed - alive
        due = (failed >= self.threshold_fraction * obs.units_installed) & (failed > 0) & ~obs.pending_trip[modules]
        return pack_trips(obs, modules[due], failed[due], self._free_servicers(obs))

    def _dispatch_all(self, obs: Observation) -> list[Action]:
        if self._free_servicers(obs) <= 0:
            return []
        ops = obs.operational()
        return self._dispatch(obs, ops, obs.units_alive[ops])

    def review(self, obs: Observation) -> list[Action]:
        return replace_dead_modules(obs) + self._dispatch_all(obs)

    def on_threshold(self, obs: Observation, module: int) -> list[Action]:
        if self._free_servicers(obs) <= 0:
            return []
        c = obs.cluster[module]
        mates = np.flatnonzero((obs.cluster == c) & (obs.status == Status.OPERATIONAL))
        return self._dispatch(obs, mates, obs.units_alive_of(mates))

    def on_trip_returned(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return self._dispatch_all(obs)
