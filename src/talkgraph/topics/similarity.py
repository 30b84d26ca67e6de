"""How related two talks are, from their topics and the SKOS hierarchy.

The measure is the **cosine similarity of TF-IDF concept vectors expanded along
``skos:broader``** (the "hierarchical" or "ancestor-expanded" vector-space model):

1. A talk's profile is its set of assigned topics (each with a confidence in (0, 1]; a fallback
   topic assigned for want of a better one has a lower confidence).
2. The profile is expanded with every broader concept up to :data:`DEPTH` levels up, a concept
   ``d`` levels up getting ``confidence × DECAY**d`` (the largest value when it is reached more
   than one way). Too-broad concepts (``tg:tooBroad``) are left out: they tell no talks apart.
3. Each concept ``c`` is weighted by its (smoothed) inverse document frequency over the talks,
   ``idf(c) = ln((N + 1) / df(c))`` over the N talks that have topics, ``df(c)`` the number
   whose *expanded* profile holds ``c``: a concept on every talk weighs almost nothing
   (``ln(1 + 1/N)``), a rare specific concept a lot.
4. The similarity of two talks is the cosine of their weighted vectors (0 to 1). Siblings meet
   through their common broader concept with a weight decayed by their distance to it.

Each link keeps the concepts that explain it — the concepts of the dot product, largest
contribution first: a topic both talks have, or a common broader concept. A speaker's profile is
the union of the profiles of their talks (largest value per concept).

Links are kept when the similarity is at least ``min_weight``; ``top_k`` keeps, for each node,
only its ``k`` strongest links (a link stays when it is among the top ``k`` of either end).
The defaults (:data:`MIN_WEIGHT`, :data:`TOP_K`) were chosen by measurement on the gold pairs of
``tests/data/topics_gold`` (``bench/topics_eval.py``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

DEPTH = 2  # levels of skos:broader a topic is expanded with
DECAY = 0.5  # factor per level up
MIN_WEIGHT = 0.1  # default: links weaker than this are left out (measured, see module doc)
TOP_K = 5  # default: each node keeps at most its 5 strongest links (either end)
EXPLAIN = 3  # concepts kept to explain a link
_BLOCK = 512  # rows of the similarity matrix computed at a time
_SLACK = 1e-4  # rounding of weights to 4 digits: candidates within it are checked exactly

Profile = Mapping[str, float]  # concept -> confidence in (0, 1]


@dataclass(frozen=True)
class Link:
    """Two related items (talks or speakers), ``a < b``."""

    a: str
    b: str
    weight: float  # cosine similarity, rounded to 4 digits
    concepts: tuple[str, ...]  # the concepts explaining the link, largest contribution first
    shared: tuple[str, ...]  # the explaining concepts both items have themselves


class Hierarchy:
    """``skos:broader`` as a mapping, with the too-broad concepts to leave out."""

    def __init__(self, broader: Mapping[str, Iterable[str]], too_broad: Iterable[str] = ()) -> None:
        self.broader = {c: tuple(sorted(set(p))) for c, p in broader.items()}
        self.too_broad = frozenset(too_broad)
        self._up: dict[str, dict[str, int]] = {}

    def up(self, concept: str) -> dict[str, int]:
        """The concept and its broader concepts up to :data:`DEPTH` levels, with distances."""
        if concept not in self._up:
            found = {concept: 0}
            frontier = [concept]
            for d in range(1, DEPTH + 1):
                nxt = []
                for c in frontier:
                    for parent in self.broader.get(c, ()):
                        if parent not in found:
                            found[parent] = d
                            nxt.append(parent)
                frontier = nxt
            self._up[concept] = found
        return self._up[concept]

    def expand(self, profile: Profile) -> dict[str, float]:
        """The profile with its broader concepts, decayed by distance; too-broad ones left out."""
        out: dict[str, float] = {}
        for concept, confidence in profile.items():
            for c, d in self.up(concept).items():
                if c not in self.too_broad:
                    value = confidence * DECAY**d
                    if value > out.get(c, 0.0):
                        out[c] = value
        return out


def merge(profiles: Iterable[Profile]) -> dict[str, float]:
    """The union of several profiles (a speaker's talks): the largest value per concept."""
    out: dict[str, float] = {}
    for profile in profiles:
        for concept, value in profile.items():
            out[concept] = max(value, out.get(concept, 0.0))
    return out


class Similarity:
    """Cosine similarity of IDF-weighted, ancestor-expanded concept vectors of some items."""

    def __init__(self, profiles: Mapping[str, Profile], hierarchy: Hierarchy) -> None:
        self.items = sorted(profiles)
        self.own = {item: {c for c, v in profiles[item].items() if v > 0} for item in self.items}
        expanded = {item: hierarchy.expand(profiles[item]) for item in self.items}
        df: dict[str, int] = defaultdict(int)
        for vector in expanded.values():
            for concept in vector:
                df[concept] += 1
        n = sum(1 for vector in expanded.values() if vector)  # items with topics
        self.idf = {c: math.log((n + 1) / k) for c, k in df.items()}
        self.vectors: dict[str, dict[str, float]] = {}
        self.norms: dict[str, float] = {}
        for item, vector in expanded.items():
            weighted = {c: v * self.idf[c] for c, v in vector.items() if self.idf[c] > 0}
            self.vectors[item] = weighted
            self.norms[item] = math.sqrt(sum(x * x for x in weighted.values()))

    def pair(self, a: str, b: str) -> tuple[float, list[tuple[str, float]]]:
        """The similarity of two items and each concept's share of it, largest first."""
        va, vb = self.vectors.get(a, {}), self.vectors.get(b, {})
        if not self.norms.get(a) or not self.norms.get(b):
            return 0.0, []
        norm = self.norms[a] * self.norms[b]
        parts = [(c, va[c] * vb[c] / norm) for c in va.keys() & vb.keys()]
        parts.sort(key=lambda cp: (-cp[1], cp[0]))
        return sum(p for _, p in parts), parts

    def link(self, a: str, b: str) -> Link:
        a, b = min(a, b), max(a, b)
        weight, parts = self.pair(a, b)
        concepts = tuple(c for c, _ in parts[:EXPLAIN])
        own_a, own_b = self.own.get(a, set()), self.own.get(b, set())
        shared = tuple(c for c in concepts if c in own_a and c in own_b)
        return Link(a, b, round(weight, 4), concepts, shared)

    def links(self, min_weight: float = MIN_WEIGHT, top_k: int | None = TOP_K) -> list[Link]:
        """Every link of at least ``min_weight``, thinned to each node's ``top_k`` strongest.

        Candidate pairs come from the similarity matrix, computed in blocks of rows with numpy
        (each row keeps what could be among its ``top_k``, ties and rounding included); each
        candidate's link is then computed exactly, so the result is that of comparing all pairs.
        """
        pairs = sorted(self._candidates(min_weight, top_k))
        found = [
            link
            for i, j in pairs
            if (link := self.link(self.items[i], self.items[j])).weight >= min_weight
            and link.weight > 0
        ]
        if top_k is None:
            return found
        return thin(found, top_k)

    def all_links(self) -> list[Link]:
        """Every pair with a similarity above 0, by comparing all pairs (for checks)."""
        found = (self.link(a, b) for a, b in combinations(self.items, 2))
        return [link for link in found if link.weight > 0]

    def _matrix(self) -> np.ndarray:
        """The items' unit vectors as rows (an item without topics is a row of zeros)."""
        concepts = sorted({c for vector in self.vectors.values() for c in vector})
        column = {c: n for n, c in enumerate(concepts)}
        matrix = np.zeros((len(self.items), len(concepts)))
        for row, item in enumerate(self.items):
            norm = self.norms[item]
            for concept, value in self.vectors[item].items():
                matrix[row, column[concept]] = value / norm
        return matrix

    def _candidates(self, min_weight: float, top_k: int | None) -> set[tuple[int, int]]:
        matrix = self._matrix()
        floor = max(min_weight - _SLACK, _SLACK)
        out: set[tuple[int, int]] = set()
        for start in range(0, len(self.items), _BLOCK):
            block = matrix[start : start + _BLOCK] @ matrix.T
            for offset, row in enumerate(block):
                i = start + offset
                row[i] = 0.0
                keep = row >= floor
                if top_k is not None and int(keep.sum()) > top_k:
                    kth = np.partition(row[keep], -top_k)[-top_k]
                    keep &= row >= kth - _SLACK
                out.update((min(i, j), max(i, j)) for j in np.nonzero(keep)[0].tolist())
        return out

    def related(self, item: str, limit: int = TOP_K, min_weight: float = MIN_WEIGHT) -> list[Link]:
        """The items most related to ``item``, strongest first."""
        found = [self.link(item, other) for other in self.items if other != item]
        found = [link for link in found if link.weight >= min_weight and link.weight > 0]
        found.sort(key=lambda link: (-link.weight, link.a, link.b))
        return found[:limit]


def thin(links: Sequence[Link], top_k: int) -> list[Link]:
    """Keep a link when it is among the ``top_k`` strongest of either of its ends."""
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    by_node: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_node[link.a].append(link)
        by_node[link.b].append(link)
    keep: set[tuple[str, str]] = set()
    for node_links in by_node.values():
        node_links.sort(key=lambda link: (-link.weight, link.a, link.b))
        keep.update((link.a, link.b) for link in node_links[:top_k])
    return [link for link in links if (link.a, link.b) in keep]


def density(nodes: int, edges: int) -> float:
    """Edges over possible edges of an undirected simple graph (0 for fewer than two nodes)."""
    possible = nodes * (nodes - 1) / 2
    return edges / possible if possible else 0.0
