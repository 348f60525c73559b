"""The event log: typed columns appended as events happen, one DataFrame at the end."""
from __future__ import annotations

from array import array

import numpy as np
import pandas as pd

from fleet.economics import DAYS_PER_YEAR

KINDS = ("launch", "launch_failure", "commissioned", "unit_failure", "module_failure",
         "servicing_dispatch", "servicing", "servicing_failure", "upgrade", "deorbit",
         "space_weather", "ground_outage", "ground_restored", "decision")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
COLUMNS = ("time_days", "time_years", "kind", "module", "cluster", "count", "cost_usd", "detail")


class EventLog:
    """Append-only columns; `module` and `cluster` are -1 where they do not apply."""

    def __init__(self) -> None:
        self._day = array("d")
        self._kind = array("b")
        self._module = array("q")
        self._cluster = array("q")
        self._count = array("q")
        self._cost = array("d")
        self._detail: list[str] = []
        self._bulk: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, day: float, kind: str, module: int = -1, cluster: int = -1, count: int = 1,
            cost_usd: float = 0.0, detail: str = "") -> None:
        self._day.append(day)
        self._kind.append(KIND_CODE[kind])
        self._module.append(module)
        self._cluster.append(cluster)
        self._count.append(count)
        self._cost.append(cost_usd)
        self._detail.append(detail)

    def add_bulk(self, kind: str, days: np.ndarray, modules: np.ndarray, clusters: np.ndarray,
                 counts: np.ndarray) -> None:
        """Many rows of one kind at once (no cost, no detail)."""
        self._bulk.append((kind, np.asarray(days, float), np.asarray(modules, np.int64),
                           np.asarray(clusters, np.int64), np.asarray(counts, np.int64)))

    def __len__(self) -> int:
        return len(self._day) + sum(len(b[1]) for b in self._bulk)

    def frame(self) -> pd.DataFrame:
        """All rows in time order (ties keep the order they were logged in; bulk rows last)."""
        parts = [(np.frombuffer(self._day, float) if len(self._day) else np.zeros(0),
                  np.frombuffer(self._kind, np.int8).astype(np.int64) if len(self._kind) else np.zeros(0, np.int64),
                  np.frombuffer(self._module, np.int64) if len(self._module) else np.zeros(0, np.int64),
                  np.frombuffer(self._cluster, np.int64) if len(self._cluster) else np.zeros(0, np.int64),
                  np.frombuffer(self._count, np.int64) if len(self._count) else np.zeros(0, np.int64),
                  np.frombuffer(self._cost, float) if len(self._cost) else np.zeros(0),
                  np.arange(len(self._detail)))]
        details = list(self._detail) + [""]
        for kind, days, modules, clusters, counts in self._bulk:
            n = len(days)
            parts.append((days, np.full(n, KIND_CODE[kind]), modules, clusters, counts, np.zeros(n),
                          np.full(n, len(details) - 1)))
        day, kind, module, cluster, count, cost, detail_idx = (np.concatenate(c) for c in zip(*parts))
        order = np.argsort(day, kind="stable")
        detail = np.asarray(details, dtype=object)[detail_idx[order]]
        return pd.DataFrame({
            "time_days": day[order],
            "time_years": day[order] / DAYS_PER_YEAR,
            "kind": pd.Categorical.from_codes(kind[order].astype(np.int8), categories=list(KINDS)),
            "module": module[order],
            "cluster": cluster[order],
            "count": count[order],
            "cost_usd": cost[order],
            "detail": detail,
        })
