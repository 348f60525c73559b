"""A readable trace of one run: what happened to the fleet, when, and why, one line per happening.

Each line reads `DATE  day D  WHO  WHAT`, e.g.

    2030-03-02  day   60.0  launch     falcon-9 leaves with 4 modules (0-3), ...; ordered on day 0: initial deployment

and links what happened to its cause: a launch names the decision that ordered its modules, a
servicing names the trip that carried it and the decision that sent it, and each trip's return
(half a trip after its work, or after its failure) is its own line. Ground weather is folded: a
`ground` line, written before the next other line once a blackout (no station clear) happened,
sums the weather changes since the previous one and the blackouts among them.

Which modules flew on a launch is read from the log: those commissioned one commissioning time
later in its cluster, or, for a lost payload, the oldest ordered modules never commissioned.
"""
from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from events.world import fmt_usd
from fleet.scenario import Scenario

WHO_WIDTH = 10
SAME_INSTANT_DAYS = 1e-6   # a trip's work and its logged day may differ by float error up to this
_IDS = re.compile(r"modules ([\d, ]+?)(?: and (\d+) more)?(?::| failed|$)")


@dataclass
class _Trip:
    number: int
    day: float
    cluster: int
    modules: set[int]
    what: str
    reason: str
    worked_day: float | None = None   # the day it reached its modules


