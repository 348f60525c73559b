"""The orbit plots draw what the engine derives: the shadow blocks by day of the year, and passes."""
import numpy as np
import pytest

from fleet import eclipse, orbits
from runs import load_scenario
from runs.look import orbit_plots


def test_the_season_grid_holds_the_shadow_blocks_by_year_and_day():
    s = load_scenario("tiny")
    grid = orbit_plots.season_grid(s)
    fleet = eclipse.shadow_of(s).fleet
    assert list(grid.index) == [2030, 2031, 2032, 2033, 2034]
    assert grid.loc[2030].to_numpy()[:365] == pytest.approx(fleet[:365])
    assert grid.loc[2031].to_numpy()[:365] == pytest.approx(fleet[365:730])
    assert np.isnan(grid.loc[2031].to_numpy()[365])                    # 2031 has 365 days
    assert orbit_plots.eclipse_seasons(s).axes


def test_passes_are_the_propagated_passes_of_the_first_day():
    s = load_scenario("tiny")
    table = orbit_plots.passes(s)
    shell = s.orbits.shells[0]
    start = orbits.days_since_j2000(s.start_year)
    for station in s.ground.stations:
        mine = table[table.station == station.name]
        per_day, hours = orbits.contacts(shell.altitude_km, orbits.inclination_of(shell),
                                         orbits.first_node_deg(shell, start), station.latitude_deg,
                                         station.longitude_deg, station.min_elevation_deg, n_days=1.0,
                                         start_days=start)
        assert len(mine) == per_day
        assert (mine.end_h - mine.start_h).sum() == pytest.approx(hours)
        assert ((mine.end_h - mine.start_h) * 60 < 16).all()                # LEO passes last 5-15 min
    assert set(orbit_plots.orbit_figures(s)) == {"Eclipse seasons", "Passes over the stations"}
