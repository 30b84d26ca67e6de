"""A cached answer is served by the server's loop itself, without waiting for a thread
(:func:`talkgraph.web.server._add_task`, :meth:`talkgraph.web.fastpath.FastPath.ready`): so it
comes back while every server thread is busy; pipelined requests keep their order; an answer
too big for the connection's output buffer goes to a thread, as any other request."""

from __future__ import annotations

import http.client
import io
import logging
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from support.web import fetch, running_app, sparql_url
from talkgraph.web.fastpath import READY
from talkgraph.web.server import make_server, stop

MINI = Path(__file__).parent / "fixtures" / "mini"
PRODUCT = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . ?p ?q ?r"
RUNAWAY = f"SELECT (COUNT(*) AS ?n) WHERE {{ {PRODUCT} }}"  # stopped at the time limit
CHEAP = "SELECT ?s WHERE { ?s a <https://schema.org/Event> } LIMIT 5"
OTHER = "SELECT ?s WHERE { ?s a <https://schema.org/Person> } LIMIT 3"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    config = {"TESTING": False, "QUERY_TIMEOUT": 1.5, "WORKERS": 2}
    with running_app(MINI, **config) as application:
        yield application


@contextmanager
def one_thread_server(app: Flask) -> Iterator[tuple[Any, str]]:
    """``app`` served by waitress with a single task thread; yields (server, base URL)."""
    server = make_server(app, "127.0.0.1", 0, threads=1)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop(server)
        thread.join(10)


def _order_while_busy(server: Any, base: str, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Which answer is made first (the server's access log order): the cached query's, or
    that of a runaway query holding the only thread (sent first)?"""
    cached = fetch(sparql_url(base, CHEAP), headers=JSON)  # into the answer cache
    assert cached.status == 200
    caplog.set_level(logging.INFO, logger="talkgraph.web.access")
    caplog.clear()
    thread = threading.Thread(target=fetch, args=(sparql_url(base, RUNAWAY),))
    thread.start()
    deadline = time.monotonic() + 10
    while server.task_dispatcher.active_count == 0 and time.monotonic() < deadline:
        time.sleep(0.01)  # until the runaway holds the thread
    assert server.task_dispatcher.active_count == 1
    again = fetch(sparql_url(base, CHEAP), headers=JSON)
    assert again.status == 200 and again.body == cached.body
    thread.join(30)
    lines = [r.getMessage() for r in caplog.records if r.name == "talkgraph.web.access"]
    return ["runaway" if "COUNT" in line else "cached" for line in lines]


def test_a_cached_answer_does_not_wait_for_a_busy_thread(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with one_thread_server(app) as (server, base):
        assert _order_while_busy(server, base, caplog) == ["cached", "runaway"]


def test_an_answer_too_big_for_the_output_buffer_waits_for_a_thread(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with one_thread_server(app) as (server, base):
        server.adj.outbuf_overflow = 64  # every answer is bigger: none is served in the loop
        assert _order_while_busy(server, base, caplog) == ["runaway", "cached"]


def _get(target: str, **headers: str) -> bytes:
    lines = [f"GET {target} HTTP/1.1", "Host: x", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _post(form: dict[str, str]) -> bytes:
    body = urllib.parse.urlencode(form).encode()
    head = (
        "POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class _Kept:
    """A socket's buffered stream that a finished reply must not close (the next reply on the
    connection is read from it)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def close(self) -> None:
        pass

    def makefile(self, *args: Any, **kwargs: Any) -> Any:  # (as a socket, for http.client)
        return self


def _reply(stream: Any) -> http.client.HTTPResponse:
    """The next reply read from ``stream``, its head parsed."""
    reply = http.client.HTTPResponse(_Kept(stream))  # type: ignore[arg-type]
    reply.begin()
    return reply


def _replies(port: int, data: bytes, count: int) -> list[tuple[int, Message, bytes]]:
    """Send ``data`` (several requests) at once on one connection; read ``count`` replies."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=30) as sock,
        sock.makefile("rb") as stream,
    ):
        sock.sendall(data)

        replies = []
        for _ in range(count):
            reply = _reply(stream)
            replies.append((reply.status, reply.msg, reply.read()))
        return replies


def test_pipelined_requests_keep_their_order(app: Flask) -> None:
    with one_thread_server(app) as (server, base):
        cheap = fetch(sparql_url(base, CHEAP), headers=JSON)  # cached from here on
        other = fetch(sparql_url(base, OTHER), headers=JSON).body  # what a thread answers
        etag = cheap.headers["Etag"]  # (as waitress spells it)
        cheap_url = sparql_url("", CHEAP)
        other_url = sparql_url("", OTHER + " ")  # not cached: run by a worker
        data = b"".join(
            [
                _get(cheap_url, Accept=JSON["Accept"]),
                _get(other_url, Accept=JSON["Accept"]),
                _get(cheap_url, Accept=JSON["Accept"], **{"If-None-Match": etag}),
                _get("/version"),
                _post({"query": CHEAP}),
                _get(cheap_url, Accept=JSON["Accept"]),
            ]
        )
        replies = _replies(server.effective_port, data, 6)
    assert [status for status, _, _ in replies] == [200, 200, 304, 200, 200, 200]
    assert replies[0][2] == cheap.body == replies[4][2] == replies[5][2]
    assert replies[1][2] == other
    assert replies[0][1]["ETag"] == etag and "ETag" not in replies[4][1]
    assert b"version" in replies[3][2].lower()


def _environ(app: Flask, query: str, method: str = "GET") -> dict[str, Any]:
    if method == "POST":
        builder = EnvironBuilder(path="/sparql", method="POST", data={"query": query}, headers=JSON)
    else:
        builder = EnvironBuilder(path="/sparql", query_string={"query": query}, headers=JSON)
    return builder.get_environ()


def test_ready_finds_only_an_answer_that_needs_no_query_run(app: Flask) -> None:
    ready = app.wsgi_app.ready  # type: ignore[attr-defined]
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"
    assert ready(_environ(app, query)) is None  # not cached: nothing is run here
    posted = _environ(app, query, "POST")
    body = posted["wsgi.input"].read()
    posted["wsgi.input"] = io.BytesIO(body)
    assert ready(posted) is None and READY not in posted
    assert posted["wsgi.input"].read() == body  # what was read is put back
    answer = app.test_client().get("/sparql", query_string={"query": query}, headers=JSON)
    environ = _environ(app, query)
    assert ready(environ) == len(answer.data)
    assert environ[READY][0][2] == answer.data
    assert ready(_environ(app, query, "POST")) == len(answer.data)  # one cache entry
    other = EnvironBuilder(path="/version").get_environ()
    assert ready(other) is None
    etag = answer.headers["ETag"]
    revalidate = _environ(app, query)
    revalidate["HTTP_IF_NONE_MATCH"] = etag
    assert ready(revalidate) == 0 and revalidate[READY][0][0].startswith("304")


def test_ready_does_not_check_a_query(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop only looks up answers: a query is checked (parsed) in a thread, never here
    (only an admitted query's answer is ever cached)."""
    from talkgraph.store import guard

    checked: list[str] = []
    real = guard.check_query

    def spy(sparql: str) -> Any:
        checked.append(sparql)
        return real(sparql)

    monkeypatch.setattr(guard, "check_query", spy)
    ready = app.wsgi_app.ready  # type: ignore[attr-defined]
    hostile = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } # never seen"
    environ = _environ(app, hostile)
    environ["HTTP_IF_NONE_MATCH"] = "*"
    assert ready(environ) is None and checked == []
    refused = app.test_client().get("/sparql", query_string={"query": hostile}, headers=JSON)
    assert refused.status_code == 403 and set(checked) == {hostile}  # the spy sees checks


