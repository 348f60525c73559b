"""The policy at work: reviews on its interval, reactions to events, and the checking of its actions.

Every action is checked before anything happens; an impossible one stops the run with a
PolicyError naming the policy, the day and the problem. Accepted actions are logged as `decision`
events with the policy's reason, then carried out.
"""
from __future__ import annotations

import numpy as np

from events.launch import LaunchQueue
from events.modules import Modules
from events.servicing import Servicing
from events.world import World
from fleet.actions import ACTION_TYPES, Activate, Deorbit, Launch, Service
from fleet.errors import PolicyError
from fleet.observation import Observation
from fleet.state import OPERATIONAL, Status
from policies.base import Policy

MIN_REVIEW_INTERVAL_DAYS = 0.01   # shorter reviews would flood the clock


class PolicyDriver:
    """Calls the policy and applies what it returns."""

    def __init__(self, world: World, policy: Policy, modules: Modules, launches: LaunchQueue,
                 servicing: Servicing):
        self.world = world
        self.policy = policy
        self.modules = modules
        self.launches = launches
        self.servicing = servicing
        self._available = [world.generations[: g + 1] for g in range(len(world.generations))]  # by newest
        modules.set_threshold(policy.threshold_failed_fraction())
        needs_free = getattr(policy, "threshold_needs_free_servicer", None)   # optional: Policy has it
        if needs_free is not None and needs_free():
            modules.on_threshold = lambda m: self.react("on_threshold", m) if servicing.free else None
        else:
            modules.on_threshold = lambda m: self.react("on_threshold", m)
        modules.on_module_ended = lambda m: self.react("on_module_failed", m)
        launches.on_launch_failed = lambda ms: self.react("on_launch_failed", ms)
        servicing.on_trip_returned = lambda ms: self.react("on_trip_returned", ms)
        interval = float(policy.review_interval_days)
        if not interval >= MIN_REVIEW_INTERVAL_DAYS:
            raise PolicyError(f"policy {policy.label}: review_interval_days must be at least "
                              f"{MIN_REVIEW_INTERVAL_DAYS} days (got {interval})")
        world.env.process(self._reviews(interval))
        world.env.process(self._generations())

    def observe(self) -> Observation:
        w = self.world
        day = w.env.now
        servicing = self.servicing
        return Observation(table=w.table, day=day, year=w.year(day), horizon_day=w.horizon_day,
                           scenario=w.scenario, generations=self._available[w.newest_generation()],
                           target_pflops=w.target_pflops, demand=w.demand, servicers=servicing.spec.servicers,
                           servicers_busy=servicing.busy, trips_queued=servicing.queued)

    def react(self, hook: str, *args) -> None:
        """Call one of the policy's hooks and apply its actions."""
        actions = getattr(self.policy, hook)(self.observe(), *args)
        self.apply(actions, hook)

    def _reviews(self, interval: float):
        while True:
            self.react("review")
            yield self.world.env.timeout(interval)

    def _generations(self):
        w = self.world
        for g, day in enumerate(w.generation_days):
            if day <= 0:
                continue
            if day >= w.horizon_day:
                return
            yield w.env.timeout(day - w.now)
            self.react("on_generation_available", g)

    # ----- actions --------------------------------------------------------------------------------
    def apply(self, actions, hook: str) -> None:
        if actions is None:
            actions = []
        if not isinstance(actions, (list, tuple)):
            self._refuse(hook, f"returned {type(actions).__name__}, not a list of actions")
        for a in actions:
            self._check(a, hook)
        for a in actions:
            self._carry_out(a)

    def _refuse(self, hook: str, problem: str) -> None:
        raise PolicyError(f"policy {self.policy.label} ({hook}, day {self.world.now:.1f}): {problem}")

    def _check(self, a, hook: str) -> None:
        w = self.world
        t = w.table
        if not isinstance(a, ACTION_TYPES):
            self._refuse(hook, f"{a!r} is not an action (Launch, Service, Deorbit or Activate)")
        if isinstance(a, Launch):
            if not isinstance(a.count, (int, np.integer)) or a.count < 1:
                self._refuse(hook, f"Launch count must be a positive whole number (got {a.count!r})")
            if a.cluster is not None and not 0 <= a.cluster < w.scenario.fleet.clusters:
                self._refuse(hook, f"Launch to unknown cluster {a.cluster} "
                                   f"(clusters are 0..{w.scenario.fleet.clusters - 1})")
            if a.generation is not None and not 0 <= a.generation <= w.newest_generation():
                self._refuse(hook, f"Launch of generation {a.generation}, which is not available yet")
            if not isinstance(a.spare, (bool, np.bool_)):
                self._refuse(hook, f"Launch spare must be True or False (got {a.spare!r})")
            return
        modules = a.modules
        if not isinstance(modules, (tuple, list)):
            self._refuse(hook, f"{type(a).__name__} modules must be a tuple of module ids (got {modules!r})")
        if len(modules) == 0:
            self._refuse(hook, f"{type(a).__name__} names no modules")
        if len(set(modules)) != len(modules):
            self._refuse(hook, f"{type(a).__name__} names a module twice")
        wanted = Status.SPARE if isinstance(a, Activate) else OPERATIONAL
        for m in modules:
            if not isinstance(m, (int, np.integer)) or not 0 <= m < t.n:
                self._refuse(hook, f"{type(a).__name__} names unknown module {m!r}")
        ids = np.array(modules, dtype=np.intp)
        wrong = (t.status.take(ids) != wanted).nonzero()[0]
        if len(wrong):
            m = modules[wrong[0]]
            self._refuse(hook, f"{type(a).__name__} names module {m}, which is "
                               f"{Status(t.status[m]).name.lower().replace('_', ' ')}")
        if isinstance(a, Service):
            if w.scenario.servicing.servicers == 0:
                self._refuse(hook, "Service ordered but the scenario has no servicers")
            busy = t.pending_trip.take(ids).nonzero()[0]
            if len(busy):
                self._refuse(hook, f"Service to module {modules[busy[0]]}, which already has a trip on its way")
            if a.upgrade:
                need = t.units * len(modules)
                stale = np.flatnonzero(t.generation[ids] >= w.newest_generation())
                if len(stale):
                    self._refuse(hook, f"upgrade of module {modules[stale[0]]}, which already has the newest "
                                       "generation")
            else:
                need = t.units * len(ids) - int(t.alive_units(w.now, ids).sum())   # all operational
            if need > w.scenario.servicing.units_per_trip:
                self._refuse(hook, f"Service needs {need} units but a servicer carries "
                                   f"{w.scenario.servicing.units_per_trip}")

    def _carry_out(self, a) -> None:
        w = self.world
        name = self.policy.name
        why = f" ({a.reason})" if a.reason else ""
        if isinstance(a, Launch):
            gen = w.newest_generation() if a.generation is None else int(a.generation)
            ids = self.launches.order(int(a.count), a.cluster, gen)
            w.table.spare[ids] = bool(a.spare)
            where = "" if a.cluster is None else f" to cluster {a.cluster}"
            what = " spare" if a.spare else ""
            w.log.add(w.now, "decision", ids[0] if len(ids) == 1 else -1, -1 if a.cluster is None else a.cluster,
                      len(ids), 0.0,
                      f"{name}: order {len(ids)}{what} modules of {w.generations[gen].name}{where}{why}")
        elif isinstance(a, Service):
            what = "upgrade" if a.upgrade else "repair"
            modules = tuple(map(int, a.modules))
            w.log.add(w.now, "decision", modules[0] if len(modules) == 1 else -1, int(w.table.cluster[modules[0]]),
                      len(modules), 0.0, f"{name}: send a servicer to {what} {len(modules)} modules{why}")
            self.servicing.dispatch(modules, a.upgrade, a.reason)
        elif isinstance(a, Activate):
            for m in a.modules:
                w.log.add(w.now, "decision", int(m), int(w.table.cluster[m]), 1, 0.0, f"{name}: activate spare{why}")
                self.modules.activate(int(m))
        elif isinstance(a, Deorbit):
            for m in a.modules:
                w.log.add(w.now, "decision", int(m), int(w.table.cluster[m]), 1, 0.0, f"{name}: deorbit{why}")
                self.modules.deorbit(int(m), a.reason or f"{name} decision")
