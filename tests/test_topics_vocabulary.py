"""The topic vocabulary: valid ns.SKOS, sound hierarchy, unique labels, and loader validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal

from talkgraph import vocab as ns
from talkgraph.errors import InputError
from talkgraph.topics import Vocabulary, load_vocabulary
from talkgraph.topics.vocabulary import DEFAULT_PATH, label_key, singular, stem, tokenize

HEAD = """@prefix t: <https://w3id.org/talkgraph/topic/> .
@prefix tg: <https://w3id.org/talkgraph/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
t: a skos:ConceptScheme .
"""


def concept(slug: str, pref: str, extra: str = "") -> str:
    return f't:{slug} a skos:Concept ; skos:inScheme t: ; skos:prefLabel "{pref}"@en {extra}.\n'


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "topics.ttl"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


def test_default_vocabulary_is_large_and_valid_skos(vocabulary: Vocabulary) -> None:
    assert len(vocabulary) > 100
    graph = Graph().parse(DEFAULT_PATH)
    scheme = next(graph.subjects(ns.RDF.type, ns.SKOS.ConceptScheme))
    for node in graph.subjects(ns.RDF.type, ns.SKOS.Concept):
        assert (node, ns.SKOS.inScheme, scheme) in graph
        prefs = [o for o in graph.objects(node, ns.SKOS.prefLabel) if isinstance(o, Literal)]
        assert [p.language for p in prefs] == ["en"], node
        alts = set(graph.objects(node, ns.SKOS.altLabel))
        assert prefs[0] not in alts, node  # pref and alt labels disjoint
        assert graph.value(node, ns.SKOS.definition) is not None, node
    for c in vocabulary.concepts.values():
        assert c.slug not in vocabulary.ancestors(c.slug)  # no broader cycle
        assert all(m.startswith(str(ns.ARXIV_CAT)) for m in c.close_match)
        assert c.top == (not c.broader)


def test_default_vocabulary_flags(vocabulary: Vocabulary) -> None:
    too_broad = {s for s, c in vocabulary.concepts.items() if c.too_broad}
    assert {"deep-learning", "machine-learning", "neural-networks", "optimization"} <= too_broad
    assert vocabulary["robustness"].weak and vocabulary["generalization"].weak
    assert not vocabulary["neural-collapse"].weak
    # one word, two topics: declared as senses of both, with context words
    for slug in ("network-sparsity", "sparse-signal-models"):
        assert "sparsity" in vocabulary[slug].senses and vocabulary[slug].sense_context
    assert "implicit-bias" in {*vocabulary.ancestors("spectral-bias")}


def test_labels_are_unique_across_topics(vocabulary: Vocabulary) -> None:
    owner: dict[tuple[str, ...], str] = {}
    for c in vocabulary.concepts.values():
        for label in c.labels:
            assert owner.setdefault(label_key(label), c.slug) == c.slug, label


def test_plural_only_stemmer() -> None:
    assert singular("networks") == "network"
    assert singular("priors") == "prior"
    assert singular("biases") == "bias"
    assert singular("bias") == "bias"
    assert singular("theories") == "theory"
    assert singular("losses") == "loss"
    assert singular("interpolators") == "interpolator"  # not "interpolation"
    assert singular("generalization") == "generalization"  # no Snowball-style "general"
    assert [t.key for t in tokenize("Régularisation, ℓ1-norm")] == ["regulariz", "l1", "norm"]
    assert [t.exact for t in tokenize("GNNs")] == ["GNN"]


def test_verb_and_noun_forms_share_a_stem() -> None:
    forms = ("regularize", "regularized", "regularizing", "regularization", "regularisation")
    assert {stem(singular(w)) for w in forms} == {"regulariz"}
    assert {stem(w) for w in ("interpolate", "interpolating", "interpolation")} == {"interpol"}
    assert stem("generalization") == "generaliz" != stem("general")
    # short stems are left alone: "state", "rate", "noise"
    assert [stem(w) for w in ("state", "rate", "noise")] == ["state", "rate", "noise"]


def test_duplicate_label_without_reason_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        concept("a", "alpha", '; skos:altLabel "shared term"@en ')
        + concept("b", "beta", '; skos:altLabel "Shared terms"@en '),
    )
    with pytest.raises(InputError, match="names both"):
        load_vocabulary(path)


def test_shared_term_is_allowed_as_declared_senses(tmp_path: Path) -> None:
    extra = '; tg:senseOf "sparsity"@en ; tg:senseContext "{}"@en '
    path = write(
        tmp_path,
        concept("a", "alpha", extra.format("pruning, weights"))
        + concept("b", "beta", extra.format("signal, low-rank")),
    )
    vocabulary = load_vocabulary(path)
    assert vocabulary["b"].sense_context == ("signal", "low-rank")


def test_sense_term_that_is_also_a_label_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        concept("a", "sparsity")
        + concept("b", "beta", '; tg:senseOf "sparsity"@en ; tg:senseContext "x"@en '),
    )
    with pytest.raises(InputError, match="also a label"):
        load_vocabulary(path)


def test_broader_cycle_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        concept("a", "alpha", "; skos:broader t:b ")
        + concept("b", "beta", "; skos:broader t:c ")
        + concept("c", "gamma", "; skos:broader t:a "),
    )
    with pytest.raises(InputError, match="cycle"):
        load_vocabulary(path)


@pytest.mark.parametrize(
    "body, message",
    [
        (concept("a", "alpha", "; skos:broader t:zzz "), "unknown broader"),
        ('t:a a skos:Concept ; skos:inScheme t: ; skos:prefLabel "x"@de .\n', "prefLabel"),
        (concept("a", "x", '; skos:prefLabel "y"@en '), "prefLabel"),
        ("t:a a skos:Concept ; skos:inScheme t: ;", "Turtle"),
        (concept("Not_A_Slug", "alpha"), "slug"),
        ("", "no concepts"),
    ],
)
def test_invalid_vocabularies(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_vocabulary(write(tmp_path, body))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_vocabulary(tmp_path / "nope.ttl")
