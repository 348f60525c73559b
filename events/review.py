"""The policy at work: reviews on its interval, reactions to events, and the checking of its actions.

Every call into the policy goes through `PolicyDriver._call`: whatever a hook raises (`SystemExit`
too; only `KeyboardInterrupt` and an `Interruption` such as a time limit pass through) becomes a `PolicyFailure` naming the policy, the hook
and the simulated day, so a user's bug is never reported as the simulator's and never ends a worker.
Every field of every action is checked before any action is carried out; a refused one is a
`PolicyFailure` too. Accepted actions are logged as `decision` events with the policy's reason,
then carried out.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from events.depot import Depot
from events.launch import LaunchQueue
from events.modules import Modules
from events.servicing import Servicing
from events.world import World
from fleet.actions import Activate, Deorbit, Launch, Resupply, Service
from fleet.economics import DAYS_PER_YEAR
from fleet.errors import Interruption, PolicyError, PolicyFailure, describe_exception, one_line, shown
from fleet.observation import Observation
from fleet.state import OPERATIONAL, Status
from policies.base import Policy, default_hooks

MIN_REVIEW_INTERVAL_DAYS = 0.01   # shorter reviews would flood the clock

def _is_int(value: Any) -> bool:
    """A whole number: a Python or numpy integer, not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_number(value: Any) -> bool:
    """A real number (int or float, Python or numpy), not a bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _is_fraction_or_none(value: Any) -> bool:
    return value is None or _is_number(value) and 0 <= value <= 1


MAX_RESUPPLY_BOARDS = 10_000_000   # boards one Resupply may order


def _reason_problem(a: Launch | Service | Deorbit | Activate | Resupply) -> str | None:
    return None if isinstance(a.reason, str) else f"reason must be text (got {_shown(a.reason)})"


def _shown(value: Any) -> str:
    """A short repr of a policy's value, for a message."""
    return one_line(shown(value))


