"""The on-disk backend: same answers as in memory, reused across restarts, reloaded on change."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from support.builds import seed_build
from support.servers import ASKS, CONSTRUCTS, SELECTS, sparql_answer
from talkgraph.errors import QueryError, QueryRefused, QueryTimeout
from talkgraph.store import DiskStore, Limits
from talkgraph.store.disk import MARKER, read_marker
from talkgraph.web import create_app

MINI = Path(__file__).parent / "fixtures" / "mini"
BASE = json.loads((MINI / "manifest.json").read_text(encoding="utf-8"))["base_iri"]


@pytest.fixture(scope="module")
def seed() -> Path:
    return seed_build()


@pytest.fixture(scope="module")
def clients(
    seed: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FlaskClient, FlaskClient]]:
    store_dir = tmp_path_factory.mktemp("disk") / "store"
    memory = create_app(seed, config={"TESTING": True})
    disk = create_app(seed, config={"TESTING": True, "STORE": str(store_dir)})
    yield memory.test_client(), disk.test_client()
    memory.extensions["talkgraph"].close()
    disk.extensions["talkgraph"].close()


def test_disk_answers_like_memory(clients: tuple[FlaskClient, FlaskClient]) -> None:
    memory, disk = clients
    for query in (*SELECTS, *ASKS, *CONSTRUCTS):
        assert sparql_answer(disk, query) == sparql_answer(memory, query), query
    # the named graphs of the data files, as in memory
    answers = []
    for client in clients:
        response = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
        assert response.status_code == 200
        answers.append(set(response.data.splitlines()))
    assert answers[0] == answers[1] and answers[0]


def copy_build(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_restart_reuses_and_change_reloads(tmp_path: Path) -> None:
    build = copy_build(MINI, tmp_path / "build")
    store_dir = tmp_path / "store"
    first = DiskStore(store_dir, build, BASE, workers=1)
    marker = read_marker(store_dir)
    assert first.reloaded and marker is not None
    count = first.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").text_rows()
    first.close()
    stamp = (store_dir / MARKER).stat().st_mtime_ns
    again = DiskStore(store_dir, build, BASE, workers=1)
    assert not again.reloaded and read_marker(store_dir) == marker
    assert (store_dir / MARKER).stat().st_mtime_ns == stamp
    assert again.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").text_rows() == count

    # a new build (its manifest records another dataset.nt): loaded beside the served one
    extra = '<http://talkgraph.localhost/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
    with (build / "dataset.nt").open("a", encoding="utf-8") as handle:
        handle.write(extra)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["dataset.nt"]["sha256"] = "0" * 64
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    changed = DiskStore(store_dir, build, BASE, workers=1)
    new_marker = read_marker(store_dir)
    assert changed.reloaded and new_marker is not None and new_marker.key != marker.key
    assert new_marker.triple_count == marker.triple_count + 1
    assert changed.query("ASK { <http://talkgraph.localhost/x> ?p ?o }").boolean
    # the store still serving the old build was not touched and answers as before
    assert (store_dir / marker.directory).is_dir()
    assert not again.query("ASK { <http://talkgraph.localhost/x> ?p ?o }").boolean
    again.close()
    changed.close()


def test_failed_load_keeps_the_served_build(tmp_path: Path) -> None:
    build = copy_build(MINI, tmp_path / "build")
    store_dir = tmp_path / "store"
    DiskStore(store_dir, build, BASE, workers=1).close()
    marker = read_marker(store_dir)
    (build / "dataset.nt").write_text("<http://broken", encoding="utf-8")
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["dataset.nt"]["sha256"] = "1" * 64
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(QueryError, match="cannot load"):
        DiskStore(store_dir, build, BASE, workers=1)
    assert read_marker(store_dir) == marker
    assert sorted(p.name for p in store_dir.iterdir() if not p.name.startswith(".")) == sorted(
        [MARKER, marker.directory]  # type: ignore[union-attr]
    )


def test_limits_and_read_only_rules_hold(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "store", MINI, BASE, workers=1, limits=Limits(timeout=1))
    try:
        pids = store.worker_pids()
        with pytest.raises(QueryRefused):
            store.query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
        with pytest.raises(QueryRefused):
            store.query("SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }")
        slow = (
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
        )
        with pytest.raises(QueryTimeout):
            store.query(slow)
        assert store.worker_pids() != pids  # the worker was killed and replaced
        assert store.query("ASK { ?s ?p ?o }").boolean  # the new worker opened the store too
    finally:
        store.close()
