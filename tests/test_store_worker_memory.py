"""A worker's memory limit counts the pages of the shared store it copies on write.

Reading pyoxigraph's in-memory store writes into it, so a forked worker that reads the store
ends up with its own copy of every page it read; ``RLIMIT_AS`` cannot see that (the pages were
in its address space from the fork). The pool measures a worker's own memory and replaces
(or stops) a worker that has more than ``WORKER_MEMORY_MB`` of it.
"""

from __future__ import annotations

import os

import pyoxigraph as ox
import pytest

from talkgraph.errors import QueryAborted
from talkgraph.store.oxigraph import Executor, Request
from talkgraph.store.pool import WorkerPool
from talkgraph.store.worker import own_memory

SCAN = Request("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
TRIPLES = 150_000  # about 50 MB of store: far more than the small limit below


@pytest.fixture(scope="module")
def executor() -> Executor:
    store = ox.Store()
    ex = "http://example.org/"
    store.bulk_extend(
        ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(f"{ex}p{i % 7}"), ox.Literal(f"o{i}"))
        for i in range(TRIPLES)
    )
    return Executor(store)


def _count(pool: WorkerPool) -> int:
    result = pool.run(SCAN, timeout=30)
    value = result.rows()[0]["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def test_own_memory_is_measured() -> None:
    own = own_memory(os.getpid())
    assert own is not None and own > 1 << 20
    assert own_memory(2**22 + 12345) is None  # no such process


def test_a_worker_that_copied_more_of_the_store_than_its_limit_is_replaced(
    executor: Executor,
) -> None:
    pool = WorkerPool(executor, size=1, memory_mb=16)
    try:
        before = pool.pids()
        try:  # answered and then replaced, or stopped while it ran: either way not kept
            assert _count(pool) == TRIPLES
        except QueryAborted as error:
            assert "memory limit of 16 MiB" in str(error)
        after = pool.pids()
        assert len(after) == 1 and after != before
        with pytest.raises(ProcessLookupError):
            os.kill(before[0], 0)
    finally:
        pool.close()


def test_a_worker_within_its_limit_is_kept(executor: Executor) -> None:
    pool = WorkerPool(executor, size=1, memory_mb=1024)
    try:
        before = pool.pids()
        assert _count(pool) == TRIPLES
        assert _count(pool) == TRIPLES
        assert pool.pids() == before
    finally:
        pool.close()
