"""Constraints of a study (optimise, robust, --discover): `KPI OP NUMBER` or `KPI OP NUMBER * KPI`,
parsed by a small grammar.

    mean_availability >= 0.99
    data_lost_tb <= 0.01 * data_generated_tb

OP is one of >=, <=, >, <. Nothing is ever passed to `eval`. A constraint is judged on noisy KPIs with
a one-sided interval: per replication its slack (how far the KPI is on the good side of the bound,
in the KPI's unit) is computed, and the constraint is met at confidence c when the lower one-sided
c-confidence bound of the mean slack is at least 0, violated when the upper one is below 0, and
unclear otherwise (Student t on the replications whose slack is finite).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fleet.errors import InputError, clip, shown
from fleet.kpis import KPIS
from runs.studies.stats import t_width

KNOWN = tuple(k.name for k in KPIS)
MET, VIOLATED, UNCLEAR = "met", "violated", "unclear"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_FORM = re.compile(rf"^\s*({_NAME})\s*(>=|<=|>|<)\s*({_NUMBER})\s*(?:\*\s*({_NAME})\s*)?$")


@dataclass(frozen=True)
class Constraint:
    """`kpi op number` or `kpi op factor * other`."""

    kpi: str
    op: str
    number: float
    other: str | None = None

    @property
    def text(self) -> str:
        rhs = f"{self.number:g} * {self.other}" if self.other else f"{self.number:g}"
        return f"{self.kpi} {self.op} {rhs}"

    def __str__(self) -> str:
        return self.text

    @property
    def kpis(self) -> tuple[str, ...]:
        return (self.kpi, self.other) if self.other else (self.kpi,)

    def met(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row: whether the constraint holds on that row's KPIs (a NaN never meets it)."""
        slack = self.slack(rows)
        with np.errstate(invalid="ignore"):
            return (slack > 0) | ((slack == 0) & (self.op in (">=", "<=")))

    def slack(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row (replication): the bound's side that is good minus the other, in the KPI's unit; >= 0 meets it."""
        value = rows[self.kpi].to_numpy(dtype=float)
        bound = self.number * (rows[self.other].to_numpy(dtype=float) if self.other else 1.0)
        return value - bound if self.op in (">=", ">") else bound - value


def parse_constraint(text: object, where: str = "constraints") -> Constraint:
    """One constraint from its text; InputError naming `where` and what is wrong."""
    if not isinstance(text, str):
        raise InputError(f"{where}: a constraint is a text such as 'mean_availability >= 0.99' (got {shown(text)})")
    match = _FORM.match(text)
    if not match:
        raise InputError(f"{where}: {clip(repr(text))} is not KPI OP NUMBER or KPI OP NUMBER * KPI "
                         "(OP one of >=, <=, >, <), e.g. 'data_lost_tb <= 0.01 * data_generated_tb'")
    kpi, op, number, other = match.groups()
    for name in (kpi, other):
        if name is not None and name not in KNOWN:
            raise InputError(f"{where}: {name!r} is not a KPI; KPIs are {', '.join(KNOWN)}")
    value = float(number)
    if not math.isfinite(value):
        raise InputError(f"{where}: the number {number!r} is not finite")
    return Constraint(kpi, op, value, other)


def all_met(constraints: list[Constraint], rows: pd.DataFrame) -> np.ndarray:
    """Per row: whether every constraint holds (True for every row when there are none)."""
    held = np.ones(len(rows), dtype=bool)
    for constraint in constraints:
        held &= constraint.met(rows)
    return held


def one_sided(values: np.ndarray, confidence: float) -> tuple[float, float, float, int]:
    """(mean, lower bound, upper bound, n) of the finite values, each bound one-sided at `confidence`;
    the bounds are infinite with fewer than two values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan, -math.inf, math.inf, 0
    mean = float(x.mean())
    if n < 2:
        return mean, -math.inf, math.inf, 1
    half = t_width(x, confidence)
    return mean, mean - half, mean + half, n


def judge(constraint: Constraint, rows: pd.DataFrame, confidence: float) -> tuple[str, float, float]:
    """(met / violated / unclear, mean slack, its lower one-sided bound) on a candidate's rows."""
    mean, low, high, _ = one_sided(constraint.slack(rows), confidence)
    if low >= 0:
        return MET, mean, low
    if high < 0:
        return VIOLATED, mean, low
    return UNCLEAR, mean, low
