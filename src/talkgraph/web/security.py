"""Security headers, request ids and the request log line, for every response.

Each request gets an id (a client's ``X-Request-Id`` is kept when it is short and plain,
otherwise a fresh one); it is sent back in ``X-Request-Id``, put into error bodies (see
:mod:`talkgraph.web.errors`) and into the log line of the request.  Every response carries a
strict Content-Security-Policy (no inline script or style), ``nosniff``, ``no-referrer`` and
``X-Frame-Options: DENY``.  Debug mode is switched off whatever the environment says.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, current_app, g, request

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


def new_request_id() -> str:
    return uuid.uuid4().hex[:12]


def request_id() -> str:
    """The id of the current request (made on first use)."""
    found = g.get(_G_ID)
    if not isinstance(found, str):
        found = new_request_id()
        setattr(g, _G_ID, found)
    return found


def _begin() -> None:
    given = request.headers.get("X-Request-Id", "")
    setattr(g, _G_ID, given if _CLIENT_ID.match(given) else new_request_id())
    g.talkgraph_started = time.monotonic()
    if current_app.debug:  # never serve in debug mode, whatever set it
        current_app.debug = False


def _finish(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers[name] = value
    response.headers["X-Request-Id"] = request_id()
    started = g.get("talkgraph_started")
    took = (time.monotonic() - started) * 1000 if isinstance(started, float) else 0.0
    level = logging.WARNING if response.status_code >= 500 else logging.INFO
    log.log(
        level,
        "%s %s %s %d %.1fms",
        request_id(),
        request.method,
        request.path,
        response.status_code,
        took,
    )
    return response


def install(app: Flask) -> None:
    """Register the hooks on ``app`` and switch debug mode off."""
    app.debug = False
    app.config["DEBUG"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.before_request(_begin)
    app.after_request(_finish)
