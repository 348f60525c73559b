"""A readable trace of one run: what happened to the fleet, when, and why, one line per happening.

Each line reads `DATE  day D  WHO  WHAT`, e.g.

    2030-03-02  day   60.0  launch     leaves with 4 modules (0-3) for cluster 0: falcon-9: 4 modules, ...; ordered ...

and links what happened to its cause through the log's typed columns (`events.log`): a launch
names its payload (`modules`) and the decisions that ordered it, a servicing names its trip (`ref`)
and the decision that sent it (`cause`), and each trip's return (the rest of a fixed trip after its
work) is its own line. Ground weather is folded: a `ground` line, written before the next other line
once a blackout (no station clear) happened, sums the weather changes since the previous one and the
blackouts among them. Each kind of event has its formatter (`FORMATTERS`); `detail`, the log's
sentence, is shown, never parsed.
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import pandas as pd

from events.world import fmt_usd
from fleet.scenario import Scenario

WHO_WIDTH = 10


@dataclass(frozen=True)
class _Row:
    """One event, as its typed columns."""

    day: float
    kind: str
    module: int
    cluster: int
    count: int
    cost_usd: float
    ref: int
    cause: int
    modules: tuple[int, ...]
    reason: str
    detail: str


@dataclass
class _Trip:
    number: int
    day: float
    modules: set[int]
    worked_day: float | None = None   # the day it reached its modules


@dataclass
class _Reader:
    """What the reader has learned so far, and the lines written."""

    module: int | None                # only lines about this module (None: all)
    horizon: float                    # days
    units: int
    after_work_days: float            # a fixed trip's flight back after its work
    order_of: dict[int, int] = field(default_factory=dict)                     # module -> ordering decision
    decisions: dict[int, tuple[float, str]] = field(default_factory=dict)      # decision -> (day, sentence)
    trip_of_decision: dict[int, set[int]] = field(default_factory=dict)        # decision -> modules of its trip
    storm_days: set[float] = field(default_factory=set)
    down: dict[int, int] = field(default_factory=dict)                         # failed units per module
    trips: dict[int, _Trip] = field(default_factory=dict)                      # by ref
    returns: list[tuple[float, int]] = field(default_factory=list)             # (day, trip ref) heap
    out: list[tuple[float, str, str]] = field(default_factory=list)
    weather_changes: int = 0
    blackouts: int = 0
    blackout_hours: float = 0.0
    blackout_since: float | None = None
    weather_from: float | None = None
    weather_to: float = 0.0

    def emit(self, day: float, who: str, text: str, about: set[int] | None = None) -> None:
        """A line, unless following one module that `about` does not hold."""
        if self.module is not None and (about is None or self.module not in about):
            return
        _flush_weather(self)
        self.out.append((day, who, text))

    def emit_returns(self, before: float) -> None:
        """The lines of trips back by day `before`."""
        while self.returns and self.returns[0][0] <= before:
            day, ref = heapq.heappop(self.returns)
            trip = self.trips[ref]
            self.emit(day, "servicer", f"back from trip {trip.number} (modules {id_ranges(trip.modules)}), "
                                       "free again", trip.modules)


def calendar(start_year: int, day: float) -> str:
    """The calendar date `day` days after 1 January of `start_year`, e.g. 2030-03-02."""
    return (date(start_year, 1, 1) + timedelta(days=math.floor(day))).isoformat()


def id_ranges(ids, limit: int = 8) -> str:
    """0, 1, 2, 3, 7 -> '0-3, 7'; after `limit` parts, '... and N more'."""
    ids = sorted(set(int(i) for i in ids))
    parts, i = [], 0
    while i < len(ids):
        j = i
        while j + 1 < len(ids) and ids[j + 1] == ids[j] + 1:
            j += 1
        parts.append((str(ids[i]) if i == j else f"{ids[i]}-{ids[j]}", j - i + 1))
        i = j + 1
    text = ", ".join(p for p, _ in parts[:limit])
    if len(parts) > limit:
        text += f" and {sum(n for _, n in parts[limit:])} more"
    return text


def trace_lines(events: pd.DataFrame, scenario: Scenario, module: int | None = None,
                until_day: float | None = None) -> list[str]:
    """The narrative of a run's event log, one line per happening (see module doc).

    module: only lines about this module (weather and storms are left out);
    until_day: stop after this day (default: the scenario's horizon).
    """
    horizon = scenario.horizon_years * 365.25 if until_day is None else until_day
    spec = scenario.servicing
    fixed = spec.trip_time_distribution == "fixed"
    r = _Reader(module, horizon, scenario.fleet.module.units,
                spec.trip_days * (1 - spec.work_at_fraction) if fixed else math.nan)
    rows = _rows(events)
    for e in rows:
        if e.kind == "servicing_dispatch":
            r.trip_of_decision[e.cause] = set(e.modules)
        elif e.kind == "space_weather":
            r.storm_days.add(round(e.day, 6))
    # unit failures that triggered same-day decisions are logged last; read them first
    order = sorted(range(len(rows)), key=lambda i: (rows[i].day, rows[i].kind != "unit_failure", i))
    for i in order:
        e = rows[i]
        if e.day > horizon:
            break
        r.emit_returns(e.day)
        FORMATTERS[e.kind](r, e)
    r.emit_returns(horizon)
    _flush_weather(r, last=True)
    start = scenario.start_year
    return [f"{calendar(start, d)}  day {d:7.1f}  {who:<{WHO_WIDTH}} {text}" for d, who, text in r.out]


def narrative(result, module: int | None = None, until_day: float | None = None) -> str:
    """A heading and the trace of a `Result` (see `trace_lines`)."""
    s = result.scenario
    head = (f"{s.name}: {s.horizon_years:g} years from {s.start_year}, policy {result.policy.label}, "
            f"seed {result.seed}; modules of {s.fleet.module.units} boards in {s.fleet.clusters} "
            f"cluster{'s' if s.fleet.clusters > 1 else ''}, {s.servicing.servicers} servicer"
            f"{'s' if s.servicing.servicers != 1 else ''} ({s.servicing.trip_days:g}-day trips)")
    if module is not None:
        head += f"; module {module} only"
    lines = trace_lines(result.events, s, module, until_day)
    summary = result.summary
    tail = (f"end: {summary['modules_operational_final']} modules operating, mean availability "
            f"{summary['mean_availability']:.1%}, {summary['unit_failures']} boards failed, "
            f"{summary['units_replaced']} replaced, {_plural(summary['servicing_trips'], 'trip')}, "
            f"{_plural(summary['launches'], 'launch').replace('launchs', 'launches')}")
    return "\n".join([head, ""] + lines + ["", tail])


def _rows(events: pd.DataFrame) -> list[_Row]:
    """The log's rows, as typed values."""
    columns = [events["time_days"].tolist(), events["kind"].astype(str).tolist(), events["module"].tolist(),
               events["cluster"].tolist(), events["count"].tolist(), events["cost_usd"].tolist(),
               events["ref"].tolist(), events["cause"].tolist(),
               [tuple(int(m) for m in ms) for ms in events["modules"]], events["reason"].astype(str).tolist(),
               events["detail"].astype(str).tolist()]
    return [_Row(*values) for values in zip(*columns)]


# ----- one formatter per kind ---------------------------------------------------------------------
def _decision(r: _Reader, e: _Row) -> None:
    r.decisions[e.ref] = (e.day, e.detail)
    if e.modules:                                   # it orders modules
        for m in e.modules:
            r.order_of[m] = e.ref
        r.emit(e.day, "policy", f"{e.detail}: modules {id_ranges(e.modules)}", set(e.modules))
    else:
        r.emit(e.day, "policy", e.detail, {e.module} if e.module >= 0 else r.trip_of_decision.get(e.ref))


def _launch(r: _Reader, e: _Row) -> None:
    ids = set(e.modules)
    orders = sorted({r.order_of[m] for m in e.modules if m in r.order_of})
    why = "; ".join(f"ordered on day {r.decisions[d][0]:.0f} by {r.decisions[d][1]}" for d in orders)
    payload = f"{_plural(len(e.modules), 'module')} ({id_ranges(ids)}) for cluster {e.cluster}: {e.detail}; {why}"
    r.emit(e.day, "launch", ("leaves with " if e.kind == "launch" else "FAILED with ") + payload, ids)


def _commissioned(r: _Reader, e: _Row) -> None:
    r.down[e.module] = 0
    r.emit(e.day, f"module {e.module}", f"commissioned in cluster {e.cluster}: {e.detail}, all working", {e.module})


def _unit_failure(r: _Reader, e: _Row) -> None:
    r.down[e.module] = r.down.get(e.module, 0) + e.count
    if round(e.day, 6) in r.storm_days and r.module is None:
        return
    r.emit(e.day, f"module {e.module}",
           f"{_plural(e.count, 'board')} failed ({r.down[e.module]} of {r.units} now down)", {e.module})


def _space_weather(r: _Reader, e: _Row) -> None:
    r.emit(e.day, "space", e.detail[:1].upper() + e.detail[1:], None)


def _module_failure(r: _Reader, e: _Row) -> None:
    r.emit(e.day, f"module {e.module}",
           f"LOST to {e.reason}: dead in orbit with {r.down.get(e.module, 0)} boards down", {e.module})


def _deorbit(r: _Reader, e: _Row) -> None:
    r.emit(e.day, f"module {e.module}", f"deorbited ({e.detail})", {e.module})


def _spare_activated(r: _Reader, e: _Row) -> None:
    r.emit(e.day, f"module {e.module}", "spare leaves standby and starts operating", {e.module})


def _dispatch(r: _Reader, e: _Row) -> None:
    trip = r.trips[e.ref] = _Trip(len(r.trips) + 1, e.day, set(e.modules))
    r.emit(e.day, "servicer", f"trip {trip.number} sent to cluster {e.cluster}, {fmt_usd(e.cost_usd)}: {e.detail}",
           trip.modules)


def _trip_work(r: _Reader, e: _Row) -> str:
    """The label of the trip doing the work of row e, noting the day it reached its modules."""
    trip = r.trips.get(e.ref)
    if trip is None:
        return "a trip"
    if trip.worked_day is None:
        trip.worked_day = e.day
        back = e.day + r.after_work_days
        if back <= r.horizon:                       # never for a trip of random length (nan)
            heapq.heappush(r.returns, (back, e.ref))
    return f"trip {trip.number} (sent day {trip.day:.0f})"


def _servicing(r: _Reader, e: _Row) -> None:
    label = _trip_work(r, e)
    if e.count == 0:                                # the depot lacked the boards
        r.emit(e.day, f"module {e.module}", f"{label}: {e.detail}", {e.module})
        return
    r.down[e.module] = max(0, r.down.get(e.module, 0) - e.count)
    r.emit(e.day, f"module {e.module}", f"{label} replaced {_plural(e.count, 'failed unit')} "
                                        f"({r.down[e.module]} of {r.units} now down)", {e.module})


def _cargo(r: _Reader, e: _Row) -> None:
    order = r.decisions.get(e.cause)
    why = f"; ordered on day {order[0]:.0f} by {order[1]}" if order else ""
    r.emit(e.day, "launch", ("leaves with " if e.kind == "resupply" else "FAILED with ") + e.detail + why, None)


def _servicer(r: _Reader, e: _Row) -> None:
    r.emit(e.day, "servicer", e.detail[:1].upper() + e.detail[1:], None)


def _upgrade(r: _Reader, e: _Row) -> None:
    label = _trip_work(r, e)
    r.down[e.module] = 0
    r.emit(e.day, f"module {e.module}", f"{label} upgraded all {e.count} units: {e.detail}", {e.module})


def _servicing_failure(r: _Reader, e: _Row) -> None:
    label = _trip_work(r, e)
    ids = set(e.modules)
    r.emit(e.day, "servicer", f"{label} FAILED at modules {id_ranges(ids)}; nothing repaired", ids)


def _weather(r: _Reader, e: _Row) -> None:
    """A weather change, folded into the next `ground` line; a row with a ref starts or ends a blackout."""
    r.weather_changes += 1
    if r.weather_from is None:
        r.weather_from = e.day
    r.weather_to = e.day
    if e.kind == "ground_outage" and e.ref >= 0:
        r.blackouts += 1
        r.blackout_since = e.day
    elif e.kind == "ground_restored" and r.blackout_since is not None:
        r.blackout_hours += (e.day - r.blackout_since) * 24
        r.blackout_since = None


FORMATTERS: dict[str, Callable[[_Reader, _Row], None]] = {
    "decision": _decision, "launch": _launch, "launch_failure": _launch, "commissioned": _commissioned,
    "unit_failure": _unit_failure, "space_weather": _space_weather, "module_failure": _module_failure,
    "deorbit": _deorbit, "spare_activated": _spare_activated, "servicing_dispatch": _dispatch,
    "servicing": _servicing, "upgrade": _upgrade, "servicing_failure": _servicing_failure,
    "ground_outage": _weather, "ground_restored": _weather,
    "resupply": _cargo, "resupply_failure": _cargo, "refuel": _servicer, "servicer_lost": _servicer,
}


# ----- helpers ---------------------------------------------------------------------------------
def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _flush_weather(r: _Reader, last: bool = False) -> None:
    """One line for the weather changes since the last such line, once they include a blackout
    (or at the end); none when following one module."""
    if not r.weather_changes or r.module is not None or not (r.blackouts or last):
        return
    text = f"{r.weather_changes} weather changes since day {r.weather_from:.0f}:"
    going = r.blackout_since is not None
    if going:
        r.blackout_hours += (r.weather_to - r.blackout_since) * 24
        r.blackout_since = r.weather_to
    if r.blackouts:
        text += (f" {r.blackouts} blackout{'s' if r.blackouts > 1 else ''}, {r.blackout_hours:.0f} h"
                 " with no station clear" + (" (still so)" if going else ""))
    else:
        text += " a station was always clear"
    r.out.append((r.weather_to, "ground", text))
    r.weather_changes = r.blackouts = 0
    r.blackout_hours = 0.0
    r.weather_from = None
