"""The RDF mapping of the crafted programme against a golden Turtle file."""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from talkgraph import vocab as v
from talkgraph.iris import Minter
from talkgraph.rdf import canonical_ntriples, to_graph
from test_resolve_crafted import crafted_model

GOLDEN = Path(__file__).parent / "golden"


def assert_isomorphic(actual: Graph, expected: Graph) -> None:
    """Fail with the triples only one side has."""
    if isomorphic(actual, expected):
        return
    _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
    lines = ["graphs differ", "only in actual:"]
    lines += sorted(f"  {t}" for t in only_actual.serialize(format="nt").splitlines() if t)
    lines += ["only in expected:"]
    lines += sorted(f"  {t}" for t in only_expected.serialize(format="nt").splitlines() if t)
    raise AssertionError("\n".join(lines))


def load_golden(name: str) -> Graph:
    return Graph().parse(GOLDEN / name, format="turtle")


def test_crafted_graph_matches_golden() -> None:
    graph = to_graph(crafted_model(), Minter())
    assert_isomorphic(graph, load_golden("crafted.ttl"))


def test_golden_diff_is_reported() -> None:
    graph = to_graph(crafted_model(), Minter())
    graph.remove((None, v.SCHEMA.name, Literal("TBA")))
    try:
        assert_isomorphic(graph, load_golden("crafted.ttl"))
    except AssertionError as exc:
        assert '"TBA"' in str(exc)
    else:
        raise AssertionError("a missing triple was not detected")


def test_no_blank_nodes_and_plain_strings() -> None:
    graph = to_graph(crafted_model(), Minter())
    for triple in graph:
        assert not any(isinstance(term, BNode) for term in triple)
    for _, p, o in graph:
        if isinstance(o, Literal) and p in (v.SCHEMA.name, v.SCHEMA.description):
            assert o.language is None and o.datatype in (None, v.XSD.string)


def test_other_base_iri() -> None:
    graph = to_graph(crafted_model(), Minter("https://data.example.org/ws"))
    people = set(graph.subjects(v.RDF.type, v.SCHEMA.Person))
    assert URIRef("https://data.example.org/ws/person/zoe-van-der-berg") in people
    assert not any(str(s).startswith("http://talkgraph.localhost/") for s in graph.subjects())


def test_canonical_ntriples_is_sorted_and_deterministic() -> None:
    first = canonical_ntriples(to_graph(crafted_model(), Minter()))
    second = canonical_ntriples(to_graph(crafted_model(), Minter()))
    assert first == second
    lines = first.splitlines()
    assert lines == sorted(lines) and first.endswith("\n")
    assert len(lines) == len(to_graph(crafted_model(), Minter()))
