"""Serving ready answers in waitress's loop.

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
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from waitress.channel import HTTPChannel
from waitress.task import WSGITask
from waitress.utilities import build_http_date

log = logging.getLogger(__name__)

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


class LoopChannel(HTTPChannel):  # type: ignore[misc]
    """A waitress channel that serves in the loop a request whose answer is ready (see
    :func:`_add_task`)."""

    task_class = PreparedTask
    inline = False  # the first request in ``requests`` is to be served in the loop
    current_outbuf_count: int  # (waitress's)

    def __init__(self, server: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(server, *args, **kwargs)
        server.loop_thread = threading.get_ident()  # a connection is accepted in the loop

    def received(self, data: bytes) -> bool:
        result = bool(super().received(data))
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
        try:
            answer = respond(request.prepared_environ)
        except Exception:  # noqa: BLE001 - a task answers it (through the full path)
            log.exception("sending a ready answer failed")
            return False
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


def _pull_trigger(server: Any) -> Callable[[], None]:
    """``server.pull_trigger`` (wake the loop), skipped in the loop itself, which serves ready
    answers (:func:`_add_task`): it sees the output on its next pass anyway."""
    pull = server.pull_trigger

    def pull_trigger() -> None:
        if threading.get_ident() != getattr(server, "loop_thread", None):
            pull()

    return pull_trigger


def install(server: Any, front: Any) -> None:
    """Serve the ready answers of ``front`` (a :class:`talkgraph.web.fastpath.FastPath`: its
    ``ready`` and ``respond``) in the loop of ``server`` (a waitress server whose channels are
    :class:`LoopChannel`); nothing when ``front`` has none."""
    ready, respond = getattr(front, "ready", None), getattr(front, "respond", None)
    if ready is None or respond is None:
        return
    server.add_task = _add_task(server, ready)
    server.respond = respond
    server.pull_trigger = _pull_trigger(server)
