"""The board depot: replacement boards wait in orbit, by hardware generation, until a trip installs them.

Boards reach the depot only by launch (`LaunchQueue.ship`): a `Resupply` action, or the scenario's
standing order (`servicing.resupply`), which the engine checks for the newest generation at the start,
and which is checked for a generation when one of its module flights launches, when a trip that needs
them is sent, and when a trip draws its boards. They are bought (hardware) and their launch is
paid when they fly. A trip takes boards from the depot when it does its work and installs no more
than the depot holds of the module's generation; the failed boards it takes out are carried to
re-entry (deorbited mass).
"""
from __future__ import annotations

import numpy as np

from events.launch import LaunchQueue
from events.world import World
from fleet.resupply import resupply_levels


class Depot:
    """Boards in stock and on order, per catalog generation."""

    def __init__(self, world: World, launches: LaunchQueue):
        self.world = world
        self.launches = launches
        n = len(world.generations)
        self.stock = np.zeros(n, dtype=np.int64)
        self.on_order = np.zeros(n, dtype=np.int64)
        self.levels = resupply_levels(world.scenario)
        world.depot = self
        launches.on_modules_launched = self._modules_launched

    def order(self, boards: int, generation: int, reason: str, due_day: float | None = None, cause: int = -1) -> None:
        """Ship `boards` new boards of `generation` to the depot (`cause`: ref of the decision ordering them)."""
        w = self.world
        gen = w.generations[generation]
        self.on_order[generation] += boards
        ref = w.log.new_ref()
        w.log.add(w.now, "decision", -1, -1, boards, 0.0, f"order {boards:,} boards of {gen.name}: {reason}", ref, cause)
        self.launches.ship("boards", boards, gen.mass_kg_per_unit, gen.price_usd_per_unit, "hardware",
                           lambda n: self._arrived(generation, n), lambda n: self._lost(generation, n), due_day, ref)

    def _arrived(self, generation: int, n: int) -> None:
        self.on_order[generation] -= n
        self.stock[generation] += n
        self.world.counters["boards_launched"] += n

    def _lost(self, generation: int, n: int) -> None:
        c = self.world.counters
        self.on_order[generation] -= n
        c["boards_launched"] += n
        c["boards_lost_at_launch"] += n
        self.check(generation)

    def draw(self, generation: int, n: int) -> None:
        """Take `n` boards of `generation` (at most the stock) for installation."""
        assert 0 <= n <= self.stock[generation]
        self.stock[generation] -= n
        self.world.counters["boards_installed"] += n
        self.check(generation)

    def check(self, generation: int) -> None:
        """The standing order: reorder boards of `generation` if stock + on order is at most the reorder point."""
        if self.levels is None:
            return
        point, quantity = self.levels
        position = int(self.stock[generation] + self.on_order[generation])
        if position <= point:
            self.order(max(quantity, point + 1 - position), generation,
                       f"{position:,} in stock or on order, reorder point {point:,}")

    def _modules_launched(self, ids: np.ndarray) -> None:
        for g in np.unique(self.world.table.generation[ids]).tolist():
            self.check(int(g))
