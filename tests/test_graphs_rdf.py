"""Co-topic edges as RDF: one tg:CoTopicLink per edge, stable IRIs, back to the same edges."""

from __future__ import annotations

import networkx as nx
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from talkgraph import vocab
from talkgraph.graphs import (
    analyse,
    build_graph,
    cotopic_graph_iri,
    graph_to_rdf,
    related_talks_graph,
)
from talkgraph.iris import Minter
from test_graphs_build import person, sample_data, topic

KINDS = ("topics", "speakers", "talks", "bipartite")


def as_rdf(kind: str, minter: Minter | None = None) -> tuple[nx.Graph, Graph]:
    g = analyse(build_graph(sample_data(), kind))  # type: ignore[arg-type]
    return g, graph_to_rdf(g, kind, minter or Minter())


def edges_from_rdf(rdf: Graph) -> dict[frozenset[str], int]:
    edges = {}
    for link in rdf.subjects(vocab.RDF.type, vocab.TG.CoTopicLink):
        source = rdf.value(link, vocab.TG.source)
        target = rdf.value(link, vocab.TG.target)
        weight = rdf.value(link, vocab.TG.weight)
        assert isinstance(weight, Literal) and weight.datatype == vocab.XSD.integer
        edges[frozenset((str(source), str(target)))] = int(weight.toPython())
    return edges


@pytest.mark.parametrize("kind", KINDS)
def test_one_link_per_edge_round_trip(kind: str) -> None:
    g, rdf = as_rdf(kind)
    assert len(set(rdf.subjects(vocab.RDF.type, vocab.TG.CoTopicLink))) == g.number_of_edges()
    assert edges_from_rdf(rdf) == {frozenset((u, v)): w for u, v, w in g.edges(data="weight")}
    assert set(rdf.objects(None, vocab.TG.graphKind)) <= {Literal(kind)}
    assert rdf.identifier == cotopic_graph_iri(Minter(), kind)
    assert not any(isinstance(term, BNode) for triple in rdf for term in triple)


def test_link_iris_are_hash_iris_on_the_graph_and_stable() -> None:
    _, first = as_rdf("speakers")
    _, second = as_rdf("speakers")
    assert set(first) == set(second)
    graph_iri = "http://talkgraph.localhost/graph/cotopic-speakers"
    links = sorted(str(s) for s in first.subjects(vocab.RDF.type, vocab.TG.CoTopicLink))
    assert links
    assert all(link.startswith(graph_iri + "#") for link in links)
    assert f"{graph_iri}#person-ada--person-bo" in links


def test_shared_topics() -> None:
    _, rdf = as_rdf("speakers")
    link = URIRef("http://talkgraph.localhost/graph/cotopic-speakers#person-ada--person-bo")
    assert rdf.value(link, vocab.TG.source) == URIRef(person("ada"))
    assert set(rdf.objects(link, vocab.TG.sharedTopic)) == {
        URIRef(topic("cs")),
        URIRef(topic("opt")),
    }
    _, topics = as_rdf("topics")
    assert not list(topics.objects(None, vocab.TG.sharedTopic))


def test_base_and_graph_iri_are_honoured() -> None:
    g, rdf = as_rdf("talks", Minter("https://example.org/data/"))
    assert str(rdf.identifier) == "https://example.org/data/graph/cotopic-talks"
    custom = URIRef("https://example.org/data/graph/mine")
    other = graph_to_rdf(g, "talks", Minter("https://example.org/data/"), custom)
    assert other.identifier == custom
    assert all(
        str(s).startswith(f"{custom}#")
        for s in other.subjects(vocab.RDF.type, vocab.TG.CoTopicLink)
    )


def test_foreign_iris_that_fold_alike_stay_distinct() -> None:
    g = nx.Graph()
    g.add_edge("https://ex.org/A", "https://ex.org/b", weight=1)
    g.add_edge("https://ex.org/a", "https://ex.org/B", weight=2)
    rdf = graph_to_rdf(g, "talks", Minter())
    assert len(set(rdf.subjects(vocab.RDF.type, vocab.TG.CoTopicLink))) == 2
    assert sorted(edges_from_rdf(rdf).values()) == [1, 2]


def test_links_conform_to_the_shapes_and_bad_ones_do_not() -> None:
    from decimal import Decimal

    from rdflib import Literal, URIRef

    from talkgraph.topics.similarity import Link
    from talkgraph.validation import Report, load_shapes, validate
    from talkgraph.vocab import RDF, SKOS, TG, XSD

    minter = Minter()
    rdf = related_talks_graph([Link("a", "b", 0.42, ("c",), ("c",))], minter)
    rdf.add((minter.topic("c"), RDF.type, SKOS.Concept))
    shapes = load_shapes(None)

    def link_problems(report: Report) -> list[str]:
        return sorted(r.shape for r in report.results if r.shape.startswith("tgsh:CoTopicLink"))

    assert link_problems(validate(rdf, shapes)) == []
    (link,) = rdf.subjects(RDF.type, TG.CoTopicLink)
    assert rdf.value(link, TG.weight).toPython() == 42
    rdf.set((link, TG.similarity, Literal(Decimal("1.5"), datatype=XSD.decimal)))
    rdf.add((link, TG.explainedBy, URIRef("http://example.org/not-a-topic")))
    assert link_problems(validate(rdf, shapes)) == [
        "tgsh:CoTopicLink-explainedBy",
        "tgsh:CoTopicLink-similarity",
    ]
