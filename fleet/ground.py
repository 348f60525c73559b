"""The ground network's daily downlink capacity: a max-flow, solved through its minimum cut.

The network: a source, one node per cluster, one per station, a sink. A cluster reaches a station for
its contact fraction of the day (typed in, or derived from the orbits by `fleet.orbits`); a station
passes at most its rate to the sink, and nothing while it is under cloud. Neighbouring clusters (a
ring) relay data over inter-satellite links.

Results wait on board in one pool: the fleet's backlog, bounded by the sum of the modules' buffers.
So the source's edges to the clusters are unbounded (any cluster has as much to send as it can), and
every finite cut keeps all clusters on the source side: it cuts, for each station, either the
station's edge to the sink or all its edges from clusters, whichever is smaller, and never an
inter-satellite link. The max-flow is the sum over clear stations of min(rate, the sum over clusters
of rate x contact fraction), in the integer capacities (10 GB/day) a max-flow solver would use.
`tests/test_ground_capacity.py` builds the whole network as a networkx graph and checks this against
networkx's and scipy's max-flow solvers on random networks. (Before, scipy's solver was called with
each source edge at 2**30 units, 10.7 PB/day; the two agree while the stations' rates sum to less,
about 994,000 Gbit/s.)

So inter-satellite links do not change the capacity while the backlog is one pool: each cluster's
contacts count as if its results could reach them; they would matter with a backlog per cluster.
With no links (isl_gbps 0), pooling the backlog is an approximation.
"""
from __future__ import annotations

import numpy as np

from fleet.scenario import Ground
from fleet.sums import dot

TB_PER_DAY_PER_GBPS = 1e9 / 8 * 86400 / 1e12   # 10.8
_RESOLUTION_TB = 0.01                          # integer capacities, in 10 GB/day
_UNBOUNDED = 2 ** 30


def integer_capacity(tb_per_day: float | None) -> int:
    """An edge's capacity in integer units of 10 GB/day; None (unbounded) is 2**30."""
    return _UNBOUNDED if tb_per_day is None else min(_UNBOUNDED, int(round(tb_per_day / _RESOLUTION_TB)))


def contact_tb_per_day(ground: Ground, contact: np.ndarray, cluster: int, station: int) -> float:
    """Capacity of the link from `cluster` to `station`, for `contact[c, s]` the fraction of the day
    cluster c sees station s (`fleet.orbits.contact_fractions`), TB/day."""
    return ground.stations[station].downlink_gbps * float(contact[cluster, station]) * TB_PER_DAY_PER_GBPS


def station_tb_per_day(ground: Ground, station: int) -> float:
    """Capacity of `station`'s link to the ground network while it is clear, TB/day."""
    return ground.stations[station].downlink_gbps * TB_PER_DAY_PER_GBPS


class DownlinkCapacity:
    """Fleet downlink (TB/day) for each combination of clear stations: the network's max-flow."""

    def __init__(self, ground: Ground, contact: np.ndarray):
        self._station_cut = []      # each station's bottleneck: its edge to the sink, or all its edges from clusters
        for j in range(len(ground.stations)):
            inflow = sum(integer_capacity(contact_tb_per_day(ground, contact, c, j)) for c in range(len(contact)))
            self._station_cut.append(min(inflow, integer_capacity(station_tb_per_day(ground, j))))

    def total(self, clear: tuple[bool, ...]) -> float:
        """TB/day the fleet can send down when station i is clear iff clear[i]."""
        return sum(cut for cut, ok in zip(self._station_cut, clear) if ok) * _RESOLUTION_TB


def fill_backlog(backlog: float, rates: np.ndarray, days: np.ndarray, drain: float,
                 buffer: float) -> tuple[float, float]:
    """Exact evolution of a backlog (TB) capped at `buffer` (TB), drained at `drain` (TB/day), over
    consecutive pieces of `days` at production `rates` (TB/day) that never rise, except on pieces of
    no length. Returns (new backlog, TB lost); what is not lost or still held was delivered.

    While production exceeds the drain the backlog only grows, clamped at the buffer (the excess is
    lost); after that it only shrinks, clamped at zero: each phase needs only its integral. A
    backlog above a buffer that shrank loses the difference at once.
    """
    kept = min(backlog, buffer)
    lost = backlog - kept
    rising = (rates > drain) | (days == 0.0)
    n = len(rates) if rising.all() else int(np.argmin(rising))    # the rising phase's pieces
    if n:
        grown = kept + dot(rates[:n] - drain, days[:n])
        lost += max(grown - buffer, 0.0)
        kept = min(grown, buffer)
    if n < len(rates):
        kept = max(kept + dot(rates[n:] - drain, days[n:]), 0.0)
    return kept, lost
