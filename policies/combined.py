"""Composition: several policies acting as one, e.g. a servicing rule together with a refresh rule.

`Combined(parts=(ServiceOnThreshold(), TechRefresh()))`, or `compose(a, b)`, calls every part's
hook and merges their actions, earlier parts first:

- reviews run every min(part intervals) days; a part reviews when one of its own review times
  passed since the previous review, so each part keeps (to within that step) its own interval;
- the threshold is the lowest of the parts'; a part with a higher one sees `threshold_crossed`
  recomputed for its own fraction (it is woken at the lowest threshold's crossings, and acts on
  its own at those, at reviews and at other events);
- launches of the same kind into the same cluster are merged by taking the largest count (launch
  rules each order what is missing, so two of them must not both order it); a module named by an
  earlier part's servicing trip, deorbit or activation is dropped from later parts' actions;
  trips beyond the free servicers (each part counted the same ones) are dropped, later ones first.

In a scenario: `policy: {name: combined, params: {parts: [{name: service-on-threshold}, {name:
tech-refresh, params: {factor: 1.5}}]}}`; the registry (`policies.registry.make_policy`) turns each
part named there into a policy, and `policies.base.plain_params` writes them back as plain data.
"""
from __future__ import annotations

import copy
import dataclasses
from typing import Any

from fleet.actions import Action, Launch, Service
from fleet.errors import PolicyError, shown
from fleet.observation import Observation, read_only
from fleet.tolerances import TIME_SLACK_DAYS, floor_count, units_for_fraction
from policies.base import Policy


def merge(groups: list[list[Action]]) -> list[Action]:
    """Merge the action lists of several parts, earlier parts taking precedence (see module doc)."""
    launches: dict[tuple, int] = {}
    first: dict[tuple, Launch] = {}
    named: set[int] = set()
    out: list[Action] = []
    for actions in groups:
        batch: dict[tuple, int] = {}
        for a in actions or []:
            if isinstance(a, Launch):
                key = (a.cluster, a.generation, a.spare)
                batch[key] = batch.get(key, 0) + a.count
                first.setdefault(key, a)
                continue
            mods = getattr(a, "modules", None)
            if mods is None:
                out.append(a)      # not an action: the engine refuses it, naming the policy
                continue
            kept = tuple(m for m in mods if int(m) not in named)
            if kept:
                named.update(int(m) for m in kept)
                out.append(a if len(kept) == len(mods) else dataclasses.replace(a, modules=kept))
        for key, count in batch.items():
            launches[key] = max(launches.get(key, 0), count)
    return [dataclasses.replace(first[k], count=n) for k, n in launches.items()] + out


def _part(spec: Any) -> Policy:
    if isinstance(spec, Policy):
        return spec
    raise PolicyError(f"policy combined: each part must be a policy (a scenario names it as {{name, params}}) "
                      f"(got {shown(spec)})")


@dataclasses.dataclass(frozen=True)
class Combined(Policy):
    """Several policies at once; their actions are merged, earlier parts first."""

    name = "combined"
    description = "several policies composed into one (e.g. a servicing rule with a refresh rule)"
    parts: tuple[Any, ...] = dataclasses.field(
        default=(), metadata={"unit": "policies", "help": "the policies composed, earlier ones take precedence"})
    review_interval_days: float = dataclasses.field(
        default=0.0, metadata={"unit": "days", "help": "time between reviews (0: the shortest of the parts')"})

    def __post_init__(self) -> None:
        parts = tuple(_part(p) for p in self.parts)
        object.__setattr__(self, "parts", parts)
        if not self.review_interval_days:
            step = min((float(p.review_interval_days) for p in parts), default=30.0)
            object.__setattr__(self, "review_interval_days", step)

    @property
    def label(self) -> str:
        return f"{self.name}-v{self.version}({'+'.join(p.label for p in self.parts)})"

    def threshold_failed_fraction(self) -> float | None:
        found = [t for t in (p.threshold_failed_fraction() for p in self.parts) if t is not None]
        return min(found) if found else None

    def threshold_needs_free_servicer(self) -> bool:
        """Only if every part that acts on a threshold wake-up does nothing without a free servicer."""
        return all(p.threshold_needs_free_servicer() for p in self.parts
                   if p.threshold_failed_fraction() is not None or type(p).on_threshold is not Policy.on_threshold)

    def _view(self, obs: Observation, part: Policy) -> Observation:
        """The observation as `part` would see it alone: its own threshold's crossings."""
        mine, shared = part.threshold_failed_fraction(), self.threshold_failed_fraction()
        if mine is None or mine == shared:
            return obs
        units = obs.units_installed
        need = units_for_fraction(mine, units)
        crossed = obs.threshold_crossed & (units - obs.units_alive >= need)
        view = copy.copy(obs)
        view.__dict__["threshold_crossed"] = read_only(crossed)
        return view

    def _all(self, hook: str, obs: Observation, *args, parts=None) -> list[Action]:
        merged = merge([getattr(p, hook)(self._view(obs, p), *args) for p in (parts or self.parts)])
        free = obs.servicers_free
        trips = [a for a in merged if isinstance(a, Service)]
        if len(trips) <= max(free, 0):
            return merged
        dropped = {id(a) for a in trips[max(free, 0):]}        # each part counted the same free servicers
        return [a for a in merged if id(a) not in dropped]

    def review(self, obs: Observation) -> list[Action]:
        due = [p for p in self.parts if _review_due(obs.day, self.review_interval_days, p.review_interval_days)]
        return self._all("review", obs, parts=due) if due else []

    def on_module_failed(self, obs: Observation, module: int) -> list[Action]:
        return self._all("on_module_failed", obs, module)

    def on_launch_failed(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return self._all("on_launch_failed", obs, modules)

    def on_trip_returned(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return self._all("on_trip_returned", obs, modules)

    def on_generation_available(self, obs: Observation, generation: int) -> list[Action]:
        return self._all("on_generation_available", obs, generation)

    def on_threshold(self, obs: Observation, module: int) -> list[Action]:
        return self._all("on_threshold", obs, module)

def _review_due(day: float, step: float, interval: float) -> bool:
    """A multiple of `interval` (0 included) lies in (day - step, day]."""
    return day < TIME_SLACK_DAYS or floor_count(day / interval) > floor_count((day - step) / interval)


def compose(*policies: Policy) -> Combined:
    """One policy made of `policies`; earlier ones take precedence when their actions conflict."""
    return Combined(parts=tuple(policies))
