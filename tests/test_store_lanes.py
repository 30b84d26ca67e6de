"""The worker pool's lanes and bounded queues, and HTTP caching of /sparql answers.

Behaviour only (never timings): with a heavy query running, cheap queries still answer from
another worker; a full queue is refused at once with 503 + Retry-After; pages and static files
are served while every worker is busy; GET answers carry an ETag and revalidate to 304.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask

from support.web import running_app
from talkgraph.errors import QueryTimeout
from talkgraph.store import Limits, MemoryStore, QueryBusy
from talkgraph.store.memory import SplitExecutor, load_plan, reads_default_graph_only
from talkgraph.store.oxigraph import Request
from talkgraph.store.pool import WorkerPool, pool_size

MINI = Path(__file__).parent / "fixtures" / "mini"
BASE = "https://example.org/talkgraph/"
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
CHEAP = "SELECT ?n { ?p a <https://schema.org/Person> ; <https://schema.org/name> ?n }"


def _in_thread(target: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["value"] = target()
        except Exception as error:  # noqa: BLE001 - the test looks at it
            out["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def store() -> Iterator[MemoryStore]:
    backend = MemoryStore.from_directory(MINI, BASE, limits=Limits(timeout=2), workers=2)
    yield backend
    backend.close()


def test_cheap_queries_answer_while_a_heavy_one_runs(store: MemoryStore) -> None:
    thread, out = _in_thread(lambda: store.query(SLOW))
    _wait_for(lambda: store.lanes()["heavy_running"] == 1)  # promoted to the heavy lane
    # its worker yields the CPU to cheap queries
    assert sorted(os.getpriority(os.PRIO_PROCESS, pid) for pid in store.worker_pids()) == [0, 10]
    answered = 0
    while thread.is_alive():
        assert len(store.query(CHEAP)) == 2
        answered += 1
        assert store.lanes()["heavy_running"] <= 1  # one worker is always kept for cheap ones
    thread.join()
    assert isinstance(out.get("error"), QueryTimeout)
    assert answered >= 3
    assert store.lanes()["heavy_running"] == 0
    assert all(os.getpriority(os.PRIO_PROCESS, pid) == 0 for pid in store.worker_pids())


def test_a_query_seen_heavy_goes_straight_to_the_heavy_lane(store: MemoryStore) -> None:
    with pytest.raises(QueryTimeout):
        store.query(SLOW, timeout=0.5)  # remembered as heavy
    thread, out = _in_thread(lambda: store.query(SLOW, timeout=1))
    _wait_for(lambda: store.lanes()["heavy_running"] == 1)
    assert len(store.query(CHEAP)) == 2
    thread.join()
    assert isinstance(out.get("error"), QueryTimeout)


def test_full_queue_is_refused_at_once() -> None:
    files = load_plan(MINI, BASE)
    pool = WorkerPool(SplitExecutor.from_plan(files), size=1, queue_depth=1)
    try:
        first, first_out = _in_thread(lambda: pool.run(Request(SLOW), 3))
        _wait_for(lambda: pool.lanes()["heavy_running"] == 1)
        second, second_out = _in_thread(lambda: pool.run(Request(CHEAP), 3))
        _wait_for(lambda: pool.lanes()["waiting_fast"] == 1)
        with pytest.raises(QueryBusy, match="queue is full") as refused:
            pool.run(Request(CHEAP), 3)
        assert first.is_alive()  # refused while the heavy one was still running
        assert refused.value.retry_after >= 1
        assert refused.value.http_status == 503
        first.join()
        second.join()
        assert isinstance(first_out.get("error"), QueryTimeout)
        assert "value" in second_out  # it waited and ran once the worker was free
    finally:
        pool.close()


def test_pool_size_follows_the_machine() -> None:
    assert pool_size(3) == 3
    assert pool_size(0) >= 2


def test_default_graph_routing_is_conservative() -> None:
    assert reads_default_graph_only(Request("SELECT * { ?s <http://x/graph/from> ?o }"))
    for text in (
        "SELECT * { GRAPH ?g { ?s ?p ?o } }",
        "SELECT * FROM <http://x/> { ?s ?p ?o }",
        "select * from named <http://x/> { ?s ?p ?o }",
        "SELECT * { graph<http://x/>{ ?s ?p ?o } }",
        'SELECT * { ?s ?p "\\u0067raph" }',
    ):
        assert not reads_default_graph_only(Request(text)), text
    assert not reads_default_graph_only(Request("ASK {}", named_graph_uris=("http://x/",)))


def test_named_graphs_still_answer_through_the_split_store(store: MemoryStore) -> None:
    union = store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").text_rows()[0]["n"]
    named = store.query("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }").text_rows()[0]["n"]
    assert int(union) > 0 and int(named) > 0


# --- over HTTP -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    with running_app(MINI, TESTING=True, QUERY_TIMEOUT=2, WORKERS=1) as application:
        yield application


def _get(app: Flask, query: str, **headers: str) -> object:
    return app.test_client().get("/sparql?" + urlencode({"query": query}), headers=headers)


def test_busy_is_503_with_retry_after_and_pages_still_served(app: Flask) -> None:
    slow, _ = _in_thread(lambda: _get(app, SLOW))
    store = app.extensions["talkgraph"].store
    _wait_for(lambda: store.lanes()["heavy_running"] == 1)
    waiting = [_in_thread(lambda: _get(app, CHEAP + " LIMIT 7")) for _ in range(8)]
    _wait_for(lambda: store.lanes()["waiting_fast"] == 8)
    client = app.test_client()
    refused = client.get("/sparql?" + urlencode({"query": CHEAP + " LIMIT 9"}))
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 1
    assert "queue is full" in refused.get_data(as_text=True)
    # every worker busy, its queue full: static files and the version page need none
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/version").status_code == 200
    assert slow.is_alive()
    slow.join()
    for thread, _ in waiting:
        thread.join()


def test_get_answers_revalidate_with_etag(app: Flask) -> None:
    client = app.test_client()
    url = "/sparql?" + urlencode({"query": CHEAP})
    first = client.get(url, headers={"Accept": "application/sparql-results+json"})
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('W/"')
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get(
        url, headers={"Accept": "application/sparql-results+json", "If-None-Match": tag}
    )
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag
    other = client.get(url, headers={"Accept": "text/csv", "If-None-Match": tag})
    assert other.status_code == 200 and other.headers["ETag"] != tag
    posted = client.post("/sparql", data={"query": CHEAP})
    assert posted.status_code == 200 and "ETag" not in posted.headers
    assert posted.data == first.data  # the same answer, from the cache or not


def test_refusals_hold_whatever_the_cache_holds(app: Flask) -> None:
    client = app.test_client()
    update = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"
    for _ in range(2):
        assert client.get("/sparql?" + urlencode({"query": update})).status_code == 403
