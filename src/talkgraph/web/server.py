"""Serving the application with waitress (a production WSGI server; never Flask's dev server).

Waitress reads requests in one asynchronous loop and hands only complete requests to its
threads, so a slow client never holds a thread; what it can hold is a connection.  So:

* a request (headers and body) must arrive within ``request_timeout`` seconds of its first
  byte, or its connection is closed (waitress has only an *idle* timeout, which a client
  sending one byte every few seconds never trips: the check is added here);
* a connection idle for ``idle_timeout`` seconds between requests is closed;
* at most ``connection_limit`` connections are open (further ones wait in the listen backlog);
* both checks run every ``cleanup_interval`` seconds.

A request whose answer needs no work — a plain query whose answer is in the answer cache, or
its ``304`` (:meth:`talkgraph.web.fastpath.FastPath.ready`) — is served by the loop itself,
as soon as it is read: handing it to a thread and the answer back (a lock, a wake-up, a trigger
through a pipe) cost more than the answer, about 80 µs of the 170 µs a cached answer cost in
all.  For an HTTP/1.1 request that keeps its connection, the loop writes the answer itself
(status line, headers as waitress writes them, body: one ``send``), without the WSGI task
around it: 40 µs in all.  So cached answers come back even while every thread is busy.  Only
while the connection's output stays in memory and far below waitress's high watermark (the
loop must never wait for its own output); anything else goes to a thread as before.  An
answer without a body by definition (``304``, ``204``) keeps an HTTP/1.1 connection open
(waitress closed it for want of a ``Content-Length``).  Every answer's header goes out with
the start of its body in one ``send`` (waitress sent each at once: two system calls and two
packets per answer).

The defaults are in :data:`talkgraph.settings.SETTINGS` and can be changed with the
application's config keys ``SERVER_THREADS``, ``SERVER_REQUEST_TIMEOUT``,
``SERVER_IDLE_TIMEOUT``, ``SERVER_CONNECTION_LIMIT`` and ``SERVER_CLEANUP_INTERVAL``.  In
production, put a reverse proxy (nginx, Caddy...) in front, which buffers requests and limits
connections per client (see docs/limits-and-safety.md).
"""

from __future__ import annotations

import logging
import resource
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask import Flask
from waitress import create_server, wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer
from waitress.task import WSGITask
from waitress.trigger import trigger as Trigger
from waitress.utilities import build_http_date

from ..settings import DEFAULTS

log = logging.getLogger(__name__)

_KEYS = (
    "SERVER_REQUEST_TIMEOUT",
    "SERVER_IDLE_TIMEOUT",
    "SERVER_CONNECTION_LIMIT",
    "SERVER_CLEANUP_INTERVAL",
)


_COALESCE = 256 * 1024  # a first body part up to this size is sent with the header


class PreparedTask(WSGITask):  # type: ignore[misc]
    """A WSGI task whose environ may have been made already (by :func:`_add_task`), and that
    keeps an HTTP/1.1 connection open after an answer that has no body by definition (1xx,
    ``204``, ``304``: RFC 9112, 6.3).  Waitress closes it for want of a ``Content-Length``,
    which such an answer must not have: every ``304`` to a revalidating client (the endpoint's
    ``ETag``) would cost it a new connection."""

    _bodiless = False

    def __init__(self, channel: HTTPChannel, request: Any) -> None:
        super().__init__(channel, request)
        self.environ = getattr(request, "prepared_environ", None)

    def build_response_header(self) -> bytes:
        self._bodiless = not self.has_body and self.version == "1.1"
        try:
            return bytes(super().build_response_header())
        finally:
            self._bodiless = False

    def write(self, data: bytes) -> None:
        """As waitress, but the header and the first part of the body go out together: waitress
        sends each at once (``send_bytes`` is 1), so every answer cost two ``send`` calls and
        two packets (``TCP_NODELAY``) — under load, more than half the loop's time."""
        if self.wrote_header or not data or len(data) > _COALESCE:
            super().write(data)
            return
        channel, parts = self.channel, list[bytes]()
        channel.write_soon = parts.append  # this task's writes only (one task at a time)
        try:
            super().write(data)
        finally:
            del channel.write_soon
        channel.write_soon(b"".join(parts))

    def set_close_on_finish(self) -> None:
        if self._bodiless and self.request.headers.get("CONNECTION", "").lower() != "close":
            return  # the one reason left: no Content-Length, which it needs not
        super().set_close_on_finish()


