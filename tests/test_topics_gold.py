"""Topics and related-talk links on real programmes of neighbouring fields, against gold pairs
written before tuning (tests/data/topics_gold, bench/topics_eval.py prints the same figures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from talkgraph.errors import InputError
from talkgraph.ingest import load_programme
from talkgraph.model import KnowledgeModel
from talkgraph.registry import Registry
from talkgraph.resolve import resolve
from talkgraph.topics import Vocabulary, assign, load_vocabulary
from talkgraph.topics.evaluate import Figures, figures, load_gold
from talkgraph.topics.links import talk_similarity
from talkgraph.topics.themes import lift_programmes

GOLD = Path(__file__).parent / "data" / "topics_gold"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="module")
def model() -> KnowledgeModel:
    files = sorted((GOLD / "programmes").glob("*.yaml"))
    return resolve([load_programme(p) for p in files], Registry.load(None))


@pytest.fixture(scope="module")
def measured(model: KnowledgeModel, vocabulary: Vocabulary) -> Figures:
    talks = list(model.talks.values())
    programme_of = {key: event.key for event in model.events for key in event.talks}
    programmes = {e.key: [model.talks[k] for k in e.talks] for e in model.events}
    themed = lift_programmes(programmes, assign(talks, vocabulary), vocabulary)
    assignments = {k: v for done in themed.values() for k, v in done.assignments.items()}
    links = talk_similarity(assignments, vocabulary).links()
    gold = load_gold(GOLD / "pairs.yaml", list(model.talks))
    return figures(talks, programme_of, assignments, links, gold, vocabulary, themed)


def test_the_gold_is_large_enough(model: KnowledgeModel) -> None:
    gold = load_gold(GOLD / "pairs.yaml", list(model.talks))
    assert len(model.events) >= 3
    assert sum(not t.placeholder for t in model.talks.values()) >= 40
    assert len(gold.related) >= 30 and len(gold.unrelated) >= 30


def test_related_pairs_are_linked_and_unrelated_ones_are_not(measured: Figures) -> None:
    assert measured.pair_recall >= 0.9, measured.missed
    assert measured.unrelated_rate <= 0.1, measured.false_links


def test_the_graph_does_not_link_everyone(measured: Figures) -> None:
    assert 0 < measured.density < 0.15


def test_every_talk_with_an_abstract_has_a_topic(measured: Figures) -> None:
    assert measured.with_abstract >= 40
    assert measured.without_topic == []


def test_no_topic_on_more_than_a_third_of_a_programme(measured: Figures) -> None:
    """A concept on most of a programme's talks is lifted to the event as its theme."""
    assert measured.top_topic_share <= 1 / 3, (measured.top_topic, measured.top_programme)
    assert measured.themes  # the gold has a workshop whose name is its theme
    assert measured.kept == []  # every talk of the gold has a topic of its own


def test_unknown_talk_in_gold_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "pairs.yaml"
    bad.write_text("related:\n  - [a, b]\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown talk 'a'") as info:
        load_gold(bad, ["b"])
    assert "related[0]" in str(info.value.place)
