"""The remote backend against a real Oxigraph server: publish, then serve from it."""

from __future__ import annotations

import functools
import os
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from support.builds import seed_build
from support.servers import (
    ASKS,
    CONSTRUCTS,
    SELECTS,
    Server,
    oxigraph_binary,
    recording_listener,
    sparql_answer,
    start_oxigraph,
)
from support.web import running_app
from talkgraph.errors import (
    ConfigError,
    QueryBusy,
    QueryError,
    QueryRefused,
    QueryTimeout,
    ResultTooLarge,
)
from talkgraph.publish_remote import publish as publish_with_grace
from talkgraph.store import Limits, RemoteStore
from talkgraph.web import create_app

#: the replaced data is dropped at once here (no query is in flight)
publish = functools.partial(publish_with_grace, grace=0)
GRAPH = "http://example.org/published/talkgraph"

if oxigraph_binary() is None and not os.environ.get("CI"):
    pytest.skip("no oxigraph server binary (pip install oxigraph)", allow_module_level=True)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def seed() -> Path:
    return seed_build()


@pytest.fixture(scope="module")
def memory_client(seed: Path) -> Iterator[FlaskClient]:
    with running_app(seed) as app:
        yield app.test_client()


def remote_app(seed: Path, server: Server, graph: str, **config: object) -> Flask:
    settings = {"TESTING": True, "STORE": server.query, "STORE_GRAPH": graph, **config}
    return create_app(seed, config=settings)


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_publish_then_serve_answers_like_memory(
    method: str, oxigraph: Server, seed: Path, memory_client: FlaskClient
) -> None:
    graph = f"{GRAPH}/{method}"
    done = publish(
        seed,
        oxigraph.query,
        graph,
        method="gsp" if method == "gsp" else "update",
        update_endpoint=oxigraph.update,
        gsp_endpoint=oxigraph.gsp,
        batch_size=700,  # several batches
    )
    assert done.graph == graph and done.triples > 1000
    client = remote_app(seed, oxigraph, graph).test_client()
    for query in (*SELECTS, *ASKS, *CONSTRUCTS):
        assert sparql_answer(client, query) == sparql_answer(memory_client, query), query
    # the store holds the published version, named in <graph/current>, and no other
    names = _graphs(oxigraph)
    versions = {name for name in names if name.startswith(f"{graph}/version/")}
    assert f"{graph}/current" in names and graph not in names and len(versions) == 1


def test_store_api_bindings_formats_and_counts(oxigraph: Server, seed: Path) -> None:
    graph = f"{GRAPH}/api"
    publish(seed, oxigraph.query, graph, gsp_endpoint=oxigraph.gsp, update_endpoint=oxigraph.update)
    store = RemoteStore(oxigraph.query, graph)
    app = create_app(seed, config={"TESTING": True})
    memory = app.extensions["talkgraph"].store
    try:
        assert store.triple_count == memory.triple_count
        subject = memory.query("SELECT ?s WHERE { ?s a ?t } ORDER BY ?s LIMIT 1").rows()[0]["s"]
        query = "SELECT ?p ?o WHERE { ?s ?p ?o }"
        remote_rows = store.query(query, bindings={"s": subject}).rows()
        memory_rows = memory.query(query, bindings={"s": subject}).rows()
        assert remote_rows and sorted(map(str, remote_rows)) == sorted(map(str, memory_rows))
        for fmt in ("json", "xml", "tsv", "csv"):
            result = store.query(query, bindings={"s": subject}, result_format=fmt)
            assert result.format == fmt and result.count == len(memory_rows)
        turtle = store.query("CONSTRUCT WHERE { ?s a ?t }", result_format="turtle")
        assert turtle.format == "turtle" and b"@prefix" in turtle.data
        assert len(turtle.triples()) == turtle.count > 0
    finally:
        app.extensions["talkgraph"].close()


def test_limits_rows_bytes_and_dataset_selection(oxigraph: Server, seed: Path) -> None:
    graph = f"{GRAPH}/limits"
    publish(seed, oxigraph.query, graph, gsp_endpoint=oxigraph.gsp, update_endpoint=oxigraph.update)
    small = RemoteStore(oxigraph.query, graph, limits=Limits(max_rows=5, max_result_bytes=4000))
    with pytest.raises(ResultTooLarge, match="5 rows"):
        small.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 6")
    assert small.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5").count == 5
    with pytest.raises(ResultTooLarge, match="4000 bytes"):
        small.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", max_rows=100_000)
    with pytest.raises(ResultTooLarge, match="5 triples"):
        small.query("CONSTRUCT WHERE { ?s a ?t } LIMIT 6")
    assert small.query("CONSTRUCT WHERE { ?s a ?t } LIMIT 5").count == 5
    with pytest.raises(QueryError, match="one graph"):
        small.query("ASK {}", default_graph_uris=["http://example.org/other"])
    assert small.query("ASK { ?s ?p ?o }", default_graph_uris=[graph]).boolean