class PolicyDriver:
    """Calls the policy and applies what it returns: the `Reactions` of the processes.

    Built first, from what the policy declares (label, threshold, review interval); the components it
    acts on are then built with it as their reactions, and handed to it by `operate`.
    """

    def __init__(self, world: World, policy: Policy):
        self.world = world
        self.policy = policy
        self._available = [world.generations[: g + 1] for g in range(len(world.generations))]  # by newest
        # the policy sees its own copy of the scenario: writing into its lists and dicts cannot change the world
        self._scenario = world.scenario.model_copy(deep=True)
        self._checks: dict[type, Callable[[Any], str | None]] = {
            Launch: self._check_launch, Service: self._check_service,
            Deorbit: self._check_deorbit, Activate: self._check_activate, Resupply: self._check_resupply}
        self.label = getattr(type(policy), "name", None) or type(policy).__name__   # until its own is read
        self.label = one_line(self._answer("label", lambda: policy.label, lambda v: isinstance(v, str), "text"), 100)
        self.threshold_fraction = self._answer("threshold_failed_fraction", policy.threshold_failed_fraction,
                                               _is_fraction_or_none, "None or a fraction from 0 to 1")
        self.needs_free_servicer = self._answer(
            "threshold_needs_free_servicer",   # optional: Policy has it
            lambda: getattr(policy, "threshold_needs_free_servicer", lambda: False)(), _is_bool, "True or False")
        self.review_interval_days = self._review_interval()
        self._idle_hooks = default_hooks(policy)    # never called, nor the fleet observed for them

    def operate(self, modules: Modules, launches: LaunchQueue, servicing: Servicing, depot: Depot) -> None:
        """The components the policy's actions act on (built with this driver as their reactions)."""
        self.modules = modules
        self.launches = launches
        self.servicing = servicing
        self.depot = depot
        self._most = self._most_liftable()

    # ----- reactions: the processes call these ------------------------------------------------------
    def module_ended(self, m: int, ref: int) -> None:
        self.react("on_module_failed", m, cause=ref)

    def threshold_reached(self, m: int) -> None:
        """Wake `on_threshold` (not while every servicer is busy, if the policy says it needs a free one)."""
        if self.servicing.free or not self.needs_free_servicer:
            self.react("on_threshold", m)

    def launch_failed(self, modules: tuple[int, ...], ref: int) -> None:
        self.react("on_launch_failed", modules, cause=ref)

    def trip_returned(self, modules: tuple[int, ...], ref: int) -> None:
        self.react("on_trip_returned", modules, cause=ref)

    def _review_interval(self) -> float:
        """Days between reviews: a number (or the policy failed), at least the minimum (or its parameter
        is bad input)."""
        interval = float(self._answer("review_interval_days", lambda: self.policy.review_interval_days,
                                      lambda v: _is_number(v) and not math.isnan(v), "a number of days"))
        if not interval >= MIN_REVIEW_INTERVAL_DAYS:
            raise PolicyError(f"policy {self.label}: review_interval_days must be at least "
                              f"{MIN_REVIEW_INTERVAL_DAYS} days (got {interval})")
        return interval

    def observe(self) -> Observation:
        w = self.world
        day = w.env.now
        servicing = self.servicing
        return Observation(table=w.table, day=day, year=w.year(day), horizon_day=w.horizon_day,
                           scenario=self._scenario, generations=self._available[w.newest_generation()],
                           target_pflops=w.target_pflops, demand=w.demand, servicers=servicing.spec.servicers,
                           servicers_busy=servicing.busy, trips_queued=servicing.queued,
                           boards_in_stock=self.depot.stock, boards_on_order=self.depot.on_order,
                           reach=servicing.reach_costs)

    def react(self, hook: str, *args, cause: int = -1) -> None:
        """Call one of the policy's hooks and apply its actions; `cause`: ref of the event it reacts to."""
        if hook in self._idle_hooks:
            return
        obs = self.observe()
        self.apply(self._call(hook, lambda: getattr(self.policy, hook)(obs, *args)), hook, cause)

    def reviews(self):
        """The review process: a review now and every `review_interval_days`."""
        while True:
            self.react("review")
            yield self.world.env.timeout(self.review_interval_days)

    def generations(self):
        """The process waking `on_generation_available` as each later generation appears."""
        w = self.world
        for g, day in enumerate(w.generation_days):
            if day <= 0:
                continue
            if day >= w.horizon_day:
                return
            yield w.env.timeout(day - w.now)
            self.react("on_generation_available", g)

    # ----- calling the policy ---------------------------------------------------------------------
    def _call(self, hook: str, call: Callable[[], Any]) -> Any:
        """`call()`, which runs the policy's `hook`; whatever it raises becomes a PolicyFailure."""
        try:
            return call()
        except KeyboardInterrupt:
            raise
        except Interruption as exc:
            exc.during = exc.during or self._where(hook)
            raise
        except BaseException as exc:   # SystemExit too: a policy never ends the run, nor a worker
            raise PolicyFailure(f"{self._where(hook)} raised {describe_exception(exc)}") from exc

    def _answer(self, hook: str, call: Callable[[], Any], valid: Callable[[Any], bool], wanted: str) -> Any:
        """What the policy's `hook` gives, refused unless `valid(value)`; `wanted` says what is valid."""
        value = self._call(hook, call)
        if not valid(value):
            self._refuse(hook, f"gave {_shown(value)}, not {wanted}")
        return value

    def _where(self, hook: str) -> str:
        return f"policy {self.label}: {hook} on day {self.world.now:.1f}"

    def _refuse(self, hook: str, problem: str) -> None:
        raise PolicyFailure(f"{self._where(hook)}: {problem}")

    # ----- checking actions -----------------------------------------------------------------------
    def apply(self, actions, hook: str, cause: int = -1) -> None:
        """Check every action `hook` returned, then carry them out in order, each a decision caused by
        `cause`. A module may be named by one action of the list only."""
        if not isinstance(actions, (list, tuple)):
            self._refuse(hook, f"returned {_shown(actions)}, not a list of actions")
        named: set[int] = set()
        for a in actions:
            check = self._checks.get(type(a))
            if check is None:
                self._refuse(hook, f"returned {_shown(a)}, which is not an action (Launch, Service, Deorbit, "
                                   "Activate or Resupply)")
            problem = check(a) or _reason_problem(a)
            if not problem and type(a) not in (Launch, Resupply):
                if not named.isdisjoint(a.modules):
                    problem = (f"names module {min(named.intersection(a.modules))}, which an earlier action of "
                               "the list names too")
                named.update(a.modules)
            if problem:
                self._refuse(hook, f"{type(a).__name__} {problem}")
        for a in actions:
            self._carry_out(a, cause)

    def _most_liftable(self) -> list[int]:
        """Per generation, the most modules the vehicles could lift in the whole run: for each vehicle,
        modules per flight times flights its cadence allows over the horizon (plus one)."""
        w = self.world
        flights = [math.floor(w.horizon_day * v.launches_per_year / DAYS_PER_YEAR) + 1 for v in self.launches.vehicles]
        return [sum(int(v.payload_kg // mass) * n for v, n in zip(self.launches.vehicles, flights))
                for mass in self.launches.mass_kg]

    def _check_launch(self, a: Launch) -> str | None:
        w = self.world
        newest = w.newest_generation()
        problem = _generation_problem(a.generation, newest)
        if problem:
            return problem
        most = self._most[newest if a.generation is None else a.generation]
        if most == 0:
            return "of modules that no vehicle can lift"
        if not (_is_int(a.count) and 1 <= a.count <= most):
            return (f"count must be a whole number from 1 to {most}, the most the vehicles could lift in the "
                    f"whole run (got {_shown(a.count)})")
        clusters = w.scenario.fleet.clusters
        if a.cluster is not None and not (_is_int(a.cluster) and 0 <= a.cluster < clusters):
            return f"cluster must be None or a cluster, 0 to {clusters - 1} (got {_shown(a.cluster)})"
        if not _is_bool(a.spare):
            return f"spare must be True or False (got {_shown(a.spare)})"
        return _due_day_problem(a.due_day)

    def _check_resupply(self, a: Resupply) -> str | None:
        w = self.world
        newest = w.newest_generation()
        if w.scenario.servicing.servicers == 0:
            return "ordered but the scenario has no servicers to install boards"
        if not (_is_int(a.boards) and 1 <= a.boards <= MAX_RESUPPLY_BOARDS):
            return f"boards must be a whole number from 1 to {MAX_RESUPPLY_BOARDS:,} (got {_shown(a.boards)})"
        return _generation_problem(a.generation, newest) or _due_day_problem(a.due_day)

    def _check_modules(self, a: Service | Deorbit | Activate, wanted: int) -> str | None:
        """Problem with `a.modules`: a non-empty list or tuple of distinct ids of modules in state `wanted`."""
        modules = a.modules
        if not isinstance(modules, (tuple, list)):
            return f"modules must be a tuple of module ids (got {_shown(modules)})"
        if len(modules) == 0:
            return "names no modules"
        t = self.world.table
        status, n, wanted = t.status, t.n, int(wanted)   # numpy compares an IntEnum a hundred times slower
        for m in modules:       # a loop beats numpy on the few modules an action names
            if not _is_int(m):
                return f"modules must be whole numbers, module ids (got {_shown(m)})"
            if not 0 <= m < n:
                return f"names unknown module {m}"
            if status[m] != wanted:
                return f"names module {m}, which is {Status(status[m]).name.lower().replace('_', ' ')}"
        if len(set(modules)) != len(modules):
            return "names a module twice"
        return None

    def _check_deorbit(self, a: Deorbit) -> str | None:
        return self._check_modules(a, OPERATIONAL)

    def _check_activate(self, a: Activate) -> str | None:
        return self._check_modules(a, Status.SPARE)

    def _check_service(self, a: Service) -> str | None:
        problem = self._check_modules(a, OPERATIONAL)
        if problem:
            return problem
        if not _is_bool(a.upgrade):
            return f"upgrade must be True or False (got {_shown(a.upgrade)})"
        w = self.world
        t = w.table
        if w.scenario.servicing.servicers == 0:
            return "ordered but the scenario has no servicers"
        ids = np.array(a.modules, dtype=np.intp)
        busy = t.pending_trip.take(ids).nonzero()[0]
        if len(busy):
            return f"to module {a.modules[busy[0]]}, which already has a trip on its way"
        if a.upgrade:
            need = t.units * len(ids)
            stale = np.flatnonzero(t.generation[ids] >= w.newest_generation())
            if len(stale):
                return f"upgrades module {a.modules[stale[0]]}, which already has the newest generation"
        else:
            need = t.units * len(ids) - int(t.alive_units(w.now, ids).sum())   # all operational
        carried = w.scenario.servicing.units_per_trip
        if need > carried:
            return f"needs {need} units but a servicer carries {carried}"
        return None

    def _carry_out(self, a, cause: int) -> None:
        """Log action `a` as a decision (caused by `cause`) and carry it out."""
        w = self.world
        name = self.policy.name
        why = f" ({a.reason})" if a.reason else ""
        if isinstance(a, Launch):
            gen = w.newest_generation() if a.generation is None else int(a.generation)
            cluster = None if a.cluster is None else int(a.cluster)
            ref = w.log.new_ref()
            ids = self.launches.order(int(a.count), cluster, gen, a.due_day, ref)
            w.table.spare[ids] = bool(a.spare)
            where = "" if cluster is None else f" to cluster {cluster}"
            what = " spare" if a.spare else ""
            w.log.add(w.now, "decision", ids[0] if len(ids) == 1 else -1, -1 if cluster is None else cluster,
                      len(ids), 0.0,
                      f"{name}: order {len(ids)}{what} modules of {w.generations[gen].name}{where}{why}",
                      ref, cause, tuple(ids))
        elif isinstance(a, Service):
            what = "upgrade" if a.upgrade else "repair"
            modules = tuple(map(int, a.modules))
            ref = w.log.new_ref()
            w.log.add(w.now, "decision", modules[0] if len(modules) == 1 else -1, int(w.table.cluster[modules[0]]),
                      len(modules), 0.0, f"{name}: send a servicer to {what} {len(modules)} modules{why}", ref, cause)
            self.servicing.dispatch(modules, a.upgrade, a.reason, ref)
        elif isinstance(a, Resupply):
            gen = w.newest_generation() if a.generation is None else int(a.generation)
            self.depot.order(int(a.boards), gen, f"{name}{why}", a.due_day, cause)
        elif isinstance(a, Activate):
            for m in a.modules:
                ref = w.log.new_ref()
                w.log.add(w.now, "decision", int(m), int(w.table.cluster[m]), 1, 0.0, f"{name}: activate spare{why}",
                          ref, cause)
                self.modules.activate(int(m), ref)
        elif isinstance(a, Deorbit):
            for m in a.modules:
                ref = w.log.new_ref()
                w.log.add(w.now, "decision", int(m), int(w.table.cluster[m]), 1, 0.0, f"{name}: deorbit{why}",
                          ref, cause)
                self.modules.deorbit(int(m), a.reason or f"{name} decision", ref)


def _generation_problem(generation: object, newest: int) -> str | None:
    """What is wrong with an action's `generation` (None: the newest), if anything."""
    if generation is not None and not (_is_int(generation) and 0 <= generation <= newest):
        return f"generation must be None or an available generation, 0 to {newest} (got {_shown(generation)})"
    return None


def _due_day_problem(due_day: object) -> str | None:
    """What is wrong with an action's `due_day` (None: the default), if anything."""
    if due_day is not None and not (_is_number(due_day) and math.isfinite(due_day)):
        return f"due_day must be None or a day, a finite number (got {_shown(due_day)})"
    return None
