"""Scripted cases for hand-computable tests: a one-module world and a trace of scripted unit failures."""
from __future__ import annotations

from pathlib import Path

from runs import load_scenario


def one_module_dict(launch_success: float = 1.0) -> dict:
    """`tiny` cut to one module in one cluster over two years: ordered on day 0, a 10-day lead time,
    11 days of commissioning, a constant shadow fraction of 0.039 typed in, 52-day trips that always succeed, no random unit or bus failures, one
    station that is always clear, and service-on-threshold at 25%."""
    base = load_scenario("tiny").model_dump(mode="json")
    base["horizon_years"] = 2
    base["fleet"].update(target_power_mw=0.016, clusters=1)
    base["fleet"]["module"].update(commissioning_days=11, eclipse_fraction=0.039)   # typed in: hand-computable
    base["hardware"]["trend"] = None
    base["launch"]["vehicles"] = [dict(base["launch"]["vehicles"][0], success_probability=launch_success,
                                       lead_time_days=10, price_per_kg_usd={2026: 1000},
                                       price_per_flight_usd=None)]
    base["failures"] = {"unit": {"distribution": "exponential", "rate_per_year": 0.0},
                        "bus": {"distribution": "exponential", "rate_per_year": 0.0}}
    base["servicing"].update(servicers=1, trip_days=52, success_probability=1.0)
    base["ground"]["stations"] = [dict(base["ground"]["stations"][0], clear_probability=1.0)]
    base["policy"] = {"name": "service-on-threshold", "params": {"threshold_fraction": 0.25}}
    return base


def failure_trace(folder: Path, fail_days: list[float], modules: int = 4) -> str:
    """A failure trace (`failures.trace`) in which modules 0 to `modules`-1 each have boards failing on
    `fail_days`, in slots 0, 1, ...: the path of the CSV file written in `folder`."""
    path = folder / "failures.csv"
    rows = [f"{m},{slot},{day!r}" for m in range(modules) for slot, day in enumerate(fail_days)]
    path.write_text("module,slot,day\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return str(path)
