"""The frames between the pool and its workers: one each way, read whole whatever their size.

A reply carries the worker's CPU time, page faults and address space size, which the pool uses
instead of reading ``/proc`` after an answer; they must be the kernel's own figures.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time

import pyoxigraph as ox
import pytest

from talkgraph.errors import QueryError, QuerySyntaxError
from talkgraph.store.oxigraph import Executor, Request
from talkgraph.store.pool import WorkerPool
from talkgraph.store.worker import Worker, _Frames, _send

EX = "http://example.org/"


@pytest.fixture(scope="module")
def executor() -> Executor:
    store = ox.Store()
    store.bulk_extend(
        ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(f"o{i} " * 20))
        for i in range(3000)
    )
    return Executor(store)


def test_frames_that_come_together_or_in_pieces_are_read_whole() -> None:
    left, right = socket.socketpair()
    try:
        frames = _Frames(right)
        _send(left, b"", b"one")
        _send(left, b"", b"")
        _send(left, b"", b"two")  # three frames in the socket at once
        assert frames.read() == b"one"
        assert frames.buffered
        assert frames.read() == b""
        assert frames.read() == b"two"
        assert not frames.buffered
        big = bytes(range(256)) * 4096  # 1 MiB: more than a socket buffer holds
        writer = threading.Thread(target=_send, args=(left, b"head", big))
        writer.start()
        assert frames.read() == b"head" + big
        writer.join()
        left.close()
        with pytest.raises(EOFError):
            frames.read()
    finally:
        left.close()
        right.close()


def test_answers_errors_and_large_results_cross_unchanged(executor: Executor) -> None:
    pool = WorkerPool(executor, size=1)
    try:
        for sparql, fmt in (
            ("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s", "json"),
            ("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s", "xml"),
            ("CONSTRUCT WHERE { ?s ?p ?o }", "turtle"),
            ("ASK { ?s ?p ?o }", None),
        ):
            request = Request(sparql, result_format=fmt)
            expected = executor.execute(request)
            assert pool.run(request, timeout=30) == expected
        assert len(executor.execute(Request("CONSTRUCT WHERE { ?s ?p ?o }")).data) > 1 << 18
        with pytest.raises(QuerySyntaxError) as syntax:
            pool.run(Request("SELECT ?s WHERE { ?s ?p"), timeout=30)
        assert syntax.value.place is not None and syntax.value.place.line == 1
        with pytest.raises(QueryError, match="rows"):
            pool.run(Request("SELECT * WHERE { ?s ?p ?o }", max_rows=10), timeout=30)
    finally:
        pool.close()


def test_a_reply_carries_the_workers_own_figures(executor: Executor) -> None:
    worker = Worker(executor, 1024)
    try:
        worker.send(Request("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), 30)
        assert worker.ready(30)
        reply = worker.receive()
        assert reply[0] == "ok"
        assert worker.reported is not None and worker.cpu_mark is not None
        faults, size = worker.reported
        fields = worker._stat()  # the worker now waits for its next request
        assert fields is not None
        assert size == int(fields[20])
        assert 0 < faults <= int(fields[7])
        cpu = worker.cpu_seconds()
        assert cpu is not None and worker.cpu_mark <= cpu + 0.02  # /proc counts 10 ms ticks
        assert not worker.over_memory(1 << 40)
        assert worker.reported is None  # used once; the next check reads /proc
        worker.stop()
        assert worker.join(5)
    finally:
        worker.kill()


def test_a_worker_that_died_while_idle_is_replaced_and_the_query_runs(
    executor: Executor,
) -> None:
    pool = WorkerPool(executor, size=1)
    try:
        ask = Request("ASK { ?s ?p ?o }")
        assert pool.run(ask, timeout=30).boolean
        (dead,) = pool.pids()
        os.kill(dead, signal.SIGKILL)
        time.sleep(0.2)  # gone, and its end of the socket closed with it
        assert pool.run(ask, timeout=30).boolean
        (fresh,) = pool.pids()
        assert fresh != dead
        with pytest.raises(ChildProcessError):  # reaped by the pool
            os.waitpid(dead, os.WNOHANG)
    finally:
        pool.close()
