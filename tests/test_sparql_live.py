"""The real server (waitress on 127.0.0.1) queried by SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from support.web import serving

pytestmark = pytest.mark.live
BASE = "http://talkgraph.localhost/"
MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with serving(MINI, threads=2, TESTING=False, QUERY_TIMEOUT=5) as base:
        yield f"{base}/sparql"


def wrapper(endpoint: str, query: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setMethod(method)
    client.setTimeout(10)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_ask_construct(endpoint: str, method: str) -> None:
    select = wrapper(
        endpoint,
        "SELECT ?n { ?p a <https://schema.org/Person> ; <https://schema.org/name> ?n } ORDER BY ?n",
        method,
    )
    select.setReturnFormat(JSON)
    rows = select.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert [r["n"]["value"] for r in rows] == ["Ada Example", "Bo Sample"]

    ask = wrapper(endpoint, "ASK { ?t a <https://schema.org/Event> }", method)
    ask.setReturnFormat(JSON)
    assert ask.queryAndConvert()["boolean"] is True  # type: ignore[index]

    construct = wrapper(endpoint, "CONSTRUCT WHERE { ?t <https://schema.org/about> ?x }", method)
    construct.setReturnFormat(TURTLE)
    graph = Graph().parse(data=construct.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 3

    default = wrapper(endpoint, "CONSTRUCT WHERE { ?t <https://schema.org/about> ?x }", method)
    assert len(default.queryAndConvert()) == 3  # type: ignore[arg-type]


def test_sparqlwrapper_sees_a_malformed_query(endpoint: str) -> None:
    with pytest.raises(QueryBadFormed, match="syntax error"):
        wrapper(endpoint, "SELECT ?s WHERE { ?s ?p }").query()


def test_rdflib_sparqlstore(endpoint: str) -> None:
    store = SPARQLStore(endpoint)
    graph = Graph(store=store)
    try:
        rows = list(
            graph.query(
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                "SELECT ?t ?l { ?t skos:prefLabel ?l } ORDER BY ?l"
            )
        )
        assert [(r[0], r[1]) for r in rows] == [  # type: ignore[index]
            (URIRef(BASE + "topic/knowledge-graphs"), Literal("knowledge graphs", lang="en")),
            (URIRef(BASE + "topic/query-languages"), Literal("query languages", lang="en")),
        ]
        assert graph.query("ASK { ?s a <https://schema.org/Person> }").askAnswer is True
        built = graph.query("CONSTRUCT WHERE { ?p <https://schema.org/name> ?n }").graph
        assert built is not None and len(built) == 6
        person = URIRef(BASE + "person/bo-sample")
        assert graph.value(person, URIRef("https://schema.org/name")) == Literal("Bo Sample")
    finally:
        store.close()
