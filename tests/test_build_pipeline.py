"""The whole pipeline on the seed programme, determinism, and atomic publication."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from talkgraph.build import DEFAULT_PROGRAMME, build
from talkgraph.errors import InputError, ValidationFailed
from talkgraph.vocab import CONF, SCHEMA, TG

SEED_TITLES = {
    "Misha Belkin": "Why do neural models need so many parameters?",
    "Rina Panigrahy": "How to learn a Table of Concepts?",
    "Tomaso Poggio": "A key principle underlying deep networks: compositional sparsity",
    "Fanny Yang": "Strong inductive biases provably prevent harmless interpolation",
    "Yi Ma": "On the Principles of Parsimony and Self-Consistency – Structured Compressive "
    "Closed-Loop Transcription",
}


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Graph]:
    out = tmp_path_factory.mktemp("seed") / "build"
    result = build(out=out)
    return out, result.graph


def _speaker_of(graph: Graph, name: str) -> URIRef:
    people = [
        s
        for s in graph.subjects(SCHEMA.name, Literal(name))
        if (s, RDF.type, SCHEMA.Person) in graph
    ]
    assert len(people) == 1, f"{name}: {people}"
    return URIRef(people[0])


def test_seed_counts(seed: tuple[Path, Graph]) -> None:
    out, graph = seed
    talks = set(graph.subjects(RDF.type, CONF.Talk))
    assert len(talks) == 20
    speakers = {graph.value(t, SCHEMA.performer) for t in talks}
    assert len(speakers) == 20
    event = next(iter(graph.subjects(RDF.type, CONF.Workshop)))
    roster = set(graph.objects(event, SCHEMA.performer))
    assert len(roster) == 18
    assert roster <= speakers
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["conforms"] is True
    assert manifest["violations"] == 0


def test_seed_titles_and_institutions(seed: tuple[Path, Graph]) -> None:
    _, graph = seed
    for name, title in SEED_TITLES.items():
        person = _speaker_of(graph, name)
        talk_titles = {
            str(graph.value(t, SCHEMA.name))
            for t in graph.subjects(SCHEMA.performer, person)
            if (t, RDF.type, CONF.Talk) in graph
        }
        assert title in talk_titles
    assert graph.value(_speaker_of(graph, "Rina Panigrahy"), SCHEMA.affiliation) is None
    expected = {
        "Misha Belkin": "San Diego",
        "Reinhard Heckel": "Munich",
        "Qi Lei": "New York University",
        "Fanny Yang": "ETH Z",
        "Tomaso Poggio": "Massachusetts Institute of Technology",
        "Mahdi Soltanolkotabi": "Southern California",
        "Bihan Wen": "Nanyang",
    }
    for name, fragment in expected.items():
        institution = graph.value(_speaker_of(graph, name), SCHEMA.affiliation)
        assert institution is not None, name
        assert fragment in str(graph.value(institution, SCHEMA.name)), name


def test_seed_coauthors_and_citations(seed: tuple[Path, Graph]) -> None:
    _, graph = seed
    soltanolkotabi = _speaker_of(graph, "Mahdi Soltanolkotabi")
    lee_talks = list(graph.subjects(SCHEMA.performer, _speaker_of(graph, "Jason Lee")))
    assert lee_talks
    assert any((t, SCHEMA.contributor, soltanolkotabi) in graph for t in lee_talks)
    su_talk = next(
        t
        for t in graph.subjects(SCHEMA.performer, _speaker_of(graph, "Weijie Su"))
        if (t, RDF.type, CONF.Talk) in graph
    )
    coauthors = {
        str(graph.value(p, SCHEMA.name)) for p in graph.objects(su_talk, SCHEMA.contributor)
    }
    assert coauthors == {"Cong Fang", "Hangfeng He", "Qi Long"}
    cited = set(graph.objects(su_talk, URIRef("http://purl.org/dc/terms/references")))
    assert cited == {
        URIRef("https://arxiv.org/abs/2101.12699"),
        URIRef("https://arxiv.org/abs/2210.17020"),
    }
    assert not list(graph.subjects(SCHEMA.name, Literal("Donoho")))


def test_no_placeholder_in_seed(seed: tuple[Path, Graph]) -> None:
    _, graph = seed
    assert set(graph.objects(None, TG.isPlaceholder)) == {Literal(False)}


def test_build_is_byte_identical(tmp_path: Path) -> None:
    first = build(out=tmp_path / "a")
    second = build(out=tmp_path / "b")
    assert first.manifest.files["dataset.nt"] == second.manifest.files["dataset.nt"]
    assert (tmp_path / "a" / "dataset.nt").read_bytes() == (
        tmp_path / "b" / "dataset.nt"
    ).read_bytes()


def test_all_dumps_parse_to_the_same_graph(seed: tuple[Path, Graph]) -> None:
    out, graph = seed
    for name, fmt in [
        ("dataset.ttl", "turtle"),
        ("dataset.jsonld", "json-ld"),
        ("dataset.rdf", "xml"),
    ]:
        parsed = Graph().parse(out / name, format=fmt)
        assert len(parsed) == len(graph), name
    void = Graph().parse(out / "void.ttl")
    assert len(void) > 0


def test_failed_build_keeps_previous_release(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(out=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02 not a programme")
    with pytest.raises(InputError):
        build([bad], out=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_violation_publishes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(out=out)
    before = (out / "dataset.nt").read_bytes()
    strict = tmp_path / "strict.ttl"
    # A shape every talk violates: talks must have a (non-existent) property.
    strict.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix conf: <https://w3id.org/scholarlydata/ontology/conference-ontology.owl#> .\n"
        "<urn:x:shape> a sh:NodeShape ; sh:targetClass conf:Talk ;\n"
        '  sh:property [ sh:path <urn:x:never> ; sh:minCount 1 ; sh:message "missing" ] .\n'
    )
    with pytest.raises(ValidationFailed):
        build(out=out, shapes_paths=[strict])
    assert (out / "dataset.nt").read_bytes() == before


def test_default_programme_is_in_data() -> None:
    assert DEFAULT_PROGRAMME.is_file()
    assert DEFAULT_PROGRAMME.parent.name == "data"
