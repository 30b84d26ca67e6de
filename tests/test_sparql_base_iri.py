"""Relative IRIs in a query resolve against the service's base IRI, the dataset's base
(SPARQL 1.1 Protocol, 2.3), instead of being refused."""

from __future__ import annotations

import pyoxigraph as ox
from flask.testing import FlaskClient

from talkgraph.store.oxigraph import Executor, Request

BASE = "http://talkgraph.localhost/"


def sparql(client: FlaskClient, query: str, accept: str) -> tuple[int, str]:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    return response.status_code, response.get_data(as_text=True)


def test_construct_with_relative_iris(client: FlaskClient) -> None:
    query = (
        "CONSTRUCT { <mark/a> <mark/name> ?n } "
        "WHERE { <person/bo-sample> <https://schema.org/name> ?n }"
    )
    status, body = sparql(client, query, "application/n-triples")
    assert status == 200, body
    assert f'<{BASE}mark/a> <{BASE}mark/name> "Bo Sample" .' in body


def test_select_with_relative_iri(client: FlaskClient) -> None:
    status, body = sparql(
        client,
        "SELECT ?n WHERE { <person/bo-sample> <https://schema.org/name> ?n }",
        "text/csv",
    )
    assert status == 200, body
    assert body.splitlines() == ["n", "Bo Sample"]


def test_the_query_base_comes_first(client: FlaskClient) -> None:
    status, body = sparql(
        client, 'BASE <http://example.org/> CONSTRUCT { <x> <y> "1" } WHERE {}', "text/turtle"
    )
    assert status == 200, body
    assert "<http://example.org/x> <http://example.org/y>" in body


def test_executor_resolves_against_its_base() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(f"{BASE}s"), ox.NamedNode(f"{BASE}p"), ox.Literal("o")))
    request = Request(
        sparql="SELECT ?o WHERE { <s> <p> ?o }",
        default_graph_uris=(),
        named_graph_uris=(),
        max_rows=10,
        max_bytes=10_000,
        result_format="json",
    )
    assert Executor(store, base_iri=BASE).execute(request).text_rows() == [{"o": "o"}]
