"""The in-memory pyoxigraph backend: load a build directory, answer bounded queries."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from ..errors import QueryError
from ..iris import Minter
from ..settings import integer
from ..vocab import PREFIXES
from .base import Backend, Call, Limits
from .oxigraph import Executor, LoadStep, Request, load_files
from .pool import WorkerPool, pool_size
from .results import QueryResult

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


#: IRIs (``<...>``, as the SPARQL grammar's IRIREF: no space, brace, quote or backslash inside).
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
#: Outside IRIs, a query without these words (even inside a string or a comment) and without a
#: backslash (an escape that could spell one) cannot name a graph: no GRAPH, no FROM (NAMED).
_NAMES_GRAPHS = re.compile(r"\b(?:graph|from)\b|\\", re.IGNORECASE)


def reads_default_graph_only(request: Request) -> bool:
    """Whether ``request`` can only see the default graph (conservative: when in doubt, no).

    The keywords GRAPH and FROM cannot occur inside an IRI reference: a keyword there would
    need a space or a brace after it, which an IRI cannot hold.
    """
    if request.default_graph_uris or request.named_graph_uris or "\\" in request.sparql:
        return False
    return _NAMES_GRAPHS.search(_IRI.sub(" ", request.sparql)) is None


class SplitExecutor(Executor):
    """An :class:`Executor` with a second store holding the default graph alone.

    pyoxigraph's in-memory store answers a default-graph pattern more slowly when the same
    store also holds named graphs (at 100k triples a typical aggregate took 25 ms instead of 9):
    its indexes cover every graph.  Most queries never name a graph, so they run on a store
    holding only the default graph; any query that names one (or sets the dataset) runs on the
    whole store.  Both stores are loaded in the parent and shared copy-on-write by the workers.
    """

    def __init__(
        self,
        store: ox.Store,
        default_store: ox.Store,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> None:
        super().__init__(store, prefixes, base_iri)
        self.default_only = Executor(default_store, prefixes, base_iri)

    @classmethod
    def from_plan(
        cls,
        files: Sequence[LoadStep],
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> SplitExecutor:
        store, default_store = ox.Store(), ox.Store()
        # the two loads at once: pyoxigraph releases the GIL while it loads, and the default
        # store's load (the union again) is a third of the work (at 5M: 87 s one after the
        # other on a quiet 2-CPU machine)
        with ThreadPoolExecutor(1, thread_name_prefix="load-default") as pool:
            default = pool.submit(
                load_files,
                default_store,
                [LoadStep(s.path, default=True) for s in files if s.default],
            )
            load_files(store, files)
            default.result()
        return cls(store, default_store, prefixes, base_iri)

    def execute(self, request: Request) -> QueryResult:
        if reads_default_graph_only(request):
            return self.default_only.execute(request)
        return super().execute(request)


class MemoryStore(Backend):
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
        worker_memory_mb: int = integer("WORKER_MEMORY_MB"),
    ) -> None:
        self.limits = limits or Limits()
        self.triple_count = executor.default_graph_size()
        self.named_graphs: Sequence[str] = executor.named_graphs()
        self._pool = WorkerPool(executor, size=pool_size(workers), memory_mb=worker_memory_mb)

    @classmethod
    def from_directory(
        cls,
        data_dir: Path,
        base_iri: str,
        *,
        limits: Limits | None = None,
        workers: int = 2,
        worker_memory_mb: int = integer("WORKER_MEMORY_MB"),
    ) -> MemoryStore:
        """Load ``data_dir``'s ``dataset.nt`` (required), ``dataset.nq`` and ``void.ttl``;
        ``workers`` 0 or less: one per CPU and one more (see :func:`~.pool.pool_size`)."""
        files = load_plan(data_dir, base_iri)
        prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
        executor = SplitExecutor.from_plan(files, prefixes, base_iri)
        return cls(executor, limits=limits, workers=workers, worker_memory_mb=worker_memory_mb)

    def run(self, call: Call) -> QueryResult:
        """See :class:`talkgraph.store.base.Backend`."""
        request = Request(
            sparql=call.sparql,
            default_graph_uris=call.default_graph_uris,
            named_graph_uris=call.named_graph_uris,
            max_rows=call.max_rows,
            max_bytes=call.max_bytes,
            result_format=call.result_format,
        )
        return self._pool.run(request, call.timeout)

    def worker_pids(self) -> list[int]:
        """The process ids of the query workers (for monitoring and tests)."""
        return self._pool.pids()

    def lanes(self) -> dict[str, int]:
        """The pool's lanes now: running heavy queries, waiting requests (for monitoring)."""
        return self._pool.lanes()

    def close(self) -> None:
        self._pool.close()
