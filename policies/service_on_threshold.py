"""Repair a module once a given fraction of its units failed; replace dead modules."""
from __future__ import annotations

import dataclasses
from typing import Iterator

import numpy as np

from fleet.actions import Action, Launch, Service
from fleet.errors import PolicyError
from fleet.observation import Observation
from fleet.state import OPERATIONAL
from fleet.tolerances import RELATIVE_SLACK
from policies.base import Policy
from policies.slots import modules_to_reach_target, renew_lead_field, retiring


def replace_dead_modules(obs: Observation, lead_days: float = 0.0) -> list[Action]:
    """Launch new modules when the fleet's nominal capacity (every unit working, repairs being the
    servicers' job) plus the pipeline falls short of demand; modules retiring within `lead_days`
    count as gone."""
    have = obs.nominal_capacity_pflops + obs.pipeline_pflops
    if lead_days > 0:
        gone = retiring(obs, lead_days)
        have -= float(np.sum([obs.nominal_module_pflops(int(g)) for g in obs.generation[gone]]))
    if have >= obs.demand_pflops * (1 - RELATIVE_SLACK):
        return []
    return [Launch(count=modules_to_reach_target(obs, have), reason=f"nominal capacity {have:,.0f} of demand {obs.demand_pflops:,.0f} PFLOPS")]


def pack_trips(obs: Observation, due: np.ndarray, trips: int,
               companions: np.ndarray | None = None) -> list[Action]:
    """Up to `trips` trips for the `due` modules, each to one cluster, each carrying at most
    `units_per_trip` units. Clusters with the most due modules go first; within a cluster, the most
    damaged modules first, skipping any that would overfill the trip (a module with more failed units
    than a servicer carries is never sent a trip). Failed units are counted only for the clusters chosen.
    `companions`: further modules that ride along on a trip to their cluster (never a reason for a trip)."""
    if trips <= 0 or len(due) == 0:
        return []
    clusters = obs.cluster[due]
    out: list[Action] = []
    for c in _most_first(np.bincount(clusters)):
        if len(out) == trips:
            break
        mods = due[clusters == c]
        if companions is not None:
            mods = np.union1d(mods, companions[obs.cluster[companions] == c])
        failed = obs.units_installed - obs.units_alive_of(mods)
        order = (-failed).argsort(kind="stable")
        take, load = [], 0
        for i, f in zip(order.tolist(), failed[order].tolist()):   # greedy: skip a module that no longer fits
            if load + f <= obs.units_per_trip:
                take.append(i)
                load += f
        if take:
            out.append(Service(modules=tuple(mods[take].tolist()), reason=f"{load} failed units in cluster {c}"))
    return out


def _most_first(counts: np.ndarray) -> Iterator[int]:
    """The indices of the positive `counts`, highest count first, ties in ascending order; found a
    count at a time, as a trip seldom needs more than the first."""
    left = counts.copy()
    while (top := left.max(initial=0)) > 0:
        level = np.flatnonzero(left == top)
        yield from level.tolist()
        left[level] = 0


@dataclasses.dataclass(frozen=True)
class ServiceOnThreshold(Policy):
    """Send a servicer to modules that lost `threshold_fraction` of their units; replace dead ones."""

    name = "service-on-threshold"
    description = "repair a module once a fraction of its units failed; replace dead modules"

    threshold_fraction: float = dataclasses.field(
        default=0.2, metadata={"unit": "fraction of units", "help": "failed fraction that calls a servicer"})
    renew_lead_days: float = renew_lead_field()

    def __post_init__(self) -> None:
        if not 0 <= self.threshold_fraction <= 1:
            raise PolicyError(f"policy {self.name}: threshold_fraction must lie between 0 and 1 "
                              f"(got {self.threshold_fraction})")

    def threshold_failed_fraction(self) -> float | None:
        return self.threshold_fraction

    def threshold_needs_free_servicer(self) -> bool:
        return True                      # _dispatch sends nothing while no servicer is free

    def _dispatch(self, obs: Observation) -> list[Action]:
        """Trips for the modules that reached the threshold and have no trip on the way."""
        free = obs.servicers_free
        if free <= 0:
            return []
        due = np.flatnonzero(obs.threshold_crossed & (obs.status == OPERATIONAL) & ~obs.pending_trip)
        return pack_trips(obs, due, free)

    def review(self, obs: Observation) -> list[Action]:
        return replace_dead_modules(obs, self.renew_lead_days) + self._dispatch(obs)

    def on_threshold(self, obs: Observation, module: int) -> list[Action]:
        return self._dispatch(obs)

    def on_trip_returned(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return self._dispatch(obs)
