"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint.

* Queries by ``GET ?query=``, ``POST`` form (``query=``) or ``POST application/sparql-query``;
  ``default-graph-uri`` and ``named-graph-uri`` (repeatable) set the dataset.  The named graphs
  are the build's: one per programme (``{base}graph/{event}``), the topic vocabulary
  (``{base}graph/topics``) and the description (``{base}download/void.ttl``); the default graph
  is their union (see :class:`talkgraph.store.MemoryStore`).
* Results by content negotiation (``Accept``) or a ``format=`` parameter: SELECT/ASK as SPARQL
  JSON (default), XML, CSV, TSV; CONSTRUCT/DESCRIBE as Turtle (default), N-Triples, JSON-LD,
  RDF/XML.  Nothing acceptable: 406 listing what is.
* Errors as text a person can read (JSON if preferred): a malformed query is 400 with the
  parser's message, line, column and the line with a caret; SPARQL Update (``update=``,
  ``application/sparql-update``, INSERT/DELETE/LOAD/… in a query) and ``SERVICE`` are 403
  and nothing is changed or fetched; a query over the time limit is stopped (its worker process
  killed) and answered 503 naming the limit; a result over the row or byte limit is 413 (we do
  not silently truncate: the client is told to add a LIMIT); a query text over the size limit
  is 413.
* Answers are cached per dataset version: a ``GET`` answer carries a weak ``ETag`` (a digest of
  the dataset version, the query, the dataset parameters, ``format`` and ``Accept``) and
  ``Cache-Control: public, no-cache``, so a client revalidates and gets ``304 Not Modified``
  while the dataset is unchanged; the server keeps recent answers in memory
  (``ANSWER_CACHE_BYTES``, 0 turns it off; answers over 1/16 of it are not kept) and serves
  a repeated query (GET or POST) without running it.  Limits and refusals apply first, always.
* A plain query ``GET`` or ``POST`` (form or ``application/sparql-query``; ``query``,
  ``format``, dataset parameters) is answered before Flask's dispatch by
  :mod:`talkgraph.web.fastpath` — from the cache or by :func:`run_query`, with the same headers
  and log line; its errors come back here (:data:`FAILED`) to be answered.
* ``GET /sparql`` without a query: the SPARQL 1.1 Service Description (Turtle, JSON-LD,
  N-Triples or RDF/XML); a browser asking for HTML is sent to the query page (303 ``/query``).
* CORS: any origin may read; ``OPTIONS`` answers the preflight.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ..errors import QueryRefused
from ..formats import FORMATS, HTML_TYPES, NAME_ALIASES, RESULT_TYPES, TRIPLE_FORMATS, W3_FORMATS
from ..settings import integer
from ..store import QueryTooLarge
from ..store.base import admit
from ..vocab import SD
from . import AppState, state
from .errors import prefer_text_errors
from .media import offers_of, pick, pick_for, typed
from .reload import dataset_version

bp = Blueprint("sparql", __name__)

#: The result formats by query kind: ``(name, media type, aliases)``, the first the default.
_KINDS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "table": [(r.name, r.media_type, r.aliases) for r in RESULT_TYPES.values()],
    "graph": [(f.name, f.media_type, f.aliases) for f in TRIPLE_FORMATS],
}
_SD_FORMATS = ("turtle", "jsonld", "nt", "xml")
CACHE_CONTROL = "public, no-cache"


class AnswerCache:
    """Recent answers (bytes and media type) by key, least recently used first out, bounded
    by their total size; thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 16
        self._entries: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: str, data: bytes, media_type: str) -> None:
        if len(data) > self.max_entry:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old[0])
            self._entries[key] = (data, media_type)
            self._size += len(data)
            while self._size > self.max_bytes and self._entries:
                _, (gone, _) = self._entries.popitem(last=False)
                self._size -= len(gone)


def _answers() -> AnswerCache | None:
    """The served dataset's answer cache (``None`` when ``ANSWER_CACHE_BYTES`` is 0)."""
    return answers_of(state(), current_app.config)