def _raw(port: int, data: bytes) -> tuple[bytes, bool]:
    """One request's raw answer, and whether the server then closed the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        with sock.makefile("rb") as stream:
            reply = _reply(stream)
            body = reply.read()
            head = f"{reply.status}\n" + "".join(
                f"{k}: {v}\n" for k, v in reply.msg.items() if k not in ("Date", "X-Request-Id")
            )
            sock.settimeout(0.5)
            try:
                closed = sock.recv(1) == b""
            except TimeoutError:
                closed = False
    return head.encode() + body, closed


@pytest.mark.parametrize("revalidate", [False, True])
def test_the_loop_sends_what_a_thread_sends(app: Flask, revalidate: bool) -> None:
    """Header for header (but ``Date`` and the request id) and byte for byte, an answer sent
    by the loop is the one waitress's task sends; the connection stays open after both."""
    query = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {4 if revalidate else 3}"
    with one_thread_server(app) as (server, base):
        port = server.effective_port
        target = sparql_url("", query)
        first, closed = _raw(port, _get(target, Accept=JSON["Accept"]))  # run in a thread
        assert first.startswith(b"200\n") and not closed
        headers = {"Accept": JSON["Accept"]}
        if revalidate:
            etag = fetch(sparql_url(base, query), headers=JSON).headers["Etag"]
            headers["If-None-Match"] = etag
            kept = app.config.get("ANSWER_CACHE_BYTES")
            app.config["ANSWER_CACHE_BYTES"] = 0  # so a thread answers the 304 ...
            try:
                by_thread, closed = _raw(port, _get(target, **headers))
            finally:
                app.config["ANSWER_CACHE_BYTES"] = kept
            assert by_thread.startswith(b"304\n") and not closed
            first = by_thread
        again, closed = _raw(port, _get(target, **headers))  # from the cache, by the loop
    assert again == first and not closed


def test_a_cached_answer_to_a_closing_request_closes(app: Flask) -> None:
    """``Connection: close`` and HTTP/1.0 without keep-alive: the answer, then the end."""
    with one_thread_server(app) as (server, base):
        port = server.effective_port
        body = fetch(sparql_url(base, CHEAP), headers=JSON).body  # cached
        target = sparql_url("", CHEAP)
        kept, closed = _raw(port, _get(target, Accept=JSON["Accept"]))
        assert kept.startswith(b"200\n") and not closed
        close, closed = _raw(port, _get(target, Accept=JSON["Accept"], Connection="close"))
        assert close.startswith(b"200\n") and closed
        old = _get(target, Accept=JSON["Accept"]).replace(b"HTTP/1.1", b"HTTP/1.0", 1)
        answer, closed = _raw(port, old)
        assert answer.startswith(b"200\n") and closed
    assert kept.endswith(body) and close.endswith(body) and answer.endswith(body)
