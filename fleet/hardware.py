"""The hardware catalog: listed generations plus those the technology trend adds over the horizon."""
from __future__ import annotations

from fleet.scenario import Generation, Scenario


def catalog(scenario: Scenario) -> tuple[Generation, ...]:
    """Every generation that can appear before the horizon ends, in order of availability.

    The trend extrapolates from the newest listed generation: every `interval_years`, performance
    per watt grows by (1 + growth)^interval at the same power per unit; price and mass per unit
    change by (1 + change)^interval.
    """
    gens = list(scenario.hardware.generations)
    trend = scenario.hardware.trend
    end_year = scenario.start_year + scenario.horizon_years
    if trend is not None:
        last = gens[-1]
        k = 1
        while last.year_available + k * trend.interval_years <= end_year:
            dt = k * trend.interval_years
            year = last.year_available + dt
            gens.append(Generation(
                name=f"trend-{year:g}",
                year_available=int(year),
                pflops_per_unit=last.pflops_per_unit * (1 + trend.perf_per_watt_growth_per_year) ** dt,
                power_kw_per_unit=last.power_kw_per_unit,
                mass_kg_per_unit=last.mass_kg_per_unit * (1 + trend.mass_change_per_year) ** dt,
                price_usd_per_unit=last.price_usd_per_unit * (1 + trend.price_change_per_year) ** dt,
            ))
            k += 1
    return tuple(gens)
