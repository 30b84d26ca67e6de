"""Security headers, request ids and the request log line, for every response.

Each request gets an id (a client's ``X-Request-Id`` is kept when it is short and plain,
otherwise a fresh one); it is sent back in ``X-Request-Id``, put into every error body (see
:mod:`talkgraph.web.errors`) and into the access log line of the request: method, path (with
its query string), status, duration and id.  Text from the request is escaped before it is
logged (:func:`escape_for_log`): a ``%0A`` in a path cannot write a line of its own.  Every
response carries a strict Content-Security-Policy (no inline script or style), ``nosniff``,
``no-referrer`` and ``X-Frame-Options: DENY``.  Debug mode is switched off whatever the
environment says.
"""

from __future__ import annotations

import logging
import random
import re
import time
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import BadRequest

log = logging.getLogger("talkgraph.web.access")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
#: Headers set on every response (a view may not loosen them).
HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_G_ID = "talkgraph_request_id"
#: The environ key of the time (``time.monotonic()``) a request began, when set before Flask.
STARTED = "talkgraph.started"


_CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")
_CONTROL_ONLY = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_for_log(text: str, limit: int = 2000) -> str:
    """Request text on one line: control characters (and backslashes, so the escapes are
    unambiguous) as ``\\xNN``/``\\uNNNN``, cut to ``limit`` characters."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return _CONTROL.sub(_one, text)


def _one_line(text: str, limit: int = 20_000) -> str:
    """Control characters escaped (not backslashes: the text may hold escapes already)."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return _CONTROL_ONLY.sub(_one, text)


class EscapingFormatter(logging.Formatter):
    """A log formatter that writes every record as one line: control characters in the
    message are escaped; a traceback follows on indented lines, escaped the same way."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging API
        record.message = _one_line(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging API
        text = super().formatException(ei)
        return "\n".join("    " + _one_line(line) for line in text.splitlines())

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging API
        return "\n".join("    " + _one_line(line) for line in stack_info.splitlines())


def new_request_id() -> str:
    """12 hex digits (48 random bits: the id finds a log line, it guards nothing)."""
    return f"{random.getrandbits(48):012x}"


def client_request_id(given: str | None) -> str:
    """The client's ``X-Request-Id`` when it is short and plain, else a new id."""
    return given if given and _CLIENT_ID.match(given) else new_request_id()


def log_access(method: str, target: str, status: int, started: float | None, rid: str) -> None:
    """The access log line of one request (``target``: path and query string); text from the
    request escaped; a 5xx is logged as a warning."""
    level = logging.WARNING if status >= 500 else logging.INFO
    if not log.isEnabledFor(level):
        return
    took = (time.monotonic() - started) * 1000 if started is not None else 0.0
    log.log(
        level,
        "%s %s %d %.1fms id=%s",
        escape_for_log(method, 20),
        escape_for_log(target),
        status,
        took,
        rid,
    )


def request_id() -> str:
    """The id of the current request (made on first use)."""
    found = g.get(_G_ID)
    if not isinstance(found, str):
        found = new_request_id()
        setattr(g, _G_ID, found)
    return found


def _begin() -> None:
    if _CONTROL_IN_PATH.search(request.path):
        setattr(g, _G_ID, new_request_id())
        raise BadRequest("the path holds a control character")
    setattr(g, _G_ID, client_request_id(request.environ.get("HTTP_X_REQUEST_ID")))
    started = request.environ.get(STARTED)  # set by the fast path when it hands over
    g.talkgraph_started = started if isinstance(started, float) else time.monotonic()


def _finish(response: Response) -> Response:
    headers = response.headers
    for name, value in HEADERS.items():
        headers[name] = value
    rid = request_id()
    headers["X-Request-Id"] = rid
    started = g.get("talkgraph_started")
    target = request.full_path if request.query_string else request.path
    log_access(
        request.method,
        target,
        response.status_code,
        started if isinstance(started, float) else None,
        rid,
    )
    return response


def install(app: Flask) -> None:
    """Register the hooks on ``app`` and switch debug mode off (the one place that does,
    whatever the configuration or ``FLASK_DEBUG`` says)."""
    app.debug = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.before_request(_begin)
    app.after_request(_finish)
    app.jinja_env.globals["request_id"] = request_id  # error pages show it
