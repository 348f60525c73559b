"""The fleet's compute capacity as a path in time, integrated exactly without a clock event per unit.

Capacity C(t) (PFLOPS at the daylight rate) of the operational modules is a step function: it
jumps at clock events (a module starts or ends, a repair, an upgrade, a storm) and between them
only falls, each time a unit stops (it fails, or the ageing array can no longer power it). A
unit's stop is known when it is installed, so the path holds C at `day` and, as entries
(stop day, PFLOPS, module), every stop still to come: a module that starts adds its stops; one
that stops takes its capacity out at once, and its later entries are void (its end day is before
them) and skipped when time reaches them; a change of a module's units adds the stops that
changed, with the sign of the change. Entries of one day may come in any order: between them the
path lasts no time.

Entries are kept in yearly buckets: the current bucket as sorted arrays (those it held when it
opened, and a small sorted array of those added since), later ones as unsorted chunks sorted when
time reaches them, so a change costs about the entries it adds. Advancing the
path to a day returns the segment crossed, as pieces of constant capacity, and integrates C and
the capacity above a level (the target) exactly.

Whoever integrates a rate that depends on C (the ground network's results) subscribes with
`before_change`: it is called before any change, at the change's day, so that it can first
integrate up to then on the old path; and with `before_leave`, called after those with the number
of modules about to stop, while `modules` still counts them.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from fleet.state import FleetTable
from fleet.sums import dot
from fleet.tolerances import RELATIVE_SLACK

BUCKET_DAYS = 365.25
MERGE_FROM = 2048       # entries added to the current bucket before they are merged into it
STAGE_UP_TO = 1 << 18   # entries of later buckets held unfiled, so that a bucket gets few large chunks

Entries = tuple[np.ndarray, np.ndarray, np.ndarray]     # stop days, PFLOPS, module ids


def _empty() -> Entries:
    return np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.intp)


def _pick(e: Entries, index) -> Entries:
    return e[0][index], e[1][index], e[2][index]


def _join(parts: list[Entries]) -> Entries:
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]))


def _in_order(e: Entries) -> Entries:
    return _pick(e, np.argsort(e[0]))


def _merged(e: Entries) -> Entries:
    """`e` in order, when it is a few ascending runs (a stable sort merges them)."""
    return _pick(e, np.argsort(e[0], kind="stable"))


class CapacityPath:
    """C(t) from `day` on, its integral since day 0 (`area`) and the part above `level` (`above`).

    Changes go through `enter`, `leave` (modules starting or stopping) and `remove` then `add`
    (around a change of a running module's units).
    """

    def __init__(self, table: FleetTable, horizon_day: float, level: float):
        self.table = table
        self.horizon_day = horizon_day
        self.level = level                      # capacity counted above this is surplus, PFLOPS
        self.day = 0.0
        self.capacity = 0.0                     # C(day), PFLOPS, with the changes made since (see _shift)
        self.peak = 0.0                         # bounds C from above since `day`
        self.modules = 0                        # modules running
        self.area = 0.0                         # integral of C over [0, day], PFLOPS-days
        self.above = 0.0                        # integral of (C - level)+ over [0, day], PFLOPS-days
        self.before_change: list[Callable[[], None]] = []
        self.before_leave: list[Callable[[int], None]] = []
        self._bucket = 0                        # index of the current bucket
        self._current = _empty()                # its entries when it opened, in order ...
        self._next = 0                          # ... of which those before this index are passed
        self._new = _empty()                    # entries added to it since, in order
        self._later: dict[int, list[Entries]] = {}
        self._staged: list[Entries] = []        # entries of later buckets, not yet filed (see _file_staged)
        self._staged_count = 0
        self._removed = (np.zeros((0, 0)), np.zeros(0))   # stops of the rows `remove` saw
        self._sums: dict[tuple[float, int], float] = {}   # (PFLOPS per unit, units): their sum

    # ----- changes --------------------------------------------------------------------------------
    def enter(self, rows: np.ndarray, day: float) -> None:
        """Modules `rows` (operational, as the table now holds them) start running at `day`."""
        self._notify()
        self.modules += len(rows)
        self._put(self._entries(rows, day), day)

    def leave(self, rows: np.ndarray, day: float) -> None:
        """Modules `rows` stop running at `day` (call before their end day is set to it)."""
        self._notify()
        for hook in self.before_leave:
            hook(len(rows))
        self.modules -= len(rows)
        self._shift(-self._running_pflops(rows, day), day)

    def remove(self, rows: np.ndarray, day: float) -> None:
        """Running modules `rows` are about to change their units at `day` (then call `add`)."""
        self._notify()
        self._removed = self._stops(rows)

    def add(self, rows: np.ndarray, day: float) -> None:
        """Running modules `rows` changed their units at `day`: their stops change from those
        `remove` saw to the new ones. Only the stops that differ enter the path."""
        rows = np.asarray(rows, dtype=np.intp)
        (old, w_old), (new, w_new) = self._removed, self._stops(rows)
        units = old.shape[1]
        both = np.concatenate([old, new], axis=1)                 # each row: its old then new stops
        order = np.argsort(both, axis=1, kind="stable")           # two ascending runs: a merge
        stops = both.reshape(-1)[(order + np.arange(0, both.size, 2 * units)[:, None]).reshape(-1)]
        weights = np.where(order < units, -w_old[:, None], w_new[:, None]).reshape(-1)
        first = np.ones(len(stops), dtype=bool)
        np.not_equal(stops[1:], stops[:-1], out=first[1:])
        first[:: 2 * units] = True                                # groups never span two modules
        starts = np.flatnonzero(first)
        net = np.add.reduceat(weights, starts)
        stops = stops[starts]
        keep = (np.abs(net) > RELATIVE_SLACK * float(self.table.pflops_per_unit.max())) & (stops > day)
        owners = rows[starts // (2 * units)]
        self._put((stops[keep], net[keep], owners[keep]), day)

    def _notify(self) -> None:
        for hook in self.before_change:
            hook()

    def _shift(self, delta: float, day: float) -> None:
        """Capacity changes by `delta` PFLOPS at `day` (not before the path's day). If the path
        lags, it is brought to `day` only when capacity could exceed the level over the lag or
        after the change; otherwise the lag is left, and the integral over it corrected for the
        change, which the later `advance` counts from the path's day on."""
        if self.day < day:
            if max(self.peak, self.capacity + delta) > self.level:
                self.advance(day)
            else:
                self.area -= delta * (day - self.day)
        self.capacity += delta
        self.peak = max(self.peak, self.capacity)

    def _stops(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Stop day of each unit slot of `rows` (one row each, ascending), and each row's PFLOPS per unit."""
        rows = np.asarray(rows, dtype=np.intp)
        t = self.table
        gen = t.generation[rows]
        stops = t.run_until_days[gen]
        stops += t.commissioned_day[rows, None]
        np.minimum(stops, t.unit_end.take(rows, axis=0), out=stops)
        return stops, t.pflops_per_unit[gen]

    def _running_pflops(self, rows: np.ndarray, day: float) -> float:
        """PFLOPS of the units of `rows` that run after `day`: the sum of their entries' PFLOPS."""
        if len(rows) != 1:
            return float(self._entries(rows, day)[1].sum())
        t, m = self.table, int(rows[0])
        g = t.generation[m]
        limits = t.run_until_days[g] + t.commissioned_day[m]      # ascending, as the row's unit ends are
        failed = int(t.unit_end[m].searchsorted(day, side="right"))
        unpowered = int(limits.searchsorted(day, side="right"))
        key = (float(t.pflops_per_unit[g]), t.units - max(failed, unpowered))   # slots with both stops after `day`
        found = self._sums.get(key)
        if found is None:    # summed as the entries would be: n equal values in one array
            found = self._sums[key] = float(np.full(key[1], key[0]).sum())
        return found

    def _entries(self, rows: np.ndarray, day: float) -> Entries:
        """Every unit of `rows` that runs after `day`: its stop day, PFLOPS and module."""
        rows = np.asarray(rows, dtype=np.intp)
        stops, pflops = self._stops(rows)
        running = stops > day
        weights = np.broadcast_to(pflops[:, None], stops.shape)
        owners = np.broadcast_to(rows[:, None], stops.shape)
        return stops[running], weights[running], owners[running]

    def _put(self, e: Entries, day: float) -> None:
        """Add entries of units running after `day`: capacity from `day`, and their stops to come."""
        self._shift(float(e[1].sum()), day)
        e = _pick(e, e[0] < self.horizon_day)
        if len(e[0]) == 0:
            return
        bucket = (e[0] // BUCKET_DAYS).astype(np.int64)
        now = bucket <= self._bucket
        if now.any():
            self._new = _merged(_join([self._new, _pick(e, now)]))
            if len(self._new[0]) > MERGE_FROM:
                self._current = _merged(_join([_pick(self._current, slice(self._next, None)), self._new]))
                self._next = 0
                self._new = _empty()
            if now.all():
                return
            e = _pick(e, ~now)
        self._staged.append(e)
        self._staged_count += len(e[0])
        if self._staged_count > STAGE_UP_TO:
            self._file_staged()

    def _file_staged(self) -> None:
        """File the staged entries of later buckets into their buckets, one chunk per bucket."""
        if not self._staged:
            return
        e = _join(self._staged) if len(self._staged) > 1 else self._staged[0]
        self._staged, self._staged_count = [], 0
        bucket = (e[0] // BUCKET_DAYS).astype(np.int64)
        order = np.argsort(bucket, kind="stable")
        e, bucket = _pick(e, order), bucket[order]
        cuts = [0, *(np.flatnonzero(np.diff(bucket)) + 1).tolist(), len(bucket)]
        for a, b in zip(cuts[:-1], cuts[1:]):
            self._later.setdefault(int(bucket[a]), []).append(_pick(e, slice(a, b)))

    # ----- time -----------------------------------------------------------------------------------
    def advance(self, day: float) -> tuple[np.ndarray, np.ndarray]:
        """Move the path to `day`; return the segment crossed as pieces: capacity (PFLOPS) and
        length (days) of each, in time order. Integrates `area` and `above` over it."""
        start = self.day
        if day <= start:
            return np.array([self.capacity]), np.zeros(1)
        stops, weights = self._take(day)
        if len(stops) == 0:                             # one piece
            c = self.capacity
            self.area += c * (day - start)
            self.above += max(c - self.level, 0.0) * (day - start)
            self.day = day
            self.peak = c
            return np.array([c]), np.array([day - start])
        values = np.empty(len(stops) + 1)
        values[0] = self.capacity
        np.subtract(self.capacity, np.cumsum(weights), out=values[1:])
        edges = np.empty(len(stops) + 2)
        edges[0], edges[-1] = start, day
        edges[1:-1] = stops
        widths = np.diff(edges)
        self.area += dot(values, widths)
        self.above += dot(np.maximum(values - self.level, 0.0), widths)
        self.capacity = self.peak = float(values[-1])
        self.day = day
        return values, widths

    def _take(self, day: float) -> tuple[np.ndarray, np.ndarray]:
        """Stop days and PFLOPS of the valid entries in (self.day, day], in order, dropped from the path."""
        if day >= (self._bucket + 1) * BUCKET_DAYS:
            e = self._take_across(day)
        else:                                           # within the current bucket
            stops, weights, owners = self._current
            end = self._next + int(np.searchsorted(stops[self._next:], day, side="right"))
            e = stops[self._next:end], weights[self._next:end], owners[self._next:end]
            self._next = end
            n = int(np.searchsorted(self._new[0], day, side="right")) if len(self._new[0]) else 0
            if n:
                e = _merged(_join([e, _pick(self._new, slice(None, n))]))
                self._new = _pick(self._new, slice(n, None))
        if len(e[0]) == 0:
            return e[0], e[1]
        valid = ~(self.table.end_day[e[2]] < e[0])        # end day NaN while running
        if valid.all():
            return e[0], e[1]
        return e[0][valid], e[1][valid]

    def _take_across(self, day: float) -> Entries:
        """`_take`'s entries when `day` is beyond the current bucket."""
        parts = []
        while True:
            end = self._next + int(np.searchsorted(self._current[0][self._next:], day, side="right"))
            parts.append(_pick(self._current, slice(self._next, end)))
            self._next = end
            if len(self._new[0]):
                n = int(np.searchsorted(self._new[0], day, side="right"))
                parts.append(_pick(self._new, slice(None, n)))
                self._new = _pick(self._new, slice(n, None))
            if day < (self._bucket + 1) * BUCKET_DAYS:
                break
            self._open(self._bucket + 1)
        return _merged(_join(parts))

    def _open(self, bucket: int) -> None:
        """Make `bucket` the current one: its chunks, in order."""
        self._file_staged()
        chunks = self._later.pop(bucket, [])
        self._bucket = bucket
        self._next = 0
        self._current = _in_order(_join(chunks)) if chunks else _empty()
