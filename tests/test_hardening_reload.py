"""Switching to a new build without downtime: requests in flight during the switch all succeed,
the old store is closed once they are done, and the server says which build it serves."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from support.builds import crafted_build
from support.web import fetch, live_server, sparql_url
from talkgraph.web import create_app
from talkgraph.web.reload import Watcher, reload

PROGRAMME = """Confirmed Speakers
{name}
Example University
Talk Details
{name}
Example University
Title: {title}
Abstract
A talk about sparse recovery and neural networks.
"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _build(root: Path, name: str, title: str) -> Path:
    return crafted_build(root, PROGRAMME.format(name=name, title=title))


def _sha(build: Path) -> str:
    manifest = json.loads((build / "manifest.json").read_text())
    return str(manifest["files"]["dataset.nt"]["sha256"])


def _stream(base: str, stop: threading.Event, out: list[tuple[str, int, str]]) -> None:
    paths = ["/", "/version", sparql_url(base, COUNT)[len(base) :], "/downloads", "/query"]
    i = 0
    while not stop.is_set():
        path = paths[i % len(paths)]
        reply = fetch(base + path, headers={"Accept": "application/json, text/html;q=0.9"})
        out.append((path, reply.status, reply.headers.get("X-Dataset-Version", "")))
        i += 1


def test_reload_swaps_without_errors_and_closes_the_old_store(tmp_path: Path) -> None:
    first = _build(tmp_path, "Ada Example", "Sparse recovery")
    link = first  # crafted_build publishes tmp_path/"build" as a link to its release
    assert link.is_symlink()
    app = create_app(link, config={"QUERY_TIMEOUT": 10})
    old_state = app.extensions["talkgraph"]
    old_pids = list(old_state.store.worker_pids())
    stop, seen = threading.Event(), []  # type: ignore[var-annotated]
    try:
        with live_server(app) as base:
            assert fetch(base + "/version").status == 200
            streams = [threading.Thread(target=_stream, args=(base, stop, seen)) for _ in range(4)]
            for stream in streams:
                stream.start()
            time.sleep(0.3)
            second = _build(tmp_path, "Grace Sample", "Phase retrieval")  # same link, new release
            assert os.path.realpath(second) != str(old_state.data_dir)
            assert reload(app) is True
            assert reload(app) is False  # the same target again: nothing to do
            time.sleep(0.5)
            stop.set()
            for stream in streams:
                stream.join(30)
            after = json.loads(fetch(base + "/version").body)
    finally:
        stop.set()
        app.extensions["talkgraph"].close()

    errors = [s for s in seen if s[1] != 200]
    assert seen and not errors, errors[:5]
    versions = {v for _, _, v in seen}
    assert versions == {_sha(first)[:16], _sha(second)[:16]} or _sha(second)[:16] in versions
    assert after["dataset_sha256"] == _sha(second) and after["reloads"] == 1
    # the old store was closed once its requests had finished: its workers are gone
    assert old_state.closed
    for pid in old_pids:
        assert not os.path.exists(f"/proc/{pid}") or _zombie_free(pid)


def _zombie_free(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] == "Z"
    except OSError:
        return True


def test_a_request_in_flight_keeps_its_dataset_until_it_ends(tmp_path: Path) -> None:
    link = _build(tmp_path, "Ada Example", "Sparse recovery")
    app = create_app(link, config={"QUERY_TIMEOUT": 10})
    old = app.extensions["talkgraph"]
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(?b != ?e) }"
    try:
        with live_server(app) as base:
            result: list[object] = []
            thread = threading.Thread(
                target=lambda: result.append(fetch(sparql_url(base, slow)).status)
            )
            _build(tmp_path, "Grace Sample", "Phase retrieval")  # published, not yet served
            thread.start()
            time.sleep(0.2)
            assert reload(app)
            assert thread.is_alive() and not old.closed  # swapped while the query runs
            thread.join(30)
            assert result == [200]
            time.sleep(0.1)
            assert old.closed
            assert fetch(base + "/").status == 200
    finally:
        app.extensions["talkgraph"].close()


def test_watcher_follows_the_link_and_a_broken_build_keeps_the_old(tmp_path: Path) -> None:
    link = _build(tmp_path, "Ada Example", "Sparse recovery")
    app = create_app(link, config={"QUERY_TIMEOUT": 10})
    watcher = Watcher(app, 0.05)
    watcher.start()
    try:
        second = _build(tmp_path, "Grace Sample", "Phase retrieval")
        second_sha = _sha(second)
        deadline = time.monotonic() + 20
        while app.extensions["talkgraph"].manifest.files["dataset.nt"].sha256 != _sha(second):
            assert time.monotonic() < deadline, "the watcher did not reload"
            time.sleep(0.05)
        # a link pointing at something that is not a build: logged, the served one stays
        broken = tmp_path / "not-a-build"
        broken.mkdir()
        tmp = tmp_path / "link.tmp"
        tmp.symlink_to(broken)
        os.replace(tmp, link)
        time.sleep(0.3)
        served = app.extensions["talkgraph"]
        assert served.manifest.files["dataset.nt"].sha256 == second_sha
        assert app.test_client().get("/").status_code == 200
    finally:
        watcher.stop()
        watcher.join(5)
        app.extensions["talkgraph"].close()
