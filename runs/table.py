"""Plain-text tables of KPIs for the terminal."""
from __future__ import annotations

import math

from fleet.kpis import formats

# KPI name -> (label, format), from the KPI registry
KPI_FORMATS = formats()


def format_value(key: str, value) -> str:
    fmt = KPI_FORMATS.get(key, (key, "{}"))[1]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def summary_table(summary: dict, keys: list[str] | None = None) -> str:
    """Two aligned columns: label and formatted value."""
    keys = keys or [k for k in KPI_FORMATS if k in summary]
    labels = [KPI_FORMATS.get(k, (k, ""))[0] for k in keys]
    width = max(len(s) for s in labels)
    return "\n".join(f"  {label:<{width}}  {format_value(k, summary[k])}" for label, k in zip(labels, keys))
