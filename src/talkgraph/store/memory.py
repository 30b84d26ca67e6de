"""The in-memory pyoxigraph backend: load a build directory, answer bounded queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rdflib.term import Node as RdfNode

from ..errors import QueryError
from ..iris import Minter
from ..vocab import PREFIXES
from .base import Limits, admit
from .oxigraph import Executor, LoadStep, Request, bind_values
from .pool import WorkerPool
from .results import QueryResult, Term

#: The files of a build directory that are loaded (those present), in this order.
DATA_FILES = ("dataset.nt", "dataset.nq", "void.ttl")


def load_plan(data_dir: Path, base_iri: str) -> list[LoadStep]:
    """How a build directory is loaded (see :class:`MemoryStore`); needs ``dataset.nt``."""
    minter = Minter(base_iri)
    union, quads, void = (data_dir / name for name in DATA_FILES)
    if not union.is_file():
        raise QueryError(f"{data_dir}: no {union.name}; run `talkgraph build` first")
    if quads.is_file():
        plan = [LoadStep(union, default=True), LoadStep(quads, default=False)]
    else:  # a build without named graphs: the whole dataset is one named graph
        plan = [LoadStep(union, default=True, graph=str(minter.download(union.name)))]
    if void.is_file():
        plan.append(LoadStep(void, default=True, graph=str(minter.download(void.name))))
    return plan


class MemoryStore:
    """A pyoxigraph in-memory store queried through a :class:`WorkerPool`.

    The named graphs are the build's: one per programme (``{base}graph/{event}``) and the
    topic vocabulary (``{base}graph/topics``) from ``dataset.nq``, and the dataset description
    (``void.ttl``) in ``{base}download/void.ttl``.  The default graph is the union of all named
    graphs, as a set: it is loaded from ``dataset.nt`` (the union the build wrote) and
    ``void.ttl``, not computed by pyoxigraph's ``use_default_graph_as_union``, whose union keeps
    a triple once per graph holding it (a person in two programmes would be counted twice).
    ``default-graph-uri``/``named-graph-uri`` (or FROM/FROM NAMED) select among the named
    graphs.  A build without ``dataset.nq`` has ``dataset.nt`` as the named graph
    ``{base}download/dataset.nt`` instead of the programme graphs.
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
        """Load ``data_dir``'s ``dataset.nt`` (required), ``dataset.nq`` and ``void.ttl``."""
        files = load_plan(data_dir, base_iri)
        prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
        executor = Executor.from_files(files, prefixes, base_iri)
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
        admit(sparql, self.limits)
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
