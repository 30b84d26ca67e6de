"""The store: results, formats, bindings, datasets, and the bounds on every query."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from talkgraph.errors import QueryError, QueryRefused, QueryTimeout, ResultTooLarge
from talkgraph.store import Limits, MemoryStore, QueryAborted, QuerySyntaxError, QueryTooLarge

BASE = "http://talkgraph.localhost/"
TALKS = (
    "PREFIX conf: <https://w3id.org/scholarlydata/ontology/conference-ontology.owl#>\n"
    "PREFIX schema: <https://schema.org/>\n"
    "SELECT ?talk ?title WHERE { ?talk a conf:Talk ; schema:name ?title } ORDER BY ?title"
)
# five-way cross product: no row before it finishes, far longer than any timeout below
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture
def store(mini_dir: Path) -> Iterator[MemoryStore]:
    backend = MemoryStore.from_directory(mini_dir, BASE, limits=Limits(timeout=5, max_rows=50))
    yield backend
    backend.close()


def test_select_rows_and_formats(store: MemoryStore) -> None:
    result = store.query(TALKS)
    assert (result.kind, result.format, len(result)) == ("select", "json", 2)
    assert result.variables == ["talk", "title"]
    assert [r["title"] for r in result.text_rows()] == ["Graphs for Testing", "SPARQL in Practice"]
    assert isinstance(result.rows()[0]["talk"], ox.NamedNode)
    doc = json.loads(result.serialize("json"))
    assert doc["head"]["vars"] == ["talk", "title"]
    assert doc["results"]["bindings"][1]["title"] == {
        "type": "literal",
        "value": "SPARQL in Practice",
    }
    assert b"SPARQL in Practice" in result.serialize("xml")
    assert result.serialize("tsv").splitlines()[0] == b"?talk\t?title"


def test_literal_terms_keep_language_and_datatype(store: MemoryStore) -> None:
    result = store.query(
        "SELECT ?label ?pos { ?t <http://www.w3.org/2004/02/skos/core#prefLabel> ?label . "
        "OPTIONAL { ?x <https://w3id.org/talkgraph/ns#position> ?pos } } LIMIT 1"
    )
    binding = json.loads(result.data)["results"]["bindings"][0]
    assert binding["label"]["xml:lang"] == "en"
    assert binding["pos"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_ask_and_construct(store: MemoryStore) -> None:
    assert store.query("ASK { ?s a <https://schema.org/Person> }").boolean is True
    assert store.query("ASK { ?s a <https://schema.org/Nothing> }").boolean is False
    result = store.query(
        "CONSTRUCT WHERE { ?p a <https://schema.org/Person> ; <https://schema.org/name> ?n }"
    )
    assert (result.kind, len(result)) == ("graph", 4)
    for fmt, rdflib_format in [
        ("turtle", "turtle"),
        ("nt", "nt"),
        ("jsonld", "json-ld"),
        ("xml", "xml"),
    ]:
        graph = Graph().parse(data=result.serialize(fmt), format=rdflib_format)
        assert (URIRef(BASE + "person/bo-sample"), None, Literal("Bo Sample")) in graph
    assert len(result.triples()) == 4


def test_bindings_are_joined_not_formatted(store: MemoryStore) -> None:
    query = "SELECT ?name { ?p <https://schema.org/name> ?name }"
    rows = store.query(query, bindings={"p": URIRef(BASE + "person/ada-example")}).text_rows()
    assert rows == [{"name": "Ada Example"}]
    hostile = Literal('x" } ; DROP ALL ; SELECT * { "')
    assert store.query(query, bindings={"name": hostile}).text_rows() == []
    with pytest.raises(QueryError, match="variable name"):
        store.query(query, bindings={"p } DROP ALL": URIRef(BASE)})


def test_dataset_from_graph_uris(store: MemoryStore) -> None:
    void_graph = BASE + "download/void.ttl"
    assert store.named_graphs == [BASE + "download/dataset.nt", void_graph]
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    everything = int(store.query(count).text_rows()[0]["n"])
    assert everything == store.triple_count
    only_void = int(store.query(count, default_graph_uris=[void_graph]).text_rows()[0]["n"])
    assert 0 < only_void < everything
    graphs = store.query(
        "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", named_graph_uris=[void_graph]
    ).text_rows()
    assert graphs == [{"g": void_graph}]


def test_syntax_error_has_line_and_column(store: MemoryStore) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        store.query("SELECT ?s\nWHERE { ?s ?p }")
    error = caught.value
    assert error.place is not None and error.place.line == 2
    assert error.place.column is not None and error.place.column > 1
    assert error.excerpt.splitlines()[0] == "WHERE { ?s ?p }"
    assert error.excerpt.splitlines()[1].strip() == "^"


def test_refusals_happen_before_evaluation(store: MemoryStore) -> None:
    with pytest.raises(QueryRefused):
        store.query("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }")
    with pytest.raises(QueryRefused):
        store.query("SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert not store.query("ASK { <http://e/a> ?p ?o }").boolean


def test_row_limit_for_select_and_construct(store: MemoryStore) -> None:
    with pytest.raises(ResultTooLarge, match="more than 50 rows"):
        store.query("SELECT * { ?s ?p ?o }")
    with pytest.raises(ResultTooLarge, match="more than 50 triples"):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert len(store.query("SELECT * { ?s ?p ?o }", max_rows=1000)) == store.triple_count
    assert len(store.query("SELECT * { ?s ?p ?o } LIMIT 50")) == 50


def test_query_size_limit(mini_dir: Path) -> None:
    backend = MemoryStore.from_directory(mini_dir, BASE, limits=Limits(max_query_bytes=100))
    try:
        with pytest.raises(QueryTooLarge):
            backend.query("SELECT * {} #" + "x" * 100)
    finally:
        backend.close()


def test_timeout_kills_the_worker_while_others_keep_serving(store: MemoryStore) -> None:
    before = store.worker_pids()
    outcome: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        try:
            store.query(SLOW, timeout=1.5)
        except QueryTimeout as error:
            outcome["error"] = error
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.2)
    answered = 0
    while thread.is_alive():
        assert len(store.query(TALKS, timeout=1)) == 2
        answered += 1
    thread.join()
    assert "time limit of 1.5 s" in str(outcome["error"])
    assert 1.4 < float(str(outcome["seconds"])) < 4
    assert answered >= 5
    after = store.worker_pids()
    assert len(after) == 2
    killed = set(before) - set(after)
    assert len(killed) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(killed.pop(), 0)
    assert len(store.query(TALKS)) == 2


def test_memory_limit_kills_the_worker(mini_dir: Path) -> None:
    backend = MemoryStore.from_directory(
        mini_dir, BASE, limits=Limits(timeout=30), workers=1, worker_memory_mb=150
    )
    try:
        before = backend.worker_pids()
        with pytest.raises(QueryAborted, match="memory limit of 150 MiB"):
            backend.query(
                "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?a ?d ?g"
            )
        assert backend.worker_pids() != before
        assert backend.query("ASK { ?s ?p ?o }").boolean
    finally:
        backend.close()


def test_close_stops_the_workers(mini_dir: Path) -> None:
    backend = MemoryStore.from_directory(mini_dir, BASE)
    pids = backend.worker_pids()
    backend.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(QueryAborted):
        backend.query("ASK {}")
