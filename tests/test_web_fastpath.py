"""web/fastpath.py: a plain GET or POST query on /sparql answered without Flask's dispatch
(from the answer cache or by running the query) must be the answer Flask gives (status, body,
every header), log the same line, and leave every refusal and unusual request to Flask (a POST
body it read handed on intact); a query that fails is answered by Flask's error handlers, as if
the endpoint had raised."""

from __future__ import annotations

import io
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

from support.web import fetch, live_server
from talkgraph.web.fastpath import FastPath

QUERY = "SELECT ?s ?p WHERE { ?s ?p ?o } ORDER BY ?s ?p LIMIT 3"
DESCRIBE = "DESCRIBE <http://talkgraph.localhost/topic/query-languages>"
JSON = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
SPARQL = "application/sparql-query"
TOPICS = "http://talkgraph.localhost/graph/topics"
RID = {"X-Request-Id": "trace-0123456789"}


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


# --- POST: a form (query=, dataset parameters) or an application/sparql-query body ---------


def _post(client: Any, url: str, content_type: str, body: bytes, headers: dict[str, str]) -> Any:
    return client.post(url, data=body, content_type=content_type, headers=headers)


@pytest.mark.parametrize(
    ("url", "content_type", "body", "accept"),
    [
        ("/sparql", FORM, urlencode({"query": QUERY}), JSON),
        ("/sparql", f"{FORM}; charset=UTF-8", urlencode({"query": QUERY}), "text/csv"),
        ("/sparql?format=tsv", FORM, urlencode({"query": QUERY}), ""),
        ("/sparql", FORM, urlencode({"query": DESCRIBE, "default-graph-uri": TOPICS}), "*/*"),
        (  # dataset parameters from the URL and the form together, in that order
            "/sparql?" + urlencode({"named-graph-uri": TOPICS}),
            FORM,
            urlencode(
                {
                    "named-graph-uri": "http://talkgraph.localhost/download/void.ttl",
                    "query": "SELECT ?g WHERE { GRAPH ?g { } } ORDER BY ?g",
                }
            ),
            JSON,
        ),  # fmt: skip
        ("/sparql", SPARQL, QUERY, JSON),
        ("/sparql", f"{SPARQL};charset=utf-8", QUERY, "text/csv"),
        ("/sparql?" + urlencode({"default-graph-uri": TOPICS}), SPARQL, DESCRIBE, "*/*"),
        ("/sparql?format=nt", SPARQL, DESCRIBE, ""),
    ],
)
def test_a_posted_query_is_answered_as_flask_answers_it(
    app: Flask, client: FlaskClient, url: str, content_type: str, body: str, accept: str
) -> None:
    flask_only = _flask_only(app)
    seen = _counting(app)
    headers = {"Accept": accept, **RID}
    data = body.encode()
    from_flask = _post(flask_only, url, content_type, data, headers)  # runs it, caches it
    assert from_flask.status_code == 200 and "ETag" not in from_flask.headers  # GET only
    app.extensions["talkgraph"].caches.clear()
    first = _post(client, url, content_type, data, headers)  # the fast path runs it
    _same(first, from_flask)
    _same(_post(client, url, content_type, data, headers), from_flask)  # from the cache
    _same(_post(flask_only, url, content_type, data, headers), from_flask)
    assert seen == []  # every request above was answered by the fast path


def test_a_post_shares_the_answer_a_get_cached(app: Flask, client: FlaskClient) -> None:
    assert client.get("/sparql?" + urlencode({"query": QUERY}), headers=RID).status_code == 200
    answers = app.extensions["talkgraph"].caches["answers"]
    ran = answers.put
    answers.put = lambda *args: pytest.fail("the query ran again")  # only a run stores
    posted = _post(client, "/sparql", SPARQL, QUERY.encode(), RID)
    assert posted.status_code == 200
    answers.put = ran
    _same(posted, _post(_flask_only(app), "/sparql", SPARQL, QUERY.encode(), RID))


