"""Plain-text tables of KPIs for the terminal."""
from __future__ import annotations

import math

# KPI name -> (label, format)
KPI_FORMATS = {
    "delivered_pflops_days": ("delivered compute", "{:,.0f} PFLOPS-days"),
    "mean_availability": ("mean availability", "{:.1%}"),
    "launches": ("launches", "{:,d}"),
    "launch_failures": ("launch failures", "{:,d}"),
    "modules_launched": ("modules launched", "{:,d}"),
    "modules_lost_at_launch": ("modules lost at launch", "{:,d}"),
    "unit_failures": ("unit failures", "{:,d}"),
    "module_failures": ("module failures", "{:,d}"),
    "servicing_trips": ("servicing trips", "{:,d}"),
    "servicing_failures": ("servicing failures", "{:,d}"),
    "units_replaced": ("units replaced", "{:,d}"),
    "upgrades": ("upgrades", "{:,d}"),
    "deorbits": ("deorbits", "{:,d}"),
    "debris_left": ("dead modules left in orbit", "{:,d}"),
    "mass_launched_kg": ("mass launched", "{:,.0f} kg"),
    "cost_total_usd": ("total cost", "${:,.0f}"),
    "cost_npv_usd": ("present value of cost", "${:,.0f}"),
    "cost_per_pflops_day_usd": ("cost per PFLOPS-day", "${:,.2f}"),
    "data_generated_tb": ("data generated", "{:,.0f} TB"),
    "data_delivered_tb": ("data delivered", "{:,.0f} TB"),
    "data_lost_tb": ("data lost", "{:,.0f} TB"),
    "earth_cost_total_usd": ("Earth: total cost", "${:,.0f}"),
    "earth_cost_per_pflops_day_usd": ("Earth: cost per PFLOPS-day", "${:,.2f}"),
    "orbit_levelised_usd_per_pflops_day": ("orbit levelised cost per PFLOPS-day", "${:,.2f}"),
    "earth_levelised_usd_per_pflops_day": ("Earth levelised cost per PFLOPS-day", "${:,.2f}"),
    "orbit_to_earth_cost_ratio": ("orbit / Earth levelised cost", "{:.3f}"),
    "orbit_cheaper_from_year": ("orbit cheaper from year", "{:.0f}"),
    "events": ("events", "{:,d}"),
    "wall_seconds": ("wall time", "{:.2f} s"),
}


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
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


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
