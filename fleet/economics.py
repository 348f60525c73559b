"""Prices over time and discounting."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from fleet.scenario import LaunchVehicle

DAYS_PER_YEAR = 365.25
_TABLES_KEPT = 256          # price tables whose arrays `_points` keeps

_points_of: dict[int, tuple[dict, dict, np.ndarray, np.ndarray]] = {}   # id -> table, its copy, years, values


def price_on(table, year: float) -> float:
    """Value of a by-year table in `year`: linear between listed years, flat outside them.

    `table` may also be a learning curve (any object with `usd_per_kg_in(year)`).
    """
    if not isinstance(table, dict):
        return float(table.usd_per_kg_in(year))
    years, values = _points(table)
    return float(np.interp(year, years, values))


def _points(table: dict) -> tuple[np.ndarray, np.ndarray]:
    """The years and values of by-year `table` as arrays, made once per table (again if it changed)."""
    found = _points_of.get(id(table))
    if found is None or found[0] is not table or found[1] != table:
        if len(_points_of) >= _TABLES_KEPT:
            _points_of.clear()
        found = _points_of[id(table)] = (table, dict(table), np.fromiter(table.keys(), dtype=float),
                                         np.fromiter(table.values(), dtype=float))
    return found[2], found[3]


def flight_price_usd(vehicle: LaunchVehicle, year: float, payload_kg: float) -> float:
    """What a flight of `vehicle` in calendar `year` carrying `payload_kg` costs, USD: its price per
    flight, or its price per kg times the payload but never less than its minimum charge."""
    if vehicle.price_per_flight_usd is not None:
        return price_on(vehicle.price_per_flight_usd, year)
    by_mass = price_on(vehicle.price_per_kg_usd, year) * payload_kg
    if vehicle.minimum_charge_usd is None:
        return by_mass
    return max(by_mass, price_on(vehicle.minimum_charge_usd, year))


def expected_cost_per_module_usd(vehicle: LaunchVehicle, year: float, modules: int, payload_kg: float,
                                 extra_usd_per_module: float = 0.0) -> float:
    """Expected cost per module delivered of a flight carrying `modules` modules of `payload_kg` in
    all: the flight's price share, plus `extra_usd_per_module` (its hardware, say), divided by the
    success probability, USD (inf if it carries none or never succeeds)."""
    if modules <= 0 or vehicle.success_probability <= 0:
        return float("inf")
    return (flight_price_usd(vehicle, year, payload_kg) / modules + extra_usd_per_module) / vehicle.success_probability


def discount_factor(rate: float, years: float | np.ndarray) -> float | np.ndarray:
    """Present value of one dollar spent `years` after the start."""
    return (1.0 + rate) ** (-np.asarray(years, dtype=float))


def discounted_days(rate: float, start: float | np.ndarray, stop: float | np.ndarray) -> float | np.ndarray:
    """Integral of the discount factor over days [start, stop] (in days): the present value of
    one dollar a day spent over that time, exactly."""
    start, stop = np.asarray(start, dtype=float), np.asarray(stop, dtype=float)
    if rate == 0:
        return stop - start
    return DAYS_PER_YEAR * (discount_factor(rate, start / DAYS_PER_YEAR)
                            - discount_factor(rate, stop / DAYS_PER_YEAR)) / np.log1p(rate)


def capital_recovery_factor(rate: float, years: float) -> float:
    """CRF(r, n) = r (1+r)^n / ((1+r)^n - 1); 1/n when r = 0."""
    if rate == 0:
        return 1.0 / years
    g = (1.0 + rate) ** years
    return rate * g / (g - 1.0)
