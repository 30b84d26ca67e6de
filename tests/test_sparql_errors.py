"""The one error shape, the time limit over HTTP, and the security basics."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from talkgraph.errors import ConfigError, NotFound
from talkgraph.web import create_app, state

SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
CHEAP = "SELECT ?n { ?p a <https://schema.org/Person> ; <https://schema.org/name> ?n }"


@pytest.mark.app_config(QUERY_TIMEOUT=1.5)
def test_timeout_is_503_and_other_requests_are_served(app: Flask) -> None:
    with app.app_context():
        before = set(state().store.worker_pids())
    slow_response = {}

    def slow() -> None:
        started = time.monotonic()
        slow_response["response"] = app.test_client().get("/sparql?" + urlencode({"query": SLOW}))
        slow_response["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.2)
    cheap = app.test_client()
    served = 0
    while thread.is_alive():
        response = cheap.get("/sparql?" + urlencode({"query": CHEAP}))
        assert response.status_code == 200
        assert len(json.loads(response.data)["results"]["bindings"]) == 2
        served += 1
    thread.join()
    response = slow_response["response"]
    assert response.status_code == 503  # type: ignore[attr-defined]
    assert "time limit of 1.5 s" in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert served >= 5
    with app.app_context():
        after = set(state().store.worker_pids())
    gone = before - after
    assert len(gone) == 1 and len(after) == len(before)
    with pytest.raises(ProcessLookupError):
        os.kill(gone.pop(), 0)


def test_error_shape_json_html_text(app: Flask) -> None:
    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    @app.route("/missing")
    def missing() -> str:
        raise NotFound("no such <talk>")

    client = app.test_client()
    as_json = client.get("/missing", headers={"Accept": "application/json"})
    assert as_json.status_code == 404
    assert json.loads(as_json.data) == {
        "error": "NotFound",
        "message": "no such <talk>",
        "status": 404,
        "request_id": as_json.headers["X-Request-Id"],  # in every error body
    }
    as_html = client.get("/missing", headers={"Accept": "text/html"})
    assert as_html.mimetype == "text/html"
    assert "no such &lt;talk&gt;" in as_html.get_data(as_text=True)
    assert "<talk>" not in as_html.get_data(as_text=True)

    crash = client.get("/boom", headers={"Accept": "application/json"})
    assert crash.status_code == 500
    body = json.loads(crash.data)
    assert body["error"] == "InternalServerError" and len(body["request_id"]) == 12
    assert "secret" not in crash.get_data(as_text=True)
    assert "Traceback" not in crash.get_data(as_text=True)

    unknown = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert json.loads(unknown.data)["status"] == 404
    assert unknown.headers["X-Content-Type-Options"] == "nosniff"


def test_never_debug(app: Flask, client: FlaskClient) -> None:
    assert app.debug is False
    assert client.get("/sparql?query=ASK%20%7B%7D").headers["X-Content-Type-Options"] == "nosniff"


def test_not_a_build_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="manifest.json"):
        create_app(tmp_path)
