"""The ground network as a graph, and its daily downlink capacity as a max-flow.

Nodes: a source, one node per cluster, one per station, a sink. A cluster reaches a station for the
station's contact fraction of the day; a station passes at most its rate to the sink, and nothing
while it is under cloud. Neighbouring clusters (a ring) share data over inter-satellite links.
The capacity depends only on which stations are clear, so it is memoised by that state.
"""
from __future__ import annotations

import networkx as nx
import numpy as np

from fleet.scenario import Ground

TB_PER_DAY_PER_GBPS = 1e9 / 8 * 86400 / 1e12   # 10.8


def network_graph(ground: Ground, clusters: int) -> nx.DiGraph:
    """The graph with every station clear; capacities in TB/day (a missing capacity is unbounded)."""
    g = nx.DiGraph()
    for c in range(clusters):
        g.add_edge("source", ("cluster", c))
        for s in ground.stations:
            g.add_edge(("cluster", c), ("station", s.name),
                       capacity=s.downlink_gbps * s.contact_fraction * TB_PER_DAY_PER_GBPS)
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
    """Per-cluster downlink (TB/day) for each combination of clear stations, computed once each."""

    def __init__(self, ground: Ground, clusters: int):
        self.ground = ground
        self.clusters = clusters
        self.graph = network_graph(ground, clusters)
        self._memo: dict[tuple[bool, ...], np.ndarray] = {}
        self.solves = 0

    def per_cluster(self, clear: tuple[bool, ...]) -> np.ndarray:
        """TB/day each cluster can send down when station i is clear iff clear[i]."""
        found = self._memo.get(clear)
        if found is None:
            g = self.graph.copy()
            for s, ok in zip(self.ground.stations, clear):
                if not ok:
                    g.remove_edge(("station", s.name), "sink")
            if any(clear):
                _, flow = nx.maximum_flow(g, "source", "sink")
                found = np.array([flow["source"][("cluster", c)] for c in range(self.clusters)], dtype=float)
            else:
                found = np.zeros(self.clusters)
            found.flags.writeable = False
            self._memo[clear] = found
            self.solves += 1
        return found


def advance_backlog(backlog: np.ndarray, generate: np.ndarray, drain: np.ndarray, buffer: float,
                    days: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact evolution over `days` at constant rates (TB/day) of per-cluster backlogs (TB) capped at
    `buffer`. Returns (new backlog, delivered TB, lost TB)."""
    excess = np.clip(backlog - buffer, 0.0, None)   # the buffer shrank (modules died): that data is lost
    backlog = backlog - excess
    net = generate - drain
    with np.errstate(divide="ignore", invalid="ignore"):
        # growing (net >= 0): drain runs flat out; overflow beyond the buffer is lost
        grown = backlog + net * days
        lost = excess + np.where(net >= 0, np.clip(grown - buffer, 0.0, None), 0.0)
        # shrinking (net < 0): drain flat out until empty, then at the generation rate
        empties = np.where(net < 0, backlog / -net, np.inf)
        short = days <= empties
        new = np.where(net >= 0, np.minimum(grown, buffer), np.where(short, grown, 0.0))
        delivered = np.where((net >= 0) | short, drain * days, backlog + generate * days)
    return new, delivered, lost
