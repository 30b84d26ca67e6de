"""Query workers: an engine crash gets the right message and no Rust text in the log; where no
empty network namespace can be made, workers refuse to start unless explicitly allowed."""

from __future__ import annotations

import contextlib
import logging
import os
import time

import pytest
from flask import Flask

from talkgraph.errors import ConfigError, QueryAborted, QueryRefused
from talkgraph.store import worker as worker_module
from talkgraph.store.oxigraph import Executor, Request
from talkgraph.store.pool import WorkerPool, _Slot
from talkgraph.store.worker import ALLOW_NO_NETNS


def test_a_parser_stack_overflow_is_named_and_keeps_rust_out_of_the_log(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    pool = app.extensions["talkgraph"].store._pool  # straight to a worker: past the guard
    deep = "SELECT * WHERE { BIND(" + "(" * 50_000 + "1" + ")" * 50_000 + " AS ?x) }"
    with caplog.at_level(logging.WARNING), pytest.raises(QueryAborted) as info:
        pool.run(Request(sparql=deep), 20)
    assert "nested too deeply" in info.value.message and "memory" not in info.value.message
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "overflowed" not in logged and "thread '" not in logged and "backtrace" not in logged
    assert "nested too deeply" in logged
    # the pool goes on: the worker was replaced
    answer = pool.run(Request(sparql="ASK { }"), 5)
    assert answer.kind == "ask"


def test_without_a_network_namespace_workers_refuse_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # as on a machine where unshare(CLONE_NEWNET) is not permitted (the probe and the workers
    # are forked, so they see the replaced function)
    monkeypatch.setattr(worker_module, "_no_network", lambda: False)
    monkeypatch.delenv(ALLOW_NO_NETNS, raising=False)
    executor = Executor.from_files([])
    with pytest.raises(ConfigError, match="allow-no-network-namespace"):
        WorkerPool(executor, size=1)


def test_allowed_explicitly_they_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module, "_no_network", lambda: False)
    monkeypatch.setenv(ALLOW_NO_NETNS, "1")
    pool = WorkerPool(Executor.from_files([]), size=1)
    try:
        assert pool.run(Request(sparql="ASK { }"), 5).kind == "ask"
        # a worker that cannot isolate itself and was not allowed to refuses every query
        monkeypatch.delenv(ALLOW_NO_NETNS)
        slot = _Slot(False, 0.1)
        old = pool._acquire(slot, time.monotonic() + 5, 5)
        pool._release(slot, pool._retire(old))  # a new worker, forked without the permission
        with pytest.raises(QueryRefused, match="network"):
            pool.run(Request(sparql="ASK { }"), 5)
    finally:
        pool.close()


def test_killing_a_worker_twice_closes_no_other_file() -> None:
    """A retired worker is killed again by the pool's close (the two can race): the second
    kill must not close the descriptor number the first one freed, which the kernel hands to
    the next file opened (a waitress trigger, a socket)."""
    pool = WorkerPool(Executor.from_files([]), size=1)
    try:
        worker = pool._all[0]
        number = worker._stderr
        worker.kill()
        read_end, write_end = os.pipe()
        os.dup2(read_end, number)  # the number the kill freed, now another file's
        try:
            worker.kill()  # again, as close() does for a worker a retire was killing
            os.write(write_end, b"x")
            assert os.read(number, 1) == b"x"  # still open
        finally:
            for fd in (read_end, write_end, number):
                with contextlib.suppress(OSError):
                    os.close(fd)
    finally:
        pool.close()
