"""The store interface every backend implements, its limits, and its own errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rdflib.term import Node as RdfNode

from ..errors import Place, QueryError
from .results import QueryResult, Term

if TYPE_CHECKING:
    from .guard import QueryForm


@dataclass(frozen=True)
class Limits:
    """Bounds on one query; ``timeout`` in seconds, sizes in bytes."""

    timeout: float = 10.0
    max_rows: int = 10_000
    max_result_bytes: int = 64 * 1024 * 1024
    max_query_bytes: int = 64 * 1024


class QuerySyntaxError(QueryError):
    """A query the SPARQL parser rejects; ``place`` holds its line and column."""

    def __init__(self, message: str, line: int, column: int, excerpt: str = "") -> None:
        self.excerpt = excerpt
        super().__init__(message, Place("query", line, column))

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        assert self.place is not None
        data.update(line=self.place.line, column=self.place.column, excerpt=self.excerpt)
        return data


class QueryTooLarge(QueryError):
    """A query text longer than :attr:`Limits.max_query_bytes`."""

    http_status = 413


class QueryAborted(QueryError):
    """The worker running a query died (it ran out of its memory limit) and was replaced."""

    http_status = 503


class Backend(Protocol):
    """A read-only SPARQL store.  Every query the application runs goes through one.

    ``bindings`` bind variables (``{"talk": NamedNode(...)}``, pyoxigraph or rdflib terms) by
    a ``VALUES`` block first in the WHERE group (so before any aggregation), written from the
    terms, never from raw strings;
    ``default_graph_uris``/``named_graph_uris`` set the RDF dataset as in the SPARQL 1.1
    Protocol.  ``timeout``/``max_rows`` override the backend's :class:`Limits`.
    ``result_format`` names the format the result should come in (see
    :func:`talkgraph.store.results.formats_for`); by default the canonical one.

    Raises :class:`~talkgraph.errors.QueryRefused` (update, SERVICE), :class:`QuerySyntaxError`,
    :class:`~talkgraph.errors.QueryTimeout`, :class:`~talkgraph.errors.ResultTooLarge`,
    :class:`QueryAborted`.
    """

    limits: Limits
    triple_count: int  # triples in the default graph
    named_graphs: Sequence[str]

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term | RdfNode] | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout: float | None = None,
        max_rows: int | None = None,
        result_format: str | None = None,
    ) -> QueryResult: ...

    def close(self) -> None:
        """Release the backend's processes and files; queries fail afterwards."""
        ...


def admit(sparql: str, limits: Limits) -> QueryForm | None:
    """What every backend checks before a query runs or is sent anywhere: its size first, then
    :func:`talkgraph.store.guard.check_query` (no Update, no SERVICE).  Returns the form.

    The check is computed once per query text (cached), so the web layer calling this before
    the store does costs nothing twice."""
    from .guard import check_query

    if len(sparql.encode()) > limits.max_query_bytes:
        raise QueryTooLarge(f"the query is longer than the limit of {limits.max_query_bytes} bytes")
    return check_query(sparql)
