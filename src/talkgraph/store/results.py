"""Query results: the formats they can be written in, and the result object itself.

A :class:`QueryResult` holds its data already serialised (bytes, in one format), because it
crosses a process boundary; it converts itself to another format on demand with pyoxigraph's own
parsers and serialisers, and offers Python access (rows of pyoxigraph terms or plain strings)
for the web pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from ..errors import ResultTooLarge
from ..formats import FORMATS, RESULT_TYPES

QueryKind = Literal["select", "ask", "graph"]
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class ResultFormat:
    """One way to write a result: our name, media type, and pyoxigraph's format."""

    name: str
    media_type: str
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat


#: SELECT and ASK results, the first is the default (names and media types from
#: :mod:`talkgraph.formats`).
TABLE_FORMATS: dict[str, ResultFormat] = {
    name: ResultFormat(name, RESULT_TYPES[name].media_type, results)
    for name, results in (
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("csv", ox.QueryResultsFormat.CSV),
        ("tsv", ox.QueryResultsFormat.TSV),
    )
}
#: CONSTRUCT and DESCRIBE results (names and media types from :mod:`talkgraph.formats`).
GRAPH_FORMATS: dict[str, ResultFormat] = {
    name: ResultFormat(name, FORMATS[name].media_type, rdf)
    for name, rdf in (
        ("turtle", ox.RdfFormat.TURTLE),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("xml", ox.RdfFormat.RDF_XML),
    )
}
#: The formats a result is kept in when no other is asked for.
CANONICAL = {"select": "json", "ask": "json", "graph": "nt"}


def formats_for(kind: QueryKind) -> dict[str, ResultFormat]:
    """The formats a result of this kind can be written in (the first is the default)."""
    return GRAPH_FORMATS if kind == "graph" else TABLE_FORMATS


def term_text(term: Term) -> str:
    """A term as plain text: an IRI, a blank node label, a literal's lexical form."""
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


@dataclass(frozen=True)
class QueryResult:
    """The result of one query, serialised in ``format`` (a name in :func:`formats_for`)."""

    kind: QueryKind
    format: str
    data: bytes
    count: int  # rows (SELECT), triples (CONSTRUCT/DESCRIBE), 1 (ASK)

    @property
    def media_type(self) -> str:
        return formats_for(self.kind)[self.format].media_type

    def serialize(self, fmt: str | None = None) -> bytes:
        """The result in format ``fmt`` (default: its own); ``ValueError`` if impossible."""
        target = formats_for(self.kind).get(fmt or self.format)
        if target is None:
            known = ", ".join(formats_for(self.kind))
            raise ValueError(f"no {fmt!r} format for {self.kind} results (known: {known})")
        if target.name == self.format and target.name != "jsonld":
            return self.data
        if isinstance(target.oxigraph, ox.RdfFormat):
            # Grouped by subject: one JSON-LD node object per @id (and one Turtle subject block).
            triples = sorted(self._triples(), key=lambda t: (str(t.subject), str(t.predicate)))
            data = ox.serialize(triples, format=target.oxigraph)
        else:
            data = self._parsed().serialize(format=target.oxigraph)
        assert data is not None
        return data

    # Python access -------------------------------------------------------------------------
    @property
    def boolean(self) -> bool:
        """The answer of an ASK query."""
        if self.kind != "ask":
            raise ValueError(f"a {self.kind} result has no boolean")
        return bool(self._parsed())

    @property
    def variables(self) -> list[str]:
        """The projected variables of a SELECT query, in order."""
        if self.kind != "select":
            return []
        parsed = self._parsed()
        assert isinstance(parsed, ox.QuerySolutions)
        return [v.value for v in parsed.variables]

    def rows(self) -> list[dict[str, Term]]:
        """SELECT rows as dicts of pyoxigraph terms (unbound variables are left out)."""
        if self.kind != "select":
            raise ValueError(f"a {self.kind} result has no rows")
        parsed = self._parsed()
        assert isinstance(parsed, ox.QuerySolutions)
        names = [v.value for v in parsed.variables]
        out: list[dict[str, Term]] = []
        for solution in parsed:
            out.append({n: t for n in names if (t := solution[n]) is not None})
        return out

    def text_rows(self) -> list[dict[str, str]]:
        """SELECT rows as dicts of plain strings (see :func:`term_text`)."""
        return [{k: term_text(v) for k, v in row.items()} for row in self.rows()]

    def triples(self) -> list[ox.Triple]:
        """CONSTRUCT/DESCRIBE triples."""
        if self.kind != "graph":
            raise ValueError(f"a {self.kind} result has no triples")
        return list(self._triples())

    def __len__(self) -> int:
        return self.count

    def _parsed(self) -> ox.QuerySolutions | ox.QueryBoolean:
        fmt = TABLE_FORMATS[self.format]
        if fmt.name == "csv":
            raise ValueError("CSV results are lossy and cannot be read back; ask for json")
        assert isinstance(fmt.oxigraph, ox.QueryResultsFormat)
        return ox.parse_query_results(self.data, format=fmt.oxigraph)

    def _triples(self) -> Iterator[ox.Triple]:
        fmt = GRAPH_FORMATS[self.format].oxigraph
        assert isinstance(fmt, ox.RdfFormat)
        for quad in ox.parse(self.data, format=fmt):
            yield quad.triple


