"""The store: every SPARQL query talkgraph runs goes through here, bounded in time and size.

``open_store(data_dir, base_iri)`` loads a build directory into the default backend (pyoxigraph
in memory, queried by forked worker processes, see :mod:`talkgraph.store.pool`).
"""

from __future__ import annotations

from pathlib import Path

from .base import Backend, Limits, QueryAborted, QuerySyntaxError, QueryTooLarge
from .guard import QueryForm, check_query
from .memory import MemoryStore
from .results import (
    GRAPH_FORMATS,
    TABLE_FORMATS,
    QueryKind,
    QueryResult,
    ResultFormat,
    Term,
    formats_for,
    term_text,
)

__all__ = [
    "GRAPH_FORMATS",
    "TABLE_FORMATS",
    "Backend",
    "Limits",
    "MemoryStore",
    "QueryAborted",
    "QueryForm",
    "QueryKind",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTooLarge",
    "ResultFormat",
    "Term",
    "check_query",
    "formats_for",
    "open_store",
    "term_text",
]


def open_store(
    data_dir: Path,
    base_iri: str,
    *,
    limits: Limits | None = None,
    workers: int = 2,
    worker_memory_mb: int = 2048,
) -> Backend:
    """The default backend for a build directory."""
    return MemoryStore.from_directory(
        data_dir, base_iri, limits=limits, workers=workers, worker_memory_mb=worker_memory_mb
    )
