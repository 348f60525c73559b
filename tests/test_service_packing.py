"""Service-on-threshold trip packing on hand-built fleets (real FleetTable and Observation)."""
from __future__ import annotations

import math

import numpy as np

from fleet.hardware import catalog
from fleet.observation import Observation
from fleet.state import FleetTable
from policies.service_on_threshold import ServiceOnThreshold
from tests.naive_model import small_world

UNITS = 10


def observation(failed_per_module: list[int], clusters: list[int], units_per_trip: int, servicers: int = 1):
    """Operational modules with the given failed units (failed at day 1), all past the threshold, at day 10."""
    sc = small_world(modules=len(failed_per_module), units=UNITS, clusters=max(clusters) + 1,
                     units_per_trip=units_per_trip, servicers=servicers)
    gens = catalog(sc)
    table = FleetTable(sc.fleet.module, gens)
    for m, (failed, c) in enumerate(zip(failed_per_module, clusters)):
        table.add(c, 0, 0.0)
        ends = np.concatenate([np.full(failed, 1.0), np.full(UNITS - failed, 1e9)])
        table.commission(m, 0.0, ends, math.inf)
        table.crossed[m] = True
    return Observation(table=table, day=10.0, year=2030.03, horizon_day=3652.5, scenario=sc, generations=gens,
                       target_pflops=1.0, servicers=servicers, servicers_busy=0, trips_queued=0)


def test_trip_packs_the_most_damaged_modules_of_the_fullest_cluster():
    obs = observation([3, 4, 3, 2, 1], clusters=[0, 1, 1, 1, 1], units_per_trip=7)
    (trip,) = ServiceOnThreshold(threshold_fraction=0.1).on_threshold(obs, 1)
    # cluster 1 has the most due modules; most damaged first: 4 + 3 = 7 fills the trip, 2 and 1 wait
    assert trip.modules == (1, 2)
    assert sum(UNITS - obs.units_alive_of([m])[0] for m in trip.modules) <= obs.units_per_trip


def test_an_unrepairable_module_does_not_block_its_cluster():
    """Regression (fixed in 6a00ac1): module 0 lost 8 units but a servicer carries 5, so no trip can
    repair it; it sorted first and its cluster got no trip at all. Module 1 (3 failed) must be served."""
    obs = observation([8, 3], clusters=[0, 0], units_per_trip=5)
    actions = ServiceOnThreshold(threshold_fraction=0.1).on_threshold(obs, 1)
    assert [a.modules for a in actions] == [(1,)]


def test_no_free_servicer_no_trip():
    obs = observation([3, 2], clusters=[0, 1], units_per_trip=6, servicers=1)
    obs.servicers_busy = 1
    assert ServiceOnThreshold(threshold_fraction=0.1).on_threshold(obs, 0) == []


def test_one_trip_per_free_servicer_fullest_clusters_first():
    # cluster 0: one due module; cluster 1: two; cluster 2: three. Two free servicers: clusters 2 then 1.
    obs = observation([5, 1, 1, 2, 2, 2], clusters=[0, 1, 1, 2, 2, 2], units_per_trip=10, servicers=2)
    trips = ServiceOnThreshold(threshold_fraction=0.1).on_threshold(obs, 0)
    assert [t.modules for t in trips] == [(3, 4, 5), (1, 2)]
