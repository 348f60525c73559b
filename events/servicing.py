"""Servicing trips: a servicer (a SimPy Resource) flies out, repairs or upgrades, and comes back.

A trip waits for a free servicer, flies out (half its trip time, or the scenario's
`work_at_fraction` of it; the time is fixed or exponential), and succeeds with the scenario's
probability (the i-th trip draws the i-th number of the `servicing-outcomes` stream). On success
it replaces failed units of each listed module still operating, up to the units it carries (an
upgrade replaces every unit with the newest generation). It then flies back and frees the servicer.
"""
from __future__ import annotations

import numpy as np
import simpy

from events.modules import Modules
from events.reactions import Reactions
from events.world import World
from fleet.state import OPERATIONAL


class Servicing:
    """The servicer fleet and its trips."""

    def __init__(self, world: World, modules: Modules, reactions: Reactions):
        self.world = world
        self.modules = modules
        self.reactions = reactions
        spec = world.scenario.servicing
        self.spec = spec
        self.servicers = simpy.Resource(world.env, capacity=max(1, spec.servicers))
        self.outcomes = world.streams.sequence("servicing-outcomes")
        self.busy_days = 0.0
        self._load = [0.0, 0.0, 0.0]     # day of the last change, servicer-days busy and trip-days queued until it

    def load_days(self) -> tuple[float, float]:
        """(servicer-days busy, trip-days spent waiting for a servicer) from the start until now: exact
        integrals of `busy` and `queued`, which change only when a trip asks for or frees a servicer."""
        self._mark()
        return self._load[1], self._load[2]

    def _mark(self) -> None:
        """Integrate `busy` and `queued` up to now (call before either changes)."""
        now = self.world.now
        day, busy, queued = self._load
        self._load = [now, busy + self.busy * (now - day), queued + self.queued * (now - day)]

    @property
    def busy(self) -> int:
        return self.servicers.count if self.spec.servicers else 0

    @property
    def queued(self) -> int:
        return len(self.servicers.queue)

    @property
    def free(self) -> bool:
        """Some servicer is neither busy nor claimed by a queued trip."""
        return self.spec.servicers > self.busy + self.queued

    def dispatch(self, modules: tuple[int, ...], upgrade: bool, reason: str, cause: int) -> None:
        """Start a trip to `modules` (already checked by the engine), sent by the decision `cause`."""
        w = self.world
        w.table.pending_trip[list(modules)] = True
        cluster = int(w.table.cluster[modules[0]])
        w.book("servicing", self.spec.cost_per_trip_usd)
        w.counters["servicing_trips"] += 1
        what = "upgrade" if upgrade else "repair"
        ref = w.log.new_ref()
        w.log.add(w.now, "servicing_dispatch", -1, cluster, len(modules), self.spec.cost_per_trip_usd,
                  f"{what} of modules {_ids(modules)}" + (f": {reason}" if reason else ""), ref, cause, modules)
        w.env.process(self._trip(modules, upgrade, ref, cause))

    def _trip(self, modules: tuple[int, ...], upgrade: bool, ref: int, cause: int):
        """The trip `ref` sent by the decision `cause`."""
        w = self.world
        self._mark()
        with self.servicers.request() as req:
            yield req
            start = w.now
            trip = self._trip_days()
            yield w.env.timeout(trip * self.spec.work_at_fraction)
            w.table.pending_trip[list(modules)] = False
            if self.outcomes.random() < self.spec.success_probability:
                self._work(modules, upgrade, ref, cause)
            else:
                w.counters["servicing_failures"] += 1
                w.log.add(w.now, "servicing_failure", -1, int(w.table.cluster[modules[0]]), len(modules), 0.0,
                          f"trip to modules {_ids(modules)} failed; nothing repaired", ref, cause, modules)
            yield w.env.timeout(trip - trip * self.spec.work_at_fraction)
            self.busy_days += w.now - start
            self._mark()
        self.reactions.trip_returned(modules, ref)

    def _trip_days(self) -> float:
        """Duration of the trip starting now, days (drawn from `servicing-trip-times` if exponential)."""
        if self.spec.trip_time_distribution == "fixed":
            return self.spec.trip_days
        return float(self.world.streams.sequence("servicing-trip-times").exponential(self.spec.trip_days))

    def _work(self, modules: tuple[int, ...], upgrade: bool, ref: int, cause: int) -> None:
        w = self.world
        t = w.table
        now = w.env.now
        ids = np.array(modules, dtype=np.intp)
        ops = ids[t.status[ids] == OPERATIONAL]
        if len(ops) == 0:
            return
        if upgrade:
            newest = w.newest_generation()
            gen = w.generations[newest]
            for m in ops[: self.spec.units_per_trip // t.units]:
                old = w.generations[t.generation[m]].name
                n = self.modules.upgrade(int(m), newest)
                cost = w.book("hardware", n * gen.price_usd_per_unit)
                w.counters["upgrades"] += 1
                w.log.add(now, "upgrade", int(m), int(t.cluster[m]), n, cost, f"{old} -> {gen.name}", ref, cause)
            return
        replaced = self.modules.repair(ops, self.spec.units_per_trip)
        served = replaced.nonzero()[0]
        ops, replaced = ops[served], replaced[served]
        costs = replaced * t.price_usd_per_unit[t.generation[ops]]
        w.book("hardware", float(costs.sum()))
        for m, c, n, cost in zip(ops.tolist(), t.cluster[ops].tolist(), replaced.tolist(), costs.tolist()):
            w.log.add(now, "servicing", m, c, n, cost, f"replaced {n} failed units", ref, cause)
        w.units_replaced += int(replaced.sum())


def _ids(modules: tuple[int, ...]) -> str:
    shown = ", ".join(str(m) for m in modules[:8])
    return shown + (f" and {len(modules) - 8} more" if len(modules) > 8 else "")
