"""Many programmes in one dataset: shared people, one named graph per programme, discovery."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import RDF

from talkgraph.build import build
from talkgraph.errors import InputError, ValidationFailed
from talkgraph.iris import Minter
from talkgraph.parts import discover
from talkgraph.vocab import CONF, DCAT, SCHEMA

PROGRAMMES = Path(__file__).parent / "fixtures" / "programmes"
GRAPHS = {"workshop-a", "workshop-b", "workshop-c", "topics", "cotopic-talks"}  # + related talks
M = Minter()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("multi") / "build"
    build([PROGRAMMES], out=out)
    return out


def _dataset(path: Path, fmt: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(path, format=fmt)
    return dataset


def _named(dataset: Dataset) -> dict[str, Graph]:
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def test_shared_speaker_is_one_person(built: Path) -> None:
    graph = Graph().parse(built / "dataset.nt")
    people = list(graph.subjects(SCHEMA.name, Literal("Ada Quill")))
    assert people == [M.person("ada-quill")]
    talks = set(graph.subjects(SCHEMA.performer, M.person("ada-quill")))
    events = {graph.value(t, SCHEMA.superEvent) for t in talks if (t, RDF.type, CONF.Talk) in graph}
    assert events == {M.event("workshop-a"), M.event("workshop-b")}
    assert len(set(graph.subjects(RDF.type, CONF.Workshop))) == 3
    ucsd = graph.value(M.person("ada-quill"), SCHEMA.affiliation)
    assert graph.value(M.person("dmitri-olsen"), SCHEMA.affiliation) == ucsd
    eth = graph.value(M.person("bruno-fenwick"), SCHEMA.affiliation)
    assert eth is not None and graph.value(M.person("evelyn-hart"), SCHEMA.affiliation) == eth


@pytest.mark.parametrize(("name", "fmt"), [("dataset.nq", "nquads"), ("dataset.trig", "trig")])
def test_one_named_graph_per_programme(built: Path, name: str, fmt: str) -> None:
    named = _named(_dataset(built / name, fmt))
    assert set(named) == {str(M.graph(slug)) for slug in GRAPHS}
    union = Graph().parse(built / "dataset.nt")
    for talk in union.subjects(RDF.type, CONF.Talk):
        event = union.value(talk, SCHEMA.superEvent)
        slug = str(event).rsplit("/", 1)[-1]
        holding = {g for g, graph in named.items() if (talk, RDF.type, CONF.Talk) in graph}
        assert holding == {str(M.graph(slug))}, talk
    topics = named[str(M.graph("topics"))]
    assert not set(topics.subjects(RDF.type, CONF.Talk))
    # a shared speaker is described by each programme that names them
    ada = M.person("ada-quill")
    assert {g for g, graph in named.items() if (ada, SCHEMA.name, None) in graph} == {
        str(M.graph("workshop-a")),
        str(M.graph("workshop-b")),
    }


def test_union_of_named_graphs_is_the_dataset(built: Path) -> None:
    union = Graph()
    for graph in _named(_dataset(built / "dataset.nq", "nquads")).values():
        union += graph
    assert set(union) == set(Graph().parse(built / "dataset.nt"))


def test_source_locations_stay_in_their_programme(built: Path) -> None:
    named = _named(_dataset(built / "dataset.nq", "nquads"))
    for slug, source in (("workshop-a", "workshop-a.txt"), ("workshop-b", "workshop-b.yaml")):
        locations = {
            str(o) for s, p, o in named[str(M.graph(slug))] if str(p).endswith("sourceLocation")
        }
        people = {loc for loc in locations if ":" in loc and not loc.startswith("http")}
        assert people and all(loc.startswith(source) for loc in people), slug


def test_sidecar_pairs_by_stem(built: Path) -> None:
    graph = Graph().parse(built / "dataset.nt")
    event = M.event("workshop-a")
    assert str(graph.value(event, SCHEMA.name)) == "Crafted Workshop A on Sparse Learning"
    assert str(graph.value(event, SCHEMA.startDate)) == "2024-03-04"
    assert graph.value(M.event("workshop-c"), SCHEMA.name) is None


def test_manifest_and_description(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["sources"] == ["workshop-a.txt", "workshop-b.yaml", "workshop-c.txt"]
    programmes = manifest["programmes"]
    assert set(programmes) == {"workshop-a", "workshop-b", "workshop-c"}
    assert programmes["workshop-b"]["source"] == "workshop-b.yaml"
    assert programmes["workshop-b"]["graph"] == str(M.graph("workshop-b"))
    assert all(len(p["sha256"]) == 64 and p["triples"] > 0 for p in programmes.values())
    assert {"dataset.nq", "dataset.trig", "dataset.nt"} <= set(manifest["files"])
    void = Graph().parse(built / "void.ttl")
    downloads = {str(o) for o in void.objects(None, DCAT.downloadURL)}
    assert {str(M.download("dataset.nq")), str(M.download("dataset.trig"))} <= downloads
    report = (built / "validation-report.txt").read_text()
    assert report.startswith("workshop-a: conforms")


def test_discover_directory(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.txt", "a.event.yaml", "c.json", "notes.rst", "README.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    for name in ("b.event.json",):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub.txt").mkdir()
    sources = discover([tmp_path])
    assert [s.path.name for s in sources] == ["a.txt", "b.yaml", "c.json"]
    assert [s.sidecar.name if s.sidecar else None for s in sources] == [
        "a.event.yaml",
        "b.event.json",
        None,
    ]
    # a file given twice is taken once; --event applies to a single programme only
    again = discover([tmp_path / "a.txt", tmp_path / "a.txt"], tmp_path / "c.json")
    assert [(s.path.name, s.sidecar) for s in again] == [("a.txt", tmp_path / "c.json")]
    # a shell glob names the sidecars too: they still pair, never count as programmes
    globbed = discover(sorted(tmp_path.glob("a.*")))
    assert [(s.path.name, s.sidecar) for s in globbed] == [("a.txt", tmp_path / "a.event.yaml")]
    with pytest.raises(InputError, match="only event sidecars"):
        discover([tmp_path / "a.event.yaml"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no programme files"):
        discover([empty])


def test_violation_names_the_programme_and_publishes_nothing(tmp_path: Path) -> None:
    for name in ("workshop-a.txt", "workshop-a.event.yaml", "workshop-b.yaml"):
        shutil.copy(PROGRAMMES / name, tmp_path / name)
    strict = tmp_path / "strict.ttl"
    strict.write_text(  # every workshop must have a start date: only workshop-b has none
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix conf: <https://w3id.org/scholarlydata/ontology/conference-ontology.owl#> .\n"
        "<urn:x:shape> a sh:NodeShape ; sh:targetClass conf:Workshop ;\n"
        "  sh:property [ sh:path <https://schema.org/startDate> ; sh:minCount 1 ;\n"
        '                sh:message "no start date" ] .\n'
    )
    out = tmp_path / "build"
    with pytest.raises(ValidationFailed) as failure:
        build(
            [tmp_path / "workshop-a.txt", tmp_path / "workshop-b.yaml"],
            out=out,
            shapes_paths=[strict],
        )
    message = str(failure.value)
    assert "in programme(s) workshop-b;" in message
    assert "programme workshop-b: 1 SHACL violation(s)" in message
    assert "programme workshop-a" not in message
    assert not out.exists()
    assert not (tmp_path / ".build.releases").exists()


def test_event_called_topics_is_refused(tmp_path: Path) -> None:
    programme = tmp_path / "topics.txt"
    shutil.copy(PROGRAMMES / "workshop-c.txt", programme)
    with pytest.raises(InputError, match="cannot be called 'topics'"):
        build([programme], out=tmp_path / "build")
