"""Where the servicers are and what reaching a cluster costs them (with `orbits`; see `fleet.reach`).

Each servicer is parked in one cluster's plane: the depot's (`servicing.depot_cluster`) when it
arrives, its last target's after a trip (or the depot's again with `servicing.return_to_depot`).
A leg's Δv is the cheaper of a direct plane change and a precession wait within
`servicing.max_wait_days`; its propellant follows by the rocket equation from the servicer's mass
(dry, tank, boards carried), unless the scenario gives a flat `propellant_kg_per_trip`.
"""
from __future__ import annotations

import numpy as np

from events.world import World
from fleet.observation import ReachCost
from fleet.reach import Leg, cluster_planes, leg, rocket_burn_kg
from fleet.orbits import propellant_kg


class Reach:
    """The servicers' positions (cluster indices, by servicer id) and the cost of their legs."""

    def __init__(self, world: World):
        self.world = world
        self.spec = world.scenario.servicing
        self.planes = cluster_planes(world.scenario)
        self.position: list[int] = []

    def arrived(self) -> None:
        """A new servicer reached orbit at the depot."""
        self.position.append(self.spec.depot_cluster)

    def leg(self, sid: int, cluster: int, phasing_days: float) -> Leg:
        """Servicer `sid`'s leg from where it is to `cluster`, starting now, with its rendezvous Δv."""
        w = self.world
        one = leg(self.planes[self.position[sid]], self.planes[cluster], w.now, phasing_days, self.spec.max_wait_days)
        return Leg(one.wait_days, one.days, one.delta_v_m_s + self.spec.rendezvous_delta_v_m_s)

    def burn_kg(self, delta_v_m_s: float, tank_kg: float, cargo_kg: float) -> float:
        """Propellant a leg of `delta_v_m_s` burns with `tank_kg` on board carrying `cargo_kg`, kg."""
        if self.spec.propellant_kg_per_trip is not None:
            return self.spec.propellant_kg_per_trip
        return rocket_burn_kg(self.spec.servicer_dry_mass_kg + tank_kg + cargo_kg, delta_v_m_s, self.spec.isp_s)

    def least_tank_kg(self, delta_v_m_s: float, cargo_kg: float) -> float:
        """The least propellant on board with which a leg of `delta_v_m_s` carrying `cargo_kg` can be flown, kg."""
        if self.spec.propellant_kg_per_trip is not None:
            return self.spec.propellant_kg_per_trip
        return propellant_kg(self.spec.servicer_dry_mass_kg + cargo_kg, delta_v_m_s / 1000.0, self.spec.isp_s)

    def costs(self, tanks: list[float], lost: set[int], cargo_kg: float) -> ReachCost:
        """What reaching each cluster (columns) costs each servicer launched (rows) from where it is now:
        days, propellant kg and Δv m/s (NaN for a lost servicer), with a trip of the mean trip time."""
        k = len(self.planes)
        n = len(self.position)
        days, kg, dv = (np.full((n, k), np.nan) for _ in range(3))
        for sid in range(n):
            if sid in lost:
                continue
            for c in range(k):
                one = self.leg(sid, c, self.spec.trip_days * self.spec.work_at_fraction)
                days[sid, c], dv[sid, c] = one.days, one.delta_v_m_s
                kg[sid, c] = self.burn_kg(one.delta_v_m_s, tanks[sid], cargo_kg)
        return ReachCost(days, kg, dv, np.array(self.position, dtype=np.int64))

