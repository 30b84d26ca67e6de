"""A pathological query is stopped at the time limit (its worker process killed), answered 503,
and other clients keep their normal latency meanwhile — against a live waitress server."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from support.web import fetch, live_server, p95, running_app, sparql_url

MINI = Path(__file__).parent / "fixtures" / "mini"
TIMEOUT = 1.5
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
PRODUCT = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . ?p ?q ?r"
BAD = {
    "cartesian": f"SELECT (COUNT(*) AS ?n) WHERE {{ {PRODUCT} }}",
    "path": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x ({TYPE}|^{TYPE})* ?y . {PRODUCT} }}",
    "group_concat": "SELECT (STRLEN(GROUP_CONCAT(STR(?a))) AS ?n) "
    "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }",
}
CHEAP = "SELECT ?s WHERE { ?s a <https://schema.org/Event> } LIMIT 5"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    config = {"TESTING": False, "QUERY_TIMEOUT": TIMEOUT, "WORKERS": 2, "WORKER_MEMORY_MB": 512}
    with running_app(MINI, **config) as application:
        yield application


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def _cheap_stream(base: str, stop: threading.Event, out: list[tuple[int, float]]) -> None:
    while not stop.is_set():
        reply = fetch(sparql_url(base, CHEAP), headers={"Accept": "application/json"})
        out.append((reply.status, reply.seconds))


def _run_cheap(base: str, seconds: float, threads: int = 3) -> list[tuple[int, float]]:
    stop, out = threading.Event(), []  # type: ignore[var-annotated]
    workers = [
        threading.Thread(target=_cheap_stream, args=(base, stop, out)) for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join(30)
    return out


@pytest.mark.parametrize("name", list(BAD))
def test_pathological_query_is_stopped_and_others_keep_answering(app: Flask, name: str) -> None:
    store = app.extensions["talkgraph"].store
    with live_server(app) as base:
        baseline = _run_cheap(base, 0.6)
        assert baseline and all(status == 200 for status, _ in baseline)
        before = set(store.worker_pids())

        stop, during = threading.Event(), []  # type: ignore[var-annotated]
        streams = [threading.Thread(target=_cheap_stream, args=(base, stop, during))
                   for _ in range(3)]  # fmt: skip
        for stream in streams:
            stream.start()
        started = time.monotonic()
        bad = fetch(sparql_url(base, BAD[name]), headers={"Accept": "application/json"})
        took = time.monotonic() - started
        stop.set()
        for stream in streams:
            stream.join(30)

    assert bad.status == 503, bad.body[:300]
    body = json.loads(bad.body)
    assert "time limit" in body["message"] or "memory limit" in body["message"]
    assert took < TIMEOUT + 5
    # every cheap query succeeded, within a generous bound of the baseline
    assert during and all(status == 200 for status, _ in during), during
    limit = 20 * p95([s for _, s in baseline]) + 0.5
    assert p95([s for _, s in during]) < limit
    # the worker that ran it was killed: its process is gone, so its CPU use stopped
    gone = before - set(store.worker_pids())
    assert len(gone) == 1
    (pid,) = gone
    time.sleep(0.2)
    assert _cpu_ticks(pid) is None and not os.path.exists(f"/proc/{pid}")
    # and no remaining worker is still busy
    ticks = {p: _cpu_ticks(p) for p in store.worker_pids()}
    time.sleep(0.5)
    for p, t in ticks.items():
        now = _cpu_ticks(p)
        assert t is not None and now is not None and now - t <= 10  # <= 0.1 s of CPU
