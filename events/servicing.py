"""Servicing trips: a servicer flies out, repairs or upgrades, and comes back.

Servicers are bought and launched (`LaunchQueue.ship`) at the start; the ones in orbit and free wait
in a SimPy Store. Each starts with a full tank (`fleet.scenario.tank_kg`). Without `orbits`, a trip
burns the flat `propellant_kg_per_trip` when it starts, and a servicer back with less than that waits
for a propellant launch (`_home`). With `orbits` (`events.reach`), each servicer is parked in a
cluster's plane, and a leg to a cluster burns by the rocket equation for its Δv (or the flat figure
if the scenario gives one) when it sets off, first waiting for a propellant launch if the tank is
short. A failed trip loses its servicer with `servicer_loss_probability`
(the i-th failed trip draws the i-th number of `servicer-losses`): it stays in orbit as debris,
with its propellant, and a replacement is bought and launched.

A trip waits for a free servicer, flies out (half its trip time, or the scenario's
`work_at_fraction` of it; the time is fixed or exponential; with `orbits`, a phasing manoeuvre of
that time plus any wait for precession across planes), and succeeds with the scenario's
probability (the i-th trip draws the i-th number of the `servicing-outcomes` stream). On success
it replaces failed units of each listed module still operating, up to the units it carries and the
boards of the module's generation in the depot (`events.depot`); an upgrade replaces every unit of
a module with the newest generation, if the depot holds enough of them. It then flies back (with
`orbits`: stays with its target the rest of the trip time, then flies a leg back to the depot's plane
if `return_to_depot`) and frees the servicer.
"""
from __future__ import annotations

import numpy as np
import simpy

from events.depot import Depot
from events.launch import LaunchQueue
from events.modules import Modules
from events.reach import Reach
from events.reactions import Reactions
from events.world import World
from fleet.observation import ReachCost
from fleet.scenario import flat_propellant_kg, servicer_mass_kg, tank_kg
from fleet.state import OPERATIONAL
from fleet.tolerances import RELATIVE_SLACK


