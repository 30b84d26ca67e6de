"""The one way the tests make an app (:func:`running_app`), serve it live on 127.0.0.1
(:func:`live_server`, :func:`serving`) and talk to it (:func:`fetch`, a proxy-free client)."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from talkgraph.web import create_app
from talkgraph.web.server import make_server, stop

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
          timeout: float = 30.0) -> Reply:  # fmt: skip
    """One request; HTTP errors are replies too."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    started = time.monotonic()
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = response.read()
            return Reply(response.status, dict(response.headers), body,
                         time.monotonic() - started)  # fmt: skip
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read(), time.monotonic() - started)


def sparql_url(base: str, query: str, **params: str) -> str:
    return f"{base}/sparql?" + urllib.parse.urlencode({"query": query, **params})


class Client(FlaskClient):
    """Flask's test client, buffered: each answer is read whole and its body closed at once (an
    unbuffered answer holds its file open until the test closes it: a ResourceWarning)."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> Any:
        return super().open(*args, buffered=buffered, **kwargs)


@contextmanager
def running_app(data_dir: Path, **config: Any) -> Iterator[Flask]:
    """The app for a build directory in test configuration (``TESTING`` unless ``config`` says
    otherwise, plus ``config``); its query workers stop after the block."""
    app = create_app(data_dir, config={"TESTING": True, **config})
    try:
        yield app
    finally:
        app.extensions["talkgraph"].close()


@contextmanager
def serving(data_dir: Path, threads: int = 4, **config: Any) -> Iterator[str]:
    """The app for ``data_dir`` (as :func:`running_app`) on a free port of 127.0.0.1; yields
    its base URL."""
    with running_app(data_dir, **config) as app, live_server(app, threads) as base:
        yield base


@contextmanager
def live_server(app: Flask, threads: int = 8) -> Iterator[str]:
    """Serve ``app`` with waitress on a free port of 127.0.0.1; yields the base URL."""
    server = make_server(app, "127.0.0.1", 0, threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop(server)
        thread.join(10)
        assert not thread.is_alive(), "the server thread did not stop"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
