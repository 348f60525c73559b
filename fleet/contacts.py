"""Hours a day a cluster has at least one ground station in view.

Passes are propagated once per shell and station (`fleet.orbits.steps_in_view`, the shell's first
plane, over `orbits.contact_days` from the start, as the station contact fractions are), and the
steps in view of the stations are combined step by step, so that two stations seeing the same pass
count it once: each distinct row of stations in view is kept once, with the number of steps that
show it.
A station whose `contact_fraction` is typed in has no passes: it is taken as independent of the
others (in view of none of them: 1 - the product of (1 - fraction)). Without `orbits` every station
is typed in.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from fleet import orbits

if TYPE_CHECKING:
    from fleet.scenario import Scenario

HOURS_PER_DAY = 24.0


class ContactHours:
    """Hours a day in view of at least one of a set of stations, averaged over the clusters."""

    def __init__(self, scenario: "Scenario"):
        stations = scenario.ground.stations
        self.typed = np.array([1.0 if s.contact_fraction is None else s.contact_fraction for s in stations])
        self.geometric = np.array([s.contact_fraction is None for s in stations])
        self.weights: list[float] = []          # share of the clusters in each shell
        self.views: list[Views] = []            # each shell's steps in view of the geometric stations
        self._memo: dict[tuple[bool, ...], float] = {}
        if scenario.orbits is None:
            self.weights, self.views = [1.0], [_views(())]
            return
        for shell in scenario.orbits.shells:
            self.weights.append((shell.clusters or scenario.fleet.clusters) / scenario.fleet.clusters)
            self.views.append(_views(tuple(orbits.view_of(scenario, shell, s) for s in stations
                                           if s.contact_fraction is None)))

    def hours_per_day(self, up: tuple[bool, ...] | None = None) -> float:
        """Hours a day with at least one station of `up` (a flag per station; None: all) in view,
        averaged over the clusters (memoised by `up`)."""
        up = tuple([True] * len(self.typed)) if up is None else up
        if up not in self._memo:
            self._memo[up] = HOURS_PER_DAY * sum(w * self._fraction(v, np.array(up)) for w, v in
                                                 zip(self.weights, self.views))
        return self._memo[up]

    def _fraction(self, views: "Views", up: np.ndarray) -> float:
        """Fraction of the day one shell's clusters have a station of `up` in view."""
        pick = up[self.geometric]
        rows, counts, steps = views
        seen = float(counts[rows[:, pick].any(axis=1)].sum()) / steps if pick.any() else 0.0
        unseen_typed = float(np.prod(1.0 - self.typed[~self.geometric & up]))
        return 1.0 - (1.0 - seen) * unseen_typed


Views = tuple[np.ndarray, np.ndarray, int]   # distinct rows of stations in view, how many steps show each, steps


@lru_cache(maxsize=256)
def _views(stations: tuple[tuple[float, ...], ...]) -> Views:
    """The steps in view of each of `stations` (`orbits.steps_in_view`'s arguments, one shell), as
    their distinct rows with counts: what any set of stations sees is a sum over a few hundred rows,
    not a pass over every step (memoised: the replications of a scenario share them)."""
    if not stations:
        return np.zeros((1, 0), dtype=bool), np.ones(1, dtype=np.int64), 1
    view = np.stack([orbits.steps_in_view(*station) for station in stations], axis=1)
    packed = np.packbits(view, axis=1)          # each row as bytes: a 1-D unique is 20 times faster than axis=0
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    rows = view[first]
    rows.flags.writeable = counts.flags.writeable = False      # shared by the replications
    return rows, counts, len(view)
