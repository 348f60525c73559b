"""The event log: typed columns appended as events happen, one DataFrame at the end.

Rows link to each other through two typed columns: `ref`, the id of the launch, trip, decision,
failure, storm or blackout a row belongs to, and `cause`, the `ref` of what caused it (-1: none).
Ids are numbered from 0 in the order they are made, one sequence per replication. Rows that name
a set of modules (a launch's payload, the modules a decision orders, a trip's modules) carry them
in `modules`; other rows have it empty. `KIND_COLUMNS` says what each kind's columns mean.
"""
from __future__ import annotations

from array import array

import numpy as np
import pandas as pd

from fleet.economics import DAYS_PER_YEAR

KINDS = ("launch", "launch_failure", "commissioned", "unit_failure", "module_failure",
         "servicing_dispatch", "servicing", "servicing_failure", "upgrade", "deorbit",
         "space_weather", "ground_outage", "ground_restored", "decision", "spare_activated",
         "resupply", "resupply_failure", "refuel", "servicer_lost")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
COLUMNS = ("time_days", "time_years", "kind", "module", "cluster", "count", "cost_usd", "ref", "cause", "modules",
           "reason", "detail")
# Why a module ended, for the rows that say (a closed list, so code groups by it instead of `detail`).
REASONS = ("", "bus failure", "debris strike", "end of design life", "policy decision")
REASON_CODE = {r: i for i, r in enumerate(REASONS)}
NONE = -1   # no module, cluster, ref or cause
_NO_MODULES = np.zeros(0, np.int64)
_NO_MODULES.flags.writeable = False

# What each column holds, for the reference.
COLUMN_MEANINGS: dict[str, str] = {
    "time_days": "when, days since the start", "time_years": "when, years since the start",
    "kind": "what happened (one of the kinds below)", "module": "the module concerned, or -1",
    "cluster": "the cluster concerned, or -1", "count": "how many (modules, units; see the kind)",
    "cost_usd": "cost booked by the event, USD", "ref": "id of the launch, trip, decision, failure, storm or "
    "blackout the row belongs to, or -1", "cause": "`ref` of what caused it, or -1",
    "modules": "module ids the row names (a launch's payload, a decision's order, a trip's modules), "
    "else empty", "reason": "why a module ended (module_failure, deorbit): one of "
    + ", ".join(f"`{r}`" for r in REASONS[1:]) + "; else empty", "detail": "a sentence for people; code never parses it",
}

# What each kind's row says, column by column (columns not named are -1, 0 or empty).
KIND_COLUMNS: dict[str, dict[str, str]] = {
    "launch": {"cluster": "cluster the payload goes to", "count": "modules on board",
               "cost_usd": "flight and hardware", "ref": "the launch", "cause": "the decision that ordered "
               "its first module", "modules": "the payload, module ids", "detail": "vehicle, mass, costs"},
    "launch_failure": {"cluster": "cluster the payload was for", "count": "modules lost",
                       "cost_usd": "flight and hardware", "ref": "the launch",
                       "cause": "the decision that ordered its first module", "modules": "the payload lost",
                       "detail": "vehicle, mass, costs"},
    "commissioned": {"module": "the module", "cluster": "its cluster", "ref": "its launch (or the decision "
                     "that activated it, for a spare)", "detail": "units and generation, or standby"},
    "unit_failure": {"module": "the module", "cluster": "its cluster", "count": "units that failed that day"},
    "module_failure": {"module": "the module", "cluster": "its cluster", "cost_usd": "cost of a failure in orbit",
                       "ref": "the failure", "reason": "bus failure or debris strike",
                       "detail": "bus failure or debris strike"},
    "servicing_dispatch": {"cluster": "cluster of the trip", "count": "modules named", "cost_usd": "the trip",
                           "ref": "the trip", "cause": "the decision that sent it", "modules": "the modules named",
                           "detail": "repair or upgrade, modules, reason"},
    "servicing": {"module": "a module repaired", "cluster": "its cluster", "count": "units replaced (0: the "
                  "depot lacked the boards)", "ref": "the trip", "cause": "the decision that sent it"},
    "servicing_failure": {"cluster": "cluster of the trip", "count": "modules named", "ref": "the trip",
                          "cause": "the decision that sent it", "modules": "the modules named"},
    "upgrade": {"module": "the module", "cluster": "its cluster", "count": "units replaced", "ref": "the trip", "cause": "the decision that sent it",
                "detail": "old and new generation"},
    "deorbit": {"module": "the module", "cluster": "its cluster", "cost_usd": "disposal",
                "ref": "the deorbit (the policy's decision, or its own at the end of design life)",
                "reason": "end of design life or policy decision", "detail": "the policy's reason, or end of design life"},
    "space_weather": {"count": "units killed", "ref": "the storm", "detail": "modules hit, units killed"},
    "ground_outage": {"ref": "the blackout it starts, if no station is left clear",
                      "detail": "station and stations up"},
    "ground_restored": {"ref": "the blackout it ends, if it ends one", "detail": "station and stations up"},
    "decision": {"module": "the module, if one", "cluster": "the cluster, if one", "count": "modules concerned",
                 "ref": "the decision", "cause": "the failure, launch or trip the policy reacted to (-1: a "
                 "review, a threshold, a new generation, the initial deployment)",
                 "modules": "the modules it orders, if it orders modules", "detail": "the policy's sentence"},
    "spare_activated": {"module": "the module", "cluster": "its cluster", "ref": "the decision that activated it"},
    "resupply": {"count": "items (boards, servicers or a propellant load) that reached orbit",
                 "cost_usd": "the items, and the flight if they flew alone", "ref": "the launch",
                 "detail": "vehicle, items, mass, costs"},
    "resupply_failure": {"count": "items lost at launch", "cost_usd": "the items, and the flight if they flew "
                         "alone", "ref": "the launch", "detail": "vehicle, items, mass, costs"},
    "refuel": {"count": "1", "ref": "the refuel", "detail": "servicer and propellant, kg"},
    "servicer_lost": {"cluster": "cluster of the failed trip", "count": "1", "ref": "the loss",
                      "cause": "the trip", "detail": "servicer and trip"},
}


