"""Work units: one (scenario variant, policy, replication), its stable key and seed, and how to run it.

A key depends only on what the unit computes (the variant's axis values, the policy and its
parameters, the replication number), so a rerun finds the units already done, whatever the order
in which they were listed. Replication r runs with a seed derived from the experiment's base seed
and r alone: every policy and every variant sees the same random numbers (common random numbers).
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from events.engine import run_replication
from fleet.errors import PolicyFailure
from fleet.scenario import Scenario
from policies.registry import make_policy
from runs.jsonio import canonical_hash


def replication_seed(base_seed: int, replication: int) -> int:
    """Seed of replication `replication` (0-based): a function of the base seed and r only."""
    state = np.random.SeedSequence(int(base_seed), spawn_key=(int(replication),)).generate_state(1)
    return int(state[0])


def short_hash(value: Any) -> str:
    """First 10 hex digits of the SHA-256 of `value`'s canonical JSON."""
    return canonical_hash(value)[:10]


@dataclass(frozen=True)
class PolicyChoice:
    """A policy by registered name (or module:Class) with its parameters."""

    name: str
    params: tuple[tuple[str, Any], ...] = ()
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            shown = ",".join(f"{k}={v}" for k, v in self.params)
            object.__setattr__(self, "label", f"{self.name}[{shown}]" if shown else self.name)

    @property
    def id(self) -> str:
        return "p" + short_hash([self.name, list(self.params)])


@dataclass(frozen=True)
class Variant:
    """A scenario with some fields set by the experiment's axes; `values` are (dotted path, value)."""

    values: tuple[tuple[str, Any], ...]
    scenario: Scenario

    @property
    def id(self) -> str:
        return "v" + short_hash([list(v) for v in self.values])


@dataclass(frozen=True)
class WorkUnit:
    """One replication of one policy on one variant."""

    variant: Variant
    policy: PolicyChoice
    replication: int
    seed: int
    keep_timeline: bool = False

    @property
    def key(self) -> str:
        return f"{self.variant.id}-{self.policy.id}-r{self.replication:05d}"


@dataclass(frozen=True)
class UnitOutcome:
    """What a unit produced: its KPIs (and timeline if kept), or the error it raised."""

    key: str
    summary: dict | None = None
    timeline: pd.DataFrame | None = None
    error: str | None = None
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.error is not None


def run_unit(unit: WorkUnit) -> UnitOutcome:
    """Simulate one unit; an exception becomes a failed outcome carrying the unit's key and the error."""
    try:
        policy = make_policy(unit.policy.name, dict(unit.policy.params))
        out = run_replication(unit.variant.scenario, policy, unit.seed)
    except Exception as exc:  # a unit's failure is recorded, and the other units go on
        error = str(exc) if isinstance(exc, PolicyFailure) else f"{type(exc).__name__}: {exc}"   # `policy NAME: ...`
        return UnitOutcome(unit.key, error=error, detail=traceback.format_exc())
    return UnitOutcome(unit.key, summary=out.summary, timeline=out.timeline if unit.keep_timeline else None)
