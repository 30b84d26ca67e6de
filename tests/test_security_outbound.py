"""No way to write or reach out: updates, LOAD, SERVICE (in every spelling a fuzzer tries) are
refused, and no query makes the server connect anywhere (a listener on 127.0.0.1 must see no
connection), not even through dataset clauses or parameters."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talkgraph.store.oxigraph import Request


@pytest.fixture(scope="module")
def listener() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.3)
    yield sock
    sock.close()


def _no_connection(sock: socket.socket) -> None:
    try:
        conn, _ = sock.accept()
    except TimeoutError:
        return
    request = conn.recv(300)
    conn.close()
    pytest.fail(f"the server connected out: {request!r}")


def _url(sock: socket.socket, path: str = "x") -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}/{path}"


def _ask(client: FlaskClient, query: str, **params: str) -> int:
    data = {"query": query, **params}
    return client.post("/sparql", data=data, headers={"Accept": "application/json"}).status_code


def test_service_load_update_are_refused_and_never_connect(
    client: FlaskClient, listener: socket.socket
) -> None:
    url = _url(listener, "sparql")
    refused = [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE<{url}>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICESILENT<{url}>{{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <{url}> SELECT * WHERE {{ SERVICEex:x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?u {{ <{url}> }} SERVICE ?u {{ ?s ?p ?o }} }}",
        f"LOAD <{url}>",
        f"LOAD SILENT <{url}> INTO GRAPH <{url}>",
        f"INSERT DATA {{ <{url}> <{url}> <{url}> }}",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        f"DROP GRAPH <{url}>",
    ]
    for query in refused:
        assert _ask(client, query) == 403, query
    assert client.post("/sparql", data={"update": f"LOAD <{url}>"}).status_code == 403
    response = client.post(
        "/sparql", data=f"LOAD <{url}>", content_type="application/sparql-update"
    )
    assert response.status_code == 403
    _no_connection(listener)


def test_dataset_clauses_and_functions_do_not_fetch(
    client: FlaskClient, listener: socket.socket
) -> None:
    url = _url(listener)
    answered = [
        (f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", {"default-graph-uri": url}),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1", {"named-graph-uri": url}),
        (f"SELECT (IRI('{url}') AS ?i) (STR(<{url}>) AS ?s) WHERE {{}}", {}),
        (f"DESCRIBE <{url}>", {}),
    ]
    for query, params in answered:
        assert _ask(client, query, **params) == 200, query
    # a function named by a URL is not looked up: the parser rejects it as unknown
    assert _ask(client, f"SELECT ?v WHERE {{ BIND(<{url}>(1) AS ?v) }}") == 400
    _no_connection(listener)


def _can_unshare() -> bool:
    probe = (
        "import ctypes,sys,os\nlibc=ctypes.CDLL(None,use_errno=True)\n"
        "sys.exit(0 if libc.unshare(0x50000000)==0 or libc.unshare(0x40000000)==0 else 1)"
    )
    return subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0


def test_workers_cannot_connect_even_past_the_guard(app: Flask, listener: socket.socket) -> None:
    """Defence in depth: the query workers live in a network namespace without interfaces."""
    if not _can_unshare():
        pytest.skip("this machine does not permit network namespaces")
    pool = app.extensions["talkgraph"].store._pool  # straight to a worker: no guard
    query = f"SELECT * WHERE {{ SERVICE <{_url(listener, 'sparql')}> {{ ?s ?p ?o }} }}"
    with pytest.raises(Exception):  # noqa: B017,PT011 - any failure, as long as nothing connects
        pool.run(Request(sparql=query), 5)
    _no_connection(listener)


# --- fuzzing the spellings ------------------------------------------------------------------

_SEP = st.sampled_from([" ", "\n", "\t", "  ", " # a comment\n", "\n#SERVICE\n", "\r\n"])


@st.composite
def _cased(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if f else c.lower() for c, f in zip(word, flips, strict=True))


@st.composite
def _forbidden(draw: st.DrawFn) -> str:
    sep = draw(_SEP)
    iri = "<http://127.0.0.1:9/sparql>"
    service = draw(_cased("SERVICE"))
    silent = draw(st.sampled_from(["", draw(_cased("SILENT")) + draw(_SEP)]))
    target = draw(st.sampled_from([iri, "?svc", ":x", "ex:x"]))
    glue = draw(st.sampled_from([sep, ""])) if target != "?svc" else sep
    return f"{service}{glue}{silent}{target}{draw(_SEP)}{{ ?s ?p ?o }}"


@st.composite
def _nested(draw: st.DrawFn) -> str:
    inner = draw(_forbidden())
    for _ in range(draw(st.integers(0, 3))):
        shape = draw(st.sampled_from([
            "{{ SELECT * WHERE {{ {} }} }}", "OPTIONAL {{ {} }}", "{{ {} }} UNION {{ ?a ?b ?c }}",
            "GRAPH ?g {{ {} }}", "FILTER EXISTS {{ {} }}", "MINUS {{ {} }}", "{{ {} }}",
        ]))  # fmt: skip
        inner = shape.format(inner)
    form = draw(st.sampled_from(["SELECT *", "ASK", "CONSTRUCT { ?s ?p ?o }", "SELECT ?s"]))
    prefixes = "PREFIX : <http://127.0.0.1:9/> PREFIX ex: <http://127.0.0.1:9/>" + draw(_SEP)
    return f"{prefixes}{form}{draw(_SEP)}WHERE{draw(_SEP)}{{ {inner} }}"


@st.composite
def _update(draw: st.DrawFn) -> str:
    words = draw(st.sampled_from([
        "INSERT DATA { <a:s> <a:p> <a:o> }", "DELETE WHERE { ?s ?p ?o }", "LOAD <http://127.0.0.1:9/>",
        "CLEAR DEFAULT", "DROP ALL", "CREATE GRAPH <a:g>", "COPY DEFAULT TO <a:g>",
        "MOVE DEFAULT TO <a:g>", "ADD DEFAULT TO <a:g>",
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    ]))  # fmt: skip
    parts = words.split(" ")
    cased = [draw(_cased(p)) if p.isalpha() else p for p in parts]
    return "".join(p + draw(_SEP) for p in cased)


_FUZZ = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@_FUZZ
@given(_nested())
def test_fuzzed_service_is_refused(client: FlaskClient, query: str) -> None:
    assert _ask(client, query) == 403, query


@_FUZZ
@given(_update())
def test_fuzzed_update_is_refused(client: FlaskClient, query: str) -> None:
    assert _ask(client, query) == 403, query
    assert client.post("/sparql", data={"update": query}).status_code == 403
