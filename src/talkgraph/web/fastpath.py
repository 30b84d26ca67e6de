"""The lean path of the commonest requests: a plain SPARQL query by ``GET`` or ``POST``.

Profiled under the light query mix on the seed build (py-spy on the web process), a cached
answer cost about 400 µs of server CPU per request, of which waitress took about 110 and
Flask's dispatch (request context, URL map, hooks, response object) and our hooks most of the
rest.  :class:`FastPath` wraps the Flask application's ``wsgi_app`` and answers a plain query
itself — from the answer cache, or by running the query as the endpoint does
(:func:`talkgraph.web.sparql.run_query`, the same negotiation, the answer cached) — with what
the full path would send: the same status, body and headers (``Cache-Control``, CORS,
``Vary``, ``X-Dataset-Version``, the security headers, the request id), and the same access
log line.  The state is pinned for the request as :mod:`.reload` does.  A plain query is:

* ``GET /sparql?query=...``: its answer carries the ``ETag`` and ``Cache-Control`` the
  endpoint gives a GET answer, and is ``304`` when ``If-None-Match`` holds its ``ETag``;
* ``POST /sparql`` (SPARQL 1.1 Protocol) with an ``application/x-www-form-urlencoded`` body
  (``query=``, and the other parameters below, in the body or the URL), or with an
  ``application/sparql-query`` body (the query; the other parameters in the URL).  As the
  endpoint does, a POST answer shares the answer cache (same key: a POST and a GET of one query
  are one entry) but has no ``ETag``, no ``Cache-Control`` and no ``304``.  The body is read
  only when ``CONTENT_LENGTH`` is a plain number from 1 to the endpoint's limit (three times
  ``MAX_QUERY_BYTES`` plus 4 KiB, what Flask would read) and no ``Transfer-Encoding`` is
  given, and is decoded as UTF-8 as werkzeug does (a content type parameter other than
  ``charset=utf-8`` goes to Flask); what was read is put back as ``wsgi.input``
  (:class:`io.BytesIO`, same ``CONTENT_LENGTH``), so Flask reads the same body when the
  request is handed on.

:meth:`FastPath.ready` looks a request's answer up without running anything (the answer
cache, or a ``304`` for an answer it holds; no query check: only an admitted query's answer is
ever cached): the server's loop serves such a request itself (:mod:`.server`), with the same
status, headers and log line.

Everything else goes to Flask unchanged: other methods (``HEAD``, ``OPTIONS``) and paths, a
request with a parameter other than ``query``, ``format``, ``default-graph-uri`` and
``named-graph-uri`` (``update`` is refused there), a repeated ``query`` or ``format`` (URL and
form together), a query string or body over the size limit, a POST without a plain length, of
another content type (``multipart/form-data``, ``application/sparql-update``, ...), a
``sparql-query`` POST with ``query`` in its URL, a query the check refuses
(:func:`talkgraph.store.base.admit`, run here first), anything that does not decode.  When
running the query fails (a syntax error, a limit, a busy pool, no acceptable format...), the
error is handed to Flask in the environ (:data:`talkgraph.web.sparql.FAILED`), whose
``/sparql`` hook raises it: the error response is the one error shape, from one place.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask
from werkzeug.http import parse_etags, parse_options_header

from ..formats import with_charset
from ..store.base import admit
from . import AppState
from .reload import dataset_version, pin, tracker
from .security import HEADERS, STARTED, client_request_id, log_access
from .sparql import CACHE_CONTROL, FAILED, answer_key, answers_of, run_query

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

READY = "talkgraph.ready"  # environ key: an answer found by FastPath.ready
_PARAMS = frozenset(("query", "format", "default-graph-uri", "named-graph-uri"))
_FORM = "application/x-www-form-urlencoded"
_QUERY_BODY = "application/sparql-query"
_SHARED = [("Access-Control-Allow-Origin", "*"), ("Vary", "Accept"), *HEADERS.items()]
_FIXED = [("Cache-Control", CACHE_CONTROL), *_SHARED]  # a GET answer's


@dataclass(frozen=True)
class _Plain:
    """A plain query request, admitted."""

    query: str
    form: str | None
    default_graph_uris: list[str]
    named_graph_uris: list[str]
    formats: list[str]
    accept: str | None


@lru_cache(maxsize=64)
def _media_type(content_type: str) -> str | None:
    """The media type of a ``Content-Type`` value (lower case, as ``request.mimetype``), or
    ``None`` when it has a parameter other than ``charset=utf-8`` (the full path decides)."""
    media_type, options = parse_options_header(content_type)
    if any(
        name != "charset" or value.lower() not in ("utf-8", "utf8")
        for name, value in options.items()
    ):
        return None
    return media_type.lower()


def _body(environ: dict[str, Any], limit: int) -> bytes | None:
    """The request body when its ``Content-Length`` is a plain number from 1 to ``limit``
    (else ``None``, nothing read); what was read is put back as ``wsgi.input`` (with the same
    ``CONTENT_LENGTH``) for the full path to read again.  ``None`` for a short body too."""
    if "HTTP_TRANSFER_ENCODING" in environ:  # a stream (waitress sends a dechunked body sized)
        return None
    length = environ.get("CONTENT_LENGTH") or ""
    if not (0 < len(length) <= 12 and length.isascii() and length.isdigit()):
        return None
    size = int(length)
    if not 0 < size <= limit:  # over: Flask refuses it (413) before reading
        return None
    stream, left = environ["wsgi.input"], size
    chunks: list[bytes] = []
    try:
        while left > 0:
            chunk = stream.read(left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        body = b"".join(chunks)
        environ["wsgi.input"] = io.BytesIO(body)
    return body if len(body) == size else None


def _decode(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


_REMEMBERED_TEXT = 4096  # a query string or form body up to this length is decoded once
_pairs = lru_cache(maxsize=512)(_decode)  # (percent-decoding was a tenth of a cached answer)


def _collect(params: dict[str, list[str]], text: str) -> bool:
    """Add the parameters of ``text`` (a query string or form body) to ``params``; ``False``
    for a name other than the plain ones (``update`` among them)."""
    pairs = _pairs(text) if len(text) <= _REMEMBERED_TEXT else _decode(text)
    for name, value in pairs:
        if name not in _PARAMS:
            return False
        params.setdefault(name, []).append(value)
    return True


def _plain(environ: dict[str, Any], st: AppState, check: bool = True) -> _Plain | None:
    """The request as a plain query, or ``None`` for one the full path must see.  Without
    ``check``, the query is not admitted (no form): only a cached answer may be looked up for
    it, which exists only for a query admitted before (the check is a function of the text)."""
    limit = 3 * st.limits.max_query_bytes + 4096  # the endpoint's, for URL and body alike
    raw = environ.get("QUERY_STRING", "")
    if len(raw) > limit:  # over: Flask refuses
        return None
    params: dict[str, list[str]] = {}
    if raw and not _collect(params, raw.encode("latin-1").decode()):
        return None
    if environ["REQUEST_METHOD"] == "POST":
        media_type = _media_type(environ.get("CONTENT_TYPE") or "")
        if media_type == _FORM:
            body = _body(environ, limit)
            if body is None or not _collect(params, body.decode()):  # strict, as werkzeug
                return None
        elif media_type == _QUERY_BODY and "query" not in params:
            body = _body(environ, limit)
            if body is None:
                return None
            params["query"] = [body.decode()]  # strict (Flask replaces what does not decode)
        else:
            return None
    queries, formats = params.get("query", []), params.get("format", [])
    if len(queries) != 1 or len(formats) > 1:
        return None
    form = admit(queries[0], st.limits) if check else None  # raises for what it refuses
    return _Plain(
        queries[0],
        form,
        params.get("default-graph-uri", []),
        params.get("named-graph-uri", []),
        formats,
        environ.get("HTTP_ACCEPT"),
    )


class FastPath:
    """A WSGI application answering plain ``GET`` and ``POST`` queries on ``/sparql``, else
    ``inner``."""

    def __init__(self, app: Flask, inner: WSGIApp) -> None:
        self.app = app
        self.inner = inner

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != "/sparql" or method not in ("GET", "POST"):
            return self.inner(environ, start_response)
        answer = self.respond(environ)
        if answer is None:
            return self.inner(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def respond(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The answer to a plain query (status, headers, body; the access log line written),
        or ``None`` for the full path.  The server's loop calls it for a request that
        :meth:`ready` found ready, and sends the answer itself."""
        prepared = environ.pop(READY, None)
        if prepared is not None:  # found by :meth:`ready` (the server's loop)
            found, started = prepared
        else:
            started = time.monotonic()
            st = pin(self.app)
            try:
                found = self._answer(environ, st, started, environ["REQUEST_METHOD"] == "POST")
            finally:
                tracker(self.app).release(st)
        if found is None:
            return None
        status, headers, body = found
        rid = client_request_id(environ.get("HTTP_X_REQUEST_ID"))
        headers.append(("X-Request-Id", rid))
        query_string = environ.get("QUERY_STRING", "").encode("latin-1").decode()
        target = f"/sparql?{query_string}" if query_string else "/sparql"
        log_access(environ["REQUEST_METHOD"], target, int(status[:3]), started, rid)
        return status, headers, body

    def ready(self, environ: dict[str, Any]) -> int | None:
        """The size of this request's answer if it needs no query run (a plain query whose
        answer is in the answer cache, or a ``304``), else ``None``.  A ready answer is kept in
        ``environ`` and sent when the request is served (the server's loop serves such a request
        itself, without a thread: :mod:`.server`); else nothing is kept (a body read is put
        back)."""
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != "/sparql" or method not in ("GET", "POST"):
            return None
        started = time.monotonic()
        st = pin(self.app)
        try:
            found = self._answer(environ, st, started, method == "POST", run=False)
        finally:
            tracker(self.app).release(st)
        if found is None:
            return None
        environ[READY] = (found, started)
        return len(found[2])

    def _answer(
        self,
        environ: dict[str, Any],
        st: AppState,
        started: float,
        post: bool,
        run: bool = True,
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        try:
            plain = _plain(environ, st, check=run)
        except Exception:  # noqa: BLE001 - whatever it is, the full path answers it
            return None
        if plain is None:
            return None
        version = dataset_version(st)
        key = answer_key(
            version,
            plain.query,
            plain.default_graph_uris,
            plain.named_graph_uris,
            plain.formats,
            plain.accept or "",
        )
        answers = answers_of(st, self.app.config)
        cached = answers.get(key) if answers is not None else None
        if cached is None and not run:  # (then it was not admitted here: it may not be 304)
            return None
        if post:  # the endpoint marks only GET answers for HTTP caching (no ETag, no 304)
            headers = [*_SHARED, ("X-Dataset-Version", version)]
        else:
            headers = [("ETag", f'W/"{key}"'), *_FIXED, ("X-Dataset-Version", version)]
            if_none_match = environ.get("HTTP_IF_NONE_MATCH")
            if if_none_match and parse_etags(if_none_match).contains_weak(key):
                return "304 NOT MODIFIED", headers, b""
        if cached is None:
            try:
                cached = run_query(
                    st,
                    plain.query,
                    plain.form,
                    plain.default_graph_uris,
                    plain.named_graph_uris,
                    plain.formats,
                    plain.accept,
                )
            except Exception as error:  # noqa: BLE001 - answered by Flask's error handlers
                environ[FAILED] = error
                environ[STARTED] = started  # the log line counts the time spent here
                return None
            if answers is not None:
                answers.put(key, *cached)
        data, media_type = cached
        headers += [
            ("Content-Type", with_charset(media_type)),
            ("Content-Length", str(len(data))),
        ]
        return "200 OK", headers, data


def install(app: Flask) -> None:
    """Put :class:`FastPath` in front of ``app``'s WSGI application."""
    app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
