"""Institutions as pages write them, and bios, through resolution into RDF."""

from __future__ import annotations

import pytest
from rdflib import Literal

from talkgraph.ingest import parse_text
from talkgraph.iris import Minter
from talkgraph.rdf import to_graph
from talkgraph.registry import Registry, country_code, split_affiliation
from talkgraph.resolve import resolve
from talkgraph.vocab import SCHEMA


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("University of Genova and MIT", [("University of Genova", None), ("MIT", None)]),
        ("CNRS, École Normale Supérieure", [("CNRS", None), ("École Normale Supérieure", None)]),
        ("GenBio AI & MBZUAI", [("GenBio AI", None), ("MBZUAI", None)]),
        ("University of Toronto, Canada", [("University of Toronto", "CA")]),
        (
            "Centre de Physique Théorique, Marseille, France",
            [("Centre de Physique Théorique", "FR")],
        ),
        ("LJAD, Nice", [("LJAD", None)]),
        ("Stanford University, CA", [("Stanford University", None)]),
        ("University of California, San Diego", [("University of California, San Diego", None)]),
        (
            "Department of Computer Science and Engineering",
            [("Department of Computer Science and Engineering", None)],
        ),
        (
            "Lucy Family Institute for Data & Society",
            [("Lucy Family Institute for Data & Society", None)],
        ),
    ],
)
def test_split_affiliation(
    registry: Registry, text: str, expected: list[tuple[str, str | None]]
) -> None:
    assert [(p.name, p.country) for p in split_affiliation(text, registry)] == expected


def test_country_names_only() -> None:
    assert country_code("Germany") == "DE" and country_code("UK") == "GB"
    assert country_code("CA") is None and country_code("Nice") is None


PAGE = """\
14h - Lorenzo Rosasco (University of Genova and MIT)

**Being a kernel**

Kernels again.

Bio: Lorenzo works on learning theory.

15h - Giulio Tiozzo (University of Toronto, Canada)

**Central limit theorems**

Random walks.
"""


def test_joint_affiliations_country_and_bio_in_rdf(registry: Registry) -> None:
    programme = parse_text(PAGE, "seminar.md")
    model = resolve([programme], registry)
    rosasco = model.people["lorenzo-rosasco"]
    names = [model.institutions[k].name for k in [rosasco.affiliation, *rosasco.more_affiliations]]
    assert names == ["University of Genova", "Massachusetts Institute of Technology"]
    assert rosasco.description == "Lorenzo works on learning theory."
    toronto = model.institutions[model.people["giulio-tiozzo"].affiliation or ""]
    assert toronto.name == "University of Toronto" and toronto.country == "CA"
    minter = Minter("http://example.org/")
    graph = to_graph(model, minter)
    person = minter.person("lorenzo-rosasco")
    assert len(set(graph.objects(person, SCHEMA.affiliation))) == 2
    assert (person, SCHEMA.description, Literal("Lorenzo works on learning theory.")) in graph
    address = next(graph.objects(minter.institution(toronto.key), SCHEMA.address))
    assert Literal("CA") in set(graph.objects(address, SCHEMA.addressCountry))
