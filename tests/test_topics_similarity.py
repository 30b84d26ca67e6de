"""The hierarchical IDF cosine similarity of topic profiles (talkgraph.topics.similarity)."""

from __future__ import annotations

import math
import random

import pytest

from talkgraph.topics.similarity import DECAY, Hierarchy, Link, Similarity, density, merge, thin

# imaging > {restoration, reconstruction}; games > voting; "ml" is too broad
HIERARCHY = Hierarchy(
    {"restoration": ["imaging"], "reconstruction": ["imaging"], "voting": ["games"],
     "imaging": ["ml"], "games": []},
    too_broad=["ml"],
)  # fmt: skip


def test_expansion_decays_with_distance_and_skips_too_broad() -> None:
    assert HIERARCHY.expand({"restoration": 1.0}) == {"restoration": 1.0, "imaging": DECAY}
    assert HIERARCHY.expand({"restoration": 0.5, "imaging": 1.0})["imaging"] == 1.0


def test_siblings_meet_through_their_broader_concept() -> None:
    sim = Similarity(
        {"a": {"restoration": 1.0}, "b": {"reconstruction": 1.0}, "c": {"voting": 1.0},
         "d": {"games": 1.0}},
        HIERARCHY,
    )  # fmt: skip
    ab = sim.link("b", "a")
    assert (ab.a, ab.b, ab.concepts, ab.shared) == ("a", "b", ("imaging",), ())
    # by hand, N = 4: idf(imaging) = ln(5/2), idf(restoration) = ln(5/1)
    x = DECAY * math.log(5 / 2)
    assert ab.weight == round(x * x / (math.log(5) ** 2 + x * x), 4)
    assert sim.link("a", "c").weight == 0
    assert sim.link("c", "d").weight > ab.weight


def test_a_concept_on_every_item_weighs_almost_nothing() -> None:
    profiles = {k: {"games": 1.0} for k in "abcd"}
    profiles["a"]["restoration"] = profiles["b"]["restoration"] = 1.0
    sim = Similarity(profiles, HIERARCHY)
    assert sim.idf["games"] == pytest.approx(math.log(5 / 4))
    assert sim.link("a", "b").concepts[0] == "restoration"
    assert sim.link("a", "c").weight < sim.link("a", "b").weight


def test_identical_profiles_are_fully_similar() -> None:
    sim = Similarity(
        {"a": {"voting": 1.0}, "b": {"voting": 1.0}, "c": {"restoration": 1.0}}, HIERARCHY
    )
    link = sim.link("a", "b")
    assert link.weight == 1.0
    assert link.concepts == ("voting", "games") and link.shared == ("voting",)
    assert sim.related("a")[0].b == "b"


def test_top_k_keeps_each_nodes_strongest_links() -> None:
    links = [Link("a", "b", 0.9, (), ()), Link("a", "c", 0.5, (), ()), Link("b", "c", 0.6, (), ())]
    links.append(Link("c", "d", 0.2, (), ()))
    # a-c is neither a's (a-b) nor c's (b-c) strongest link; d keeps its only one
    assert thin(links, 1) == [links[0], links[2], links[3]]
    with pytest.raises(ValueError, match="top_k"):
        thin(links, 0)


def test_merge_and_density() -> None:
    assert merge([{"a": 0.5}, {"a": 1.0, "b": 0.2}]) == {"a": 1.0, "b": 0.2}
    assert density(4, 3) == 0.5 and density(1, 0) == 0.0


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("min_weight", "top_k"), [(0.1, 5), (0.0001, 2), (0.3, None)])
def test_matrix_candidates_give_the_all_pairs_result(
    seed: int, min_weight: float, top_k: int | None
) -> None:
    rng = random.Random(seed)
    concepts = [f"c{n}" for n in range(30)]
    broader = {c: rng.sample(concepts[:5], k=rng.randint(0, 2)) for c in concepts[5:]}
    profiles = {
        f"t{n:03d}": {
            c: rng.choice([1.0, 0.9, 0.5]) for c in rng.sample(concepts, rng.randint(0, 4))
        }
        for n in range(120)
    }
    sim = Similarity(profiles, Hierarchy(broader))
    brute = [link for link in sim.all_links() if link.weight >= min_weight]
    expected = brute if top_k is None else thin(brute, top_k)
    assert sim.links(min_weight, top_k) == expected
