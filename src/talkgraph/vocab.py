"""Namespaces: the standard vocabularies we use and our own terms.

Our own terms are a :class:`rdflib.namespace.DefinedNamespace`, so a typo raises at import time
instead of minting a wrong IRI.
"""

from __future__ import annotations

import re

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)

SCHEMA = SDO  # https://schema.org/
CONF = Namespace("https://w3id.org/scholarlydata/ontology/conference-ontology.owl#")
OA = Namespace("http://www.w3.org/ns/oa#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ARXIV_CAT = Namespace("https://arxiv.org/list/")


class TG(DefinedNamespace):
    """talkgraph's own terms (for what no standard vocabulary says)."""

    _NS = Namespace("https://w3id.org/talkgraph/ns#")
    _fail = True

    # talks
    isPlaceholder: URIRef  # noqa: N815  - true for TBA talks
    position: URIRef  # order of a talk in its programme
    track: URIRef  # the track a conference tool files a talk under (text)
    session: URIRef  # the session (block of talks) a talk is given in (text)
    # provenance of extracted facts: "file:line:start-end"
    sourceLocation: URIRef  # noqa: N815
    titleSource: URIRef  # noqa: N815
    abstractSource: URIRef  # noqa: N815
    # institutions
    inRegistry: URIRef  # noqa: N815
    # persons
    onRoster: URIRef  # noqa: N815
    # topics
    tooBroad: URIRef  # noqa: N815  - a topic that does not make co-topic edges
    senseOf: URIRef  # noqa: N815  - an ambiguous term this topic is one sense of
    senseContext: URIRef  # noqa: N815  - comma-separated context words of that sense
    weak: URIRef  # a topic whose words are often used in passing: needs more evidence
    # co-topic graphs as RDF
    CoTopicLink: URIRef  # noqa: N815
    source: URIRef
    target: URIRef
    weight: URIRef
    sharedTopic: URIRef  # noqa: N815
    graphKind: URIRef  # noqa: N815
    similarity: URIRef  # topic similarity of the two ends of a link, 0-1
    explainedBy: URIRef  # noqa: N815  - a concept that explains a link (shared or common broader)
    confidence: URIRef  # confidence of a topic assignment, 0-1
    needsCuration: URIRef  # noqa: N815  - a fallback topic: no concept fitted the talk well
    # themes of a programme (a concept on a large share of its talks)
    talkCount: URIRef  # noqa: N815  - the programme's talks that name the theme
    talkShare: URIRef  # noqa: N815  - their share of the programme's talks, 0-1


PREFIXES: dict[str, Namespace] = {
    "schema": Namespace(str(SCHEMA)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "prov": Namespace(str(PROV)),
    "void": Namespace(str(VOID)),
    "dcat": Namespace(str(DCAT)),
    "conf": CONF,
    "oa": OA,
    "tg": Namespace(str(TG._NS)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "owl": Namespace(str(OWL)),
    "sh": Namespace(str(SH)),
    "spdx": SPDX,
}


_LOCAL = re.compile(r"[\w.-]+")  # a local name that stays a valid prefixed name
_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda item: -len(str(item[1])))


def prefixed(iri: str) -> str | None:
    """``prefix:local`` for an IRI in one of :data:`PREFIXES`' namespaces (the one place IRIs are
    shortened for people), else ``None``."""
    for prefix, namespace in _LONGEST_FIRST:
        local = iri[len(str(namespace)) :]
        if iri.startswith(str(namespace)) and _LOCAL.fullmatch(local):
            return f"{prefix}:{local}"
    return None


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the dataset's prefixes (replacing rdflib's defaults for schema.org)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


__all__ = [
    "ARXIV_CAT",
    "CONF",
    "DCAT",
    "DCTERMS",
    "FOAF",
    "OA",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "SPDX",
    "TG",
    "VOID",
    "XSD",
    "bind_prefixes",
]
