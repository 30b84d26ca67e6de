"""The in-memory pyoxigraph backend: load a build directory, answer bounded queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rdflib.term import Node as RdfNode

from ..errors import QueryError
from ..iris import Minter
from ..vocab import PREFIXES
from .base import Limits, QueryTooLarge
from .guard import check_query
from .oxigraph import Executor, Request, bind_values
from .pool import WorkerPool
from .results import QueryResult, Term

#: The files of a build directory that are loaded, in this order.
DATA_FILES = ("dataset.nt", "void.ttl")


class MemoryStore:
    """A pyoxigraph in-memory store queried through a :class:`WorkerPool`.

    Each data file goes into the default graph and into a named graph named by its download
    IRI (``{base}download/dataset.nt``), so ``default-graph-uri``/``named-graph-uri`` can pick
    one of them.
    """

    def __init__(
        self,
        executor: Executor,
        *,
        limits: Limits | None = None,
        workers: int = 2,
        worker_memory_mb: int = 2048,
    ) -> None:
        self.limits = limits or Limits()
        self.triple_count = executor.default_graph_size()
        self.named_graphs: Sequence[str] = executor.named_graphs()
        self._pool = WorkerPool(executor, size=workers, memory_mb=worker_memory_mb)

    @classmethod
    def from_directory(
        cls,
        data_dir: Path,
        base_iri: str,
        *,
        limits: Limits | None = None,
        workers: int = 2,
        worker_memory_mb: int = 2048,
    ) -> MemoryStore:
        """Load ``data_dir``'s ``dataset.nt`` (required) and ``void.ttl`` (if present)."""
        minter = Minter(base_iri)
        if not (data_dir / DATA_FILES[0]).is_file():
            raise QueryError(f"{data_dir}: no {DATA_FILES[0]}; run `talkgraph build` first")
        files = [
            (data_dir / name, str(minter.download(name)))
            for name in DATA_FILES
            if (data_dir / name).is_file()
        ]
        prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
        executor = Executor.from_files(files, prefixes)
        return cls(executor, limits=limits, workers=workers, worker_memory_mb=worker_memory_mb)

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
        """See :class:`talkgraph.store.base.Backend`."""
        if len(sparql.encode()) > self.limits.max_query_bytes:
            raise QueryTooLarge(
                f"the query is longer than the limit of {self.limits.max_query_bytes} bytes"
            )
        check_query(sparql)
        request = Request(
            sparql=bind_values(sparql, bindings or {}),
            default_graph_uris=tuple(default_graph_uris),
            named_graph_uris=tuple(named_graph_uris),
            max_rows=self.limits.max_rows if max_rows is None else max_rows,
            max_bytes=self.limits.max_result_bytes,
            result_format=result_format,
        )
        return self._pool.run(request, self.limits.timeout if timeout is None else timeout)

    def worker_pids(self) -> list[int]:
        """The process ids of the query workers (for monitoring and tests)."""
        return self._pool.pids()

    def close(self) -> None:
        self._pool.close()