class Servicing:
    """The servicer fleet and its trips."""

    def __init__(self, world: World, modules: Modules, reactions: Reactions, launches: LaunchQueue, depot: Depot):
        self.world = world
        self.modules = modules
        self.reactions = reactions
        self.launches = launches
        self.depot = depot
        spec = world.scenario.servicing
        self.spec = spec
        self.pool = simpy.Store(world.env)            # ids of servicers in orbit, free
        self.tank_kg: list[float] = []                # propellant on board, by servicer id
        self.lost: set[int] = set()
        self.outcomes = world.streams.sequence("servicing-outcomes")
        self.losses = world.streams.sequence("servicer-losses")
        self.busy_days = 0.0
        self.on_trip = 0                 # servicers on a trip now
        self._load = [0.0, 0.0, 0.0]     # day of the last change, servicer-days on trips and trip-days queued until it
        self.reach = Reach(world) if world.scenario.orbits is not None else None   # positions and legs
        world.servicing = self

    def load_days(self) -> tuple[float, float]:
        """(servicer-days on trips, trip-days spent waiting for a servicer) from the start until now:
        exact integrals of `on_trip` and `queued`, which change only when a trip starts or ends or the
        pool of free servicers changes."""
        self._mark()
        return self._load[1], self._load[2]

    def _mark(self) -> None:
        """Integrate `on_trip` and `queued` up to now (call before either changes)."""
        now = self.world.now
        day, busy, queued = self._load
        self._load = [now, busy + self.on_trip * (now - day), queued + self.queued * (now - day)]

    def _free(self, sid: int) -> None:
        """Servicer `sid` joins the pool of free servicers (a queued trip may take it at once)."""
        self._mark()
        self.pool.put(sid)

    # ----- servicers ------------------------------------------------------------------------------
    def buy_fleet(self) -> None:
        """Order the scenario's servicers (the engine calls this at the start)."""
        if self.spec.servicers:
            self._buy(self.spec.servicers, "the servicer fleet")

    def _buy(self, count: int, reason: str) -> None:
        """Order `count` servicers with full tanks (capital and launch booked when they fly)."""
        w = self.world
        ref = w.log.new_ref()
        w.log.add(w.now, "decision", -1, -1, count, 0.0, f"order {count} servicer{'s' if count > 1 else ''}: {reason}",
                  ref)
        self.launches.ship("servicers", count, servicer_mass_kg(self.spec), self.spec.servicer_price_usd, "servicers",
                           self._arrived, lambda n: self._buy(n, "replace servicers lost at launch"), None, ref)

    def _arrived(self, n: int) -> None:
        self.world.counters["servicers_launched"] += n
        for _ in range(n):
            self.tank_kg.append(tank_kg(self.spec))
            if self.reach is not None:
                self.reach.arrived()
            self._free(len(self.tank_kg) - 1)

    def _ship_fuel(self, sid: int, kg: float, then) -> None:
        """Launch `kg` of propellant to servicer `sid` (again if the launch fails), then call `then()`."""
        self.launches.ship(f"propellant load (servicer {sid})", 1, kg, 0.0, "servicers",
                           lambda n: (self._refuelled(sid, kg), then()), lambda n: self._ship_fuel(sid, kg, then))

    def _refuelled(self, sid: int, kg: float) -> None:
        w = self.world
        self.tank_kg[sid] += kg
        w.counters["refuels"] += 1
        w.counters["propellant_launched_kg"] += kg
        w.log.add(w.now, "refuel", -1, -1, 1, 0.0, f"servicer {sid} refuelled with {kg:,.0f} kg of propellant",
                  w.log.new_ref())

    def _home(self, sid: int) -> None:
        """Servicer `sid` is back: free again, or (without orbits) waiting for propellant if it holds less
        than a trip's (with orbits, a leg waits for the propellant it needs when it starts)."""
        if self.reach is None and self.tank_kg[sid] < flat_propellant_kg(self.spec) * (1 - RELATIVE_SLACK):
            self._ship_fuel(sid, tank_kg(self.spec) - self.tank_kg[sid], lambda: self._free(sid))
        else:
            self._free(sid)

    def reach_costs(self) -> ReachCost | None:
        """What reaching each cluster costs each servicer now (None without orbits)."""
        if self.reach is None:
            return None
        cargo = self.spec.units_per_trip * self.world.generations[self.world.newest_generation()].mass_kg_per_unit
        return self.reach.costs(self.tank_kg, self.lost, cargo)

    def _lose(self, sid: int, modules: tuple[int, ...], cause: int) -> None:
        w = self.world
        self.lost.add(sid)
        w.counters["servicers_lost"] += 1
        w.counters["mass_debris_servicers_kg"] += self.spec.servicer_dry_mass_kg + self.tank_kg[sid]
        w.log.add(w.now, "servicer_lost", -1, int(w.table.cluster[modules[0]]), 1, 0.0,
                  f"servicer {sid} lost on its failed trip to modules {_ids(modules)}; left as debris",
                  w.log.new_ref(), cause)
        self._buy(1, f"replace servicer {sid}, lost")

    def mass_in_orbit_kg(self) -> float:
        """Servicers in orbit, not lost, with their propellant, kg."""
        alive = [kg for sid, kg in enumerate(self.tank_kg) if sid not in self.lost]
        return len(alive) * self.spec.servicer_dry_mass_kg + sum(alive)

    @property
    def busy(self) -> int:
        """Servicers not free now: on a trip, waiting for propellant, lost or not yet launched."""
        return self.spec.servicers - len(self.pool.items) if self.spec.servicers else 0

    @property
    def queued(self) -> int:
        return len(self.pool.get_queue)

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
        needed = [w.newest_generation()] if upgrade else np.unique(w.table.generation[list(modules)]).tolist()
        for g in needed:             # the standing order learns what the trip will need
            self.depot.check(int(g))
        w.env.process(self._trip(modules, upgrade, ref, cause))

    def _trip(self, modules: tuple[int, ...], upgrade: bool, ref: int, cause: int):
        """The trip `ref` sent by the decision `cause`."""
        w = self.world
        self._mark()
        sid = yield self.pool.get()
        self._mark()
        self.on_trip += 1
        start = w.now
        trip = self._trip_days()
        cluster = int(w.table.cluster[modules[0]])
        cargo = self._cargo_kg(modules, upgrade)
        out = trip * self.spec.work_at_fraction
        if self.reach is None:
            self._burn(sid, flat_propellant_kg(self.spec), 0.0)
        else:
            out = yield from self._fly(sid, cluster, out, cargo)
        yield w.env.timeout(out)
        w.table.pending_trip[list(modules)] = False
        if self.outcomes.random() < self.spec.success_probability:
            self._work(modules, upgrade, ref, cause)
        else:
            w.counters["servicing_failures"] += 1
            w.log.add(w.now, "servicing_failure", -1, int(w.table.cluster[modules[0]]), len(modules), 0.0,
                      f"trip to modules {_ids(modules)} failed; nothing repaired", ref, cause, modules)
            if self.losses.random() < self.spec.servicer_loss_probability:
                self._end_trip(start)
                self._lose(sid, modules, ref)
                self.reactions.trip_returned(modules, ref)
                return
        yield w.env.timeout(trip - trip * self.spec.work_at_fraction)
        if self.reach is not None and self.spec.return_to_depot:    # back to the depot, phased like the way out
            yield w.env.timeout((yield from self._fly(sid, self.spec.depot_cluster, trip * self.spec.work_at_fraction,
                                                      cargo)))
        self._end_trip(start)
        self._home(sid)
        self.reactions.trip_returned(modules, ref)

    def _cargo_kg(self, modules: tuple[int, ...], upgrade: bool) -> float:
        """Mass of the boards a trip carries (out new ones, back the failed ones), kg."""
        w = self.world
        g = w.newest_generation() if upgrade else int(w.table.generation[modules[0]])
        return self.spec.units_per_trip * w.generations[g].mass_kg_per_unit

    def _burn(self, sid: int, kg: float, delta_v_m_s: float) -> None:
        self.tank_kg[sid] -= kg
        self.world.counters["propellant_burned_kg"] += kg
        self.world.counters["servicer_delta_v_m_s"] += delta_v_m_s

    def _fly(self, sid: int, cluster: int, phasing_days: float, cargo_kg: float):
        """Servicer `sid` sets off for `cluster`'s plane (with `orbits`): while its tank is short of the leg,
        waits for a propellant launch (filling the tank, or to what the leg needs if more), then burns
        the leg's propellant and takes `cluster` as its position; returns the leg's days (the caller
        waits them)."""
        one = self.reach.leg(sid, cluster, phasing_days)
        burn = self.reach.burn_kg(one.delta_v_m_s, self.tank_kg[sid], cargo_kg)
        while self.tank_kg[sid] < burn * (1 - RELATIVE_SLACK):
            full = max(tank_kg(self.spec), self.reach.least_tank_kg(one.delta_v_m_s, cargo_kg))
            filled = self.world.env.event()
            self._ship_fuel(sid, full - self.tank_kg[sid], filled.succeed)
            yield filled
            one = self.reach.leg(sid, cluster, phasing_days)        # the planes moved while it waited
            burn = self.reach.burn_kg(one.delta_v_m_s, self.tank_kg[sid], cargo_kg)
        self._burn(sid, min(burn, self.tank_kg[sid]), one.delta_v_m_s)     # equal but for rounding
        self.reach.position[sid] = cluster
        return one.days

    def _end_trip(self, start: float) -> None:
        """A trip that started on day `start` ends now (its servicer is back, or lost)."""
        self._mark()
        self.on_trip -= 1
        self.busy_days += self.world.now - start

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
        depot = self.depot
        if upgrade:
            newest = w.newest_generation()
            gen = w.generations[newest]
            for m in ops[: self.spec.units_per_trip // t.units]:
                if depot.stock[newest] < t.units:
                    w.log.add(now, "servicing", int(m), int(t.cluster[m]), 0, 0.0,
                              f"not upgraded: the depot holds {depot.stock[newest]:,} boards of {gen.name}", ref, cause)
                    continue
                old = w.generations[t.generation[m]]
                w.counters["boards_removed_kg"] += t.units * old.mass_kg_per_unit
                n = self.modules.upgrade(int(m), newest)
                w.counters["upgrades"] += 1
                w.log.add(now, "upgrade", int(m), int(t.cluster[m]), n, 0.0, f"{old.name} -> {gen.name}", ref, cause)
                depot.draw(newest, n)
            return
        replaced = self.modules.repair(ops, self.spec.units_per_trip, depot.stock)
        served = replaced.nonzero()[0]
        if len(served) == 0:                 # one row per successful trip all the same
            m = int(ops[0])
            gen = w.generations[t.generation[m]]
            w.log.add(now, "servicing", m, int(t.cluster[m]), 0, 0.0, f"replaced no units (the depot holds "
                      f"{depot.stock[t.generation[m]]:,} boards of {gen.name})", ref, cause)
            return
        ops, replaced = ops[served], replaced[served]
        for m, c, n in zip(ops.tolist(), t.cluster[ops].tolist(), replaced.tolist()):
            w.log.add(now, "servicing", m, c, n, 0.0, f"replaced {n} failed units", ref, cause)
        w.units_replaced += int(replaced.sum())
        gens = t.generation[ops]
        for g in np.unique(gens).tolist():
            n = int(replaced[gens == g].sum())
            w.counters["boards_removed_kg"] += n * w.generations[g].mass_kg_per_unit
            depot.draw(g, n)


def _ids(modules: tuple[int, ...]) -> str:
    shown = ", ".join(str(m) for m in modules[:8])
    return shown + (f" and {len(modules) - 8} more" if len(modules) > 8 else "")
