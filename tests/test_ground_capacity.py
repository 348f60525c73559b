"""The downlink capacity's closed-form max-flow (`fleet.ground.DownlinkCapacity`) against general
max-flow solvers (scipy's Dinic and networkx's preflow-push) on the whole network as a graph, with
the same integer capacities: random networks with and without inter-satellite links, every
combination of clear stations or a sample of them, and the shipped scenarios. The solvers know nothing of the network's structure, so a wrong cut
argument (for example one where an inter-satellite link or a cluster's supply could bind) fails here."""
from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from fleet.ground import (_RESOLUTION_TB, TB_PER_DAY_PER_GBPS, DownlinkCapacity, contact_tb_per_day,
                          integer_capacity, station_tb_per_day)
from fleet.orbits import contact_fractions
from fleet.scenario import Ground
from runs import load_scenario


def network_graph(ground: Ground, contact: np.ndarray) -> nx.DiGraph:
    """The whole network with every station clear, capacities in TB/day (none: unbounded): the source
    feeds every cluster, clusters reach stations for their contact fractions, stations reach the sink,
    and neighbouring clusters (a ring) relay over inter-satellite links."""
    g = nx.DiGraph()
    clusters = len(contact)
    for c in range(clusters):
        g.add_edge("source", ("cluster", c))
        for j, s in enumerate(ground.stations):
            g.add_edge(("cluster", c), ("station", s.name), capacity=contact_tb_per_day(ground, contact, c, j))
    for j, s in enumerate(ground.stations):
        g.add_edge(("station", s.name), "sink", capacity=station_tb_per_day(ground, j))
    if ground.isl_gbps > 0 and clusters > 1:
        isl = ground.isl_gbps * TB_PER_DAY_PER_GBPS
        for c in range(clusters):
            n = (c + 1) % clusters
            if n != c:
                g.add_edge(("cluster", c), ("cluster", n), capacity=isl)
                g.add_edge(("cluster", n), ("cluster", c), capacity=isl)
    return g


def solved(ground: Ground, contact: np.ndarray, clear: tuple[bool, ...]) -> tuple[int, int]:
    """(scipy's, networkx's) max-flow in integer units with station i clear iff clear[i]."""
    graph = network_graph(ground, contact)
    for s, ok in zip(ground.stations, clear):
        if not ok:
            graph.edges[("station", s.name), "sink"]["capacity"] = 0.0
    for _, _, data in graph.edges(data=True):
        data["capacity"] = integer_capacity(data.get("capacity"))
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    edges = list(graph.edges(data="capacity"))
    matrix = csr_matrix((np.array([c for _, _, c in edges], dtype=np.int32),
                         ([index[u] for u, _, _ in edges], [index[v] for _, v, _ in edges])),
                        shape=(len(nodes), len(nodes)))
    by_scipy = maximum_flow(matrix, index["source"], index["sink"], method="dinic").flow_value
    by_networkx = nx.maximum_flow_value(graph, "source", "sink")
    return int(by_scipy), int(by_networkx)


def random_ground(rng: np.random.Generator, stations: int, isl_gbps: float) -> Ground:
    return Ground.model_validate({
        "isl_gbps": isl_gbps, "data_tb_per_pflops_day": 1.0,
        "stations": [{"name": f"s{j}", "downlink_gbps": float(rng.uniform(1.0, 200.0)),
                      "contact_fraction": 0.1, "clear_probability": 0.7, "mean_outage_hours": 5.0}
                     for j in range(stations)]})


@pytest.mark.parametrize("case", range(12))
def test_closed_form_equals_general_solvers_on_random_networks(case: int) -> None:
    rng = np.random.default_rng(case)
    clusters, stations = int(rng.integers(1, 25)), int(rng.integers(1, 7))
    isl = 0.0 if case % 3 == 0 else float(rng.choice([0.01, 1.0, 1600.0]))   # tiny links too: they must not bind
    ground = random_ground(rng, stations, isl)
    contact = rng.uniform(0.0, 0.3, size=(clusters, stations)) * (rng.random((clusters, stations)) < 0.7)
    capacity = DownlinkCapacity(ground, contact)
    for clear in itertools.product([False, True], repeat=stations):
        by_scipy, by_networkx = solved(ground, contact, clear)
        assert by_scipy == by_networkx
        assert capacity.total(clear) == by_scipy * _RESOLUTION_TB, (clusters, stations, isl, clear)


def test_a_station_bounded_by_its_contacts_and_one_by_its_rate() -> None:
    """By hand: two clusters seeing one station 10% of the day each at 100 Gbit/s send 0.2 x 1,080 TB;
    a second station seen all day is bounded by its own rate."""
    ground = Ground.model_validate({
        "isl_gbps": 0.0, "data_tb_per_pflops_day": 1.0,
        "stations": [{"name": name, "downlink_gbps": 100.0, "contact_fraction": 0.1, "clear_probability": 0.7,
                      "mean_outage_hours": 5.0} for name in ("a", "b")]})
    capacity = DownlinkCapacity(ground, np.array([[0.1, 1.0], [0.1, 1.0]]))
    assert capacity.total((True, False)) == pytest.approx(0.2 * 1080.0)
    assert capacity.total((False, True)) == pytest.approx(1080.0)
    assert capacity.total((True, True)) == pytest.approx(1.2 * 1080.0)
    assert capacity.total((False, False)) == 0.0


@pytest.mark.parametrize("name", ["baseline", "gigawatt", "ascend-1gw"])
def test_closed_form_equals_general_solvers_on_shipped_scenarios(name: str) -> None:
    scenario = load_scenario(name)
    contact = contact_fractions(scenario)
    capacity = DownlinkCapacity(scenario.ground, contact)
    n = len(scenario.ground.stations)
    rng = np.random.default_rng(7)
    for clear in [tuple(bool(x) for x in rng.random(n) < 0.6) for _ in range(12)] + [(True,) * n]:
        by_scipy, by_networkx = solved(scenario.ground, contact, clear)
        assert capacity.total(clear) == by_scipy * _RESOLUTION_TB == by_networkx * _RESOLUTION_TB
