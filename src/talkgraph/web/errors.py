"""One error shape for the whole web application.

Every error becomes ``{"error": kind, "message": ..., "status": n, "request_id": id}`` (the id
is also in the ``X-Request-Id`` header and the access log line) — as JSON when the client
prefers JSON, as plain text when it prefers text (the SPARQL endpoint prefers text, so a
person reading a protocol client's output sees the parser's message and position), otherwise
as a small escaped HTML page.  :class:`~talkgraph.errors.TalkgraphError` subclasses give their
own ``http_status``; HTTP errors keep theirs; anything else is a 500 with a request id, logged
here with its traceback and never shown to the client.
"""

from __future__ import annotations

import json
import logging
from html import escape

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from ..errors import TalkgraphError
from ..formats import HTML_TYPES, JSON_TYPE, TEXT_TYPE
from .media import best
from .security import escape_for_log, request_id

log = logging.getLogger(__name__)

_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{status} {title}</title></head>
<body><main><h1>{status} {title}</h1><p>{message}</p>{extra}</main></body></html>
"""


def prefer_text_errors() -> None:
    """For the current request, answer errors as text unless JSON or HTML is preferred.

    Call it from a blueprint's ``before_request`` (the SPARQL endpoint does).
    """
    g.talkgraph_text_errors = True


def _choose() -> str:
    if g.get("talkgraph_text_errors"):
        order = [TEXT_TYPE, JSON_TYPE, HTML_TYPES[0]]
    else:
        order = [HTML_TYPES[0], JSON_TYPE, TEXT_TYPE]
    return best(order) or order[0]


def error_response(kind: str, message: str, status: int, **extra: object) -> Response:
    """The one error response: ``kind`` names the error, ``message`` is for a person."""
    # the id finds the request's access log line (and, for a 5xx, its traceback)
    extra = {**extra, "request_id": extra.get("request_id") or request_id()}
    body: dict[str, object] = {"error": kind, "message": message, "status": status, **extra}
    mimetype = _choose()
    if mimetype == JSON_TYPE:
        text = json.dumps(body, ensure_ascii=False, indent=1)
    elif mimetype == TEXT_TYPE:
        lines = [f"{status} {kind}: {message}"]
        lines += [f"{k}: {v}" for k, v in extra.items() if k != "excerpt"]
        if extra.get("excerpt"):
            lines += ["", str(extra["excerpt"])]
        text = "\n".join(lines) + "\n"
    else:
        details = "".join(
            f"<pre>{escape(str(v))}</pre>" if k == "excerpt" else f"<p>{escape(f'{k}: {v}')}</p>"
            for k, v in extra.items()
        )
        text = _HTML.format(
            status=status, title=escape(kind), message=escape(message), extra=details
        )
    response = Response(text, status=status, mimetype=mimetype)
    response.headers["Vary"] = "Accept"
    return response


def _talkgraph_error(error: TalkgraphError) -> Response:
    data = error.to_dict()
    extra = {k: v for k, v in data.items() if k not in ("error", "message")}
    response = error_response(type(error).__name__, error.message, error.http_status, **extra)
    retry = getattr(error, "retry_after", None)
    if isinstance(retry, int):  # a busy server says when to come back
        response.headers["Retry-After"] = str(retry)
    return response


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_response(error.name, error.description or error.name, status)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _unexpected(error: Exception) -> Response:
    log.exception(
        "request %s failed: %s %s", request_id(), request.method, escape_for_log(request.path)
    )
    return error_response(
        "InternalServerError",
        "something went wrong on the server; the error has been logged",
        500,
    )


def register_errors(app: Flask) -> None:
    """Install the error handlers on ``app`` (security headers: :mod:`.security`)."""
    app.register_error_handler(TalkgraphError, _talkgraph_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
