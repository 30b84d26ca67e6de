"""Candidate new topics: frequent phrases not covered by the vocabulary, ranked."""

from __future__ import annotations

import pytest

from talkgraph.iris import fold
from talkgraph.model import Talk
from talkgraph.topics import Vocabulary, load_vocabulary, suggest

TALKS = [
    Talk("a", "Message passing on hypergraphs", "p", "Hypergraph learning with message passing."),
    Talk("b", "Oversquashing in message passing", "q", "Graph neural networks oversquash."),
    Talk("c", "Rewiring for message passing", "r", "We study curvature-based graph rewiring."),
    Talk("d", "Curvature-based graph rewiring", "s", "Graph neural networks and curvature."),
    Talk("e", "TBA", "t", "Message passing message passing", placeholder=True),
]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary()


def test_fallback_ranks_shared_phrases_first(vocab: Vocabulary) -> None:
    found = suggest(TALKS, vocab, limit=5, use_yake=False)
    assert found[0].phrase.lower() == "message passing"
    assert found[0].talk_keys == ("a", "b", "c")  # the placeholder talk does not count
    phrases = [fold(s.phrase) for s in found]
    assert found[1].phrase == "graph rewiring" and found[1].talk_keys == ("c", "d")
    assert "graph neural" not in phrases  # a fragment of a label occurrence
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)
    assert len(suggest(TALKS, vocab, limit=2, use_yake=False)) == 2


def test_labels_are_never_suggested(vocab: Vocabulary) -> None:
    phrases = {fold(s.phrase) for s in suggest(TALKS, vocab, limit=50, use_yake=False)}
    assert not any("graph neural network" in p for p in phrases)
    assert "neural networks" not in phrases  # inside a label


def test_nothing_to_suggest(vocab: Vocabulary) -> None:
    assert suggest([], vocab, use_yake=False) == []
    only_labels = [Talk("a", "Neural collapse", "p", "Neural collapse.")]
    assert suggest(only_labels, vocab, use_yake=False) == []


def test_yake_when_installed(vocab: Vocabulary) -> None:
    pytest.importorskip("yake")
    found = suggest(TALKS, vocab, limit=5)
    assert found and fold(found[0].phrase) in {"message passing", "graph rewiring"}
    assert len(found[0].talk_keys) >= 2
    assert not any("graph neural network" in fold(s.phrase) for s in found)
