"""The ground network as a graph, and its daily downlink capacity as a max-flow.

Nodes: a source, one node per cluster, one per station, a sink. A cluster reaches a station for its
contact fraction of the day (typed in, or derived from the orbits by `fleet.orbits`); a station passes at most its rate to the sink, and nothing
while it is under cloud. Neighbouring clusters (a ring) relay data over inter-satellite links.
The capacity depends only on which stations are clear, so it is memoised by that state. The graph
is built with networkx; the max-flow is solved by scipy's Dinic implementation on the same graph.

Results wait on board in one pool: the fleet's backlog, bounded by the sum of the modules'
buffers. Over inter-satellite links any cluster's results can go down through any contact; with
no links (isl_gbps 0) the max-flow still limits each cluster to its own contacts, and pooling the
backlog is then an approximation.
"""
from __future__ import annotations

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from fleet.scenario import Ground

TB_PER_DAY_PER_GBPS = 1e9 / 8 * 86400 / 1e12   # 10.8
_RESOLUTION_TB = 0.01                          # integer capacities for the solver, in 10 GB/day
_UNBOUNDED = 2 ** 30


def network_graph(ground: Ground, contact: np.ndarray) -> nx.DiGraph:
    """The graph with every station clear, for `contact[c, s]`, the fraction of the day cluster c sees
    station s (`fleet.orbits.contact_fractions`); capacities in TB/day (a missing one is unbounded)."""
    g = nx.DiGraph()
    clusters = len(contact)
    for c in range(clusters):
        g.add_edge("source", ("cluster", c))
        for j, s in enumerate(ground.stations):
            g.add_edge(("cluster", c), ("station", s.name),
                       capacity=s.downlink_gbps * float(contact[c, j]) * TB_PER_DAY_PER_GBPS)
    for s in ground.stations:
        g.add_edge(("station", s.name), "sink", capacity=s.downlink_gbps * TB_PER_DAY_PER_GBPS)
    if ground.isl_gbps > 0 and clusters > 1:
        isl = ground.isl_gbps * TB_PER_DAY_PER_GBPS
        for c in range(clusters):
            n = (c + 1) % clusters
            if n != c:
                g.add_edge(("cluster", c), ("cluster", n), capacity=isl)
                g.add_edge(("cluster", n), ("cluster", c), capacity=isl)
    return g


class DownlinkCapacity:
    """Fleet downlink (TB/day) for each combination of clear stations, solved once each."""

    def __init__(self, ground: Ground, contact: np.ndarray):
        self.ground = ground
        graph = network_graph(ground, contact)
        nodes = list(graph.nodes)
        index = {n: i for i, n in enumerate(nodes)}
        edges = list(graph.edges(data="capacity"))
        caps = [_UNBOUNDED if c is None else min(_UNBOUNDED, int(round(c / _RESOLUTION_TB))) for _, _, c in edges]
        rows = np.array([index[u] for u, _, _ in edges])
        cols = np.array([index[v] for _, v, _ in edges])
        self._graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(len(nodes), len(nodes)))
        self._graph.sort_indices()
        self._full = self._graph.data.copy()
        self._source, self._sink = index["source"], index["sink"]
        # where each station's edge to the sink sits in the matrix's data array
        self._station_edge = []
        for s in ground.stations:
            i = index[("station", s.name)]
            lo, hi = self._graph.indptr[i], self._graph.indptr[i + 1]
            self._station_edge.append(lo + int(np.flatnonzero(self._graph.indices[lo:hi] == self._sink)[0]))
        self._memo: dict[tuple[bool, ...], float] = {}
        self.solves = 0

    def total(self, clear: tuple[bool, ...]) -> float:
        """TB/day the fleet can send down when station i is clear iff clear[i]."""
        found = self._memo.get(clear)
        if found is None:
            if any(clear):
                data = self._graph.data
                data[:] = self._full
                for k, ok in zip(self._station_edge, clear):
                    if not ok:
                        data[k] = 0
                found = maximum_flow(self._graph, self._source, self._sink, method="dinic").flow_value * _RESOLUTION_TB
            else:
                found = 0.0
            self._memo[clear] = found
            self.solves += 1
        return found


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
        grown = kept + float((rates[:n] - drain) @ days[:n])
        lost += max(grown - buffer, 0.0)
        kept = min(grown, buffer)
    if n < len(rates):
        kept = max(kept + float((rates[n:] - drain) @ days[n:]), 0.0)
    return kept, lost
