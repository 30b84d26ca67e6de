"""The store interface every backend implements, and its limits (their defaults come from
the settings table).  Its errors are in :mod:`talkgraph.errors`."""

from __future__ import annotations

import hashlib
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib.term import Node as RdfNode

from ..errors import QueryTooLarge
from ..settings import integer, seconds
from .results import QueryResult, Term

if TYPE_CHECKING:
    from .guard import QueryForm


@dataclass(frozen=True)
class Limits:
    """Bounds on one query; ``timeout`` in seconds, sizes in bytes."""

    timeout: float = seconds("QUERY_TIMEOUT")
    max_rows: int = integer("MAX_ROWS")
    max_result_bytes: int = integer("MAX_RESULT_BYTES")
    max_query_bytes: int = integer("MAX_QUERY_BYTES")


@dataclass(frozen=True)
class Call:
    """One admitted query as a backend runs it: ``sparql`` has the bindings written in,
    ``timeout``/``max_rows`` are the effective limits (the call's, else the backend's)."""

    original: str  # the text as given (what :func:`admit` checked)
    sparql: str
    form: QueryForm | None
    default_graph_uris: tuple[str, ...]
    named_graph_uris: tuple[str, ...]
    timeout: float
    max_rows: int
    max_bytes: int
    result_format: str | None


class Backend(ABC):
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

    :meth:`query` is the same for every backend (the check, the bindings, the limits); a
    backend implements :meth:`run` for the :class:`Call` it makes.
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
    ) -> QueryResult:
        from .oxigraph import bind_values

        form = admit(sparql, self.limits)  # before anything runs or is sent anywhere
        return self.run(
            Call(
                original=sparql,
                sparql=bind_values(sparql, bindings or {}),
                form=form,
                default_graph_uris=tuple(default_graph_uris),
                named_graph_uris=tuple(named_graph_uris),
                timeout=self.limits.timeout if timeout is None else timeout,
                max_rows=self.limits.max_rows if max_rows is None else max_rows,
                max_bytes=self.limits.max_result_bytes,
                result_format=result_format,
            )
        )

    @abstractmethod
    def run(self, call: Call) -> QueryResult:
        """Answer an admitted query."""

    @abstractmethod
    def close(self) -> None:
        """Release the backend's processes and files; queries fail afterwards."""


_ADMITTED: OrderedDict[bytes, QueryForm | None] = OrderedDict()
_ADMITTED_KEPT = 2048
_ADMITTED_LOCK = threading.Lock()


def admit(sparql: str, limits: Limits) -> QueryForm | None:
    """What every backend checks before a query runs or is sent anywhere: its size, then
    :func:`talkgraph.store.guard.check_query` (no Update, no SERVICE).  Returns the form.

    The check is a pure function of the text, so texts that passed are remembered (by digest,
    the last few thousand): the web layer and the backend both admit a query, and a query
    asked again is not checked again.  Refusals are never remembered (always re-checked).
    """
    from .guard import check_query

    data = sparql.encode()
    if len(data) > limits.max_query_bytes:
        raise QueryTooLarge(f"the query is longer than the limit of {limits.max_query_bytes} bytes")
    key = hashlib.blake2b(data, digest_size=16).digest()
    with _ADMITTED_LOCK:
        if key in _ADMITTED:
            _ADMITTED.move_to_end(key)
            return _ADMITTED[key]
    form = check_query(sparql)
    with _ADMITTED_LOCK:
        _ADMITTED[key] = form
        while len(_ADMITTED) > _ADMITTED_KEPT:
            _ADMITTED.popitem(last=False)
    return form