# Writing answers in the engine ---------------------------------------------------------------
class _Overflow(Exception):
    """Raised inside pyoxigraph's serialiser to stop it (caught by :func:`_lines`)."""


class _LineCounter:
    """A file-like sink for pyoxigraph's serialisers that counts lines and stops the
    serialisation (raising inside it) as soon as ``max_lines`` or ``max_bytes`` is passed."""

    def __init__(self, max_lines: int, max_bytes: int) -> None:
        self.max_lines, self.max_bytes = max_lines, max_bytes
        self.parts: list[bytes] = []
        self.lines = self.size = 0

    def write(self, chunk: bytes) -> int:
        self.parts.append(bytes(chunk))
        self.lines += chunk.count(b"\n")
        self.size += len(chunk)
        if self.lines > self.max_lines or self.size > self.max_bytes:
            raise _Overflow
        return len(chunk)

    def flush(self) -> None:
        return None


def _lines(
    answer: ox.QuerySolutions | ox.QueryTriples,
    fmt: ox.QueryResultsFormat | ox.RdfFormat,
    limits: tuple[int, int, int],
    what: str,
) -> tuple[bytes, int]:
    """``answer`` written by pyoxigraph in a line-per-item ``fmt`` (TSV, N-Triples) and its
    number of items; ``limits`` are (header lines, most items, most bytes): past either limit
    the serialiser is stopped at once and :class:`ResultTooLarge` raised."""
    header, max_items, max_bytes = limits
    sink = _LineCounter(header + max_items, max_bytes)
    try:
        answer.serialize(sink, format=fmt)  # type: ignore[arg-type]
    except (_Overflow, OSError) as error:
        stopped = isinstance(error, _Overflow) or isinstance(
            error.__cause__ or error.__context__, _Overflow
        )
        if not stopped and sink.lines <= header + max_items and sink.size <= max_bytes:
            raise
        if sink.lines > header + max_items:
            raise too_many(max_items, what) from None
        raise too_large(max_bytes) from None
    return b"".join(sink.parts), sink.lines - header


def too_many(limit: int, what: str) -> ResultTooLarge:
    return ResultTooLarge(
        f"the result has more than {limit} {what}, the limit of this endpoint; "
        "add a LIMIT (and OFFSET to page through it)"
    )


def too_large(limit: int) -> ResultTooLarge:
    return ResultTooLarge(
        f"the result is larger than the limit of {limit} bytes; "
        "add a LIMIT or select fewer variables"
    )


def ask_result(answer: bool) -> QueryResult:
    """An ASK answer (SPARQL JSON, the canonical format)."""
    data = json.dumps({"head": {}, "boolean": answer}).encode()
    return QueryResult("ask", CANONICAL["ask"], data, 1)


def convert(result: QueryResult, wanted: str | None) -> QueryResult:
    """``result`` in the format ``wanted`` when it is one of its kind's, else as it is."""
    if wanted in formats_for(result.kind) and wanted != result.format:
        return QueryResult(result.kind, str(wanted), result.serialize(wanted), result.count)
    return result


def capped(result: QueryResult, max_bytes: int) -> QueryResult:
    """``result`` unless it is larger than ``max_bytes`` (:class:`ResultTooLarge`)."""
    if len(result.data) > max_bytes:
        raise too_large(max_bytes)
    return result


def finish(result: QueryResult, wanted: str | None, max_bytes: int) -> QueryResult:
    """What every backend returns: ``result`` converted to ``wanted``, within the byte cap."""
    return capped(convert(result, wanted), max_bytes)


def solutions_result(
    answer: ox.QuerySolutions, fmt: str | None, max_rows: int, max_bytes: int
) -> QueryResult:
    """A SELECT answer written in ``fmt`` (default JSON) entirely by pyoxigraph: first as TSV
    (one line per row, so rows are counted and the limits stop it early), then converted."""
    data, rows = _lines(answer, ox.QueryResultsFormat.TSV, (1, max_rows, max_bytes), "rows")
    name = fmt if fmt in TABLE_FORMATS else CANONICAL["select"]
    if name != "tsv":
        target = TABLE_FORMATS[name].oxigraph
        assert isinstance(target, ox.QueryResultsFormat)
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
        data = parsed.serialize(format=target) or b""
    return QueryResult("select", name, data, rows)


def triples_result(
    answer: ox.QueryTriples,
    fmt: str | None,
    max_triples: int,
    max_bytes: int,
    prefixes: Mapping[str, str],
) -> QueryResult:
    """A CONSTRUCT/DESCRIBE answer in ``fmt`` (default N-Triples), written by pyoxigraph: as
    N-Triples first (one line per triple, counted and stopped at the limits), then converted."""
    limits = (0, max_triples, max_bytes)
    data, count = _lines(answer, ox.RdfFormat.N_TRIPLES, limits, "triples")
    name = fmt if fmt in GRAPH_FORMATS else CANONICAL["graph"]
    if name != "nt":
        target = GRAPH_FORMATS[name].oxigraph
        assert isinstance(target, ox.RdfFormat)
        triples = (q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        data = ox.serialize(triples, format=target, prefixes=dict(prefixes)) or b""
    return QueryResult("graph", name, data, count)
