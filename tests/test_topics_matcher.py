"""Topic assignment rules, each shown both ways on crafted sentences."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from talkgraph.model import Talk
from talkgraph.topics import Vocabulary, assign, load_vocabulary, topics_of
from talkgraph.topics.matcher import FALLBACK_CONFIDENCE, LATE_CONFIDENCE
from talkgraph.topics.suggest import curation
from talkgraph.topics.vocabulary import tokenize

VOCAB = """@prefix t: <https://w3id.org/talkgraph/topic/> .
@prefix tg: <https://w3id.org/talkgraph/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
t: a skos:ConceptScheme .
t:dl a skos:Concept ; skos:inScheme t: ; skos:prefLabel "deep learning"@en ; tg:tooBroad true .
t:interp a skos:Concept ; skos:inScheme t: ; skos:prefLabel "interpolation"@en ;
    skos:altLabel "interpolator"@en .
t:prior a skos:Concept ; skos:inScheme t: ; skos:prefLabel "image prior"@en .
t:gnn a skos:Concept ; skos:inScheme t: ; skos:prefLabel "graph neural networks"@en ;
    skos:altLabel "GNN"@en .
t:moe a skos:Concept ; skos:inScheme t: ; skos:prefLabel "mixture of experts"@en ;
    skos:altLabel "MoE"@en .
t:reg a skos:Concept ; skos:inScheme t: ; skos:prefLabel "regularization"@en ;
    skos:altLabel "regularisation"@en .
t:ood a skos:Concept ; skos:inScheme t: ; skos:prefLabel "out-of-distribution"@en .
t:rob a skos:Concept ; skos:inScheme t: ; skos:prefLabel "robustness"@en ; tg:weak true .
t:advrob a skos:Concept ; skos:inScheme t: ; skos:prefLabel "adversarial robustness"@en ;
    skos:broader t:rob .
t:netsparse a skos:Concept ; skos:inScheme t: ; skos:prefLabel "sparse neural networks"@en ;
    tg:senseOf "sparsity"@en ;
    tg:senseContext "pruning, weights, activation, training, lottery"@en .
t:sigsparse a skos:Concept ; skos:inScheme t: ; skos:prefLabel "sparse signal models"@en ;
    tg:senseOf "sparsity"@en ;
    tg:senseContext "coding, signal, subspace, recovery, sensing, low-rank, dictionary"@en .
