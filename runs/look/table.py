"""Plain-text tables of KPIs for the terminal."""
from __future__ import annotations

import math

from fleet.kpis import formats

# KPI name -> (label, format), from the KPI registry
KPI_FORMATS = formats()


NOT_AVAILABLE = "not available"


def format_value(key: str, value, years: float | None = None) -> str:
    """`value` in the KPI's format; a missing value (None, NaN) or an infinite one in words.

    `years` is the run's horizon, for "orbit cheaper from year": missing means never within it.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing_words(key, years)
    if isinstance(value, float) and math.isinf(value):
        return "infinite" if value > 0 else "minus infinite"
    fmt = KPI_FORMATS.get(key, (key, "{}"))[1]
    try:
        text = fmt.format(value)
    except (ValueError, TypeError):
        return str(value)
    return small_percent(value) if fmt.endswith("%}") and _rounds_to_zero(text, value) else text


def small_percent(fraction: float) -> str:
    """A fraction too small for one decimal of a percent, with two significant digits (0.0002 -> 0.020%)."""
    return f"{fraction * 100:#.2g}%"


def _rounds_to_zero(text: str, value: float) -> bool:
    """True if `value` is not zero but its formatted `text` shows only zeros."""
    return value != 0 and not any(c in "123456789" for c in text)


def missing_words(key: str, years: float | None = None) -> str:
    """What a missing value of `key` means, in words."""
    if key == "orbit_cheaper_from_year":
        return f"never within {years:g} year{'' if years == 1 else 's'}" if years is not None else "never within the run"
    return NOT_AVAILABLE


def summary_table(summary: dict, keys: list[str] | None = None, years: float | None = None) -> str:
    """Two aligned columns: label and formatted value (`years`: the run's horizon, for the wording)."""
    keys = keys or [k for k in KPI_FORMATS if k in summary]
    labels = [KPI_FORMATS.get(k, (k, ""))[0] for k in keys]
    width = max(len(s) for s in labels)
    return "\n".join(f"  {label:<{width}}  {format_value(k, summary[k], years)}" for label, k in zip(labels, keys))
