"""Exports re-read by networkx (and the csv module) give back the same graph."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest

from talkgraph.errors import ConfigError
from talkgraph.graphs import (
    FORMATS,
    analyse,
    build_graph,
    default_min_weight,
    export_graph,
    nodes_csv,
    to_csv,
    to_gexf,
    to_graphml,
    to_node_link_json,
)
from test_graphs_build import person, sample_data, topic

KINDS = ("topics", "speakers", "talks", "bipartite")


def analysed(kind: str) -> nx.Graph:
    return analyse(build_graph(sample_data(), kind))  # type: ignore[arg-type]


def edge_weights(g: nx.Graph) -> dict[frozenset[str], float]:
    return {frozenset((u, v)): float(w) for u, v, w in g.edges(data="weight")}


def assert_same(original: nx.Graph, read: nx.Graph) -> None:
    assert set(read) == set(original)
    assert edge_weights(read) == edge_weights(original)
    for node, attrs in original.nodes(data=True):
        assert read.nodes[node]["label"] == attrs["label"]
        assert read.nodes[node]["iri"] == node


@pytest.mark.parametrize("kind", KINDS)
def test_node_link_json(kind: str) -> None:
    g = analysed(kind)
    data = json.loads(to_node_link_json(g))
    assert data["graph"]["kind"] == kind
    assert data["graph"]["min_weight"] == default_min_weight(kind)
    assert "links" in data
    read = nx.node_link_graph(data, edges="links")
    assert_same(g, read)
    assert list(read.edges(data=True)) == list(g.edges(data=True))  # lists stay lists


@pytest.mark.parametrize("kind", KINDS)
def test_graphml(kind: str) -> None:
    g = analysed(kind)
    read = nx.read_graphml(io.BytesIO(to_graphml(g)))
    assert_same(g, read)
    assert read.graph["kind"] == kind
    for node, attrs in g.nodes(data=True):
        assert read.nodes[node]["community"] == attrs["community"]
        assert read.nodes[node]["kind"] == attrs["kind"]


@pytest.mark.parametrize("kind", KINDS)
def test_gexf(kind: str) -> None:
    g = analysed(kind)
    read = nx.read_gexf(io.BytesIO(to_gexf(g)))
    assert_same(g, read)
    assert kind in read.graph["name"]


def test_list_attributes_become_joined_strings() -> None:
    g = analysed("speakers")
    for reader, data in ((nx.read_graphml, to_graphml(g)), (nx.read_gexf, to_gexf(g))):
        read = reader(io.BytesIO(data))
        ada_bo = read.edges[person("ada"), person("bo")]
        assert ada_bo["topics"] == f"{topic('cs')}; {topic('opt')}"
        assert ada_bo["topic_labels"] == "compressed sensing; optimization"
    bipartite = nx.read_graphml(io.BytesIO(to_graphml(analysed("bipartite"))))
    assert bipartite.nodes[topic("ml")]["too_broad"] is True
    assert bipartite.nodes[topic("cs")]["too_broad"] is False


@pytest.mark.parametrize("kind", KINDS)
def test_csv_tables(kind: str) -> None:
    g = analysed(kind)
    edges = list(csv.DictReader(io.StringIO(to_csv(g))))
    assert {frozenset((e["Source"], e["Target"])): float(e["Weight"]) for e in edges} == (
        edge_weights(g)
    )
    for e in edges:
        assert e["Source_Label"] == g.nodes[e["Source"]]["label"]
        assert e["Target_Label"] == g.nodes[e["Target"]]["label"]
        assert e["Type"] == "Undirected"
    nodes = list(csv.DictReader(io.StringIO(nodes_csv(g))))
    assert [n["Id"] for n in nodes] == list(g)
    assert all(n["Label"] == g.nodes[n["Id"]]["label"] for n in nodes)
    assert all(n["iri"] == n["Id"] and n["community"] != "" for n in nodes)


def test_csv_shared_column() -> None:
    speakers = list(csv.DictReader(io.StringIO(to_csv(analysed("speakers")))))
    ada_bo = next(
        e for e in speakers if {e["Source"], e["Target"]} == {person("ada"), person("bo")}
    )
    assert ada_bo["Shared"] == "compressed sensing; optimization"
    topics = list(csv.DictReader(io.StringIO(to_csv(analysed("topics")))))
    cs_opt = next(e for e in topics if {e["Source"], e["Target"]} == {topic("cs"), topic("opt")})
    assert cs_opt["Shared"] == "Sparse recovery; Convex methods"
    assert "Zoë Instance" in nodes_csv(analysed("speakers"))


def test_formats_table() -> None:
    g = analysed("talks")
    assert set(FORMATS) >= {"json", "graphml", "gexf", "csv"}
    for name, fmt in FORMATS.items():
        out = fmt.write(g)
        assert out, name
        assert fmt.suffix.startswith(".")
        assert "/" in fmt.media_type
    assert FORMATS["csv"].write is to_csv
    assert export_graph(g, "csv") == to_csv(g).encode("utf-8")
    assert export_graph(g, "gexf") == to_gexf(g)
    with pytest.raises(ConfigError, match="format"):
        export_graph(g, "pdf")


def test_exports_are_deterministic() -> None:
    assert b"lastmodifieddate" not in to_gexf(analysed("talks"))  # no date of the day
    for write in (to_node_link_json, to_graphml, to_gexf, to_csv, nodes_csv):
        assert write(analysed("speakers")) == write(analysed("speakers"))
