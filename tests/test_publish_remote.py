"""Publishing: a failed publish leaves the published graph as it was (Oxigraph server)."""

from __future__ import annotations

import os
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from support.servers import Server, failing_proxy, oxigraph_binary, start_oxigraph
from talkgraph.cli import main
from talkgraph.errors import ConfigError
from talkgraph.publish_remote import PublishFailed, publish, read_payload
from talkgraph.store import RemoteStore

MINI = Path(__file__).parent / "fixtures" / "mini"
GRAPH = "http://example.org/published/mini"

if oxigraph_binary() is None and not os.environ.get("CI"):
    pytest.skip("no oxigraph server binary (pip install oxigraph)", allow_module_level=True)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-publish"))
    yield server
    server.stop()


def changed_build(tmp_path: Path) -> Path:
    """The mini build with one more triple (a different build to publish over it)."""
    out = tmp_path / "changed"
    out.mkdir()
    for name in ("manifest.json", "void.ttl"):
        (out / name).write_bytes((MINI / name).read_bytes())
    extra = (
        b'<http://talkgraph.localhost/extra> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
    )
    (out / "dataset.nt").write_bytes((MINI / "dataset.nt").read_bytes() + extra)
    return out


def graphs(server: Server) -> set[str]:
    store_text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
    url = f"{server.query}?{urllib.parse.urlencode({'query': store_text})}"
    request = urllib.request.Request(url, headers={"Accept": "text/tab-separated-values"})
    with urllib.request.urlopen(request, timeout=10) as response:
        lines = response.read().decode().splitlines()[1:]
    return {line.strip("<>") for line in lines}


def test_payload_is_the_default_graph_of_the_local_backends() -> None:
    payload = read_payload(MINI)
    assert payload.triples == 57  # dataset.nt and void.ttl merged, as MemoryStore loads them
    assert sum(len(g) for g in payload.groups) == payload.triples
    assert all(sum(map(len, batch)) <= 10 for batch in payload.batches(10))


@pytest.mark.parametrize("step", ["MOVE", "INSERT"])
def test_failure_leaves_the_previous_graph_intact(
    step: str, oxigraph: Server, tmp_path: Path
) -> None:
    graph = f"{GRAPH}/{step.lower()}"
    first = publish(MINI, oxigraph.query, graph, method="update", update_endpoint=oxigraph.update)
    before = RemoteStore(oxigraph.query, graph).query("CONSTRUCT WHERE { ?s ?p ?o }").triples()
    assert len(before) == first.triples
    base = oxigraph.query.rsplit("/", 1)[0]
    calls: list[str] = []

    def fail(path: str, body: bytes) -> bool:
        text = urllib.parse.unquote_plus(body.decode())
        calls.append(text)
        # INSERT: the second batch fails (the store went away mid-way); MOVE: the switch fails
        inserts = sum(call.startswith("update=INSERT") for call in calls)
        return text.startswith(f"update={step}") and (step == "MOVE" or inserts > 1)

    with failing_proxy(base, fail) as proxy, pytest.raises(PublishFailed, match="unchanged"):
        publish(
            changed_build(tmp_path),
            f"{proxy}/query",
            graph,
            method="update",
            update_endpoint=f"{proxy}/update",
            batch_size=20,
        )
    assert any(text.startswith("update=DROP SILENT GRAPH") for text in calls)
    after = RemoteStore(oxigraph.query, graph).query("CONSTRUCT WHERE { ?s ?p ?o }").triples()
    assert sorted(map(str, after)) == sorted(map(str, before))
    assert not any("/staging/" in name for name in graphs(oxigraph))


def test_bad_endpoints_fail_cleanly(oxigraph: Server) -> None:
    graph = f"{GRAPH}/bad"
    publish(MINI, oxigraph.query, graph, gsp_endpoint=oxigraph.gsp, update_endpoint=oxigraph.update)
    with pytest.raises(PublishFailed, match="unchanged"):
        publish(MINI, oxigraph.query, graph, gsp_endpoint=oxigraph.query + "-nothing-here")
    with pytest.raises(PublishFailed, match="update-endpoint"):  # /query takes no updates
        publish(MINI, oxigraph.query, graph, gsp_endpoint=oxigraph.gsp)
    with pytest.raises(PublishFailed, match="cannot reach"):
        publish(MINI, "http://127.0.0.1:9/query", graph, method="update")
    with pytest.raises(ConfigError, match="gsp-endpoint"):
        publish(MINI, oxigraph.query, graph)
    with pytest.raises(ConfigError, match="not an IRI"):
        publish(MINI, oxigraph.query, "http://example.org/a> <b", method="update")
    assert RemoteStore(oxigraph.query, graph).triple_count == read_payload(MINI).triples
    assert not any("/staging/" in name for name in graphs(oxigraph) if name.startswith(graph))


def test_cli_publish_then_serve_config(oxigraph: Server) -> None:
    graph = f"{GRAPH}/cli"
    result = CliRunner().invoke(
        main,
        ["publish", "--data", str(MINI), "--to", oxigraph.query, "--graph", graph,
         "--gsp-endpoint", oxigraph.gsp, "--update-endpoint", oxigraph.update, "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"published 57 triples to <{graph}>" in result.output
    bad = CliRunner().invoke(main, ["publish", "--data", str(MINI), "--to", oxigraph.query])
    assert bad.exit_code != 0 and "gsp-endpoint" in bad.output
