"""The programmes' named graphs of a multi-programme build, through the store and /sparql."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID

from support.web import running_app
from talkgraph.build import build
from talkgraph.store import DiskStore, MemoryStore
from talkgraph.vocab import SD

PROGRAMMES = Path(__file__).parent / "fixtures" / "programmes"
BASE = "https://example.org/tg/"
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
EVENTS = (
    "PREFIX schema: <https://schema.org/> "
    "SELECT DISTINCT ?e { ?e a schema:Event FILTER NOT EXISTS { ?e schema:superEvent ?x } }"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("programmes") / "build"
    return build([PROGRAMMES], out=out, base_iri=BASE, use_cache=False).out


@pytest.fixture(scope="module")
def manifest(built: Path) -> dict[str, dict[str, object]]:
    data = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    programmes: dict[str, dict[str, object]] = data["programmes"]
    assert len(programmes) == 3
    return programmes


@pytest.fixture(scope="module")
def store(built: Path) -> Iterator[MemoryStore]:
    loaded = MemoryStore.from_directory(built, BASE, workers=1)
    yield loaded
    loaded.close()


@pytest.fixture(scope="module")
def union_only(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MemoryStore]:
    """The same build without dataset.nq, as builds before named graphs were written."""
    copy = tmp_path_factory.mktemp("nt-only") / "build"
    shutil.copytree(built, copy)
    (copy / "dataset.nq").unlink()
    loaded = MemoryStore.from_directory(copy, BASE, workers=1)
    yield loaded
    loaded.close()


def count(store: MemoryStore, sparql: str = COUNT, **dataset: list[str]) -> int:
    return int(store.query(sparql, **dataset).text_rows()[0]["n"])  # type: ignore[arg-type]


def expected_graphs(manifest: dict[str, dict[str, object]]) -> list[str]:
    names = [str(p["graph"]) for p in manifest.values()]
    extra = [BASE + "graph/topics", BASE + "graph/cotopic-talks", BASE + "download/void.ttl"]
    return sorted([*names, *extra])


def test_graph_variable_lists_the_programmes_topics_and_description(
    store: MemoryStore, manifest: dict[str, dict[str, object]]
) -> None:
    wanted = expected_graphs(manifest)
    assert sorted(store.named_graphs) == wanted
    assert [row["g"] for row in store.query(GRAPHS).text_rows()] == wanted


def test_default_graph_is_the_union_as_before(store: MemoryStore, union_only: MemoryStore) -> None:
    assert store.triple_count == union_only.triple_count == count(store)
    everything = "CONSTRUCT WHERE { ?s ?p ?o }"
    mine = set(map(str, store.query(everything, max_rows=100_000).triples()))
    before = set(map(str, union_only.query(everything, max_rows=100_000).triples()))
    assert mine == before and len(mine) == store.triple_count
    # a triple held by two programme graphs is still one triple of the default graph
    quads = count(store, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    assert quads > store.triple_count
    assert store.query(EVENTS).text_rows() == union_only.query(EVENTS).text_rows()
    assert len(store.query(EVENTS).text_rows()) == 3


def test_default_graph_uri_restricts_to_one_programme(
    store: MemoryStore, manifest: dict[str, dict[str, object]]
) -> None:
    for name, entry in manifest.items():
        graph = str(entry["graph"])
        assert count(store, default_graph_uris=[graph]) == entry["triples"], name
        events = store.query(EVENTS, default_graph_uris=[graph]).text_rows()
        assert len(events) == 1, name
    # FROM in the query text selects the same way
    graph = str(next(iter(manifest.values()))["graph"])
    from_query = COUNT.replace("{", f"FROM <{graph}> {{", 1)
    assert count(store, from_query) == count(store, default_graph_uris=[graph])
    two = [str(e["graph"]) for e in list(manifest.values())[:2]]
    assert count(store, default_graph_uris=[two[0]]) < count(store, default_graph_uris=two)


def test_named_graph_uri_and_from_named(
    store: MemoryStore, manifest: dict[str, dict[str, object]]
) -> None:
    graph = str(next(iter(manifest.values()))["graph"])
    rows = store.query(GRAPHS, named_graph_uris=[graph, BASE + "nothing"]).text_rows()
    assert rows == [{"g": graph}]
    from_named = GRAPHS.replace("{", f"FROM NAMED <{graph}> {{", 1)
    assert store.query(from_named).text_rows() == [{"g": graph}]


def test_sparql_endpoint_and_service_description(
    built: Path, manifest: dict[str, dict[str, object]]
) -> None:
    with running_app(built, TESTING=True) as app:
        client = app.test_client()
        graph = str(next(iter(manifest.values()))["graph"])
        response = client.get("/sparql", query_string={"query": COUNT, "default-graph-uri": graph})
        assert response.status_code == 200
        answer = json.loads(response.data)["results"]["bindings"][0]["n"]["value"]
        assert int(answer) == next(iter(manifest.values()))["triples"]
        response = client.get("/sparql", headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        description = Graph().parse(data=response.data, format="turtle")
        service = URIRef("http://localhost/sparql")
        assert (service, SD.feature, SD.UnionDefaultGraph) in description
        dataset = description.value(service, SD.defaultDataset)
        names = {description.value(g, SD.name) for g in description.objects(dataset, SD.namedGraph)}
        assert names == {URIRef(g) for g in expected_graphs(manifest)}
        default = description.value(dataset, SD.defaultGraph)
        triples = description.value(default, VOID.triples)
        assert isinstance(triples, Literal)
        assert triples.toPython() == app.extensions["talkgraph"].store.triple_count


def test_disk_backend_serves_the_same_graphs(
    built: Path, store: MemoryStore, tmp_path: Path, manifest: dict[str, dict[str, object]]
) -> None:
    disk = DiskStore(tmp_path / "store", built, BASE, workers=1)
    try:
        assert sorted(disk.named_graphs) == expected_graphs(manifest)
        assert disk.triple_count == store.triple_count
        assert disk.query(GRAPHS).text_rows() == store.query(GRAPHS).text_rows()
        for entry in manifest.values():
            graph = [str(entry["graph"])]
            assert count(disk, default_graph_uris=graph) == entry["triples"]
            assert disk.query(GRAPHS, named_graph_uris=graph).text_rows() == [{"g": graph[0]}]
    finally:
        disk.close()
    # a build that loses its dataset.nq is a different build: reloaded with the union graph
    copy = tmp_path / "nt-only"
    shutil.copytree(built, copy)
    (copy / "dataset.nq").unlink()
    again = DiskStore(tmp_path / "store", copy, BASE, workers=1)
    try:
        assert again.reloaded
        assert again.named_graphs == [BASE + "download/dataset.nt", BASE + "download/void.ttl"]
        assert again.triple_count == store.triple_count
    finally:
        again.close()