@dataclass
class _State:
    """What the reader has learned so far."""

    next_id: int = 0
    ordered_by: dict[int, tuple[float, str]] = field(default_factory=dict)   # module -> (day, why)
    ordered_day: dict[int, float] = field(default_factory=dict)
    unassigned: list[int] = field(default_factory=list)                        # ordered, not yet on a launch
    down: dict[int, int] = field(default_factory=dict)                         # failed units per module
    trips: list[_Trip] = field(default_factory=list)
    weather_changes: int = 0
    blackouts: int = 0
    blackout_hours: float = 0.0
    blackout_since: float | None = None
    weather_from: float | None = None
    weather_to: float = 0.0


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
    units = scenario.fleet.module.units
    commissioning = scenario.fleet.module.commissioning_days
    half_trip = scenario.servicing.trip_days / 2
    st = _State()
    out: list[tuple[float, str, str]] = []
    returns: list[tuple[float, int]] = []          # (day, trip number) heap

    kinds = events["kind"].astype(str).to_numpy()
    days = events["time_days"].to_numpy()
    mods = events["module"].to_numpy()
    clusters = events["cluster"].to_numpy()
    counts = events["count"].to_numpy()
    details = events["detail"].astype(str).to_numpy()
    # unit failures that triggered same-day decisions are logged last; read them first
    order = sorted(range(len(events)), key=lambda i: (days[i], kinds[i] != "unit_failure", i))
    commissioned = {}   # (day, cluster) -> module ids, in id order
    for i in range(len(events)):
        if kinds[i] == "commissioned":
            commissioned.setdefault((round(days[i], 6), int(clusters[i])), []).append(int(mods[i]))
    ever_commissioned = {m for ms in commissioned.values() for m in ms}
    storm_days = {round(days[i], 6) for i in range(len(events)) if kinds[i] == "space_weather"}

    def emit(day: float, who: str, text: str, about: set[int] | None = None) -> None:
        if module is not None and (about is None or module not in about):
            return
        _flush_weather(st, out, module)
        out.append((day, who, text))

    def emit_returns(before: float) -> None:
        while returns and returns[0][0] <= before:
            day, number = heapq.heappop(returns)
            trip = st.trips[number - 1]
            emit(day, "servicer", f"back from trip {number} (modules {id_ranges(trip.modules)}), free again",
                 trip.modules)

    for i in order:
        day, kind = float(days[i]), kinds[i]
        if day > horizon:
            break
        emit_returns(day)
        m, c, n, detail = int(mods[i]), int(clusters[i]), int(counts[i]), details[i]
        if kind in ("ground_outage", "ground_restored"):
            _weather(st, day, kind, detail)
        elif kind == "decision":
            if detail.startswith("initial deployment") or ": order " in detail:
                ids = list(range(st.next_id, st.next_id + n))
                st.next_id += n
                why = detail.split(": ", 1)[0] if detail.startswith("initial") else detail
                for j in ids:
                    st.ordered_by[j] = (day, why)
                    st.ordered_day[j] = day
                st.unassigned += ids
                emit(day, "policy", f"{detail}: modules {id_ranges(ids)}", set(ids))
            else:
                about = {m} if m >= 0 else None
                emit(day, "policy", detail, about if about else _next_dispatch_ids(i, kinds, details))
        elif kind in ("launch", "launch_failure"):
            ids = _launch_payload(st, day, c, n, kind == "launch", commissioned, ever_commissioned,
                                  commissioning)
            causes = sorted({st.ordered_by[j] for j in ids if j in st.ordered_by})
            why = "; ".join(f"ordered on day {d:.0f} by {w}" for d, w in causes)
            vehicle, rest = detail.split(": ", 1) if ": " in detail else ("a vehicle", detail)
            rest = re.sub(r"^\d+ modules, ", "", rest).removesuffix("; payload lost")
            mods_text = f"{_plural(n, 'module')} ({id_ranges(ids)}) for cluster {c}: {rest}"
            if kind == "launch":
                text = f"{vehicle} leaves with {mods_text}; {why}"
            else:
                text = f"{vehicle} FAILED with {mods_text}; payload lost; {why}"
            emit(day, "launch", text, set(ids))
        elif kind == "commissioned":
            st.down[m] = 0
            emit(day, f"module {m}", f"commissioned in cluster {c}: {detail}, all working", {m})
        elif kind == "unit_failure":
            st.down[m] = st.down.get(m, 0) + n
            if round(day, 6) in storm_days and module is None:
                continue
            emit(day, f"module {m}", f"{_plural(n, 'board')} failed ({st.down[m]} of {units} now down)", {m})
        elif kind == "space_weather":
            emit(day, "space", detail[0].upper() + detail[1:], None)
        elif kind == "module_failure":
            emit(day, f"module {m}", f"LOST to {detail}: dead in orbit with {st.down.get(m, 0)} boards down", {m})
        elif kind == "deorbit":
            emit(day, f"module {m}", f"deorbited ({detail})", {m})
        elif kind == "spare_activated":
            emit(day, f"module {m}", "spare leaves standby and starts operating", {m})
        elif kind == "servicing_dispatch":
            ids, what, reason = _parse_dispatch(detail)
            trip = _Trip(len(st.trips) + 1, day, c, ids, what, reason)
            st.trips.append(trip)
            emit(day, "servicer", f"trip {trip.number} sent: {what} of modules {id_ranges(ids)} in cluster {c}, "
                                  f"{fmt_usd(float(events['cost_usd'].iat[i]))}"
                 + ("" if n == len(ids) else f" ({n} modules)"), ids)
        elif kind in ("servicing", "upgrade", "servicing_failure"):
            ids = _parse_dispatch(detail)[0] if kind == "servicing_failure" else {m}
            trip = _find_trip(st, day, c, ids, half_trip)
            label = f"trip {trip.number} (sent day {trip.day:.0f})" if trip else "a trip"
            if trip and trip.worked_day is None:
                trip.worked_day = day
                if day + half_trip <= horizon:
                    heapq.heappush(returns, (day + half_trip, trip.number))
            if kind == "servicing":
                st.down[m] = max(0, st.down.get(m, 0) - n)
                emit(day, f"module {m}", f"{label} replaced {_plural(n, 'failed unit')} ({st.down[m]} of {units} now down)", {m})
            elif kind == "upgrade":
                st.down[m] = 0
                emit(day, f"module {m}", f"{label} upgraded all {n} units: {detail}", {m})
            else:
                emit(day, "servicer", f"{label} FAILED at modules {id_ranges(ids)}; nothing repaired",
                     trip.modules if trip else ids)
    emit_returns(horizon)
    _flush_weather(st, out, module, last=True)
    start = scenario.start_year
    return [f"{calendar(start, d)}  day {d:7.1f}  {who:<{WHO_WIDTH}} {text}" for d, who, text in out]


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


