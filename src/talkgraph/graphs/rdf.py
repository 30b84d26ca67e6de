"""Co-topic edges as RDF, for a named graph of their own.

Each edge becomes a ``tg:CoTopicLink`` with ``tg:source`` and ``tg:target`` (the node IRIs,
source < target), ``tg:weight`` (``xsd:integer``), ``tg:graphKind`` and, for speaker and talk
graphs, one ``tg:sharedTopic`` per shared topic. Its IRI is a hash IRI on the graph IRI built
from the two node slugs (``{graph}#{source-slug}--{target-slug}``), so it is stable across builds.
Speaker and talk links also carry ``tg:similarity`` (``xsd:decimal``, 0–1; ``tg:weight`` is it
in percent) and one ``tg:explainedBy`` per concept that explains the link (a shared topic or a
common broader topic, see :mod:`talkgraph.topics.similarity`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal

import networkx as nx
from rdflib import Graph, Literal, URIRef

from ..iris import Minter, slugify
from ..topics.similarity import Link
from ..vocab import RDF, TG, XSD, bind_prefixes


def cotopic_graph_iri(minter: Minter, kind: str) -> URIRef:
    """The named graph holding the edges of one kind of co-topic graph."""
    return minter.graph(f"cotopic-{kind}")


def _slug(minter: Minter, iri: str) -> str:
    parsed = minter.kind_of(iri)
    return f"{parsed[0]}-{parsed[1]}" if parsed else slugify(iri)


def _edge_name(minter: Minter, source: str, target: str, taken: set[str]) -> str:
    name = f"{_slug(minter, source)}--{_slug(minter, target)}"
    if name in taken:  # two foreign IRIs folding to the same slug: disambiguate by a hash
        digest = hashlib.sha256(f"{source} {target}".encode()).hexdigest()[:12]
        name = f"{name}-{digest}"
    return name


def graph_to_rdf(g: nx.Graph, kind: str, minter: Minter, graph_iri: URIRef | None = None) -> Graph:
    """The edges of ``g`` as an rdflib graph identified by ``graph_iri``
    (default :func:`cotopic_graph_iri`)."""
    identifier = graph_iri if graph_iri is not None else cotopic_graph_iri(minter, kind)
    out = bind_prefixes(Graph(identifier=identifier))
    taken: set[str] = set()
    edges = sorted((min(a, b), max(a, b), d) for a, b, d in g.edges(data=True))
    for u, v, attrs in edges:
        name = _edge_name(minter, u, v, taken)
        taken.add(name)
        link = minter.fragment(identifier, name)
        out.add((link, RDF.type, TG.CoTopicLink))
        out.add((link, TG.source, URIRef(u)))
        out.add((link, TG.target, URIRef(v)))
        out.add((link, TG.weight, Literal(int(attrs.get("weight", 1)), datatype=XSD.integer)))
        out.add((link, TG.graphKind, Literal(kind)))
        for topic in attrs.get("topics", ()):
            out.add((link, TG.sharedTopic, URIRef(topic)))
        if "similarity" in attrs:
            value = Decimal(str(attrs["similarity"]))
            out.add((link, TG.similarity, Literal(value, datatype=XSD.decimal)))
        for concept in attrs.get("concepts", ()):
            out.add((link, TG.explainedBy, URIRef(concept)))
    return out


def related_talks_graph(
    links: Sequence[Link], minter: Minter, graph_iri: URIRef | None = None
) -> Graph:
    """Links between talks (keys) as ``tg:CoTopicLink`` resources of the ``talks`` kind, in the
    same shape as :func:`graph_to_rdf` writes (weight in percent, similarity, explaining and
    shared topics). Published by a build as the named graph ``{base}graph/cotopic-talks``."""
    g = nx.Graph()
    for link in links:
        g.add_edge(
            str(minter.talk(link.a)),
            str(minter.talk(link.b)),
            weight=round(link.weight * 100),
            similarity=link.weight,
            concepts=[str(minter.topic(c)) for c in link.concepts],
            topics=[str(minter.topic(c)) for c in link.shared],
        )
    return graph_to_rdf(g, "talks", minter, graph_iri)
