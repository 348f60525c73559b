"""In-orbit spares: an (s, Q) inventory of standby modules in every cluster.

The constellation-sparing model (e.g. Jakob et al., "Optimal satellite constellation spare
strategy using multi-echelon inventory control", J. Spacecraft & Rockets 2019): each orbital
plane (here a cluster) keeps spare satellites in orbit; a failed satellite is replaced at once by
an in-plane spare, and when the plane's inventory position falls to the reorder point r, enough
batches of Q are launched into that plane to bring it back above r. The inventory position is the
textbook one: spares on hand (in standby) + spares on order (ordered or on their way) - backorders
(empty slots that no spare on hand could fill), so a failure that finds no spare still orders one.

Spares are whole modules (faithful to the literature, where the spare is a satellite), launched
with `Launch(spare=True)` and activated with `Activate`. Standby is cold: a spare neither
delivers compute, nor ages, nor fails, nor costs operations until it is activated; its bus and
units start their lives then. Failed slots are filled only from spares, as in the model; a spare
that arrives while a slot is empty is activated at the next review.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from fleet.actions import Action, Activate, Launch
from fleet.errors import PolicyError
from fleet.observation import Observation
from fleet.state import Status
from policies.base import Policy
from policies.slots import deficit_per_cluster


@dataclasses.dataclass(frozen=True)
class Spares(Policy):
    """Keep s spare modules per cluster; activate one when a module dies; reorder Q when stock reaches r."""

    name = "spares"
    version = 2           # v2: inventory position counts backorders
    description = "(s, Q) in-orbit spare modules per cluster, activated when a module dies"

    review_interval_days: float = dataclasses.field(
        default=10.0, metadata={"unit": "days", "help": "time between reviews (activates spares that arrived)"})
    initial_spares: int = dataclasses.field(
        default=2, metadata={"unit": "modules per cluster", "help": "s: spares ordered into each cluster at the start"})
    reorder_point: int = dataclasses.field(
        default=1, metadata={"unit": "modules per cluster", "help": "r: reorder when the inventory position (on hand + on order - backorders) falls to this"})
    order_quantity: int = dataclasses.field(
        default=2, metadata={"unit": "modules", "help": "Q: spares per order"})

    def __post_init__(self) -> None:
        if self.initial_spares < 0 or self.reorder_point < -1 or self.order_quantity < 1:
            raise PolicyError(f"policy {self.name}: need initial_spares >= 0, reorder_point >= -1 and "
                              f"order_quantity >= 1 (got {self.initial_spares}, {self.reorder_point}, "
                              f"{self.order_quantity})")

    def decide(self, obs: Observation) -> list[Action]:
        """Activate spares into empty slots, then reorder where the inventory position is at r or below."""
        k = obs.clusters
        standby = np.flatnonzero(obs.status == Status.SPARE)
        empty = np.clip(deficit_per_cluster(obs), 0, None)
        out: list[Action] = []
        activated = np.zeros(k, dtype=np.int64)
        for c in np.flatnonzero(empty):
            here = standby[obs.cluster[standby] == c][: empty[c]]
            if len(here):
                activated[c] = len(here)
                out.append(Activate(modules=tuple(int(m) for m in here),
                                    reason=f"{len(here)} empty slots in cluster {c}"))
        spare = obs.spare
        on_order = spare & ((obs.status == Status.ORDERED) | (obs.status == Status.IN_TRANSIT))
        on_hand = np.bincount(obs.cluster[standby], minlength=k) - activated
        backorders = empty - activated
        position = on_hand + np.bincount(obs.cluster[on_order], minlength=k) - backorders
        ever = np.bincount(obs.cluster[spare], minlength=k) > 0
        for c in range(k):
            if not ever[c] and self.initial_spares > 0:
                need = self.initial_spares
                why = f"initial stock of {need} spares"
            elif position[c] <= self.reorder_point:
                need = self.order_quantity * (-(-(self.reorder_point + 1 - position[c]) // self.order_quantity))
                why = f"inventory position {position[c]} at or below reorder point {self.reorder_point}"
            else:
                continue
            if need > 0:
                out.append(Launch(count=int(need), cluster=int(c), spare=True, reason=why))
        return out

    def review(self, obs: Observation) -> list[Action]:
        return self.decide(obs)

    def on_module_failed(self, obs: Observation, module: int) -> list[Action]:
        return self.decide(obs)

    def on_launch_failed(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return self.decide(obs)
