"""The remote backend: a SPARQL 1.1 store over HTTP (Oxigraph server, Virtuoso, Fuseki...).

The dataset lives in one named graph of the remote store (see
:mod:`talkgraph.publish_remote`); every query is sent with ``default-graph-uri`` set to it,
so queries see it as their default graph and nothing else of the remote store.  The read-only
rules are checked here before anything is sent.  Limits: the timeout is the client's HTTP
timeout (and Virtuoso's ``timeout`` parameter, whose partial "anytime" answers are refused);
the byte cap and the row cap are enforced while the answer is read; at most ``concurrency``
queries are sent at once and waiting for a turn is bounded (:class:`Gate`: HTTP 503 with
``Retry-After`` when the queue is full), as the local backends bound their worker pool.
Results are always asked for in SPARQL JSON or N-Triples (Virtuoso's TSV is not standard) and
re-serialised, so they are the same :class:`QueryResult` as the local backends give.  Only the
standard library's ``urllib`` speaks HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from typing import IO

import pyoxigraph as ox

from ..errors import ConfigError, QueryError, QueryTimeout, StoreRefused
from ..formats import FORMATS, RESULT_TYPES, TEXT_TYPE
from ..vocab import PREFIXES
from .base import Backend, Call, Limits
from .guard import analyse, normal_form
from .pool import admit_turn, busy, expected_wait
from .results import (
    CANONICAL,
    QueryResult,
    Term,
    ask_result,
    finish,
    formats_for,
    too_large,
    too_many,
)

_JSON = RESULT_TYPES["json"].media_type
_NT = FORMATS["nt"].media_type
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEANS = {"1": "true", "0": "false"}
#: Query strings longer than this go in a POST body (form-encoded: Virtuoso does not take
#: ``application/sparql-query`` bodies).
GET_LIMIT = 2000
_LEAST = 0.001  # the expected run time of a query not seen before (seconds)
_COSTS_KEPT = 4096  # query texts whose cost the gate remembers
#: Seconds the triple count made at start may take (a large graph is counted slowly).
STARTUP_TIMEOUT = 300.0
#: The published version of a graph ``G`` is named in the graph ``G/current`` by the triples
#: ``<G> tg:publishedVersion <VERSION>`` and ``<G> tg:publishedTriples N`` (see
#: :mod:`talkgraph.publish_remote`); readers look it up again after this many seconds.
PUBLISHED_VERSION = "https://w3id.org/talkgraph/ns#publishedVersion"
PUBLISHED_TRIPLES = "https://w3id.org/talkgraph/ns#publishedTriples"
POINTER_TTL = 1.0


def pointer_graph(graph: str) -> str:
    """The graph that names the published version of ``graph``."""
    return f"{graph}/current"


def pointer_query(graph: str) -> str:
    """The SELECT of the published version (``?v``) and its triple count (``?n``)."""
    return (
        f"SELECT ?v ?n WHERE {{ GRAPH <{pointer_graph(graph)}> {{ <{graph}> <{PUBLISHED_VERSION}> "
        f"?v OPTIONAL {{ <{graph}> <{PUBLISHED_TRIPLES}> ?n }} }} }}"
    )


def read_pointer(http: Http, endpoint: str, graph: str, timeout: float) -> tuple[str, int] | None:
    """The published version of ``graph`` and its triple count (-1: not recorded), or
    ``None`` when none is recorded (then ``graph`` itself holds the data)."""
    params = urllib.parse.urlencode({"query": pointer_query(graph)})
    headers = {"Accept": _JSON}
    with http.open(f"{endpoint}?{params}", headers=headers, timeout=timeout) as response:
        parsed = ox.parse_query_results(response.read(), format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return None
    for solution in parsed:
        version, count = solution["v"], solution["n"]
        if isinstance(version, ox.NamedNode):
            number = int(count.value) if isinstance(count, ox.Literal) else -1
            return version.value, number
    return None


class Http:
    """A small HTTP client: optional basic/digest credentials, errors as talkgraph errors."""

    def __init__(self, auth: tuple[str, str] | None = None) -> None:
        handlers: list[urllib.request.BaseHandler] = []
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        if auth is not None:
            passwords = _Credentials(auth)
            self._digest = urllib.request.HTTPDigestAuthHandler(passwords)
            handlers += [self._digest, urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def _authorize(self, request: urllib.request.Request, timeout: float) -> None:
        """Add a digest ``Authorization`` to a request with a body, from the challenge to the
        same request sent empty: servers answer 401 before reading a body, so urllib's own
        retry would fail with a broken pipe on a large one."""
        probe = urllib.request.Request(request.full_url, data=b"", method=request.get_method())
        try:
            with urllib.request.urlopen(probe, timeout=timeout) as response:
                response.read()
            return
        except urllib.error.HTTPError as error:
            challenge = error.headers.get("WWW-Authenticate", "")
            error.close()
        except OSError:
            return  # the real request reports it
        scheme, _, rest = challenge.partition(" ")
        if self._digest is None or scheme.lower() != "digest":
            return
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        value = self._digest.get_authorization(request, fields)
        if value:
            request.add_unredirected_header("Authorization", f"Digest {value}")

    def open(
        self,
        url: str,
        *,
        method: str = "GET",
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> IO[bytes]:
        """The open response of a request with a 2xx status; :class:`QueryError` otherwise
        (:class:`QueryTimeout` when ``timeout`` seconds pass without an answer)."""
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        if self._digest is not None and data:
            self._authorize(request, timeout)
        try:
            response: IO[bytes] = self._opener.open(request, timeout=timeout)
            return response
        except urllib.error.HTTPError as error:
            detail = error.read(2000).decode("utf-8", "replace").strip()
            error.close()
            if error.code == 400:
                raise StoreRefused(
                    f"the SPARQL store refused the request: {detail}", error.code
                ) from None
            raise StoreRefused(
                f"the SPARQL store answered {error.code} {error.reason}: {detail[:500]}",
                error.code,
            ) from None
        except TimeoutError:
            raise QueryTimeout(
                f"the SPARQL store did not answer within the time limit of {timeout:g} s"
            ) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise QueryTimeout(
                    f"the SPARQL store did not answer within the time limit of {timeout:g} s"
                ) from None
            raise QueryError(f"cannot reach the SPARQL store {url}: {error.reason}") from None
        except OSError as error:
            raise QueryError(f"cannot reach the SPARQL store {url}: {error}") from None


class _Credentials(urllib.request.HTTPPasswordMgr):
    """One user and password, for whichever realm and URL the store asks them for."""

    def __init__(self, auth: tuple[str, str]) -> None:
        super().__init__()
        self._auth = auth

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[str, str]:
        return self._auth


class CappedReader(io.RawIOBase):
    """A response read through a byte cap: :class:`ResultTooLarge` past ``limit`` bytes."""

    def __init__(self, source: IO[bytes], limit: int) -> None:
        self._source = source
        self._limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._source.read(len(buffer))
        except TimeoutError:
            raise QueryTimeout("the SPARQL store stopped sending within the time limit") from None
        self.count += len(data)
        if self.count > self._limit:
            raise too_large(self._limit)
        buffer[: len(data)] = data
        return len(data)


class _Turn:
    """One request's hold on the gate: its lane, expected run time and start."""

    __slots__ = ("estimate", "heavy", "started")

    def __init__(self, heavy: bool, estimate: float) -> None:
        self.heavy = heavy
        self.estimate = estimate
        self.started = 0.0


