"""Ordering replacements ahead of the design end of life: baseline's modules, launched together,
reach their 15-year design life together; run to it, availability falls from about 0.89 to about
0.4 within half a year. With replacements ordered 240 days ahead, it does not fall (180 days sufficed
while vehicles lifted their quoted payload to 650 km; lifting 7% less there, the replacement wave
takes longer to fly). Demand is held at the initial fleet's PFLOPS, so that only the design life,
not a new generation, moves it."""
import numpy as np
import pytest

from fleet.hardware import catalog
from fleet.scenario import modules_for_target
from policies.service_on_threshold import ServiceOnThreshold
from runs import load_scenario, simulate

LEAD_DAYS = 240.0


def largest_fall_within(years: np.ndarray, availability: np.ndarray, window_years: float) -> float:
    """Largest drop of availability from one sample to a later one at most `window_years` after it."""
    falls = [availability[i] - availability[j] for i in range(len(years)) for j in range(i + 1, len(years))
             if years[j] - years[i] <= window_years]
    return max(falls)


@pytest.fixture(scope="module")
def around_the_cliff():
    base = load_scenario("baseline")
    initial = modules_for_target(base) * base.fleet.module.units * catalog(base)[0].pflops_per_unit
    sc = load_scenario("baseline", demand={"unit": "pflops", "level": initial})
    out = {}
    for lead in (0.0, LEAD_DAYS):
        t = simulate(sc, seed=0, policy=ServiceOnThreshold(threshold_fraction=0.2, renew_lead_days=lead),
                     years=17.5).timeline
        near = (t.time_years >= 14) & (t.time_years <= 17.5)
        out[lead] = (t.time_years[near].to_numpy(), t.availability[near].to_numpy())
    return out


def test_run_to_the_design_life_the_fleet_falls_off_a_cliff(around_the_cliff):
    years, avail = around_the_cliff[0.0]
    assert largest_fall_within(years, avail, 0.5) > 0.3


def test_replacements_ordered_ahead_keep_availability_through_the_design_life(around_the_cliff):
    years, avail = around_the_cliff[LEAD_DAYS]
    assert largest_fall_within(years, avail, 0.5) < 0.1
    assert avail.min() > 0.85
