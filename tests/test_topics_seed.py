"""Topic quality on the seed programme: reader-obvious groupings, spread, coverage."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest

from talkgraph.ingest import load_programme
from talkgraph.iris import slugify
from talkgraph.model import Talk
from talkgraph.topics import Vocabulary, assign, load_vocabulary, topics_of

SEED = Path(__file__).parents[1] / "data" / "workshop-programme.txt"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="module")
def topics(vocab: Vocabulary) -> dict[str, set[str]]:
    programme = load_programme(SEED)
    talks = [
        Talk(
            key=slugify(entry.speaker.name.text),
            title=entry.title.text,
            speaker=slugify(entry.speaker.name.text),
            abstract=entry.abstract.text if entry.abstract else None,
            placeholder=entry.placeholder,
        )
        for entry in programme.talks
    ]
    assert len(talks) == 20
    found = assign(talks, vocab)
    return {t.key: set(topics_of(found[t.key])) for t in talks if not t.placeholder}


def shared(topics: dict[str, set[str]], a: str, b: str) -> set[str]:
    return topics[a] & topics[b]


@pytest.mark.parametrize(
    "a, b",
    [
        ("qing-qu", "weijie-su"),  # neural collapse
        ("jason-lee", "mahdi-soltanolkotabi"),  # feature learning
        ("reinhard-heckel", "mahdi-soltanolkotabi"),  # image reconstruction
        ("reinhard-heckel", "bihan-wen"),  # imaging
        ("rene-vidal", "bihan-wen"),  # adversarial robustness
        ("jason-lee", "simon-du"),  # representation learning
        ("misha-belkin", "fanny-yang"),  # overparameterized linear models
        ("ohad-shamir", "daniel-soudry"),  # implicit bias
    ],
)
def test_related_talks_share_a_topic(topics: dict[str, set[str]], a: str, b: str) -> None:
    assert shared(topics, a, b)


def test_named_shared_topics(topics: dict[str, set[str]]) -> None:
    assert "neural-collapse" in shared(topics, "qing-qu", "weijie-su")
    assert "feature-learning" in shared(topics, "jason-lee", "mahdi-soltanolkotabi")
    assert "adversarial-robustness" in shared(topics, "rene-vidal", "bihan-wen")
    assert "representation-learning" in shared(topics, "jason-lee", "simon-du")
    over = {"overparameterization", "interpolation", "linear-regression", "generalization"}
    assert over & (topics["yu-xiang-wang"] | topics["misha-belkin"] | topics["fanny-yang"])


def test_image_reconstruction_talks_meet_through_broader(
    topics: dict[str, set[str]], vocab: Vocabulary
) -> None:
    def closure(key: str) -> set[str]:
        out = set(topics[key])
        for slug in topics[key]:
            out |= {s for s in vocab.ancestors(slug) if not vocab[s].top}
        return out

    trio = ("reinhard-heckel", "mahdi-soltanolkotabi", "bihan-wen")
    for a, b in itertools.combinations(trio, 2):
        assert "inverse-problems" in closure(a) & closure(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("qi-lei", "qing-qu"),
        ("beidi-chen", "fanny-yang"),
        ("gitta-kutyniok", "jason-lee"),
        ("rene-vidal", "misha-belkin"),
        ("rina-panigrahy", "daniel-soudry"),
        ("ivan-dokmanic", "bihan-wen"),
        ("qi-lei", "tomaso-poggio"),
    ],
)
def test_unrelated_talks_share_nothing(topics: dict[str, set[str]], a: str, b: str) -> None:
    assert not shared(topics, a, b)


def test_spread_and_coverage(topics: dict[str, set[str]], vocab: Vocabulary) -> None:
    counts = Counter(t for ts in topics.values() for t in ts)
    assert not any(vocab[t].too_broad for t in counts)
    assert max(counts.values()) <= len(topics) / 2
    assert all(len(ts) >= 2 for ts in topics.values()), topics