@pytest.mark.app_config(ANSWER_CACHE_BYTES=0)
def test_without_the_answer_cache_a_post_runs_each_time(app: Flask, client: FlaskClient) -> None:
    flask_only = _flask_only(app)
    seen = _counting(app)
    body = urlencode({"query": QUERY}).encode()
    for _ in range(2):
        _same(
            _post(client, "/sparql", FORM, body, RID), _post(flask_only, "/sparql", FORM, body, RID)
        )
    assert seen == []


def test_a_post_logs_the_line_flask_logs(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    flask_only = _flask_only(app)
    body = urlencode({"query": QUERY}).encode()
    with caplog.at_level(logging.INFO, logger="talkgraph.web.access"):
        for target in ("/sparql", "/sparql?format=csv"):
            for via in (flask_only, client, flask_only, client):  # run, cached, ...
                assert _post(via, target, FORM, body, RID).status_code == 200
        fresh = _post(client, "/sparql", SPARQL, QUERY.encode(), {"X-Request-Id": "<bad>"})
    lines = [r.getMessage().split(" ") for r in caplog.records if r.name == "talkgraph.web.access"]
    expected = [["POST", "/sparql", "200"]] * 4 + [["POST", "/sparql?format=csv", "200"]] * 4
    assert [line[:3] for line in lines] == expected + [["POST", "/sparql", "200"]]
    assert {line[-1] for line in lines[:-1]} == {"id=trace-0123456789"}
    rid = str(fresh.headers["X-Request-Id"])
    assert len(rid) == 12 and lines[-1][-1] == f"id={rid}"


def _environ(
    url: str, content_type: str | None, body: bytes, extra: dict[str, Any]
) -> dict[str, Any]:
    builder = EnvironBuilder(url, method="POST", data=body, headers={"Accept": JSON, **RID})
    environ = builder.get_environ()
    if content_type is None:
        environ.pop("CONTENT_TYPE", None)
    else:
        environ["CONTENT_TYPE"] = content_type
    for name, value in extra.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return environ


_BIG = 3 * 64 * 1024 + 4096 + 1  # one byte over what the endpoint reads (MAX_QUERY_BYTES 64k)
_DECLINED = [  # (content type, body, environ changes, Flask's status)
    (FORM, urlencode({"query": QUERY, "update": "DROP ALL"}), {}, 403),
    (FORM, urlencode({"update": "DROP ALL"}), {}, 403),
    (FORM, urlencode({"query": QUERY, "zzz": "1"}), {}, 200),  # Flask ignores it: body replayed
    (FORM, urlencode([("query", QUERY), ("query", "ASK {}")]), {}, 400),  # two queries
    (FORM, urlencode([("query", QUERY), ("format", "json"), ("format", "csv")]), {}, 400),
    (FORM, b"query=SELECT+%2A+WHERE+%7B%7D+%23\xff", {}, 400),  # not UTF-8: werkzeug drops it
    (FORM, "query=" + "x" * _BIG, {}, 413),  # over the body limit: not read
    (FORM, urlencode({"query": QUERY + " #" + "x" * 70_000}), {}, 413),  # text over the limit
    (FORM, urlencode({"query": QUERY}), {"CONTENT_LENGTH": None}, 400),  # no length: no body
    (FORM, urlencode({"query": QUERY}), {"CONTENT_LENGTH": "abc"}, 400),
    (FORM, urlencode({"query": QUERY}), {"CONTENT_LENGTH": "0"}, 400),
    (FORM, urlencode({"query": QUERY}), {"HTTP_TRANSFER_ENCODING": "chunked"}, 400),
    (f"{FORM}; charset=iso-8859-1", urlencode({"query": QUERY}), {}, 200),  # Flask: UTF-8
    (
        "multipart/form-data; boundary=b",
        f'--b\r\nContent-Disposition: form-data; name="query"\r\n\r\n{QUERY}\r\n--b--\r\n',
        {},
        200,
    ),  # fmt: skip
    ("text/plain", QUERY, {}, 415),
    (None, QUERY, {}, 415),
    ("application/sparql-update", "DROP ALL", {}, 403),
    (SPARQL, "INSERT DATA { <a:b> <a:c> <a:d> }", {}, 403),  # the query check refuses it
    (SPARQL, QUERY.encode() + b" #\xff", {}, 200),  # not UTF-8: Flask replaces, fine for it
    (SPARQL, QUERY, {"QUERY_STRING": "query=ASK%7B%7D"}, 400),  # two queries: which one?
    (SPARQL, QUERY, {"QUERY_STRING": "update=DROP%20ALL"}, 403),  # read-only, as for a form
    (SPARQL, "SELECT ?s WHERE { ?s ?p }", {}, 400),  # runs, fails: Flask answers the error
]


@pytest.mark.parametrize(("content_type", "body", "extra", "status"), _DECLINED)
def test_an_unusual_post_is_answered_by_flask_as_before(
    app: Flask, content_type: str | None, body: str | bytes, extra: dict[str, Any], status: int
) -> None:
    data = body.encode() if isinstance(body, str) else body
    fast = app.wsgi_app
    assert isinstance(fast, FastPath)
    seen = _counting(app)
    answered = run_wsgi_app(fast, _environ("/sparql", content_type, data, extra), buffered=True)
    assert len(seen) == 1  # Flask answered it
    from_flask = run_wsgi_app(
        _flask_only(app).application, _environ("/sparql", content_type, data, extra), buffered=True
    )
    body_of, status_of, headers_of = (b"".join(answered[0]), answered[1], answered[2])
    assert status_of.startswith(str(status))
    assert status_of == from_flask[1]
    assert body_of == b"".join(from_flask[0])
    assert sorted(headers_of.items()) == sorted(from_flask[2].items())


class _Counted(io.BytesIO):
    """A request body that counts what was read of it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def _arrived(app: Flask, environ: dict[str, Any]) -> dict[str, Any] | None:
    """The environ the inner application got from the fast path (``None``: it answered)."""
    got: list[dict[str, Any]] = []

    def inner(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        got.append(dict(environ))
        start_response("204 NO CONTENT", [])
        return []

    run_wsgi_app(FastPath(app, inner), environ, buffered=True)
    return got[0] if got else None


def test_a_body_is_read_within_the_limit_and_handed_on_whole(app: Flask) -> None:
    over = ("query=" + "x" * _BIG).encode()
    environ = _environ("/sparql", FORM, b"", {})
    environ["wsgi.input"] = stream = _Counted(over)
    environ["CONTENT_LENGTH"] = str(len(over))
    arrived = _arrived(app, environ)
    assert arrived is not None and arrived["wsgi.input"] is stream and stream.taken == 0
    endless = _Counted(b"query=ASK%7B%7D" + b"x" * 1000)  # more than it says it holds
    environ = _environ("/sparql", FORM, b"", {"CONTENT_LENGTH": "15"})
    environ["wsgi.input"] = endless
    assert _arrived(app, environ) is None and endless.taken == 15  # answered; read no further
    unusual = urlencode({"query": QUERY, "update": "DROP ALL"}).encode()
    environ = _environ("/sparql", FORM, b"", {"CONTENT_LENGTH": str(len(unusual))})
    environ["wsgi.input"] = _Counted(unusual + b"tail")
    arrived = _arrived(app, environ)
    assert arrived is not None and arrived["CONTENT_LENGTH"] == str(len(unusual))
    assert arrived["wsgi.input"].read() == unusual


def test_a_posted_query_through_waitress(app: Flask) -> None:
    seen = _counting(app)
    with live_server(app, threads=2) as base:
        form = urlencode({"query": QUERY, "format": "csv"}).encode()
        sent = {"Content-Type": FORM, **RID}
        answers = [fetch(f"{base}/sparql", data=form, headers=sent) for _ in range(2)]
        direct = fetch(f"{base}/sparql", data=QUERY.encode(), headers={"Content-Type": SPARQL})
        assert seen == []
        update = fetch(f"{base}/sparql", data=form + b"&update=x", headers=sent)
        extra = fetch(f"{base}/sparql", data=form + b"&zzz=1", headers=sent)
    assert [a.status for a in answers] == [200, 200] and answers[0].body == answers[1].body
    assert answers[0].body.startswith(b"s,p\r\n") and direct.status == 200
    assert update.status == 403 and b"read-only" in update.body
    assert extra.status == 200 and extra.body == answers[0].body  # Flask read the replayed body
    assert len(seen) == 2
