"""Bound parameters apply before aggregation, like rdflib's initBindings."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from talkgraph.store.guard import where_group_start
from talkgraph.store.oxigraph import bind_values

DATA = """
<urn:a> <urn:p> <urn:x> .
<urn:a> <urn:p> <urn:y> .
<urn:b> <urn:p> <urn:z> .
"""
COUNT = "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s <urn:p> ?o } GROUP BY ?s"
COUNT_ALL = "SELECT (COUNT(?o) AS ?n) WHERE { ?s <urn:p> ?o }"


def _run(query: str) -> list[str]:
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.N_TRIPLES)
    return sorted(str(row["n"].value) for row in store.query(query))  # type: ignore[index,union-attr]


def _rdflib(query: str, **bindings: URIRef) -> list[str]:
    graph = Graph().parse(data=DATA, format="nt")
    return sorted(str(row[-1]) for row in graph.query(query, initBindings=bindings))  # type: ignore[index]


@pytest.mark.parametrize("query", [COUNT, COUNT_ALL])
def test_binding_applies_before_aggregation(query: str) -> None:
    bound = bind_values(query, {"s": URIRef("urn:a")})
    assert _run(bound) == _rdflib(query, s=URIRef("urn:a")) == ["2"]


def test_construct_binds_in_the_where_group_not_the_template() -> None:
    query = "CONSTRUCT { ?s <urn:q> ?o } WHERE { ?s <urn:p> ?o }"
    bound = bind_values(query, {"s": URIRef("urn:b")})
    assert bound.index("VALUES") > bound.index("WHERE")
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.N_TRIPLES)
    assert len(list(store.query(bound))) == 1  # type: ignore[arg-type]


def test_group_start_ignores_braces_in_strings_and_iris() -> None:
    query = 'SELECT * WHERE { ?s ?p "{" }'
    start = where_group_start(query)
    assert start is not None and query[start - 1] == "{" and query[start:].startswith(" ?s")
    assert where_group_start("DESCRIBE <urn:a>") is None
    described = bind_values("DESCRIBE ?s", {"s": URIRef("urn:a")})
    assert described.rstrip().endswith("VALUES (?s) { (<urn:a>) }")
