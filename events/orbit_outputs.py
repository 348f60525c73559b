"""What the orbits give the summary and the timeline: shadow, ground contact and dose.

All three are read from the fleet table and the blocks derived before the run, at the horizon or
at a timeline sample; none puts an event on the clock.
"""
from __future__ import annotations

import numpy as np

from events.world import World
from fleet.contacts import ContactHours
from fleet.economics import DAYS_PER_YEAR
from fleet.orbits import dose_rate_rad_per_year, radiation_of


def orbit_kpis(world: World, contacts: ContactHours) -> dict:
    """`eclipse_fraction`, `contact_hours_per_day` and `dose_krad_mean` of a finished replication."""
    began, ended, clusters = _operated(world)
    shadow = world.shadow
    if len(began):
        days = ended - began
        in_shadow = shadow.integral(shadow.shell_of_cluster[clusters], began, ended)
        eclipse = float(in_shadow.sum() / days.sum()) if days.sum() > 0 else 0.0
        dose = float((_dose_rates(world)[clusters] * days).mean()) / DAYS_PER_YEAR / 1000.0
    else:
        eclipse = float(shadow.fleet.mean())
        dose = 0.0
    return {"eclipse_fraction": eclipse, "contact_hours_per_day": contacts.hours_per_day(),
            "dose_krad_mean": dose}


def _operated(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start day, end day (the horizon for those still running) and cluster of the modules that ever operated."""
    t = world.table
    began = t.commissioned_day[: t.n]
    started = ~np.isnan(began)
    ended = np.fmin(t.end_day[: t.n], world.horizon_day)[started]
    return began[started], np.maximum(ended, began[started]), t.cluster[: t.n][started].astype(np.intp)


def _dose_rates(world: World) -> np.ndarray:
    """Dose rate behind the shielding of each cluster, rad a year: the scenario's radiation effect's,
    else the estimate for its shell's altitude, else 0 (no orbits, no radiation effect)."""
    scenario = world.scenario
    radiation = radiation_of(scenario)
    clusters = scenario.fleet.clusters
    if radiation is not None:
        return np.full(clusters, radiation.dose_rate_rad_per_year)
    if scenario.orbits is None:
        return np.zeros(clusters)
    return np.concatenate([np.full(shell.clusters or clusters, dose_rate_rad_per_year(shell.altitude_km))
                           for shell in scenario.orbits.shells])
