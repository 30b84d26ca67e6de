"""Serving the application with waitress (a production WSGI server; never Flask's dev server)."""

from __future__ import annotations

import logging

from flask import Flask
from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

log = logging.getLogger(__name__)


def make_server(
    app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 4
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for ``app``, bound but not yet running (``port=0``: any free port;
    the bound one is ``server.effective_port``)."""
    limit = int(app.config.get("MAX_QUERY_BYTES", 64 * 1024))
    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=max(3 * limit + 4096, 1024 * 1024),
        ident="talkgraph",
    )


def serve(
    app: Flask,
    host: str = "127.0.0.1",
    port: int = 8000,
    threads: int = 4,
    server: BaseWSGIServer | MultiSocketServer | None = None,
) -> None:
    """Serve ``app`` until interrupted (on ``server`` when given: one from :func:`make_server`)."""
    server = server or make_server(app, host, port, threads)
    log.info("serving on http://%s:%s/", host, getattr(server, "effective_port", port))
    try:
        server.run()
    finally:
        server.close()
        state = app.extensions.get("talkgraph")
        if state is not None:
            state.close()
