"""Publishing to a real Oxigraph server: streamed batches into a staging graph, resumed after an
interruption (a batch failing, the server restarted, the publishing process killed), refused
when the build changed, and readers see the old data until the switch."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from support.servers import Server, failing_proxy, oxigraph_binary, start_oxigraph
from talkgraph.cli import main
from talkgraph.errors import ConfigError, QueryError
from talkgraph.publish_remote import (
    PublishFailed,
    default_checkpoint,
    scan_source,
)
from talkgraph.publish_remote import publish as publish_with_grace
from talkgraph.store import RemoteStore
from talkgraph.store.remote import Http, read_pointer

MINI = Path(__file__).parent / "fixtures" / "mini"
#: the replaced data is dropped at once here (no query is in flight)
publish = functools.partial(publish_with_grace, grace=0)
GRAPH = "http://example.org/published/mini"
EXTRA = b'<http://talkgraph.localhost/extra> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'

if oxigraph_binary() is None and not os.environ.get("CI"):
    pytest.skip("no oxigraph server binary (pip install oxigraph)", allow_module_level=True)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-publish"))
    yield server
    server.stop()


def build_dir(tmp_path: Path, name: str, extra: list[bytes] = ()) -> Path:  # type: ignore[assignment]
    """The mini build with ``extra`` lines in ``dataset.nt`` (kept sorted, as a build writes)."""
    out = tmp_path / name
    out.mkdir()
    for file in ("manifest.json", "void.ttl"):
        (out / file).write_bytes((MINI / file).read_bytes())
    lines = (MINI / "dataset.nt").read_bytes().splitlines(keepends=True) + list(extra)
    (out / "dataset.nt").write_bytes(b"".join(sorted(set(lines))))
    return out


def triples(server: Server, graph: str) -> list[str]:
    store = RemoteStore(server.query, graph)
    return sorted(map(str, store.query("CONSTRUCT WHERE { ?s ?p ?o }").triples()))


def graphs(server: Server) -> set[str]:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
    url = f"{server.query}?{urllib.parse.urlencode({'query': query})}"
    request = urllib.request.Request(url, headers={"Accept": "text/tab-separated-values"})
    with urllib.request.urlopen(request, timeout=10) as response:
        lines = response.read().decode().splitlines()[1:]
    return {line.strip("<>") for line in lines}


def staging(server: Server, graph: str) -> set[str]:
    """The versions of ``graph`` in the store other than the published one."""
    found = read_pointer(Http(), server.query, graph, 10)
    current = found[0] if found else graph
    return {n for n in graphs(server) if n.startswith(f"{graph}/version/") and n != current}


def test_source_is_the_default_graph_of_the_local_backends(tmp_path: Path) -> None:
    source = scan_source(MINI)
    assert source.triples == 57  # dataset.nt and void.ttl merged, as MemoryStore loads them
    assert source.streamed == 46 and source.size == (MINI / "dataset.nt").stat().st_size
    # a void.ttl triple that dataset.nt has too is sent once
    void_line = b'<http://talkgraph.localhost/dataset> <http://purl.org/dc/terms/title> "Mini Workshop on Test Data (test fixture)" .\n'  # noqa: E501
    assert scan_source(build_dir(tmp_path, "dup", [void_line])).triples == 57
    # blank-node lines are set aside, each blank node's lines in one group
    blank = [
        b"_:a <http://x.org/p> _:b .\n",
        b'_:b <http://x.org/p> "1" .\n',
        b'_:c <http://x.org/p> "2" .\n',
    ]  # noqa: E501
    source = scan_source(build_dir(tmp_path, "blank", blank))
    assert source.triples == 60 and source.streamed == 46
    assert sorted(map(len, source.tail[:2])) == [1, 2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"<http://b.org/x> <http://x.org/p> <http://x.org/o> .\n"
            b"<http://a.org/x> <http://x.org/p> <http://x.org/o> .\n",
            ":2: lines are not sorted",
        ),
        (
            b"<http://a.org/x> <http://x.org/p> <http://x.org/o> .\n"
            b"<http://a.org/y> <http://x.org/p> oops .\n",
            ":2: not N-Triples",
        ),
        (
            b"<http://a.org/x> <http://x.org/p> <http://x.org/o> .\n"
            b"<http://a.org/x> <http://x.org/p> <http://x.org/o> .\n",
            ":2: lines are not sorted without duplicates",
        ),
    ],
)
def test_bad_source_is_named_by_line(tmp_path: Path, content: bytes, message: str) -> None:
    out = build_dir(tmp_path, "bad")
    (out / "dataset.nt").write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        scan_source(out)


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_a_failed_batch_is_resumed_and_readers_see_the_old_data_until_the_switch(
    method: str, oxigraph: Server, tmp_path: Path
) -> None:
    graph = f"{GRAPH}/resume-{method}"
    endpoints = {"update_endpoint": oxigraph.update, "gsp_endpoint": oxigraph.gsp}
    checkpoint = tmp_path / "checkpoint.json"
    publish(MINI, oxigraph.query, graph, checkpoint=checkpoint, **endpoints)
    before = triples(oxigraph, graph)
    assert not checkpoint.exists()  # removed once published
    reader = RemoteStore(oxigraph.query, graph)  # a long-lived reader (a running server)
    changed = build_dir(tmp_path, "changed", [EXTRA])
    base = oxigraph.query.rsplit("/", 1)[0]
    calls: list[str] = []
    failing = [True]

    def fail(path: str, body: bytes) -> bool:
        kind = (
            "POST store"
            if path.startswith("/store")
            else urllib.parse.unquote_plus(body[:20].decode())
        )
        calls.append(kind)
        is_batch = kind == "POST store" or kind.startswith("update=INSERT")
        return failing[0] and is_batch and sum(c == kind for c in calls) > 2  # batch 3 on

    seen: list[list[str]] = []

    def watch(message: str) -> None:  # readers during the publish: the old data, always
        if message.startswith(("batch ", "switching")):
            seen.append(triples(oxigraph, graph))

    with failing_proxy(base, fail) as proxy:
        options = {
            "update_endpoint": f"{proxy}/update",
            "gsp_endpoint": f"{proxy}/store",
            "checkpoint": checkpoint,
            "batch_size": 10,
            "method": method,
            "backoff": 0.01,
            "retries": 2,
        }
        with pytest.raises(PublishFailed, match=r"batch 3 \(dataset.nt lines \d+–\d+\)") as info:
            publish(changed, f"{proxy}/query", graph, progress=watch, **options)  # type: ignore[arg-type]
        assert "503" in str(info.value) and "run the same command again" in str(info.value)
        assert "unchanged" in str(info.value)
        saved = json.loads(checkpoint.read_text())
        assert saved["batch"] == 2 and saved["acknowledged"] == saved["line"] >= 20
        assert triples(oxigraph, graph) == before and len(staging(oxigraph, graph)) == 1
        sent_before = len(calls)
        failing[0] = False
        done = publish(changed, f"{proxy}/query", graph, progress=watch, **options)  # type: ignore[arg-type]
    assert done.resumed_from == 2 and done.batches >= 3  # 47 lines + 11 of void.ttl, ~10 a batch
    batches_sent = [
        c for c in calls[sent_before:] if c == "POST store" or c.startswith("update=INSERT")
    ]
    assert len(batches_sent) == done.batches if method == "gsp" else len(batches_sent) >= 3
    assert seen and all(view == before for view in seen)
    after = triples(oxigraph, graph)
    assert len(after) == 58 and after != before
    time.sleep(1.1)  # the reader looks the published version up again after a second
    assert reader.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows()[0]["n"].value == "58"
    assert reader.triple_count == 58
    assert not staging(oxigraph, graph) and not checkpoint.exists()


def test_a_changed_source_is_refused_then_restarted(oxigraph: Server, tmp_path: Path) -> None:
    graph = f"{GRAPH}/changed"
    checkpoint = tmp_path / "checkpoint.json"
    base = oxigraph.query.rsplit("/", 1)[0]
    options = {"checkpoint": checkpoint, "batch_size": 10, "backoff": 0.01, "retries": 0}
    posts: list[str] = []

    def fail(path: str, body: bytes) -> bool:  # batch 2 on
        posts.extend([path] if path.startswith("/store") else [])
        return len(posts) > 1 and path.startswith("/store")

    with failing_proxy(base, fail) as proxy:
        with pytest.raises(PublishFailed, match="resume"):
            publish(MINI, f"{proxy}/query", graph, gsp_endpoint=f"{proxy}/store",
                    update_endpoint=f"{proxy}/update", **options)  # type: ignore[arg-type]  # fmt: skip
        changed = build_dir(tmp_path, "changed", [EXTRA])
        args = (changed, f"{proxy}/query", graph)
        kwargs = {"gsp_endpoint": f"{proxy}/store", "update_endpoint": f"{proxy}/update"}
        with pytest.raises(ConfigError, match="changed since the publish .* --restart"):
            publish(*args, **kwargs, **options)  # type: ignore[arg-type]
    old = staging(oxigraph, graph)
    assert len(old) == 1
    endpoints = {"gsp_endpoint": oxigraph.gsp, "update_endpoint": oxigraph.update}
    done = publish(changed, oxigraph.query, graph, checkpoint=checkpoint, restart=True, **endpoints)
    assert done.triples == 58 and done.resumed_from == 0
    assert not staging(oxigraph, graph) and len(triples(oxigraph, graph)) == 58


def test_resume_after_the_server_restarts(tmp_path: Path) -> None:
    """The store goes away mid-way (SIGTERM), comes back on the same port with its data."""
    server = start_oxigraph(tmp_path)
    port = int(server.query.rsplit(":", 1)[1].split("/")[0])
    graph = f"{GRAPH}/restart"
    checkpoint = tmp_path / "checkpoint.json"
    options = {"update_endpoint": server.update, "gsp_endpoint": server.gsp, "batch_size": 10}

    def stop_after_two(message: str) -> None:
        if message.startswith("batch 2 sent"):
            server.stop()

    try:
        with pytest.raises(PublishFailed, match="(?s)batch 3 .*cannot reach.*run the same command"):
            publish(MINI, server.query, graph, checkpoint=checkpoint, progress=stop_after_two,
                    backoff=0.01, retries=1, **options)  # type: ignore[arg-type]  # fmt: skip
        server = start_oxigraph(tmp_path, port)
        done = publish(MINI, server.query, graph, checkpoint=checkpoint, **options)  # type: ignore[arg-type]
        assert done.resumed_from == 2 and len(triples(server, graph)) == 57
        assert not staging(server, graph)
    finally:
        server.stop()


def test_resume_after_the_publishing_process_is_killed(oxigraph: Server, tmp_path: Path) -> None:
    graph = f"{GRAPH}/killed"
    checkpoint = tmp_path / "checkpoint.json"
    base = oxigraph.query.rsplit("/", 1)[0]

    def slow(path: str, body: bytes) -> bool:
        if path.startswith("/store"):
            time.sleep(0.3)
        return False

    with failing_proxy(base, slow) as proxy:
        command = [
            sys.executable, "-m", "talkgraph.cli", "publish", "--data", str(MINI),
            "--to", f"{proxy}/query", "--graph", graph, "--gsp-endpoint", f"{proxy}/store",
            "--update-endpoint", f"{proxy}/update", "--batch-size", "5",
            "--checkpoint", str(checkpoint), "--grace", "0",
        ]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if checkpoint.exists() and json.loads(checkpoint.read_text())["batch"] >= 2:
                    break
                time.sleep(0.05)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(10)
        saved = json.loads(checkpoint.read_text())
        assert 2 <= saved["batch"] < 12
        result = CliRunner().invoke(main, [*command[3:], "-q"])
    assert result.exit_code == 0, result.output
    assert f"resumed after batch {saved['batch']}" in result.output
    assert len(triples(oxigraph, graph)) == 57 and not staging(oxigraph, graph)


def test_bad_endpoints_fail_cleanly(oxigraph: Server, tmp_path: Path) -> None:
    graph = f"{GRAPH}/bad"
    checkpoint = tmp_path / "checkpoint.json"
    publish(MINI, oxigraph.query, graph, gsp_endpoint=oxigraph.gsp, update_endpoint=oxigraph.update, checkpoint=checkpoint)  # fmt: skip # noqa: E501
    with pytest.raises(PublishFailed, match="unchanged.*rejected batch 1"):
        publish(MINI, oxigraph.query, graph, gsp_endpoint=oxigraph.query + "-nothing-here",
                update_endpoint=oxigraph.update, checkpoint=checkpoint)  # fmt: skip
    checkpoint.unlink()
    with pytest.raises(PublishFailed, match="update-endpoint"):  # /query takes no updates
        publish(MINI, oxigraph.query, graph, gsp_endpoint=oxigraph.gsp, checkpoint=checkpoint)
    with pytest.raises(PublishFailed, match="cannot reach"):
        publish(MINI, "http://127.0.0.1:9/query", graph, method="update", retries=1,
                backoff=0.01, checkpoint=checkpoint)  # fmt: skip
    with pytest.raises(ConfigError, match="gsp-endpoint"):
        publish(MINI, oxigraph.query, graph)
    with pytest.raises(ConfigError, match="not an IRI"):
        publish(MINI, oxigraph.query, "http://example.org/a> <b", method="update")
    assert RemoteStore(oxigraph.query, graph).triple_count == scan_source(MINI).triples


def test_default_checkpoint_is_beside_the_build(tmp_path: Path) -> None:
    path = default_checkpoint(tmp_path / "build", "http://h/q", GRAPH)
    assert path.parent == tmp_path and path.name.startswith(".build.publish-")
    assert path != default_checkpoint(tmp_path / "build", "http://h/q", GRAPH + "2")


def test_cli_publish_then_serve_config(oxigraph: Server, tmp_path: Path) -> None:
    graph = f"{GRAPH}/cli"
    result = CliRunner().invoke(
        main,
        ["publish", "--data", str(MINI), "--to", oxigraph.query, "--graph", graph,
         "--gsp-endpoint", oxigraph.gsp, "--update-endpoint", oxigraph.update, "-q",
         "--checkpoint", str(tmp_path / "c.json"), "--retries", "0", "--grace", "0"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        f"published 57 triples to <{graph}>" in result.output
        and "(2 batches sent)" in result.output
    )
    bad = CliRunner().invoke(main, ["publish", "--data", str(MINI), "--to", oxigraph.query])
    assert bad.exit_code != 0 and "gsp-endpoint" in bad.output


def test_a_failed_drop_of_the_replaced_data_is_finished_later(
    oxigraph: Server, tmp_path: Path
) -> None:
    graph = f"{GRAPH}/drop"
    checkpoint = tmp_path / "checkpoint.json"
    endpoints = {"update_endpoint": oxigraph.update, "gsp_endpoint": oxigraph.gsp}
    first = publish(MINI, oxigraph.query, graph, checkpoint=checkpoint, **endpoints)
    base = oxigraph.query.rsplit("/", 1)[0]

    failing = [True]

    def fail(path: str, body: bytes) -> bool:  # deleting or dropping the first version fails
        text = urllib.parse.unquote_plus(body.decode())
        return failing[0] and first.staging in text and text.startswith("update=")

    with failing_proxy(base, fail) as proxy:
        options = {"update_endpoint": f"{proxy}/update", "gsp_endpoint": f"{proxy}/store"}
        with pytest.raises(QueryError, match=r"(?s)is published .*failed.*Run the same command"):
            publish(MINI, f"{proxy}/query", graph, checkpoint=checkpoint, retries=0, **options)  # type: ignore[arg-type]
        assert len(triples(oxigraph, graph)) == 57 and len(staging(oxigraph, graph)) == 1
        # a new build: what the interrupted publish left is dropped first
        failing[0] = False
        changed = build_dir(tmp_path, "changed", [EXTRA])
        done = publish(changed, f"{proxy}/query", graph, checkpoint=checkpoint, **options)  # type: ignore[arg-type]
    assert done.triples == 58 and not checkpoint.exists(), done
    assert not staging(oxigraph, graph), (first.staging, done.staging)
