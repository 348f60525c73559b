"""The Policy interface: typed parameters, a review interval, optional reactions.

A policy is a frozen dataclass: its fields are its parameters (explicit, listed by `fleet
policies`, logged in the manifest, replayable). Each field may carry metadata `unit` and `help`.
Every hook returns a list of actions; the defaults do nothing.
"""
from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from fleet.actions import Action
from fleet.observation import Observation
from policies.loading import load_user_class


HOOKS = ("review", "on_module_failed", "on_launch_failed", "on_trip_returned", "on_generation_available",
         "on_threshold")   # what the engine calls; each returns a list of actions


@dataclasses.dataclass(frozen=True)
class Policy:
    """Base of every policy. Subclasses are `@dataclass(frozen=True)` and set `name`."""

    name: ClassVar[str] = "policy"
    version: ClassVar[int] = 1
    description: ClassVar[str] = ""

    review_interval_days: float = dataclasses.field(
        default=30.0, metadata={"unit": "days", "help": "time between reviews"})

    # ----- what to be woken for -----------------------------------------------------------------
    def threshold_failed_fraction(self) -> float | None:
        """Wake `on_threshold` when a module's failed-unit fraction reaches this (None: never)."""
        return None

    def threshold_needs_free_servicer(self) -> bool:
        """True if `on_threshold` does nothing while no servicer is free: the engine then skips the
        wake-ups that come while every servicer is busy or claimed. The crossings stay visible in
        `obs.threshold_crossed` at the next call (a trip's return, a review)."""
        return False

    # ----- hooks --------------------------------------------------------------------------------
    def review(self, obs: Observation) -> list[Action]:
        """Periodic review, every `review_interval_days` from the start."""
        return []

    def on_module_failed(self, obs: Observation, module: int) -> list[Action]:
        """A module died (bus failure, debris) or was deorbited at end of life."""
        return []

    def on_launch_failed(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        """A launch failed and its modules were lost."""
        return []

    def on_trip_returned(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        """A servicer came back from the listed modules and is free again."""
        return []

    def on_generation_available(self, obs: Observation, generation: int) -> list[Action]:
        """A new hardware generation (catalog index) became available."""
        return []

    def on_threshold(self, obs: Observation, module: int) -> list[Action]:
        """Module reached the declared failed-unit fraction."""
        return []

    # ----- parameters ---------------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """Parameter values by name (round-trips through the constructor)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @property
    def label(self) -> str:
        """Versioned name, e.g. `replenish-v1`."""
        return f"{self.name}-v{self.version}"

    def __reduce_ex__(self, protocol):
        # A class loaded from a user's file lives in a module no other process can import by name;
        # it pickles as (its file:Class, its parameters) and is loaded again where it is unpickled.
        spec = type(self).__dict__.get("_loaded_from")
        if spec is None:
            return super().__reduce_ex__(protocol)
        return _rebuild, (spec, self.params())


def policy_spec(policy: Policy) -> str:
    """The name under which `policy`'s class is found again: the library's name, its file, or its module."""
    cls = type(policy)
    if cls.__module__.startswith("policies."):
        return cls.name
    return cls.__dict__.get("_loaded_from") or f"{cls.__module__}:{cls.__qualname__}"


def plain_params(policy: Policy) -> dict[str, Any]:
    """`policy.params()` as plain data (for a manifest): a parameter that is a policy, or a tuple of
    policies (the parts of a composition), becomes {name, params}, which the registry reads back."""
    def plain(value: Any) -> Any:
        if isinstance(value, Policy):
            return {"name": policy_spec(value), "params": plain_params(value)}
        if isinstance(value, (tuple, list)) and any(isinstance(v, Policy) for v in value):
            return [plain(v) for v in value]
        return value
    return {key: plain(value) for key, value in policy.params().items()}


def _rebuild(spec: str, params: dict[str, Any]) -> Policy:
    return load_user_class(spec)(**params)


def default_hooks(policy: Any) -> frozenset[str]:
    """The hooks `policy` leaves as Policy's, which return no action (a hook set on the instance is its own)."""
    return frozenset(h for h in HOOKS if getattr(getattr(policy, h, None), "__func__", None) is getattr(Policy, h))
