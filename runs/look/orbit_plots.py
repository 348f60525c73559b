"""Plots of a scenario's orbits: its eclipse seasons, and a day of passes over its ground stations.

Both are drawn from the scenario, with what the engine derives before a run (`fleet.eclipse`,
`fleet.orbits`), not from the timeline's samples. Each plot has a small data function beside it
(`season_grid`, `passes`) so that what is drawn can be checked.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from fleet import orbits
from fleet.eclipse import DAYS_PER_YEAR, shadow_of
from fleet.scenario import Scenario
from runs.look.plots import WIDTH_IN, _plain

PASS_STEP_S = 10.0
DAYS_SHOWN = 366          # columns of the season grid: days of the year
LEAST_SCALE = 0.01        # the colour scale's top when the fleet is never in shadow (a fraction of the orbit)


def season_grid(scenario: Scenario) -> pd.DataFrame:
    """The fleet's shadow fraction by year of the run (rows, calendar years) and day of that year
    (columns, 0 = 1 January); days after the horizon are NaN."""
    days = np.arange(max(1, int(scenario.horizon_years * DAYS_PER_YEAR)))
    calendar = pd.Timestamp(f"{scenario.start_year}-01-01") + pd.to_timedelta(days, unit="D")
    value = shadow_of(scenario).fleet_on(days)
    frame = pd.DataFrame({"year": calendar.year, "day": calendar.day_of_year - 1, "shadow": value})
    return frame.pivot(index="year", columns="day", values="shadow").reindex(columns=range(DAYS_SHOWN))


def eclipse_seasons(scenario: Scenario) -> Figure:
    """A year-by-day map of the fraction of each orbit in shadow: eclipse seasons as bands."""
    grid = season_grid(scenario)
    fig = Figure(figsize=(WIDTH_IN, 0.9 + 0.12 * len(grid) + 1.2), layout="constrained")
    ax = fig.subplots()
    top = max(float(np.nanmax(grid.to_numpy())), LEAST_SCALE)
    image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="Greys", vmin=0.0, vmax=top, interpolation="nearest",
                      extent=(0, DAYS_SHOWN, grid.index[-1] + 0.5, grid.index[0] - 0.5))
    ax.set_xlabel("day of the year")
    ax.set_ylabel("year")
    longest = shadow_of(scenario).longest_hours() * 60.0
    ax.set_title(_plain(f"Eclipse seasons: share of each orbit in shadow (longest shadow {longest:.1f} min)"))
    fig.colorbar(image, ax=ax, format=PercentFormatter(1.0, decimals=0), label="orbit in shadow")
    return fig


def passes(scenario: Scenario, hours: float = 24.0) -> pd.DataFrame:
    """Passes of the first shell's first plane over each station placed by latitude and longitude in
    the first `hours` of the run: one row per pass, with `station`, `start_h` and `end_h`."""
    shell = scenario.orbits.shells[0]
    start = orbits.days_since_j2000(scenario.start_year)
    rows = []
    for s in scenario.ground.stations:
        if s.latitude_deg is None or s.longitude_deg is None:
            continue
        view = orbits.visible(shell.altitude_km, orbits.inclination_of(shell), orbits.first_node_deg(shell, start),
                              s.latitude_deg, s.longitude_deg, s.min_elevation_deg, n_days=hours / 24.0,
                              step_s=PASS_STEP_S, start_days=start)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], view.astype(np.int8), [0]])))
        for a, b in zip(edges[::2], edges[1::2]):
            rows.append((s.name, a * PASS_STEP_S / 3600.0, b * PASS_STEP_S / 3600.0))
    return pd.DataFrame(rows, columns=["station", "start_h", "end_h"])


def pass_timeline(scenario: Scenario) -> Figure:
    """Each station's passes over the first day, as bars: when the fleet's first plane is in view."""
    table = passes(scenario)
    names = [s.name for s in scenario.ground.stations if s.latitude_deg is not None and s.longitude_deg is not None]
    fig = Figure(figsize=(WIDTH_IN, 1.0 + 0.35 * max(1, len(names))), layout="constrained")
    ax = fig.subplots()
    for i, name in enumerate(names):
        mine = table[table.station == name]
        ax.broken_barh(list(zip(mine.start_h, mine.end_h - mine.start_h)), (i - 0.35, 0.7), color="tab:blue")
    counts = table.groupby("station").size()
    minutes = (table.end_h - table.start_h).groupby(table.station).sum() * 60.0
    ax.set_yticks(range(len(names)), [_plain(f"{n} ({counts.get(n, 0)} passes, {minutes.get(n, 0.0):.0f} min)")
                                      for n in names])
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xlabel("hours from 00:00 UTC, 1 January of the first year")
    ax.invert_yaxis()
    shell = scenario.orbits.shells[0]
    ax.set_title(_plain(f"Passes in one day: {shell.name} ({shell.altitude_km:g} km), first plane"))
    return fig


def orbit_figures(scenario: Scenario) -> dict[str, Figure]:
    """The orbit plots of a scenario with `orbits`, by title (none without)."""
    if scenario.orbits is None:
        return {}
    figures = {"Eclipse seasons": eclipse_seasons(scenario)}
    if any(s.latitude_deg is not None and s.longitude_deg is not None for s in scenario.ground.stations):
        figures["Passes over the stations"] = pass_timeline(scenario)
    return figures
