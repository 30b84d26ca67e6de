"""Co-authors in the phrasings real abstracts use; never a cited author, a method or a place."""

from __future__ import annotations

import pytest

from talkgraph.ingest import find_coauthors


def names(text: str) -> list[str]:
    return [m.name for m in find_coauthors(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is joint work with Ada Lovelace.", ["Ada Lovelace"]),
        (
            "Based on joint works with M. Michalek, B. Sturmfels and J.-B. Lasserre.",
            ["M. Michalek", "B. Sturmfels", "J.-B. Lasserre"],
        ),
        ("Joint papers with Grace Hopper and Alan Turing.", ["Grace Hopper", "Alan Turing"]),
        ("(joint work with Prof. Emmy Noether)", ["Emmy Noether"]),
        ("This talk is based on work with Dr. Lise Meitner.", ["Lise Meitner"]),
        ("Joint work with: Marie Curie and Pierre Curie.", []),  # a colon ends the phrase
        (
            "In collaboration with Hoi-To Wai (CUHK) and Eric Moulines (Polytechnique).",
            ["Hoi-To Wai", "Eric Moulines"],
        ),
        ("With students Jane Roe and John Doe, we prove it.", ["Jane Roe", "John Doe"]),
        ("Travaux en collaboration avec J. Bolte et E. Pauwels.", ["J. Bolte", "E. Pauwels"]),
        (
            "in recent joint work with Cavallo, Coquand, Riehl and Sattler.",
            ["Cavallo", "Coquand", "Riehl", "Sattler"],
        ),
        (
            "Joint work with Takashi Furuya (Shimane Univ.) and Maarten de Hoop (Rice Univ.).",
            ["Takashi Furuya", "Maarten de Hoop"],
        ),
    ],
)
def test_phrasings(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We extend the method of Papyan, Han and Donoho.",
        "We work with Gaussian Processes and Hilbert Spaces.",
        "Joint work with Google researchers in Zurich.",
        "This is joint work with colleagues in Paris.",
        "together with the Douglas-Rachford splitting method",
        "joint work with Cavallo on spectral sequences",  # one lone word is not a surname list
    ],
)
def test_not_coauthors(text: str) -> None:
    assert names(text) == []
