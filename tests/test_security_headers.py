"""Security headers and a request id on every response, no debug mode, no stack traces."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from support.web import running_app
from talkgraph.web import create_app
from talkgraph.web.security import CONTENT_SECURITY_POLICY

MINI = Path(__file__).parent / "fixtures" / "mini"
SHA = json.loads((MINI / "manifest.json").read_text())["files"]["dataset.nt"]["sha256"]
PATHS = [
    "/", "/dataset", "/dataset.ttl", "/topic/", "/person/ada-example", "/talk/nope",
    "/downloads", "/download/dataset.nt", "/download/nope", "/.well-known/void",
    "/.well-known/talkgraph", "/version", "/query", "/query/canned", "/query/canned/nope",
    "/graphs/topics", "/graphs/topics/data", "/graphs/topics/table", "/graphs/nope",
    "/graphs/neighbourhood?iri=x", "/openapi.json", "/openapi.yaml", "/sparql",
    "/sparql?query=SELECT%20*%20WHERE%20%7B%7D", "/sparql?query=SELEC", "/static/style.css",
    "/no/such/thing/here",
]  # fmt: skip


def _assert_headers(headers: object, path: str) -> None:
    get = headers.get  # type: ignore[attr-defined]
    assert get("Content-Security-Policy") == CONTENT_SECURITY_POLICY, path
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert get("X-Content-Type-Options") == "nosniff", path
    assert get("Referrer-Policy") == "no-referrer", path
    assert get("X-Frame-Options") == "DENY", path
    assert len(get("X-Request-Id", "")) >= 8, path
    assert get("X-Dataset-Version") == SHA[:16], path


@pytest.mark.parametrize("path", PATHS)
def test_every_response_has_the_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code < 500, path
    _assert_headers(response.headers, path)


def test_other_methods_too(client: FlaskClient) -> None:
    for response in (client.post("/"), client.options("/sparql"), client.delete("/sparql"),
                     client.post("/sparql", data={"update": "CLEAR ALL"})):  # fmt: skip
        _assert_headers(response.headers, response.request.path)


def test_request_ids_are_unique_and_a_plain_client_id_is_kept(client: FlaskClient) -> None:
    ids = {client.get("/").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5
    kept = client.get("/", headers={"X-Request-Id": "trace-0123456789"})
    assert kept.headers["X-Request-Id"] == "trace-0123456789"
    junk = client.get("/", headers={"X-Request-Id": "<script>alert(1)</script>"})
    assert "<" not in junk.headers["X-Request-Id"]


def test_version_says_which_build_is_served(client: FlaskClient) -> None:
    for path in ("/version", "/.well-known/talkgraph"):
        data = client.get(path).get_json()
        assert data["dataset_sha256"] == SHA and data["dataset_version"] == SHA[:16]
        assert data["created"] == "2024-01-01T00:00:00+00:00"


def test_no_debug_mode_whatever_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with running_app(MINI, DEBUG=True, TESTING=True) as app:
        assert app.debug is False and app.config["DEBUG"] is False
        app.test_client().get("/")
        assert app.debug is False


@pytest.fixture
def failing_app() -> Iterator[Flask]:
    app = create_app(MINI, config={"TESTING": True})

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail /etc/passwd")

    yield app
    app.extensions["talkgraph"].close()


@pytest.mark.parametrize("accept", ["application/json", "text/html", "text/plain"])
def test_a_crash_shows_no_trace_and_logs_the_request_id(
    failing_app: Flask, accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = failing_app.test_client().get("/boom", headers={"Accept": accept})
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    for leak in ("Traceback", "secret internal detail", "RuntimeError", 'File "'):
        assert leak not in text
    rid = response.headers["X-Request-Id"]
    assert rid in text
    _assert_headers(response.headers, "/boom")
    logged = [r for r in caplog.records if rid in r.getMessage()]
    assert any(r.exc_info for r in logged)  # the traceback goes to the log, with the id
    assert any(r.name == "talkgraph.web.access" and "500" in r.getMessage() for r in logged)
