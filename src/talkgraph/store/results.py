"""Query results: the formats they can be written in, and the result object itself.

A :class:`QueryResult` holds its data already serialised (bytes, in one format), because it
crosses a process boundary; it converts itself to another format on demand with pyoxigraph's own
parsers and serialisers, and offers Python access (rows of pyoxigraph terms or plain strings)
for the web pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from ..formats import FORMATS

QueryKind = Literal["select", "ask", "graph"]
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class ResultFormat:
    """One way to write a result: our name, media type, and pyoxigraph's format."""

    name: str
    media_type: str
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat

    @property
    def is_graph(self) -> bool:
        return isinstance(self.oxigraph, ox.RdfFormat)


#: SELECT and ASK results, the first is the default.
TABLE_FORMATS: dict[str, ResultFormat] = {
    f.name: f
    for f in (
        ResultFormat("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ResultFormat("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ResultFormat("csv", "text/csv", ox.QueryResultsFormat.CSV),
        ResultFormat("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
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