def answers_of(st: AppState, config: Mapping[str, Any]) -> AnswerCache | None:
    """``st``'s answer cache (``None`` when the config's ``ANSWER_CACHE_BYTES`` is 0)."""
    size = int(config.get("ANSWER_CACHE_BYTES", integer("ANSWER_CACHE_BYTES")))
    if size <= 0:
        return None
    return st.cache("answers", AnswerCache, lambda: AnswerCache(size))


def answer_key(
    version: str,
    query: str,
    default_graph_uris: list[str],
    named_graph_uris: list[str],
    formats: list[str],
    accept: str,
) -> str:
    """What an answer depends on: the dataset version, the query, the dataset and format
    parameters and ``Accept`` (the negotiation input); also the answer's ``ETag``."""
    parts = (version, query, default_graph_uris, named_graph_uris, formats, accept)
    return hashlib.blake2b(repr(parts).encode(), digest_size=18).hexdigest()


def _answer_key(st: AppState, query: str, params: MultiDict[str, str]) -> str:
    return answer_key(
        dataset_version(st),
        query,
        params.getlist("default-graph-uri"),
        params.getlist("named-graph-uri"),
        params.getlist("format"),
        request.headers.get("Accept", ""),
    )


#: Where :mod:`.fastpath` leaves the error of a query it ran, for Flask to answer.
FAILED = "talkgraph.sparql.failed"


@bp.before_request
def _limits() -> None:
    prefer_text_errors()
    failed = request.environ.pop(FAILED, None)
    if isinstance(failed, Exception):  # answered as if the endpoint had raised it
        raise failed
    limit = state().limits.max_query_bytes
    # a form-encoded query may triple in size; the decoded text is checked by the store
    request.max_content_length = 3 * limit + 4096
    if len(request.query_string) > 3 * limit + 4096:
        raise _too_large(limit)


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    return response


def _too_large(limit: int) -> QueryTooLarge:
    return QueryTooLarge(f"the request is larger than the limit for a query ({limit} bytes)")


def _one(params: MultiDict[str, str], name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"give exactly one {name!r} parameter, not {len(values)}")
    return values[0] if values else None


def _read() -> tuple[str | None, MultiDict[str, str]]:
    """The query text (``None`` if absent) and all parameters of the request."""
    params: MultiDict[str, str] = MultiDict(request.args)
    body_query = None  # an application/sparql-query POST's body
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == "application/sparql-update":
            raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted")
        if mimetype == "application/sparql-query":
            body_query = request.get_data(as_text=True)
        elif mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            params.update(request.form)
        else:
            raise UnsupportedMediaType(
                "POST a query as application/x-www-form-urlencoded (query=...) "
                "or as application/sparql-query"
            )
    if "update" in params:
        raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted")
    if body_query is None:
        return _one(params, "query"), params
    if "query" in params:
        raise BadRequest(
            "an application/sparql-query POST carries its query in the body; "
            "do not also give a 'query' parameter in the URL"
        )
    return body_query, params


def negotiate(kind: str, formats: list[str], accept: str | None) -> str:
    """The format name for a result of ``kind`` ("table" or "graph") from the ``format``
    parameters (at most one) and the ``Accept`` value."""
    table = _KINDS[kind]
    if len(formats) > 1:
        raise BadRequest(f"give exactly one 'format' parameter, not {len(formats)}")
    wanted = formats[0] if formats else None
    if wanted:
        name = NAME_ALIASES.get(wanted.lower(), wanted.lower())
        names = [name for name, _, _ in table]
        if name not in names:
            raise BadRequest(
                f"format {wanted!r} is not available for this query; use one of " + ", ".join(names)
            )
        return name
    supported = ", ".join(media for _, media, _ in table)
    return pick_for(
        accept,
        offers_of(table),
        f"no acceptable result format; this query can answer with {supported}",
    )


