"""The store: every SPARQL query talkgraph runs goes through here, bounded in time and size.

``open_store(data_dir, base_iri)`` loads a build directory into the default backend (pyoxigraph
in memory, queried by forked worker processes, see :mod:`talkgraph.store.pool`);
``store=DIR`` keeps it on disk (:mod:`.disk`), ``store=URL`` queries a remote SPARQL store
(:mod:`.remote`) holding the published dataset in the named graph ``graph``.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import QueryAborted, QueryBusy, QuerySyntaxError, QueryTooLarge
from ..iris import Minter
from ..settings import integer
from .base import Backend, Limits
from .disk import DiskStore
from .guard import QueryForm, check_query
from .memory import MemoryStore
from .remote import RemoteStore
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
    "DiskStore",
    "MemoryStore",
    "QueryAborted",
    "QueryBusy",
    "QueryForm",
    "QueryKind",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTooLarge",
    "RemoteStore",
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
    workers: int = integer("WORKERS"),
    worker_memory_mb: int = integer("WORKER_MEMORY_MB"),
    store: str | None = None,
    graph: str | None = None,
) -> Backend:
    """The backend for a build directory: in memory (``store=None``), on disk (``store`` a
    directory), or remote (``store`` an http(s) SPARQL endpoint; ``graph`` the named graph
    holding the dataset, by default the dataset IRI); ``workers`` 0: one per CPU and one more."""
    if store and store.startswith(("http://", "https://")):
        from .pool import pool_size

        dataset = graph or str(Minter(base_iri).dataset)
        # as many queries sent at once as there would be local workers (WORKERS)
        return RemoteStore(store, dataset, limits=limits, concurrency=pool_size(workers))
    if store:
        return DiskStore(
            Path(store),
            data_dir,
            base_iri,
            limits=limits,
            workers=workers,
            worker_memory_mb=worker_memory_mb,
        )
    return MemoryStore.from_directory(
        data_dir, base_iri, limits=limits, workers=workers, worker_memory_mb=worker_memory_mb
    )
