"""KPI bounds such as `mean_availability >= 0.9` or `data_lost_tb <= 0.01 * data_generated_tb`.

A minimal grammar, never passed to `eval`: KPI, comparison (<=, >=, <, >), then a number, a KPI, or
a number times a KPI. `fleet robust` judges its experiment's `constraints` and `--discover` with it.
(To be unified with the constraints of `fleet optimise`.)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fleet.errors import InputError, shown
from fleet.kpis import KPIS

KPI_NAMES = frozenset(k.name for k in KPIS)
COMPARISONS = ("<=", ">=", "<", ">")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_FORM = re.compile(rf"^\s*(\w+)\s*(<=|>=|<|>)\s*(?:({_NUMBER})\s*(?:\*\s*(\w+))?|(\w+))\s*$")


@dataclass(frozen=True)
class Bound:
    """`kpi OP factor * other` (other None: `kpi OP factor`)."""

    kpi: str
    op: str
    factor: float
    other: str | None = None

    def __str__(self) -> str:
        right = f"{self.factor:g}" if self.other is None else (
            self.other if self.factor == 1 else f"{self.factor:g} * {self.other}")
        return f"{self.kpi} {self.op} {right}"

    @property
    def kpis(self) -> list[str]:
        return [self.kpi] + ([self.other] if self.other else [])

    def met(self, frame: pd.DataFrame) -> np.ndarray:
        """Per row of `frame` (KPI columns): whether the bound holds; a NaN never meets it."""
        left = frame[self.kpi].to_numpy(dtype=float)
        right = self.factor * (frame[self.other].to_numpy(dtype=float) if self.other else 1.0)
        with np.errstate(invalid="ignore"):
            held = {"<=": left <= right, ">=": left >= right, "<": left < right, ">": left > right}[self.op]
        return held & ~np.isnan(left) & ~np.isnan(right)


def parse_bound(text: object, where: str) -> Bound:
    """A bound from its text; InputError naming `where` and what is wrong."""
    if not isinstance(text, str):
        raise InputError(f"{where}: a constraint is text such as 'mean_availability >= 0.9', not {shown(text)}")
    match = _FORM.match(text)
    if match is None:
        raise InputError(f"{where}: {shown(text)} is not KPI OP NUMBER, KPI OP KPI or KPI OP NUMBER * KPI "
                         f"(OP one of {' '.join(COMPARISONS)}), e.g. 'mean_availability >= 0.9'")
    kpi, op, number, times, alone = match.groups()
    other = times or alone
    unknown = [k for k in (kpi, other) if k is not None and k not in KPI_NAMES]
    if unknown:
        raise InputError(f"{where}: {', '.join(map(shown, unknown))} is not a KPI; see the KPIs of `fleet run`")
    factor = float(number) if number is not None else 1.0
    if not np.isfinite(factor):
        raise InputError(f"{where}: {shown(number)} is not a finite number")
    return Bound(kpi, op, factor, other)


def all_met(bounds: list[Bound], frame: pd.DataFrame) -> np.ndarray:
    """Per row: whether every bound holds (True for every row when there are none)."""
    held = np.ones(len(frame), dtype=bool)
    for bound in bounds:
        held &= bound.met(frame)
    return held