class TimedChannel(HTTPChannel):  # type: ignore[misc]
    """A waitress channel that remembers when the request it is reading began, and serves in
    the loop a request whose answer is ready (see :func:`_add_task`)."""

    task_class = PreparedTask
    request_began: float | None = None
    _timed: object = None
    inline = False  # the first request in ``requests`` is to be served in the loop
    current_outbuf_count: int  # (waitress's)

    def received(self, data: bytes) -> bool:
        self.server.loop_thread = threading.get_ident()  # received() runs in the loop only
        result = bool(super().received(data))
        if self.request is not self._timed:  # a new request began (or none is partial)
            self._timed = self.request
            self.request_began = time.monotonic() if self.request is not None else None
        if self.inline:
            self._serve_inline()
        return result

    def _serve_inline(self) -> None:
        try:
            while self.inline and self.requests:
                self.inline = False
                if not self._send_ready():
                    self.service()  # the next pipelined request may be marked inline again
        finally:
            self.inline = False
        if self.total_outbufs_len and not self.requests:
            self.handle_write()  # send now rather than on the loop's next pass

    def _send_ready(self) -> bool:
        """Send the ready answer of the first request as waitress's task would (its status
        line, the headers sorted and capitalised, ``Server`` and ``Date``, the body), without
        the WSGI machinery around it, and go on as :meth:`service` does after an answer that
        keeps the connection: only for an HTTP/1.1 request that does not ask to close it."""
        request = self.requests[0]
        respond = getattr(self.server, "respond", None)
        if (
            respond is None
            or request.version != "1.1"
            or request.headers.get("CONNECTION", "").lower() == "close"
            or not self.connected
        ):
            return False
        answer = respond(request.prepared_environ)
        if answer is None:
            return False
        status, headers, body = answer
        lines = [(_capitalised(name), value) for name, value in headers]
        lines += [("Server", self.adj.ident), ("Date", _http_date())]
        lines.sort(key=lambda line: line[0])
        head = "\r\n".join([f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in lines)])
        self.write_soon(head.encode("latin-1") + b"\r\n\r\n" + body)
        if self.current_outbuf_count > 0:  # as service(): the next answer in a new buffer
            self.current_outbuf_count = self.adj.outbuf_high_watermark
        request.close()
        with self.requests_lock:
            self.requests.pop(0)
            if self.requests:
                self.server.add_task(self)
            elif (
                self.request is not None
                and self.request.expect_continue
                and self.request.headers_finished
                and not self.sent_continue
            ):
                self.send_continue()
        self.last_activity = time.time()
        return True


@lru_cache(maxsize=256)
def _capitalised(name: str) -> str:
    """A header name as waitress writes it (``ETag`` -> ``Etag``)."""
    return "-".join(part.capitalize() for part in name.split("-"))


def _http_date() -> str:
    """The ``Date`` header's value now (made once a second)."""
    return _date_of(int(time.time()))


@lru_cache(maxsize=2)
def _date_of(second: int) -> str:
    return str(build_http_date(second))


def _add_task(server: Any, ready: Callable[[dict[str, Any]], int | None]) -> Callable[[Any], None]:
    """``server.add_task`` serving in the loop a request whose answer needs no work (a cached
    answer): handing it to a thread (a lock, a wake-up, the trigger back to the loop) costs
    more than the answer.  Only from the loop itself, and only while the connection's output
    stays in memory and far below waitress's high watermark (the loop must never wait on its
    own output, nor write a temporary file)."""
    dispatch, adj = server.task_dispatcher.add_task, server.adj

    def add_task(channel: Any) -> None:
        request = channel.requests[0]
        if threading.get_ident() == getattr(server, "loop_thread", None) and not (
            request.error or request.expect_continue
        ):
            environ = WSGITask(channel, request).get_environment()
            request.prepared_environ = environ  # made once (PreparedTask)
            try:
                size = ready(environ)
            except Exception:  # noqa: BLE001 - a thread serves it, as any other request
                log.exception("finding a ready answer failed")
                size = None
            room = min(adj.outbuf_overflow, adj.outbuf_high_watermark // 2)
            if size is not None and channel.total_outbufs_len + size < room:
                channel.inline = True
                return
        dispatch(channel)

    return add_task


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


def _pull_trigger(server: Any) -> Callable[[], None]:
    """``server.pull_trigger`` (wake the loop), skipped in the loop itself, which serves ready
    answers (:func:`_add_task`): it sees the output on its next pass anyway."""
    pull = server.pull_trigger

    def pull_trigger() -> None:
        if threading.get_ident() != getattr(server, "loop_thread", None):
            pull()

    return pull_trigger


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
        front = getattr(app, "wsgi_app", None)  # FastPath (talkgraph.web.fastpath)
        ready = getattr(front, "ready", None)
        if ready is not None:
            one.add_task = _add_task(one, ready)
            one.respond = getattr(front, "respond", None)
            one.pull_trigger = _pull_trigger(one)
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
