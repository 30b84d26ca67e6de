"""web/fastpath.py: a plain GET /sparql answered without Flask's dispatch (from the answer
cache or by running the query) must be the answer Flask gives (status, body, every header),
log the same line, and leave every refusal and unusual request to Flask; a query that fails is
answered by Flask's error handlers, as if the endpoint had raised."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import Client

from talkgraph.web.fastpath import FastPath

QUERY = "SELECT ?s ?p WHERE { ?s ?p ?o } ORDER BY ?s ?p LIMIT 3"
DESCRIBE = "DESCRIBE <http://talkgraph.localhost/topic/query-languages>"
JSON = "application/sparql-results+json"


def _flask_only(app: Flask) -> Client:
    fast = app.wsgi_app
    assert isinstance(fast, FastPath)
    return Client(fast.inner)


def _counting(app: Flask) -> list[int]:
    """Count the requests that reach Flask."""
    fast = app.wsgi_app
    assert isinstance(fast, FastPath)
    inner, seen = fast.inner, []

    def counted(environ, start_response):  # type: ignore[no-untyped-def]
        seen.append(1)
        return inner(environ, start_response)

    fast.inner = counted
    return seen


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert a.status == b.status
    assert a.data == b.data
    assert sorted(a.headers.items()) == sorted(b.headers.items())


@pytest.mark.parametrize(
    ("query", "accept", "params"),
    [
        (QUERY, JSON, {}),
        (QUERY, "text/csv", {}),
        (QUERY, "", {"format": "tsv"}),
        (DESCRIBE, "application/n-triples", {}),
        (DESCRIBE, "*/*", {"default-graph-uri": "http://talkgraph.localhost/graph/topics"}),
    ],
)
def test_a_cached_answer_is_the_answer_flask_gives(
    app: Flask, client: FlaskClient, query: str, accept: str, params: dict[str, str]
) -> None:
    flask_only = _flask_only(app)
    seen = _counting(app)
    url = "/sparql?" + urlencode({"query": query, **params})
    headers = {"Accept": accept, "X-Request-Id": "trace-0123456789"}
    from_flask = flask_only.get(url, headers=headers)  # runs the query, caches the answer
    app.extensions["talkgraph"].caches.clear()  # the fast path runs it too
    first = client.get(url, headers=headers)
    assert first.status_code == 200
    _same(first, from_flask)
    fast = client.get(url, headers=headers)  # from the cache
    _same(fast, from_flask)
    _same(flask_only.get(url, headers=headers), from_flask)
    etag = {"If-None-Match": str(first.headers["ETag"]), **headers}
    not_modified = client.get(url, headers=etag)
    assert not_modified.status_code == 304
    _same(not_modified, flask_only.get(url, headers=etag))
    assert seen == []  # every request above was answered by the fast path


def test_the_fast_path_logs_the_line_flask_logs_and_sets_ids(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    url = "/sparql?" + urlencode({"query": QUERY})
    with caplog.at_level(logging.INFO, logger="talkgraph.web.access"):
        first = client.get(url)
        fast = client.get(url, headers={"X-Request-Id": "<bad id>"})
    lines = [r.getMessage() for r in caplog.records if r.name == "talkgraph.web.access"]
    assert len(lines) == 2
    rid = str(fast.headers["X-Request-Id"])
    assert len(rid) == 12 and rid != first.headers["X-Request-Id"] and "<" not in rid
    strip = [line.split(" ") for line in lines]
    assert [s[:3] for s in strip] == [["GET", url, "200"]] * 2
    assert lines[1].endswith(f"id={rid}")


@pytest.mark.app_config(ANSWER_CACHE_BYTES=0)
def test_without_the_answer_cache_every_query_runs(app: Flask, client: FlaskClient) -> None:
    flask_only = _flask_only(app)
    seen = _counting(app)
    url = "/sparql?" + urlencode({"query": QUERY})
    headers = {"X-Request-Id": "trace-0123456789"}
    answers = [client.get(url, headers=headers) for _ in range(2)]
    for answer in answers:
        _same(answer, flask_only.get(url, headers=headers))
    assert seen == [] and "answers" not in app.extensions["talkgraph"].caches


@pytest.mark.parametrize(
    ("query", "accept", "status"),
    [
        ("SELECT ?s WHERE { ?s ?p }", JSON, 400),  # a syntax error, with its position
        (QUERY, "image/png", 406),  # nothing acceptable
        (DESCRIBE, "application/sparql-results+json", 406),
        (QUERY, "application/json", 200),
    ],
)
def test_a_failing_query_is_answered_by_flask_as_by_the_endpoint(
    app: Flask, client: FlaskClient, query: str, accept: str, status: int
) -> None:
    flask_only = _flask_only(app)
    seen = _counting(app)
    url = "/sparql?" + urlencode({"query": query})
    headers = {"Accept": accept, "X-Request-Id": "trace-0123456789"}
    response = client.get(url, headers=headers)
    assert response.status_code == status
    assert len(seen) == (status != 200)  # the error went to Flask, raised by its /sparql hook
    app.extensions["talkgraph"].caches.clear()
    _same(response, flask_only.get(url, headers=headers))


@pytest.mark.parametrize(
    "extra",
    [
        "&update=DROP%20ALL",  # refused (403) by Flask
        "&query=ASK%7B%7D",  # two queries: 400
        "&format=json&format=csv",  # two formats: 400
        "&zzz=1",  # unknown parameter: Flask decides
        "&default-graph-uri=%zz",
    ],
)
def test_anything_unusual_goes_to_flask(app: Flask, client: FlaskClient, extra: str) -> None:
    url = "/sparql?" + urlencode({"query": QUERY})
    assert client.get(url).status_code == 200  # cached
    flask_only = _flask_only(app)
    seen = _counting(app)
    response = client.get(url + extra)
    assert len(seen) == 1
    assert response.status_code == flask_only.get(url + extra).status_code


@pytest.mark.app_config(MAX_QUERY_BYTES=200)
def test_limits_and_refusals_still_apply_to_cached_texts(app: Flask, client: FlaskClient) -> None:
    url = "/sparql?" + urlencode({"query": QUERY})
    assert client.get(url).status_code == 200
    seen = _counting(app)
    long_text = QUERY + " #" + "x" * 300
    assert client.get("/sparql?" + urlencode({"query": long_text})).status_code == 413
    refused = "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"
    assert client.get("/sparql?" + urlencode({"query": refused})).status_code == 403
    assert client.head(url).status_code == 200  # HEAD: Flask
    assert len(seen) == 3
