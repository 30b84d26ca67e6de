"""Candidate topics are names of things, not clause fragments ("sheds light")."""

from __future__ import annotations

import pytest

from talkgraph.model import Talk
from talkgraph.topics import load_vocabulary, suggest
from talkgraph.topics.suggest import noun_phrase
from talkgraph.topics.vocabulary import label_key


@pytest.mark.parametrize(
    "phrase",
    [
        "sheds light",
        "gradient leaks information",
        "caught great interest",
        "extreme size reaching",
        "size reaching billions",
        "describing pixelated butterfly",
        "constructing analytical image",
        "consume enormous computational",
        "reveals hidden structure",
        "results suggest",
        "principle underlying",
        "randomly chosen parameter",
        "locally adaptive",
        "structured compressive",
        "provably prevent",
    ],
)
def test_clause_fragments_are_not_names(phrase: str) -> None:
    assert not noun_phrase(label_key(phrase)), phrase


@pytest.mark.parametrize(
    "phrase",
    [
        "memory leak",
        "gradient leaks",
        "learned representations",
        "training dynamics",
        "early stopping",
        "training objective",
        "closed-loop system",
        "protein interaction networks",
        "pixelated butterfly",
        "classifier collapse",
        "noise level",
    ],
)
def test_names_of_things_are_kept(phrase: str) -> None:
    assert noun_phrase(label_key(phrase)), phrase


def test_suggest_drops_verb_phrases_shared_by_talks() -> None:
    talks = [
        Talk("a", "Wavelet scattering", "p", "This work sheds light on wavelet scattering."),
        Talk("b", "Scattering moments", "q", "Our analysis sheds light on scattering moments."),
    ]
    phrases = {s.phrase.casefold() for s in suggest(talks, load_vocabulary(), use_yake=False)}
    assert "sheds light" not in phrases
    assert "scattering moments" in phrases
