"""Related talks in the published dataset: the links named graph, VoID, and talk pages."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from rdflib import Dataset, Graph, Literal, URIRef

from support.builds import seed_build
from talkgraph import vocab as ns
from talkgraph.iris import Minter
from talkgraph.topics.similarity import MIN_WEIGHT, TOP_K

LINKS = Minter().graph("cotopic-talks")


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    ds = Dataset()
    ds.parse(seed_build() / "dataset.nq", format="nquads")
    return ds


@pytest.fixture(scope="module")
def union() -> Graph:
    return Graph().parse(seed_build() / "dataset.nt")


def test_links_are_a_named_graph_of_their_own(dataset: Dataset, union: Graph) -> None:
    links = dataset.graph(LINKS)
    found = set(links.subjects(ns.RDF.type, ns.TG.CoTopicLink))
    assert found
    talks = set(union.subjects(ns.RDF.type, URIRef(str(ns.CONF) + "Talk")))
    for link in found:
        a, b = links.value(link, ns.TG.source), links.value(link, ns.TG.target)
        assert a in talks and b in talks and str(a) < str(b)
        assert links.value(link, ns.TG.graphKind) == Literal("talks")
        weight = links.value(link, ns.TG.weight).toPython()
        similarity = float(links.value(link, ns.TG.similarity).toPython())
        assert weight == round(similarity * 100) >= MIN_WEIGHT * 100
        explained = set(links.objects(link, ns.TG.explainedBy))
        assert explained and set(links.objects(link, ns.TG.sharedTopic)) <= explained
        assert all((c, ns.RDF.type, ns.SKOS.Concept) in union for c in explained)


def test_no_talk_is_linked_to_everyone(dataset: Dataset, union: Graph) -> None:
    links = dataset.graph(LINKS)
    talks = set(union.subjects(ns.RDF.type, URIRef(str(ns.CONF) + "Talk")))
    pairs = len(set(links.subjects(ns.RDF.type, ns.TG.CoTopicLink)))
    assert pairs < len(talks) * (len(talks) - 1) / 2 / 2
    # each link is among the TOP_K strongest of one of its ends
    degree: dict[URIRef, int] = {}
    for link in links.subjects(ns.RDF.type, ns.TG.CoTopicLink):
        for end in (links.value(link, ns.TG.source), links.value(link, ns.TG.target)):
            degree[end] = degree.get(end, 0) + 1
    assert max(degree.values()) < len(talks) - 1
    assert min(degree.values()) >= 1 and TOP_K >= 1


def test_void_lists_the_links_graph() -> None:
    void = Graph().parse(seed_build() / "void.ttl")
    minter = Minter()
    assert (minter.dataset, ns.VOID.subset, LINKS) in void
    assert void.value(LINKS, ns.VOID.triples).toPython() > 0


def test_talk_page_shows_related_talks(seed_app: Flask, dataset: Dataset) -> None:
    links = dataset.graph(LINKS)
    link = sorted(links.subjects(ns.RDF.type, ns.TG.CoTopicLink))[0]
    source, target = links.value(link, ns.TG.source), links.value(link, ns.TG.target)
    path = str(source)[len(Minter().base) - 1 :]
    html = seed_app.test_client().get(path).get_data(as_text=True)
    section = html[html.index("Related talks") :]
    assert str(target)[len(Minter().base) - 1 :] in section
    assert re.search(r"similarity \d+ %", section)