class EventLog:
    """Append-only columns; `module`, `cluster`, `ref` and `cause` are -1 where they do not apply."""

    def __init__(self) -> None:
        self._day = array("d")
        self._kind = array("b")
        self._module = array("q")
        self._cluster = array("q")
        self._count = array("q")
        self._cost = array("d")
        self._ref = array("i")                     # int32: a run makes fewer than 2**31 refs
        self._cause = array("i")
        self._modules: dict[int, tuple[int, ...]] = {}   # row -> module ids, for the few rows that name some
        self._reasons: dict[int, int] = {}               # row -> code in REASONS, for the rows that give one
        self._refs = 0
        self._detail = array("q")                  # index into self._texts
        self._texts: dict[str, int] = {"": 0}
        self._text_days = array("d", [-np.inf])  # day each text was first logged with (see `_categories`)
        self._bulk: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def new_ref(self) -> int:
        """A fresh id for a launch, trip, decision, failure, storm or blackout."""
        self._refs += 1
        return self._refs - 1

    def add(self, day: float, kind: str, module: int = -1, cluster: int = -1, count: int = 1,
            cost_usd: float = 0.0, detail: str = "", ref: int = -1, cause: int = -1,
            modules: tuple[int, ...] | None = None, reason: str = "") -> None:
        if modules is not None:
            self._modules[len(self._day)] = modules
        if reason:
            self._reasons[len(self._day)] = REASON_CODE[reason]
        self._day.append(day)
        self._kind.append(KIND_CODE[kind])
        self._module.append(module)
        self._cluster.append(cluster)
        self._count.append(count)
        self._cost.append(cost_usd)
        self._ref.append(ref)
        self._cause.append(cause)
        code = self._texts.get(detail)
        self._detail.append(self.text_code(detail, day) if code is None else code)

    def text_code(self, detail: str, day: float) -> int:
        """The code of text `detail` in the `detail` column, registered as first logged on `day` if new."""
        code = self._texts.get(detail)
        if code is None:
            code = self._texts[detail] = len(self._texts)
            self._text_days.append(day)
        return code

    def add_rows(self, days: list[float], kinds: list[int], refs: list[int], details: list[int]) -> None:
        """Rows that name no module, cluster or cause, with count 1 and no cost, in order: their day,
        kind (a code of KIND_CODE), ref and detail (a code from `text_code`)."""
        n = len(days)
        self._day.extend(days)
        self._kind.extend(kinds)
        self._module.extend(array("q", [NONE]) * n)
        self._cluster.extend(array("q", [NONE]) * n)
        self._count.extend(array("q", [1]) * n)
        self._cost.extend(array("d", [0.0]) * n)
        self._ref.extend(refs)
        self._cause.extend(array("i", [NONE]) * n)
        self._detail.extend(details)

    def add_bulk(self, kind: str, days: np.ndarray, modules: np.ndarray, clusters: np.ndarray,
                 counts: np.ndarray) -> None:
        """Many rows of one kind at once (no cost, no detail)."""
        self._bulk.append((kind, np.asarray(days, float), np.asarray(modules, np.int64),
                           np.asarray(clusters, np.int64), np.asarray(counts, np.int64)))

    def __len__(self) -> int:
        return len(self._day) + sum(len(b[1]) for b in self._bulk)

    def frame(self) -> pd.DataFrame:
        """All rows in time order (ties keep the order they were logged in; bulk rows last).

        Each column is written once, straight into its place: the logged rows and each bulk chunk
        are scattered to their positions in time order, and a bulk chunk's constant columns are
        filled, not built."""
        logged = [np.frombuffer(a, dtype) if len(a) else np.zeros(0, dtype) for a, dtype in (
            (self._day, float), (self._kind, np.int8), (self._module, np.int64), (self._cluster, np.int64),
            (self._count, np.int64), (self._cost, float), (self._ref, np.int32), (self._cause, np.int32),
            (self._detail, np.int64))]
        day = np.concatenate([logged[0], *(b[1] for b in self._bulk)])
        # Days are never negative, so their bit patterns as integers sort in the same order; a stable
        # sort of integers is about a third faster than of floats.
        order = np.argsort(day.view(np.int64), kind="stable")
        position = np.empty(len(order), np.int64)           # where each row goes
        position[order] = np.arange(len(order))
        ends = np.cumsum([len(logged[0]), *(len(b[1]) for b in self._bulk)]).tolist()
        chunks = [position[a: b] for a, b in zip([0, *ends[:-1]], ends)]   # the logged rows, each bulk chunk

        def column(i: int, bulk: list) -> np.ndarray:
            """Column i of the logged rows, then `bulk[k]` (an array or one value) for bulk chunk k."""
            out = np.empty(len(order), logged[i].dtype)
            out[chunks[0]] = logged[i]
            for where, values in zip(chunks[1:], bulk):
                out[where] = values
            return out

        bulk = self._bulk
        day = day[order]
        return pd.DataFrame({
            "time_days": day,
            "time_years": day / DAYS_PER_YEAR,
            "kind": pd.Categorical.from_codes(column(1, [KIND_CODE[b[0]] for b in bulk]), categories=list(KINDS)),
            "module": column(2, [b[2] for b in bulk]),
            "cluster": column(3, [b[3] for b in bulk]),
            "count": column(4, [b[4] for b in bulk]),
            "cost_usd": column(5, [0.0] * len(bulk)),
            "ref": column(6, [NONE] * len(bulk)),
            "cause": column(7, [NONE] * len(bulk)),
            "modules": self._module_lists(position),
            "reason": pd.Categorical.from_codes(self._reason_codes(position), categories=list(REASONS)),
            "detail": self._details(column(8, [0] * len(bulk))),
        }, copy=False)                      # fresh arrays: no copy, a lower peak of memory

    def _details(self, codes: np.ndarray) -> pd.Categorical:
        """The `detail` column from text codes: its categories are the texts in the order of the day
        each was first logged with. Rows may be logged after rows of later days (the weather is
        logged lazily), so that order can differ from the order the texts were first seen."""
        first = np.frombuffer(self._text_days, float)
        order = np.argsort(first, kind="stable")
        texts = list(self._texts)
        if (order[1:] < order[:-1]).any():
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            codes = rank[codes]
            texts = [texts[i] for i in order.tolist()]
        return pd.Categorical.from_codes(codes, categories=texts)

    def _reason_codes(self, position: np.ndarray) -> np.ndarray:
        """The `reason` column's codes, rows at `position` (the logged rows first; 0, no reason, for most)."""
        codes = np.zeros(len(position), np.int8)
        if self._reasons:
            rows = np.fromiter(self._reasons, np.int64, len(self._reasons))
            codes[position[rows]] = np.fromiter(self._reasons.values(), np.int8, len(self._reasons))
        return codes

    def _module_lists(self, position: np.ndarray) -> np.ndarray:
        """The `modules` column, rows at `position` (the logged rows first): an int64 array of module
        ids per row (one shared empty array for most rows), as a Parquet file of the log reads back."""
        out = np.empty(len(position), object)
        out.fill(_NO_MODULES)
        if self._modules:
            rows = np.fromiter(self._modules, np.int64, len(self._modules))
            for at, ids in zip(position[rows].tolist(), self._modules.values()):
                out[at] = np.array(ids, np.int64)
        return out
