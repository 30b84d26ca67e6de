"""Network measures: deterministic communities, components and centralities."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from talkgraph.graphs import CoTopicData, analyse, build_graph, rows_from_graph
from test_graphs_build import person, sample_graph, talk

ATTRS = ("community", "component", "degree", "weighted_degree", "degree_centrality", "betweenness")


def two_clusters() -> nx.Graph:
    """Two dense groups joined by one light edge, plus an isolated node."""
    g = nx.Graph()
    g.add_nodes_from(["x:iso"])
    big = ["x:a1", "x:a2", "x:a3", "x:a4"]
    small = ["x:b1", "x:b2", "x:b3"]
    for group in (big, small):
        for i, u in enumerate(group):
            for v in group[i + 1 :]:
                g.add_edge(u, v, weight=3)
    g.add_edge("x:a4", "x:b1", weight=1)
    return g


def test_every_node_gets_every_measure() -> None:
    for kind in ("topics", "speakers", "talks", "bipartite"):
        g = analyse(build_graph(CoTopicData.from_rows(rows_from_graph(sample_graph())), kind))
        for _, attrs in g.nodes(data=True):
            assert all(name in attrs for name in ATTRS), kind


def test_communities_follow_the_clusters_and_are_numbered_by_size() -> None:
    g = analyse(two_clusters())
    community = nx.get_node_attributes(g, "community")
    assert {community[n] for n in ("x:a1", "x:a2", "x:a3", "x:a4")} == {0}
    assert {community[n] for n in ("x:b1", "x:b2", "x:b3")} == {1}
    assert community["x:iso"] == 2
    component = nx.get_node_attributes(g, "component")
    assert component["x:a1"] == component["x:b3"] == 0
    assert component["x:iso"] == 1
    assert g.graph["communities"] == 3
    assert g.graph["components"] == 2
    assert 0 < g.graph["modularity"] < 1


def test_degrees() -> None:
    g = analyse(two_clusters())
    assert g.nodes["x:a4"]["degree"] == 4
    assert g.nodes["x:a4"]["weighted_degree"] == 10
    assert g.nodes["x:iso"]["degree"] == 0
    assert g.nodes["x:a4"]["degree_centrality"] == pytest.approx(4 / 7, abs=1e-6)


def test_betweenness_treats_heavy_edges_as_short() -> None:
    # a square: a-b-c heavy, a-d-c light; every shortest a..c path goes through b
    g = nx.Graph()
    g.add_edge("a", "b", weight=3)
    g.add_edge("b", "c", weight=3)
    g.add_edge("c", "d", weight=1)
    g.add_edge("d", "a", weight=1)
    analyse(g)
    assert g.nodes["b"]["betweenness"] > 0
    assert g.nodes["d"]["betweenness"] == 0


def test_stable_across_runs_and_row_orders() -> None:
    rows = rows_from_graph(sample_graph())
    results = []
    for seed in (None, 1, 2, 3):
        ordered = rows[:]
        if seed is not None:
            random.Random(seed).shuffle(ordered)
        for kind in ("speakers", "talks"):
            g = analyse(build_graph(CoTopicData.from_rows(ordered), kind))
            results.append((kind, dict(g.nodes(data=True)), g.graph))
    first = {kind: (nodes, graph) for kind, nodes, graph in results[:2]}
    for kind, nodes, graph in results:
        assert (nodes, graph) == first[kind]
    # and on the sample: the linked speakers form one component, the others are alone
    speakers = analyse(build_graph(CoTopicData.from_rows(rows), "speakers"))
    assert speakers.nodes[person("ada")]["component"] == 0
    assert speakers.nodes[person("dan")]["component"] != speakers.nodes[person("eve")]["component"]
    talks = analyse(build_graph(CoTopicData.from_rows(rows), "talks"))
    assert talks.nodes[talk("t1")]["degree"] == 3


def test_empty_graph() -> None:
    g = analyse(nx.Graph())
    assert g.graph["communities"] == 0
