"""Serving the application with waitress (a production WSGI server; never Flask's dev server).

Waitress reads requests in one asynchronous loop and hands only complete requests to its
threads, so a slow client never holds a thread; what it can hold is a connection.  So:

* a request (headers and body) must arrive within ``request_timeout`` seconds of its first
  byte, or its connection is closed (waitress has only an *idle* timeout, which a client
  sending one byte every few seconds never trips: the check is added here);
* a connection idle for ``idle_timeout`` seconds between requests is closed;
* at most ``connection_limit`` connections are open (further ones wait in the listen backlog);
* both checks run every ``cleanup_interval`` seconds.

A request whose answer is cached is served by the loop itself (:mod:`.loop`).

The defaults are in :data:`talkgraph.settings.SETTINGS` and can be changed with the
application's config keys ``SERVER_THREADS``, ``SERVER_REQUEST_TIMEOUT``,
``SERVER_IDLE_TIMEOUT``, ``SERVER_CONNECTION_LIMIT`` and ``SERVER_CLEANUP_INTERVAL``.  In
production, put a reverse proxy (nginx, Caddy...) in front, which buffers requests and limits
connections per client (see docs/limits-and-safety.md).
"""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from waitress import create_server, wasyncore
from waitress.server import BaseWSGIServer, MultiSocketServer
from waitress.trigger import trigger as Trigger

from ..settings import DEFAULTS
from .loop import LoopChannel, install

log = logging.getLogger(__name__)

_KEYS = (
    "SERVER_REQUEST_TIMEOUT",
    "SERVER_IDLE_TIMEOUT",
    "SERVER_CONNECTION_LIMIT",
    "SERVER_CLEANUP_INTERVAL",
)


class TimedChannel(LoopChannel):
    """A waitress channel that remembers when the request it is reading began (and serves
    ready answers in the loop: :class:`.loop.LoopChannel`)."""

    request_began: float | None = None
    _timed: object = None

    def received(self, data: bytes) -> bool:
        result = super().received(data)
        if self.request is not self._timed:  # a new request began (or none is partial)
            self._timed = self.request
            self.request_began = time.monotonic() if self.request is not None else None
        return result


def _cut_slow_requests(
    server: Any, original: Callable[[float], None], request_timeout: float
) -> Callable[[float], None]:
    def maintenance(now: float) -> None:
        original(now)  # waitress's idle timeout
        cutoff = time.monotonic() - request_timeout
        for channel in list(server.active_channels.values()):
            began = getattr(channel, "request_began", None)
            if began is not None and began < cutoff and not channel.requests:
                channel.will_close = True  # closed by the loop on its next pass

    return maintenance


def _connection_limit(wanted: int) -> int:
    """``wanted``, but leaving room under the process's open-file limit."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(16, min(wanted, soft - 64))


def make_server(
    app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int | None = None
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for ``app``, bound but not yet running (``port=0``: any free port;
    the bound one is ``server.effective_port``; ``threads``: default ``SERVER_THREADS``)."""
    config = {**DEFAULTS, **app.config}
    limit = int(str(config["MAX_QUERY_BYTES"]))
    setting = {key: float(str(config[key])) for key in _KEYS}
    threads = threads if threads is not None else int(str(config["SERVER_THREADS"]))
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=max(3 * limit + 4096, 1024 * 1024),
        max_request_header_size=64 * 1024,
        channel_timeout=max(1, round(setting["SERVER_IDLE_TIMEOUT"])),
        cleanup_interval=max(1, round(setting["SERVER_CLEANUP_INTERVAL"])),
        connection_limit=_connection_limit(int(setting["SERVER_CONNECTION_LIMIT"])),
        ident="talkgraph",
    )
    if isinstance(server, MultiSocketServer):  # one listening server per address
        listening = [d for d in server.map.values() if isinstance(d, BaseWSGIServer)]
    else:
        listening = [server]
    for one in listening:
        one.channel_class = TimedChannel
        one.maintenance = _cut_slow_requests(
            one, one.maintenance, setting["SERVER_REQUEST_TIMEOUT"]
        )
        install(one, getattr(app, "wsgi_app", None))  # FastPath: ready answers in the loop
    return server


def stop(server: BaseWSGIServer | MultiSocketServer) -> None:
    """Stop ``server`` whose ``run()`` loop runs in another thread (tests, the screenshot
    script): requests being served finish first (up to 5 s), then the loop closes every socket
    itself, from its own thread, and ``run()`` returns.  (Closing the sockets from another
    thread pulls them from under the loop's ``select``: EBADF in the server thread.)"""
    server.task_dispatcher.shutdown()
    sockets = server.map if isinstance(server, MultiSocketServer) else server._map
    wake = next(d for d in list(sockets.values()) if isinstance(d, Trigger))
    wake.pull_trigger(lambda: wasyncore.close_all(sockets))


def serve(
    app: Flask,
    host: str = "127.0.0.1",
    port: int = 8000,
    threads: int | None = None,
    server: BaseWSGIServer | MultiSocketServer | None = None,
) -> None:
    """Serve ``app`` until interrupted (on ``server`` when given: one from :func:`make_server`;
    logging set up first, one escaped line per record)."""
    from . import setup_logging

    setup_logging()
    server = server or make_server(app, host, port, threads)
    log.info("serving on http://%s:%s/", host, getattr(server, "effective_port", port))
    try:
        server.run()
    finally:
        server.close()
        state = app.extensions.get("talkgraph")
        if state is not None:
            state.close()