def test_unpublished_graph_and_unreachable_store_are_config_errors(oxigraph: Server) -> None:
    with pytest.raises(ConfigError, match="empty"):
        RemoteStore(oxigraph.query, "http://example.org/never-published")
    with pytest.raises(ConfigError, match="cannot query"):
        RemoteStore("http://127.0.0.1:9/sparql", GRAPH)


def test_refused_queries_send_nothing(seed: Path) -> None:
    with recording_listener() as listener:
        app = create_app(seed, config={"TESTING": True, "STORE": listener.url})
        client = app.test_client()
        assert len(listener.requests) == 2  # the published version and the triple count
        refused = (
            "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            "DELETE WHERE { ?s ?p ?o }",
            "LOAD <http://example.org/data.ttl>",
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            "DROP GRAPH <http://example.org/g>",
        )
        for text in refused:
            for response in (
                client.get("/sparql", query_string={"query": text}),
                client.post("/sparql", data={"update": text}),
                client.post("/sparql", data={"query": text}),
            ):
                assert response.status_code in (400, 403), text
            with pytest.raises(QueryRefused):
                app.extensions["talkgraph"].store.query(text)
        assert len(listener.requests) == 2
        # a permitted query is sent, to the configured graph only
        response = client.get("/sparql", query_string={"query": "SELECT ?n WHERE { }"})
        assert response.status_code == 200
        method, path, _ = listener.requests[-1]
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        assert method == "GET" and params["query"] == ["SELECT ?n WHERE { }"]
        assert params["default-graph-uri"] == [str(app.extensions["talkgraph"].minter.dataset)]
        app.extensions["talkgraph"].close()


def test_long_queries_are_posted_form_encoded() -> None:
    with recording_listener() as listener:
        store = RemoteStore(listener.url, GRAPH)
        long = "SELECT ?n WHERE { }\n" + "# padding\n" * 400
        store.query(long)
        method, _, body = listener.requests[-1]
        assert method == "POST"
        assert urllib.parse.parse_qs(body.decode())["query"] == [long]


def test_timeout_is_an_http_timeout() -> None:
    with recording_listener(delay=0.3) as listener:
        store = RemoteStore(listener.url, GRAPH, limits=Limits(timeout=5))
        with pytest.raises(QueryTimeout):
            store.query("SELECT ?n WHERE { }", timeout=0.1)
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(listener.requests[-1][1]).query)
        assert params["timeout"] == ["100"]  # milliseconds, for stores that know it


def test_result_is_reserialised_when_the_store_sends_other_terms() -> None:
    answer = (
        b'{"head":{"vars":["n"]},"results":{"distinct":false,"ordered":true,"bindings":['
        b'{"n":{"type":"typed-literal","value":"7",'
        b'"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}'
    )
    with recording_listener(answer) as listener:
        store = RemoteStore(listener.url, GRAPH)
        assert store.triple_count == 7
        row = store.query("SELECT ?n WHERE { }").rows()[0]
        assert row["n"] == ox.Literal(7)
        assert b"typed-literal" not in store.query("SELECT ?n WHERE { }").data


def test_served_from_a_remote_store_with_the_same_limits(oxigraph: Server, seed: Path) -> None:
    """Over HTTP, remote mode keeps the query check (403), the row and byte caps (413)."""
    graph = f"{GRAPH}/http"
    publish(seed, oxigraph.query, graph, gsp_endpoint=oxigraph.gsp, update_endpoint=oxigraph.update)
    app = remote_app(seed, oxigraph, graph, MAX_ROWS=5, MAX_RESULT_BYTES=4000)
    client = app.test_client()
    ask = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert ask.status_code == 200 and ask.json["boolean"] is True  # type: ignore[index]
    rows = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 6"})
    assert rows.status_code == 413 and "5 rows" in rows.get_data(as_text=True)
    many = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 50"})
    assert many.status_code == 413
    update = client.post("/sparql", data={"update": f"DROP GRAPH <{graph}>"})
    assert update.status_code == 403
    sneaky = client.get("/sparql", query_string={"query": f"SELECT * {{ SERVICE <{oxigraph.query}> {{ ?s ?p ?o }} }}"})  # fmt: skip # noqa: E501
    assert sneaky.status_code == 403
    assert RemoteStore(oxigraph.query, graph).triple_count > 1000  # nothing was dropped