"""


@pytest.fixture(scope="module")
def vocab(tmp_path_factory: pytest.TempPathFactory) -> Vocabulary:
    path: Path = tmp_path_factory.mktemp("v") / "topics.ttl"
    path.write_text(VOCAB, encoding="utf-8")
    return load_vocabulary(path)


@functools.cache
def real_vocabulary() -> Vocabulary:
    """The packaged vocabulary, loaded once for this module."""
    return load_vocabulary()


def tokens(text: str) -> list[str]:
    return [t.key for t in tokenize(text)]


def topics(
    vocab: Vocabulary, title: str, abstract: str = "", placeholder: bool = False
) -> list[str]:
    talk = Talk(key="t", title=title, speaker="s", abstract=abstract, placeholder=placeholder)
    return sorted(topics_of(assign([talk], vocab)["t"]))


def test_plural_and_verb_noun_forms(vocab: Vocabulary) -> None:
    assert topics(vocab, "Minimum-norm interpolators") == ["interp"]
    assert topics(vocab, "Deep image priors for MRI") == ["prior"]
    assert topics(vocab, "Graph neural network theory") == ["gnn"]
    # the verb form of a concept's noun: "interpolating" is "interpolation"
    assert topics(vocab, "Interpolating noisy data") == ["interp"]
    assert topics(vocab, "Regularized paths") == ["reg"]
    # but no stemming beyond verb/noun endings: "interpolant" is not "interpolation"
    assert topics(vocab, "Interpolants") == []


def test_spelling_variants_of_unseen_text(vocab: Vocabulary) -> None:
    # typographic quotes, parenthesised endings and prefixes written solid or hyphenated
    assert topics(vocab, "On \u201cregularization\u201d and \u2018OOD\u2019 data") == ["reg"]
    assert topics(vocab, "Out\u2011of\u2011distribution data") == ["ood"]
    assert tokens("convolution(al) layers") == ["convolutional", "layer"]
    assert tokens("non-convex") == tokens("nonconvex") == tokens("non convex")
    assert tokens("self-supervised") == tokens("selfsupervised") != tokens("self supervised")
    assert tokens("over the data") == ["over", "the", "data"]


def test_label_variants(vocab: Vocabulary) -> None:
    assert topics(vocab, "Regularisation paths") == ["reg"]
    assert topics(vocab, "Implicit REGULARIZATION") == ["reg"]
    assert topics(vocab, "Out of distribution data") == ["ood"]  # hyphen = space
    assert topics(vocab, "Out-of-distribution data") == ["ood"]


def test_acronyms_are_case_sensitive(vocab: Vocabulary) -> None:
    assert topics(vocab, "Expressivity of GNNs") == ["gnn"]
    assert topics(vocab, "Sparse MoE layers") == ["moe"]
    assert topics(vocab, "A gnn by any other name") == []
    assert topics(vocab, "The moe of the matter") == []


def test_longest_match_wins(vocab: Vocabulary) -> None:
    found = assign(
        [Talk("t", "Adversarial robustness of classifiers", "s", "On robustness and robustness.")],
        vocab,
    )["t"]
    title = [a for a in found if a.field == "title"]
    assert [(a.topic, a.exact) for a in title] == [("advrob", "Adversarial robustness")]
    # the contained "robustness" is not also evidence from the title
    assert all(a.topic == "rob" for a in found if a.field == "abstract")


def test_weak_topic_needs_title_or_two_mentions(vocab: Vocabulary) -> None:
    assert topics(vocab, "Kernels", "We discuss robustness in passing.") == []
    assert topics(vocab, "Kernels", "Robustness matters; robustness is hard.") == ["rob"]
    assert topics(vocab, "On the robustness of kernels", "Nothing else.") == ["rob"]


def test_sense_split_by_context(vocab: Vocabulary) -> None:
    network = "We study activation sparsity to accelerate training of pruned weights."
    signal = "Signal recovery under sparsity via sparse coding and dictionary models."
    assert topics(vocab, "Talk", network) == ["netsparse"]
    assert topics(vocab, "Talk", signal) == ["sigsparse"]
    assert topics(vocab, "Talk", "A talk on sparsity.") == []  # no context: no guess


def test_placeholder_never_tagged(vocab: Vocabulary) -> None:
    assert topics(vocab, "Graph neural networks", "GNN", placeholder=True) == []


def test_too_broad_is_matched_but_not_assigned(vocab: Vocabulary) -> None:
    talk = Talk("t", "Deep learning", "s", "deep learning")
    assert assign([talk], vocab)["t"] == []
    assert topics_of(assign([talk], vocab, include_too_broad=True)["t"]) == ["dl"]


def test_evidence_quotes_source_with_offsets(vocab: Vocabulary) -> None:
    abstract = "We prove that minimum-norm interpolators generalize under mild conditions."
    (a,) = assign([Talk("t", "Title", "s", abstract)], vocab)["t"]
    assert (a.topic, a.field, a.exact) == ("interp", "abstract", "interpolators")
    assert abstract[a.start : a.end] == a.exact
    assert a.prefix == abstract[max(0, a.start - 30) : a.start]
    assert a.suffix == abstract[a.end : a.end + 30]


def test_real_vocabulary_examples() -> None:
    vocab = real_vocabulary()
    assert topics(vocab, "Benign overfitting in linear regression") == [
        "benign-overfitting",
        "linear-regression",
    ]
    # the hyphenated UK spelling and the abbreviation
    assert "implicit-bias" in topics(vocab, "Implicit regularisation of SGD")
    assert "neural-tangent-kernel" in topics(vocab, "Beyond the NTK")
    assert "neural-tangent-kernel" not in topics(vocab, "Beyond the ntk")


def test_plain_english_noun_use_is_not_the_concept(vocab: Vocabulary) -> None:
    assert topics(vocab, "A regularization of the problem") == []
    assert topics(vocab, "Implicit regularization of networks") == ["reg"]
    assert topics(vocab, "The regularization of networks") == ["reg"]


LONG = (
    "We study how glaciers and ice sheets respond to warming, how ice flows and calves, "
    "how its mass balance is measured from satellites and how sea level will rise; the "
    "talk surveys field campaigns and the physics of basal sliding over decades."
)


def test_fallback_topic_for_a_long_abstract_nothing_matched() -> None:
    vocabulary = real_vocabulary()
    talk = Talk(key="t", title="Ice in a warming world", speaker="s", abstract=LONG)
    found = assign([talk], vocabulary)["t"]
    assert len(found) == 1
    item = found[0]
    assert item.needs_curation and item.confidence == FALLBACK_CONFIDENCE
    assert not vocabulary[item.topic].too_broad
    assert item.exact.lower() in (talk.title + " " + LONG).lower()
    # a short abstract gets no fallback; a matched talk gets no fallback
    short = Talk(key="s", title="Ice", speaker="s", abstract="Ice sheets melt.")
    assert assign([short], vocabulary)["s"] == []
    matched = Talk(key="m", title="Sea ice models", speaker="s", abstract=LONG)
    assert not any(a.needs_curation for a in assign([matched], vocabulary)["m"])


def test_suggest_proposes_the_missing_concept() -> None:
    vocabulary = real_vocabulary()
    talk = Talk(key="t", title="Ice in a warming world", speaker="s", abstract=LONG)
    (proposal,) = curation([talk], vocabulary)
    assert proposal.talk_key == "t" and proposal.phrase
    assert proposal.broader == assign([talk], vocabulary)["t"][0].topic


def test_lead_sentences_count_more(vocab: Vocabulary) -> None:
    abstract = "One. Two sentences. Then regularization."
    talk = Talk(key="t", title="T", speaker="s", abstract=abstract)
    (item,) = assign([talk], vocab)["t"]
    assert item.confidence == LATE_CONFIDENCE < 1
    talk = Talk(key="t", title="T", speaker="s", abstract="On regularization. More. More.")
    assert assign([talk], vocab)["t"][0].confidence == 1


def test_interpolation_sense_follows_the_field() -> None:
    vocab = real_vocabulary()
    ml = "Overparameterized models interpolating noisy training data can still generalize."
    na = "Polynomial interpolation at Chebyshev nodes and its error on a grid of points."
    assert "interpolation" in topics(vocab, "T", ml)
    assert "numerical-interpolation" not in topics(vocab, "T", ml)
    assert "numerical-interpolation" in topics(vocab, "T", na)
    assert "interpolation" not in topics(vocab, "T", na)


def test_plain_english_verb_and_plural_noun_uses() -> None:
    vocab = real_vocabulary()
    assert "generalization" not in topics(vocab, "T", "This result generalizes the classical one.")
    assert "generalization" not in topics(
        vocab, "T", "Recent generalizations of the Hopfield model."
    )
    assert "generalization" in topics(vocab, "Why do deep networks generalize well?")
