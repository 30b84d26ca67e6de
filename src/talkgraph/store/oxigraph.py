"""Running one query on a pyoxigraph store, in-process, with row and byte caps.

This is what a worker process does (see :mod:`talkgraph.store.pool`); it has no time limit of
its own, so nothing else should call :meth:`Executor.execute` on untrusted queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib.term import BNode as RdfBNode
from rdflib.term import Literal as RdfLiteral
from rdflib.term import Node as RdfNode
from rdflib.term import URIRef as RdfURIRef

from ..errors import QueryError, QueryRefused, QuerySyntaxError
from .guard import where_group_start
from .results import (
    QueryResult,
    Term,
    ask_result,
    capped,
    convert,
    solutions_result,
    triples_result,
)

_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Request:
    """One query and how to run it (sent to a worker process: see :mod:`.worker`)."""

    sparql: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    max_rows: int = 10_000
    max_bytes: int = 64 * 1024 * 1024
    result_format: str | None = None


def to_oxigraph(term: Term | RdfNode) -> Term:
    """A pyoxigraph term for a pyoxigraph or rdflib term."""
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple):
        return term
    if isinstance(term, RdfURIRef):
        try:
            return ox.NamedNode(str(term))
        except ValueError as error:  # rdflib accepts any text; oxigraph checks the syntax
            raise QueryError(f"not a valid IRI: {error}") from None
    if isinstance(term, RdfBNode):
        return ox.BlankNode(str(term))
    if isinstance(term, RdfLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot bind a {type(term).__name__} in a query")


def bind_values(sparql: str, bindings: Mapping[str, Term | RdfNode]) -> str:
    """``sparql`` with each variable bound to one term, like rdflib's ``initBindings``.

    The binding is a ``VALUES`` block placed first inside the top-level WHERE group, so it
    applies before any GROUP BY or aggregate (a trailing VALUES would join after aggregation).
    Terms are written in their N-Triples form by pyoxigraph, so no user text is ever formatted
    into the query.  (pyoxigraph's ``substitutions`` would require each variable to be
    projected.)  A query without a group pattern gets a trailing VALUES clause.
    """
    if not bindings:
        return sparql
    names, terms = [], []
    for name, value in bindings.items():
        if not _VARIABLE.match(name):
            raise QueryError(f"invalid variable name for a binding: {name!r}")
        term = to_oxigraph(value)
        if isinstance(term, ox.BlankNode):
            raise QueryError("a blank node cannot be bound in a query")
        names.append(f"?{name}")
        terms.append(str(term))
    block = f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"
    start = where_group_start(sparql)
    if start is None:
        return f"{sparql}\n{block}\n"
    return f"{sparql[:start]} {block} {sparql[start:]}"


def syntax_error(error: SyntaxError, sparql: str) -> QueryError:
    """The parser's message with its line and column, and the line it points into."""
    text = str(error)
    match = _POSITION.match(text)
    if not match:
        return QueryError(f"SPARQL syntax error: {text}")
    line, column, detail = int(match[1]), int(match[2]), match[3]
    lines = sparql.splitlines() or [""]
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    caret = " " * max(min(column - 1, len(source)), 0) + "^"
    return QuerySyntaxError(f"SPARQL syntax error: {detail}", line, column, f"{source}\n{caret}")


@dataclass(frozen=True)
class LoadStep:
    """One data file to load: into the default graph (``default``) and/or into the named graph
    ``graph``; a quad file (N-Quads, TriG) with ``graph=None`` keeps its own graph names."""

    path: Path
    default: bool
    graph: str | None = None


def load_files(store: ox.Store, files: Sequence[LoadStep]) -> None:
    """Bulk-load each step of ``files`` into ``store`` (the format from the file suffix)."""
    for step in files:
        fmt = ox.RdfFormat.from_extension(step.path.suffix.lstrip("."))
        if fmt is None:
            raise QueryError(f"{step.path}: unknown RDF file suffix")
        if fmt.supports_datasets and step.graph is None and not step.default:
            store.bulk_load(path=step.path, format=fmt)
            continue
        if step.default:
            store.bulk_load(path=step.path, format=fmt, to_graph=ox.DefaultGraph())
        if step.graph is not None:
            store.bulk_load(path=step.path, format=fmt, to_graph=ox.NamedNode(step.graph))


class Executor:
    """A pyoxigraph store and the code that answers one :class:`Request` on it.

    Relative IRIs in a query are resolved against ``base_iri`` (the dataset's base), the base
    IRI the service defines (SPARQL 1.1 Protocol, 2.3); a query's own ``BASE`` comes first.
    """

    base_iri: str | None = None

    def __init__(
        self,
        store: ox.Store,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> None:
        self.store = store
        self.prefixes = dict(prefixes or {})
        self.base_iri = base_iri

    @classmethod
    def from_files(
        cls,
        files: Sequence[LoadStep],
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> Executor:
        """A new in-memory store with ``files`` loaded (see :func:`load_files`)."""
        store = ox.Store()
        load_files(store, files)
        return cls(store, prefixes, base_iri)

    def default_graph_size(self) -> int:
        """Triples in the store's default graph, counted by the engine (iterating them in Python
        took most of a 5M-triple store's load time)."""
        answer = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(answer, ox.QuerySolutions)
        count = next(iter(answer))["n"]
        assert isinstance(count, ox.Literal)
        return int(count.value)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def execute(self, request: Request) -> QueryResult:
        """Run ``request``; raise :class:`QueryError` subclasses for anything wrong."""
        try:
            default = [ox.NamedNode(u) for u in request.default_graph_uris] or None
            named = [ox.NamedNode(u) for u in request.named_graph_uris] or None
        except ValueError as error:
            raise QueryError(f"invalid graph IRI: {error}") from None
        try:
            answer = self.store.query(
                request.sparql,
                base_iri=self.base_iri,
                default_graph=default,  # type: ignore[arg-type]
                named_graphs=named,  # type: ignore[arg-type]
            )
        except SyntaxError as error:
            raise syntax_error(error, request.sparql) from None
        except (OSError, ValueError, TypeError) as error:
            raise _failure(error) from None
        try:
            result = self._canonical(answer, request)
            converted = convert(result, request.result_format)
        except (OSError, ValueError) as error:
            raise _failure(error) from None
        return capped(converted, request.max_bytes)

    def _canonical(
        self, answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, request: Request
    ) -> QueryResult:
        """The answer in the requested format (else the canonical one), written by pyoxigraph
        (see :mod:`.results`); over ``max_rows`` it is stopped and refused."""
        if isinstance(answer, ox.QueryBoolean):
            return ask_result(bool(answer))
        if isinstance(answer, ox.QueryTriples):
            fmt = request.result_format
            return triples_result(answer, fmt, request.max_rows, request.max_bytes, self.prefixes)
        return solutions_result(answer, request.result_format, request.max_rows, request.max_bytes)


#: What oxigraph's HTTP client says when a SERVICE call cannot leave the worker's empty
#: network namespace (or is refused by its own rules).
_NETWORK = ("network is unreachable", "os error 101", "is not allowed for http", "dns error")


def _failure(error: Exception) -> QueryError:
    """A clear error for what went wrong in the engine; a SERVICE call stopped by the
    worker's network wall says so (the query check refuses SERVICE before it gets here)."""
    if any(part in str(error).lower() for part in _NETWORK):
        return QueryRefused(
            "SERVICE (federated query) is not allowed: this endpoint never sends requests to "
            "other servers (the query tried to, and was stopped)"
        )
    return QueryError(f"the query failed: {error}")