class Gate:
    """At most ``size`` queries sent to the remote store at once, in two lanes, each request
    admitted by its estimated cost — the policy of the local worker pool
    (:class:`talkgraph.store.pool.WorkerPool`), with turns at the store for workers.

    The gate remembers what each query took when it last ran (wall seconds, averaged, keyed by
    its normal form: other whitespace or comments are the same query).  A query known to take
    ``heavy_after`` seconds or more is *heavy*: at most ``size - 1`` heavy queries run at once
    (all ``size`` when it is 1), so one turn is always left for cheap ones, and a free turn goes
    to a cheap waiter first.  A request is refused at once with :class:`QueryBusy` (HTTP 503,
    ``Retry-After`` = its expected wait) when ``queue_depth`` requests already wait in its lane,
    or when its expected wait (from the running queries' and the waiters' expected times) plus
    its own expected run time exceeds its time limit; a wait that outlasts the limit ends the
    same way.  The remote store's own limits still apply; this keeps talkgraph's threads from
    all waiting on it.
    """

    def __init__(self, size: int, heavy_after: float = 0.5, queue_depth: int | None = None):
        self.size = max(1, size)
        self.heavy_after = heavy_after
        self.heavy_cap = max(1, self.size - 1)
        self.queue_depth = queue_depth if queue_depth is not None else max(8, 4 * self.size)
        self._waiting: dict[bool, list[_Turn]] = {False: [], True: []}
        self._running: set[_Turn] = set()
        self._heavy = 0
        self._costs: OrderedDict[bytes, float] = OrderedDict()
        self._changed = threading.Condition()

    @staticmethod
    def _remaining(turn: _Turn, now: float) -> float:
        return max(turn.estimate - (now - turn.started), turn.estimate * 0.1)

    def _expected_wait(self, turn: _Turn, now: float) -> float:
        """Seconds until ``turn`` (not queued yet) would be let through (lock held)."""
        if turn.heavy:
            lanes = self.heavy_cap
            busy = [self._remaining(t, now) for t in self._running if t.heavy]
        else:
            lanes = self.size - self._heavy
            busy = [self._remaining(t, now) for t in self._running if not t.heavy]
            if lanes <= 0:  # one turn, taken by a heavy query
                lanes = 1
                busy = [min(self._remaining(t, now) for t in self._running)]
        ahead = [t.estimate for t in self._waiting[turn.heavy]]
        return expected_wait(lanes, busy, ahead)

    def _blocked(self, turn: _Turn) -> bool:
        if len(self._running) >= self.size:
            return True
        return turn.heavy and (self._heavy >= self.heavy_cap or bool(self._waiting[False]))

    @contextlib.contextmanager
    def turn(self, text: str, timeout: float) -> Iterator[float]:
        """Hold a turn to send ``text`` (waiting at most ``timeout`` seconds for one); gives
        the seconds of ``timeout`` left."""
        key = hashlib.blake2b(normal_form(text).encode(), digest_size=16).digest()
        with self._changed:
            known = self._costs.get(key)
            estimate = known if known is not None else _LEAST
            turn = _Turn(known is not None and known >= self.heavy_after, estimate)
            lane = "long-running queries" if turn.heavy else "queries"
            now = time.monotonic()
            queue = self._waiting[turn.heavy]
            wait = self._expected_wait(turn, now)
            admit_turn(
                len(queue),
                self.queue_depth,
                wait,
                estimate,
                timeout,
                timeout,
                full=f"the SPARQL store's turns for {lane} are taken and the queue is full",
                late=lambda: (
                    f"{lane} at the SPARQL store would get a turn in about {wait:.1f} s and "
                    f"this one is expected to take {estimate:.1f} s, past its time limit of "
                    f"{timeout:g} s"
                ),
            )
            deadline = now + timeout
            queue.append(turn)
            try:
                while self._blocked(turn):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        why = (
                            f"no turn for {lane} at the SPARQL store came free within {timeout:g} s"
                        )
                        raise busy(why, self._expected_wait(turn, time.monotonic()), timeout)
                    self._changed.wait(left)
            finally:
                queue.remove(turn)
            turn.started = time.monotonic()
            self._running.add(turn)
            self._heavy += turn.heavy
        try:
            yield max(0.001, deadline - turn.started)
        finally:
            with self._changed:
                self._running.discard(turn)
                self._heavy -= turn.heavy
                spent = time.monotonic() - turn.started
                self._costs[key] = spent if known is None else (known + spent) / 2
                self._costs.move_to_end(key)
                while len(self._costs) > _COSTS_KEPT:
                    self._costs.popitem(last=False)
                self._changed.notify_all()


