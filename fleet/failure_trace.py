"""A failure trace: failures replayed from a table (a real fleet's record, or a test's script).

The table (CSV or Parquet) has one row per failure, with columns `module` (id, from 0 in order of
ordering), `slot` (a unit's position in its module, from 0), `day` (days since the start) and,
optionally, `kind`: `unit` (the default) or `bus` (the module's bus fails; `slot` is then ignored
and may be empty). A unit row fails whatever board holds that slot on that day, if it was installed
before; a bus row ends the module on that day, if it is operating then.

Read with the `csv` module or `pyarrow.parquet`; every problem names the file, the row (counted
from 1 after the header) and the column.
"""
from __future__ import annotations

import csv
import math
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COLUMNS = ("module", "slot", "day", "kind")
KINDS = ("unit", "bus")


class FailureTraceError(ValueError):
    """A failure trace file is unreadable or holds a bad row."""


@dataclass(frozen=True)
class FailureTrace:
    """Failures by unit slot and by bus, days since the start."""

    units: dict[tuple[int, int], tuple[float, ...]]   # (module, slot) -> its failure days, sorted
    buses: dict[int, float]                            # module -> its (first) bus failure day
    max_slot: int                                      # the highest slot listed (-1: none)
    max_slot_row: int                                  # the row that lists it

    def unit_day(self, module: int, slot: int, after: float) -> float:
        """The first day listed for this slot later than `after` (a board installed then), or inf."""
        days = self.units.get((module, slot))
        if not days:
            return math.inf
        i = bisect_right(days, after)
        return days[i] if i < len(days) else math.inf

    def bus_day(self, module: int) -> float:
        """The day the module's bus fails, or inf."""
        return self.buses.get(module, math.inf)


def read_failure_trace(path: Path) -> FailureTrace:
    """Read and check a trace file (.csv, or .parquet / .pq)."""
    try:
        found = path.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        raise FailureTraceError(f"{path}: no such file (or not a regular file)")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            header, rows = _parquet(path)
        else:
            header, rows = _csv(path)
    except FailureTraceError:
        raise
    except Exception as exc:   # whatever the readers raise on a damaged or non-text file
        raise FailureTraceError(f"{path}: cannot read it as {_format(path)}: {type(exc).__name__}: {exc}") from None
    missing = [c for c in COLUMNS[:3] if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        what = "; ".join(([f"missing column(s) {', '.join(missing)}"] if missing else [])
                         + ([f"unknown column(s) {', '.join(map(str, unknown))}"] if unknown else []))
        raise FailureTraceError(f"{path}: {what} (the columns are module, slot, day and optionally kind)")
    units: dict[tuple[int, int], list[float]] = {}
    buses: dict[int, float] = {}
    top, top_row = -1, 0
    for number, row in enumerate(rows, start=1):
        kind = _kind(path, number, row.get("kind"))
        module = _whole(path, number, "module", row.get("module"))
        day = _day(path, number, row.get("day"))
        if kind == "bus":
            buses[module] = min(day, buses.get(module, math.inf))
            continue
        slot = _whole(path, number, "slot", row.get("slot"))
        units.setdefault((module, slot), []).append(day)
        if slot > top:
            top, top_row = slot, number
    return FailureTrace({k: tuple(sorted(v)) for k, v in units.items()}, buses, top, top_row)


def _format(path: Path) -> str:
    return "Parquet" if path.suffix.lower() in (".parquet", ".pq") else "CSV"


def _csv(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        if not header:
            raise FailureTraceError(f"{path}: empty file (the first line names the columns module, slot, day)")
        rows = []
        for number, values in enumerate(reader, start=1):
            if not values:
                continue
            if len(values) != len(header):
                raise FailureTraceError(f"{path}: row {number}: {len(values)} values for {len(header)} columns")
            rows.append({h: v.strip() for h, v in zip(header, values)})
    return header, rows


def _parquet(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    import pyarrow.parquet as pq   # only when a Parquet trace is read
    table = pq.read_table(path)
    return list(table.column_names), table.to_pylist()


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _whole(path: Path, row: int, column: str, value: Any) -> int:
    """A whole number >= 0 (an int, or text or a float holding one)."""
    try:
        number = float(value) if isinstance(value, str) else value
        ok = isinstance(number, (int, float)) and not isinstance(number, bool) and number == int(number) \
            and number >= 0
    except (ValueError, TypeError, OverflowError):
        ok = False
    if _blank(value) or not ok:
        raise FailureTraceError(f"{path}: row {row}: {column} must be a whole number, 0 or more (got {value!r})")
    return int(number)


def _day(path: Path, row: int, value: Any) -> float:
    try:
        day = float(value)
    except (ValueError, TypeError):
        day = math.nan
    if isinstance(value, bool) or _blank(value) or not (math.isfinite(day) and day >= 0):
        raise FailureTraceError(f"{path}: row {row}: day must be a finite number of days, 0 or more (got {value!r})")
    return day


def _kind(path: Path, row: int, value: Any) -> str:
    if _blank(value):
        return "unit"
    if value not in KINDS:
        raise FailureTraceError(f"{path}: row {row}: kind must be unit or bus (got {value!r})")
    return value