# ----- helpers ---------------------------------------------------------------------------------
def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _parse_dispatch(detail: str) -> tuple[set[int], str, str]:
    """(modules named, 'repair' or 'upgrade', reason) of a dispatch or trip-failure detail."""
    what = detail.split(" ", 1)[0] if detail.startswith(("repair", "upgrade")) else "work"
    found = _IDS.search(detail)
    ids = {int(x) for x in found.group(1).split(",") if x.strip()} if found else set()
    reason = detail.split(": ", 1)[1] if ": " in detail else ""
    return ids, what, reason


def _next_dispatch_ids(i: int, kinds, details) -> set[int] | None:
    """Modules of the dispatch logged right after decision row i, if there is one."""
    if i + 1 < len(kinds) and kinds[i + 1] == "servicing_dispatch":
        return _parse_dispatch(details[i + 1])[0]
    return None


def _find_trip(st: _State, day: float, cluster: int, ids: set[int], half_trip: float) -> _Trip | None:
    """The trip whose work this is: the earliest open or same-day trip to these modules in the cluster."""
    candidates = [t for t in st.trips if t.cluster == cluster and t.day + half_trip <= day + SAME_INSTANT_DAYS
                  and t.worked_day in (None, day)]
    named = [t for t in candidates if ids & t.modules]
    return (named or candidates or [None])[0]


def _launch_payload(st: _State, day: float, cluster: int, n: int, success: bool,
                    commissioned: dict, ever_commissioned: set[int], commissioning: float) -> list[int]:
    """The module ids that flew on a launch (see module doc)."""
    ids = []
    if success:
        ids = [m for m in commissioned.get((round(day + commissioning, 6), cluster), []) if m in st.unassigned][:n]
    if len(ids) < n:
        spare = [m for m in st.unassigned if m not in ever_commissioned and m not in ids]
        ids += spare[: n - len(ids)]
    taken = set(ids)
    st.unassigned = [m for m in st.unassigned if m not in taken]
    return sorted(ids)


def _weather(st: _State, day: float, kind: str, detail: str) -> None:
    st.weather_changes += 1
    if st.weather_from is None:
        st.weather_from = day
    st.weather_to = day
    if kind == "ground_outage" and "(0 of" in detail:
        st.blackouts += 1
        st.blackout_since = day
    elif kind == "ground_restored" and st.blackout_since is not None:
        st.blackout_hours += (day - st.blackout_since) * 24
        st.blackout_since = None


def _flush_weather(st: _State, out: list, module: int | None, last: bool = False) -> None:
    """One line for the weather changes since the last such line, once they include a blackout
    (or at the end); none when following one module."""
    if not st.weather_changes or module is not None or not (st.blackouts or last):
        return
    text = f"{st.weather_changes} weather changes since day {st.weather_from:.0f}:"
    going = st.blackout_since is not None
    if going:
        st.blackout_hours += (st.weather_to - st.blackout_since) * 24
        st.blackout_since = st.weather_to
    if st.blackouts:
        text += (f" {st.blackouts} blackout{'s' if st.blackouts > 1 else ''}, {st.blackout_hours:.0f} h"
                 " with no station clear" + (" (still so)" if going else ""))
    else:
        text += " a station was always clear"
    out.append((st.weather_to, "ground", text))
    st.weather_changes = st.blackouts = 0
    st.blackout_hours = 0.0
    st.weather_from = None
