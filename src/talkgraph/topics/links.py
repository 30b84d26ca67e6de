"""Related talks from topic assignments: the similarity of :mod:`.similarity` on a vocabulary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .matcher import Assignment
from .similarity import Hierarchy, Similarity
from .vocabulary import Vocabulary


def hierarchy(vocabulary: Vocabulary) -> Hierarchy:
    """The vocabulary's ``skos:broader`` and its too-broad concepts."""
    concepts = vocabulary.concepts.values()
    return Hierarchy(
        {c.slug: c.broader for c in concepts}, [c.slug for c in concepts if c.too_broad]
    )


def profile(assignments: Sequence[Assignment]) -> dict[str, float]:
    """A talk's topics with the best confidence of their evidence."""
    out: dict[str, float] = {}
    for item in assignments:
        out[item.topic] = max(item.confidence, out.get(item.topic, 0.0))
    return out


def talk_similarity(
    assignments: Mapping[str, Sequence[Assignment]], vocabulary: Vocabulary
) -> Similarity:
    """The similarity of every talk that has topics."""
    profiles = {key: profile(found) for key, found in assignments.items() if found}
    return Similarity(profiles, hierarchy(vocabulary))
