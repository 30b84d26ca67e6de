"""Topics as RDF: the rewritten scheme, schema:about, Web Annotations, and explain()."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from talkgraph import vocab as ns
from talkgraph.iris import Minter
from talkgraph.model import Talk
from talkgraph.topics import (
    Vocabulary,
    assign,
    assignments_graph,
    explain,
    load_vocabulary,
    vocabulary_graph,
)

BASE = "https://example.org/data/"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="module")
def minter() -> Minter:
    return Minter(BASE)


TALKS = [
    Talk(
        "ada-lovelace-collapse",
        "Neural collapse and minority collapse",
        "ada-lovelace",
        "We study neural collapse under class imbalance, and neural collapse again.",
    ),
    Talk("tba", "TBA", "bob", None, placeholder=True),
]


def test_vocabulary_graph_rewrites_iris(vocab: Vocabulary, minter: Minter) -> None:
    graph = vocabulary_graph(vocab, minter)
    scheme = URIRef(BASE + "topic/")
    assert (scheme, ns.RDF.type, ns.SKOS.ConceptScheme) in graph
    concepts = set(graph.subjects(ns.RDF.type, ns.SKOS.Concept))
    assert len(concepts) == len(vocab)
    assert all(str(c).startswith(BASE + "topic/") for c in concepts)
    assert not any("w3id.org/talkgraph/topic" in str(t) for triple in graph for t in triple)
    nc = minter.topic("neural-collapse")
    assert graph.value(nc, ns.SKOS.prefLabel) == Literal("neural collapse", lang="en")
    assert (nc, ns.SKOS.inScheme, scheme) in graph
    assert graph.value(nc, ns.TG.tooBroad) == Literal(False, datatype=ns.XSD.boolean)
    assert (minter.topic("minority-collapse"), ns.SKOS.broader, nc) in graph
    assert (minter.topic("deep-learning"), ns.TG.tooBroad, Literal(True)) in graph
    lg = minter.topic("machine-learning")
    assert (lg, ns.SKOS.closeMatch, URIRef("https://arxiv.org/list/cs.LG")) in graph
    top = minter.topic("optimization")
    assert (top, ns.SKOS.topConceptOf, scheme) in graph and (
        scheme,
        ns.SKOS.hasTopConcept,
        top,
    ) in graph
    assert not any(isinstance(t, BNode) for triple in graph for t in triple)


def test_assignments_graph_shape(vocab: Vocabulary, minter: Minter) -> None:
    found = assign(TALKS, vocab)
    graph = assignments_graph(found, TALKS, minter)
    talk = minter.talk("ada-lovelace-collapse")
    about = set(graph.objects(talk, ns.SCHEMA.about))
    assert about == {
        minter.topic(s) for s in ("neural-collapse", "minority-collapse", "class-imbalance")
    }
    assert not list(graph.objects(minter.talk("tba"), ns.SCHEMA.about))
    ann = URIRef(f"{talk}#topic-neural-collapse-3")  # title, then twice in the abstract
    assert (ann, ns.RDF.type, ns.OA.Annotation) in graph
    assert graph.value(ann, ns.OA.hasBody) == minter.topic("neural-collapse")
    assert graph.value(ann, ns.OA.motivatedBy) == ns.OA.classifying
    assert graph.value(ann, ns.DCTERMS.subject) == Literal("abstract")
    target = graph.value(ann, ns.OA.hasTarget)
    assert target == URIRef(f"{ann}-target")
    assert (target, ns.RDF.type, ns.OA.SpecificResource) in graph
    assert graph.value(target, ns.OA.hasSource) == talk
    selector = graph.value(target, ns.OA.hasSelector)
    assert selector == URIRef(f"{ann}-selector")
    assert (selector, ns.RDF.type, ns.OA.TextQuoteSelector) in graph
    assert graph.value(selector, ns.OA.exact) == Literal("neural collapse")
    assert str(graph.value(selector, ns.OA.prefix)).endswith("and ")
    assert str(graph.value(selector, ns.OA.suffix)).startswith(" again.")
    assert not any(isinstance(t, BNode) for triple in graph for t in triple)
    n_annotations = len(set(graph.subjects(ns.RDF.type, ns.OA.Annotation)))
    assert n_annotations == sum(len(v) for v in found.values())


def test_explain_reads_back_from_rdf(vocab: Vocabulary, minter: Minter) -> None:
    graph = Graph()
    graph += vocabulary_graph(vocab, minter)
    graph += assignments_graph(assign(TALKS, vocab), TALKS, minter)
    # round-trip through N-Triples: explain must rely on the RDF alone
    graph = Graph().parse(data=graph.serialize(format="nt"), format="nt")
    rows = explain(graph, minter.talk("ada-lovelace-collapse"))
    assert rows[0][1] == "title"
    assert ("neural collapse", "title", "Neural collapse") in rows
    assert ("minority collapse", "title", "minority collapse") in rows
    assert ("class imbalance", "abstract", "class imbalance") in rows
    assert rows.count(("neural collapse", "abstract", "neural collapse")) == 2
    assert explain(graph, minter.talk("tba")) == []


def test_fallback_evidence_carries_confidence_and_curation_flag(minter: Minter) -> None:
    from decimal import Decimal

    from talkgraph.topics import Assignment, assignments_graph

    talk = Talk(key="t", title="Ice", speaker="s", abstract="About ice.")
    item = Assignment("imaging", "abstract", "ice", 6, 9, "About ", ".", 0.5, True)
    plain = Assignment("imaging", "title", "Ice", 0, 3, "", "", 1.0, False)
    g = assignments_graph({"t": [item, plain]}, [talk], minter)
    flagged = list(g.subjects(ns.TG.needsCuration, Literal(True)))
    assert len(flagged) == 1
    assert g.value(flagged[0], ns.TG.confidence).toPython() == Decimal("0.5")
    assert len(list(g.subjects(ns.TG.confidence, None))) == 1