def _cacheable(response: Response, key: str) -> Response:
    """Mark a GET answer for HTTP caching (a weak validator: the bytes may differ, e.g. blank
    node labels, while the answer is the same)."""
    if request.method in ("GET", "HEAD"):
        response.set_etag(key, weak=True)
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.route("/sparql", methods=["GET", "POST"], provide_automatic_options=False)
def endpoint() -> Response:
    query, params = _read()
    if query is None:
        if request.method == "POST":
            raise BadRequest("no query: send query=... or a body of type application/sparql-query")
        return _service_description()
    st = state()
    form = admit(query, st.limits)  # size, no Update, no SERVICE: before anything else
    key = _answer_key(st, query, params)
    if request.method in ("GET", "HEAD") and request.if_none_match.contains_weak(key):
        return _cacheable(Response(status=304), key)
    answers = _answers()
    cached = answers.get(key) if answers is not None else None
    if cached is not None:
        return _cacheable(typed(*cached), key)
    data, media_type = run_query(
        st,
        query,
        form,
        params.getlist("default-graph-uri"),
        params.getlist("named-graph-uri"),
        params.getlist("format"),
        request.environ.get("HTTP_ACCEPT"),
    )
    if answers is not None:
        answers.put(key, data, media_type)
    return _cacheable(typed(data, media_type), key)


def run_query(
    st: AppState,
    query: str,
    form: str | None,
    default_graph_uris: list[str],
    named_graph_uris: list[str],
    formats: list[str],
    accept: str | None,
) -> tuple[bytes, str]:
    """Run an admitted query (of ``form``, from :func:`admit`) on ``st``'s store: the answer
    in the negotiated format and its media type."""
    kind = "graph" if form in ("construct", "describe") else "table"
    fmt = negotiate(kind, formats, accept)
    result = st.store.query(
        query,
        default_graph_uris=default_graph_uris,
        named_graph_uris=named_graph_uris,
        result_format=fmt,
    )
    actual = "graph" if result.kind == "graph" else "table"
    if actual != kind:  # the form was not recognisable before parsing
        fmt = negotiate(actual, formats, accept)
    data = result.serialize(fmt)
    return data, next(media for name, media, _ in _KINDS[actual] if name == fmt)


@bp.route("/sparql", methods=["OPTIONS"], provide_automatic_options=False)
def preflight() -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Allow"] = "GET, HEAD, POST, OPTIONS"
    return response


def _service_description() -> Response:
    offered = [(FORMATS[name].media_type, name) for name in _SD_FORMATS]
    what = ", ".join(media for media, _ in offered)
    name = pick(
        [*offered, (HTML_TYPES[0], "html")], f"the service description is available as {what}"
    )
    if name == "html":
        return Response(status=303, headers={"Location": "/query"})
    fmt = FORMATS[name]
    graph = service_description(url_for("sparql.endpoint", _external=True))
    data = graph.serialize(format=fmt.rdflib, encoding="utf-8")
    return typed(data, fmt.media_type)


def service_description(endpoint_url: str) -> Graph:
    """The SPARQL 1.1 Service Description of this endpoint as an rdflib graph."""
    store = state().store
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    service = URIRef(endpoint_url)
    dataset = URIRef(f"{endpoint_url}#dataset")
    default = URIRef(f"{endpoint_url}#default-graph")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in [r.w3 for r in RESULT_TYPES.values()] + [f.w3 for f in TRIPLE_FORMATS]:
        graph.add((service, SD.resultFormat, URIRef(W3_FORMATS + name)))
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(store.triple_count, datatype=XSD.integer)))
    if store.named_graphs:  # the default graph is the union of the named graphs
        graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for index, name in enumerate(store.named_graphs, start=1):
        node = URIRef(f"{endpoint_url}#named-graph-{index}")
        graph.add((dataset, SD.namedGraph, node))
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, URIRef(name)))
    graph.add((dataset, RDFS.seeAlso, state().minter.dataset))
    return graph