def test_timeout_and_busy_are_503_over_http(seed: Path) -> None:
    with recording_listener(delay=0.4) as listener:
        config = {"TESTING": True, "STORE": listener.url, "WORKERS": 1, "QUERY_TIMEOUT": 0.2}
        app = create_app(seed, config=config)
        client = app.test_client()
        late = client.get("/sparql", query_string={"query": "SELECT ?n WHERE { }"})
        assert late.status_code == 503 and "time limit" in late.get_data(as_text=True)
        app.extensions["talkgraph"].close()
        app = create_app(seed, config={**config, "QUERY_TIMEOUT": 10})
        client = app.test_client()
        # one turn at the store (WORKERS=1) and a queue of 8: of 12 at once, some are refused
        statuses: list[int] = []
        retry: list[str] = []

        def ask(number: int) -> None:
            text = f"SELECT ?n WHERE {{ }} # {number}"
            response = client.get("/sparql", query_string={"query": text})
            statuses.append(response.status_code)
            retry.append(response.headers.get("Retry-After", ""))

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert statuses.count(503) >= 3 and all(
            r for s, r in zip(statuses, retry, strict=True) if s == 503
        )
        app.extensions["talkgraph"].close()


def test_heavy_queries_leave_a_turn_for_cheap_ones() -> None:
    with recording_listener(delay=0.6) as listener:
        store = RemoteStore(listener.url, GRAPH, concurrency=2, queue_depth=2)
        heavy = "SELECT ?n WHERE { } # heavy"
        store.query(heavy)  # 0.6 s: known heavy from now on
        done: dict[str, float] = {}
        start = time.monotonic()

        def run(name: str, text: str) -> None:
            store.query(text)
            done[name] = time.monotonic() - start

        threads = [
            threading.Thread(target=run, args=("heavy1", heavy)),
            threading.Thread(target=run, args=("heavy2", heavy)),
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.1)
        cheap = threading.Thread(target=run, args=("cheap", "SELECT ?cheap WHERE { }"))
        cheap.start()
        for thread in [*threads, cheap]:
            thread.join(10)
        # one heavy query at a time (2 turns - 1): the cheap one did not wait for the second
        assert done["cheap"] < 1.0 and max(done["heavy1"], done["heavy2"]) >= 1.1
        with pytest.raises(QueryBusy, match="queue is full"):  # queue_depth=2
            threads = [threading.Thread(target=run, args=(f"h{n}", heavy)) for n in range(3)]
            for thread in threads:
                thread.start()
            time.sleep(0.1)
            try:
                store.query(heavy)
            finally:
                for thread in threads:
                    thread.join(10)


def _graphs(server: Server) -> set[str]:
    query = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"})
    request = urllib.request.Request(
        f"{server.query}?{query}", headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        parsed = ox.parse_query_results(response.read(), format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    return {s["g"].value for s in parsed if s["g"] is not None}


def test_a_burst_the_store_can_serve_in_time_is_queued_not_refused() -> None:
    """Admission by estimated cost, as the local pool: five known-heavy queries at once on
    one heavy turn all wait and are answered (the old fixed heavy queue of two refused two);
    one whose expected wait and run exceed its time limit is refused at once, Retry-After
    its expected wait."""
    with recording_listener(delay=0.6) as listener:
        store = RemoteStore(listener.url, GRAPH, concurrency=2)
        heavy = "SELECT ?n WHERE { } # heavy"
        store.query(heavy)  # 0.6 s: known heavy from now on
        outcomes: list[str] = []

        def run() -> None:
            try:
                store.query(heavy, timeout=10)
                outcomes.append("ok")
            except QueryBusy as error:
                outcomes.append(f"busy: {error}")

        threads = [threading.Thread(target=run) for _ in range(5)]
        for thread in threads:
            thread.start()
        until = time.monotonic() + 5
        while len(store.gate._waiting[True]) < 3 and time.monotonic() < until:
            time.sleep(0.01)  # one runs, three wait (the fifth may be reading the version)
        started = time.monotonic()
        with pytest.raises(QueryBusy, match="past its time limit") as refused:
            store.query(heavy, timeout=1.5)  # about 2 s of heavy queries are ahead of it
        assert time.monotonic() - started < 0.5  # refused at once, not after waiting
        assert refused.value.retry_after is not None and refused.value.retry_after >= 2
        for thread in threads:
            thread.join(15)
        assert outcomes == ["ok"] * 5