class RemoteStore(Backend):
    """A read-only view of one named graph of a remote SPARQL store (see module doc).

    ``graph_iri`` names the dataset: if the store records a published version of it
    (:func:`pointer_graph`, written by ``talkgraph publish``), queries go to that version,
    looked up again every :data:`POINTER_TTL` seconds, so readers follow a new publication
    within a second; otherwise to ``graph_iri`` itself."""

    def __init__(
        self,
        endpoint: str,
        graph_iri: str,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        *,
        limits: Limits | None = None,
        auth: tuple[str, str] | None = None,
        concurrency: int = 3,
        queue_depth: int | None = None,
    ) -> None:
        if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
            raise ConfigError(f"not an http(s) SPARQL endpoint: {endpoint}")
        self.endpoint = endpoint
        self.graph_iri = graph_iri
        self.update_endpoint = update_endpoint  # used by publishing only, never by queries
        self.gsp_endpoint = gsp_endpoint
        self.limits = limits or Limits()
        self.http = Http(auth)
        self.gate = Gate(concurrency, queue_depth=queue_depth)
        self.prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
        self.named_graphs: Sequence[str] = ()
        self._data_graph = graph_iri
        self._looked_up = -math.inf
        self._pointer_lock = threading.Lock()
        self._looking = False
        self.triple_count = -1
        try:
            self.data_graph(max(self.limits.timeout, STARTUP_TIMEOUT))
            if self.triple_count < 0:  # counting a large graph may take longer than a query
                text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
                count = self.query(text, timeout=max(self.limits.timeout, STARTUP_TIMEOUT))
                term = count.rows()[0].get("n") if count.rows() else None
                self.triple_count = int(term.value) if isinstance(term, ox.Literal) else 0
        except QueryError as error:
            raise ConfigError(f"cannot query {endpoint}: {error}") from None
        if self.triple_count == 0:
            raise ConfigError(
                f"the graph <{graph_iri}> of {endpoint} is empty: publish the dataset with "
                "`talkgraph publish --to ENDPOINT --graph IRI` first"
            )

    def data_graph(self, timeout: float) -> str:
        """The graph that holds the published data now (see the class doc).  One thread looks
        it up again once it is :data:`POINTER_TTL` old; the others meanwhile use the last."""
        with self._pointer_lock:
            fresh = time.monotonic() - self._looked_up < POINTER_TTL
            if fresh or (self._looking and self.triple_count >= 0):
                return self._data_graph
            self._looking = True
        try:
            found = read_pointer(self.http, self.endpoint, self.graph_iri, timeout)
        finally:
            with self._pointer_lock:
                self._looking = False
        version, count = found if found is not None else (self.graph_iri, -1)
        with self._pointer_lock:
            if (version != self._data_graph and count >= 0) or self.triple_count < 0:
                self.triple_count = count
            self._data_graph = version
            self._looked_up = time.monotonic()
            return self._data_graph

    def run(self, call: Call) -> QueryResult:
        """See :class:`talkgraph.store.base.Backend`; only the published graph is queried."""
        form = call.form
        if form is None:  # nothing goes out that is not recognisably a SPARQL query
            raise QueryError(
                "SPARQL syntax error: a query begins (after BASE/PREFIX) with SELECT, "
                "CONSTRUCT, DESCRIBE or ASK"
            )
        unknown = analyse(call.original).unknown_word  # computed by admit: cached
        if unknown is not None:  # no store-specific extension (Virtuoso DEFINE, OPTION...)
            raise QueryError(f"SPARQL syntax error: {unknown!r} is not a SPARQL keyword")
        if call.named_graph_uris or any(g != self.graph_iri for g in call.default_graph_uris):
            raise QueryError(
                "this endpoint serves one graph: default-graph-uri and named-graph-uri "
                "cannot select others"
            )
        seconds, limit, text = call.timeout, call.max_rows, call.sparql
        if form in ("construct", "describe"):
            accept = f"{_NT}, text/plain;q=0.5"
        elif form is None:
            accept = f"{_JSON}, {_NT};q=0.9"
        else:
            accept = _JSON
        params = urllib.parse.urlencode(
            {
                "query": text,
                "default-graph-uri": self.data_graph(seconds),
                "timeout": int(seconds * 1000),
            }
        )
        headers = {"Accept": accept}
        if len(params) <= GET_LIMIT:
            url, body = f"{self.endpoint}?{params}", None
        else:
            url, body = self.endpoint, params.encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        method = "GET" if body is None else "POST"
        with (
            self.gate.turn(text, seconds) as left,
            self.http.open(
                url, method=method, data=body, headers=headers, timeout=left
            ) as response,
        ):
            info = getattr(response, "headers", None)
            if info is not None and info.get("X-SQL-State"):  # Virtuoso's partial answer
                raise QueryTimeout(
                    f"the query was stopped after the time limit of {seconds:g} s; "
                    "simplify it or add a LIMIT"
                )
            media = (info.get_content_type() if info is not None else "") or ""
            reader = io.BufferedReader(CappedReader(response, self.limits.max_result_bytes))
            try:
                if media in (_NT, TEXT_TYPE):
                    result = self._graph(reader, limit, call.result_format)
                else:
                    result = self._table(reader, limit)
            except SyntaxError as error:
                raise QueryError(f"the SPARQL store sent an unreadable result: {error}") from None
        return finish(result, call.result_format, call.max_bytes)

    def _table(self, reader: IO[bytes], limit: int) -> QueryResult:
        parsed = ox.parse_query_results(reader, format=ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            return ask_result(bool(parsed))
        names = [v.value for v in parsed.variables]
        rows: list[dict[str, object]] = []
        for solution in parsed:
            rows.append({n: _json_term(t) for n in names if (t := solution[n]) is not None})
            if len(rows) > limit:
                raise too_many(limit, "rows")
        doc = {"head": {"vars": names}, "results": {"bindings": rows}}
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        return QueryResult("select", CANONICAL["select"], data, len(rows))

    def _graph(self, reader: IO[bytes], limit: int, result_format: str | None) -> QueryResult:
        triples: list[ox.Triple] = []
        for quad in ox.parse(reader, format=ox.RdfFormat.N_TRIPLES):
            triple = quad.triple
            value = _canonical(triple.object)
            if value is not triple.object:
                triple = ox.Triple(triple.subject, triple.predicate, value)
            triples.append(triple)
            if len(triples) > limit:
                raise too_many(limit, "triples")
        graph_formats = formats_for("graph")
        fmt = graph_formats.get(result_format or "", graph_formats[CANONICAL["graph"]])
        assert isinstance(fmt.oxigraph, ox.RdfFormat)
        data = ox.serialize(triples, format=fmt.oxigraph, prefixes=self.prefixes) or b""
        return QueryResult("graph", fmt.name, data, len(triples))

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""


def _canonical(term: Term) -> Term:
    """``term``, with Virtuoso's ``1``/``0`` booleans in their canonical form."""
    if not isinstance(term, ox.Literal) or term.datatype.value != _XSD_BOOLEAN:
        return term
    if term.value in _BOOLEANS:  # Virtuoso writes 1/0
        return ox.Literal(_BOOLEANS[term.value], datatype=term.datatype)
    return term


def _json_term(term: Term) -> dict[str, object]:
    """A term in the SPARQL 1.1 JSON results form."""
    term = _canonical(term)
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: _json_term(v) for k, v in parts.items()}}
    data: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        data["xml:lang"] = term.language
    elif term.datatype.value not in (
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    ):
        data["datatype"] = term.datatype.value
    return data
