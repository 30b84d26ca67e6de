"""Admission by estimated cost in the worker pool (``talkgraph.store.pool``).

Behaviour, not timings: a burst of heavy queries that the pool can finish within their time
limit is queued and answered, not refused; a query known to run past its time limit is refused
at once (503 + Retry-After) when it would have to wait, and still runs when a worker is free;
a free worker goes to the cheaper of two heavy waiters first unless the other must start now to
end in time; the cost memory ignores
whitespace and comments.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from talkgraph.errors import QueryTimeout
from talkgraph.store import QueryBusy
from talkgraph.store.memory import SplitExecutor, load_plan
from talkgraph.store.oxigraph import Request
from talkgraph.store.pool import WorkerPool, _Slot

MINI = Path(__file__).parent / "fixtures" / "mini"
BASE = "https://example.org/talkgraph/"
# about 0.1 s of CPU on the mini fixture (a million rows counted)
MEDIUM = (
    "SELECT (COUNT(*) AS ?n) { ?a <https://schema.org/name> ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
)
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
CHEAP = "SELECT ?n { ?p a <https://schema.org/Person> ; <https://schema.org/name> ?n }"


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    """Two workers: a heavy lane of one, one worker kept for cheap queries."""
    backend = WorkerPool(SplitExecutor.from_plan(load_plan(MINI, BASE)), size=2, promote_after=0.02)
    yield backend
    backend.close()


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_a_burst_the_pool_can_finish_in_time_is_queued_not_refused(pool: WorkerPool) -> None:
    # six heavy queries at once against a heavy lane of one (the old fixed queue of two for
    # that lane refused three of them); the same query written six ways (comments)
    results: list[object] = [None] * 6

    def ask(i: int) -> None:
        try:
            results[i] = pool.run(Request(f"{MEDIUM} # client {i}"), 30).text_rows()
        except Exception as error:  # noqa: BLE001 - the test looks at it
            results[i] = error

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [[{"n": "1111158"}]] * 6, results
    cost = pool.cost(Request(MEDIUM))  # remembered under the query's normal form
    assert cost is not None and cost[0] >= pool.promote_after
    assert pool.lanes()["heavy_running"] == 0 and pool.lanes()["waiting_heavy"] == 0


def test_a_query_that_would_not_finish_in_time_is_refused_at_once(pool: WorkerPool) -> None:
    with pytest.raises(QueryTimeout):
        pool.run(Request(SLOW), 1)  # now known to take its whole time limit
    out: dict[str, object] = {}

    def first() -> None:
        try:
            pool.run(Request(SLOW + " # first"), 1)
        except QueryTimeout as error:
            out["error"] = error

    running = threading.Thread(target=first)
    running.start()  # a free heavy worker: it runs (and reaches its limit again)
    _wait_for(lambda: pool.lanes()["heavy_running"] == 1)
    started = time.monotonic()
    with pytest.raises(QueryBusy, match="past its time limit") as refused:
        pool.run(Request(SLOW + " # second"), 1)
    assert time.monotonic() - started < 0.5  # at once, not after waiting
    assert refused.value.http_status == 503 and refused.value.retry_after >= 1
    assert pool.run(Request(CHEAP), 1).text_rows()  # cheap ones still answer
    running.join()
    assert isinstance(out.get("error"), QueryTimeout)


@pytest.mark.parametrize(
    ("long_limit", "first"),
    [(30.0, "short"), (7.0, "long")],  # slack 25 s: the cheaper first; 2 s: the long one
)
def test_the_cheaper_heavy_waiter_goes_first_unless_another_must_start(
    pool: WorkerPool, long_limit: float, first: str
) -> None:
    holder = _Slot(True, 1.0)
    held = pool._acquire(holder, time.monotonic() + 10, 10)  # the heavy lane is full
    order: list[str] = []
    slots = {"long": _Slot(True, 5.0), "short": _Slot(True, 3.0)}
    limits = {"long": long_limit, "short": 30.0}

    def wait(name: str) -> None:
        worker = pool._acquire(slots[name], time.monotonic() + limits[name], limits[name])
        order.append(name)
        time.sleep(0.05)
        pool._release(slots[name], worker)

    long_one = threading.Thread(target=wait, args=("long",))
    long_one.start()  # waits first
    _wait_for(lambda: pool.lanes()["waiting_heavy"] == 1)
    short_one = threading.Thread(target=wait, args=("short",))
    short_one.start()
    _wait_for(lambda: pool.lanes()["waiting_heavy"] == 2)
    pool._release(holder, held)
    long_one.join()
    short_one.join()
    assert order[0] == first and sorted(order) == ["long", "short"]


def test_a_full_heavy_queue_is_still_refused(pool: WorkerPool) -> None:
    # the fixed bound holds whatever the estimates say
    holder = _Slot(True, 0.01)
    held = pool._acquire(holder, time.monotonic() + 10, 10)
    waiting = [_Slot(True, 0.01) for _ in range(pool.queue_depth)]
    threads = []
    for slot in waiting:
        thread = threading.Thread(
            target=lambda s=slot: pool._release(s, pool._acquire(s, time.monotonic() + 10, 10))
        )
        thread.start()
        threads.append(thread)
    _wait_for(lambda: pool.lanes()["waiting_heavy"] == pool.queue_depth)
    with pytest.raises(QueryBusy, match="queue is full") as refused:
        pool._acquire(_Slot(True, 0.01), time.monotonic() + 10, 10)
    assert refused.value.retry_after >= 1
    pool._release(holder, held)
    for thread in threads:
        thread.join()
