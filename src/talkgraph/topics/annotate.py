"""Topics as RDF: the SKOS scheme under the dataset's base, and topic evidence as Web Annotations.

See docs/data-model.md ("topic" and "topic evidence"). No blank nodes: an annotation is
``{talk}#topic-{slug}-{n}``, its target ``{annotation}-target``, its selector
``{annotation}-selector``. Evidence of confidence below 1 carries ``tg:confidence``; a fallback
topic (no concept fitted the talk) carries ``tg:needsCuration true``.  A theme of a programme
(:mod:`.themes`) is ``{event}#theme-{slug}``, derived from the talks' evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..iris import Minter
from ..model import Talk
from ..vocab import CONF, DCTERMS, OA, PROV, RDF, SCHEMA, SKOS, TG, XSD, bind_prefixes
from .matcher import Assignment, assign
from .themes import Theme, lift_themes
from .vocabulary import Vocabulary


def vocabulary_graph(vocabulary: Vocabulary, minter: Minter) -> Graph:
    """The concept scheme with every topic IRI rewritten to ``{base}topic/{slug}``."""
    graph = bind_prefixes(Graph())
    scheme = minter.topic_scheme
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    if vocabulary.title:
        graph.add((scheme, DCTERMS.title, Literal(vocabulary.title, lang="en")))
        graph.add((scheme, SKOS.prefLabel, Literal(vocabulary.title, lang="en")))
    for slug, concept in sorted(vocabulary.concepts.items()):
        iri = minter.topic(slug)
        graph.add((iri, RDF.type, SKOS.Concept))
        graph.add((iri, SKOS.inScheme, scheme))
        graph.add((iri, SKOS.prefLabel, Literal(concept.pref_label, lang="en")))
        for label in concept.alt_labels:
            if label != concept.pref_label:
                graph.add((iri, SKOS.altLabel, Literal(label, lang="en")))
        for parent in concept.broader:
            graph.add((iri, SKOS.broader, minter.topic(parent)))
        if concept.definition:
            graph.add((iri, SKOS.definition, Literal(concept.definition, lang="en")))
        for match in concept.close_match:
            graph.add((iri, SKOS.closeMatch, URIRef(match)))
        graph.add((iri, TG.tooBroad, Literal(concept.too_broad, datatype=XSD.boolean)))
        if concept.top or not concept.broader:
            graph.add((iri, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, iri))
    return graph


def annotation_iri(minter: Minter, talk_key: str, topic: str, n: int) -> URIRef:
    """``{talk}#topic-{topic}-{n}`` (``n`` counts from 1 per talk and topic)."""
    return minter.fragment(minter.talk(talk_key), f"topic-{topic}-{n}")


def assignments_graph(
    assignments: Mapping[str, Sequence[Assignment]], talks: Iterable[Talk], minter: Minter
) -> Graph:
    """``schema:about`` from each talk to its topics, and one annotation per piece of evidence
    (the evidence of a theme of the talk's programme too, without ``schema:about``)."""
    graph = bind_prefixes(Graph())
    graph.addN((s, p, o, graph) for s, p, o in assignment_triples(assignments, talks, minter))
    return graph


def assignment_triples(
    assignments: Mapping[str, Sequence[Assignment]], talks: Iterable[Talk], minter: Minter
) -> list[tuple[Node, Node, Node]]:
    """The triples of :func:`assignments_graph`, as made (a build keeps them in no rdflib
    graph: its store costs more than making them)."""
    triples: list[tuple[Node, Node, Node]] = []
    add = triples.append
    for talk in talks:
        talk_iri = minter.talk(talk.key)
        counts: dict[str, int] = {}
        for item in assignments.get(talk.key, ()):
            topic_iri = minter.topic(item.topic)
            if not item.theme:
                add((talk_iri, SCHEMA.about, topic_iri))
            counts[item.topic] = n = counts.get(item.topic, 0) + 1
            ann = annotation_iri(minter, talk.key, item.topic, n)
            target = URIRef(f"{ann}-target")
            selector = URIRef(f"{ann}-selector")
            add((ann, RDF.type, OA.Annotation))
            add((ann, OA.hasBody, topic_iri))
            add((ann, OA.hasTarget, target))
            add((ann, OA.motivatedBy, OA.classifying))
            add((ann, DCTERMS.subject, Literal(item.field)))
            add((target, RDF.type, OA.SpecificResource))
            add((target, OA.hasSource, talk_iri))
            add((target, OA.hasSelector, selector))
            add((selector, RDF.type, OA.TextQuoteSelector))
            add((selector, OA.exact, Literal(item.exact)))
            add((selector, OA.prefix, Literal(item.prefix)))
            add((selector, OA.suffix, Literal(item.suffix)))
            if item.confidence < 1:
                value = Decimal(str(item.confidence))
                add((ann, TG.confidence, Literal(value, datatype=XSD.decimal)))
            if item.needs_curation:
                add((ann, TG.needsCuration, Literal(True)))
    return triples


def theme_iri(minter: Minter, event_key: str, topic: str) -> URIRef:
    """``{event}#theme-{topic}``."""
    return minter.fragment(minter.event(event_key), f"theme-{topic}")


def themes_graph(
    event_key: str,
    themes: Sequence[Theme],
    assignments: Mapping[str, Sequence[Assignment]],
    minter: Minter,
) -> Graph:
    """``schema:about`` from the event to each theme of its programme, and one annotation per
    theme (:func:`theme_triples` as an rdflib graph)."""
    graph = bind_prefixes(Graph())
    triples = theme_triples(event_key, themes, assignments, minter)
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def theme_triples(
    event_key: str,
    themes: Sequence[Theme],
    assignments: Mapping[str, Sequence[Assignment]],
    minter: Minter,
) -> list[tuple[Node, Node, Node]]:
    """``schema:about`` from the event to each theme of its programme, and one annotation per
    theme: ``{event}#theme-{slug}``, classifying the event, with the number and share of the
    programme's talks that name the concept, derived (``prov:wasDerivedFrom``) from their topic
    evidence (the annotations :func:`assignment_triples` writes from the same ``assignments``)."""
    triples: list[tuple[Node, Node, Node]] = []
    add = triples.append
    event = minter.event(event_key)
    for theme in themes:
        topic_iri = minter.topic(theme.topic)
        ann = theme_iri(minter, event_key, theme.topic)
        add((event, SCHEMA.about, topic_iri))
        add((ann, RDF.type, OA.Annotation))
        add((ann, OA.hasBody, topic_iri))
        add((ann, OA.hasTarget, event))
        add((ann, OA.motivatedBy, OA.classifying))
        add((ann, TG.talkCount, Literal(len(theme.talks))))
        share = Decimal(str(round(theme.share, 4)))
        add((ann, TG.talkShare, Literal(share, datatype=XSD.decimal)))
        for key in theme.talks:
            pieces = sum(1 for a in assignments.get(key, ()) if a.topic == theme.topic)
            for n in range(1, pieces + 1):
                add((ann, PROV.wasDerivedFrom, annotation_iri(minter, key, theme.topic, n)))
    return triples


def programme_topics(
    event_key: str, talks: Sequence[Talk], vocabulary: Vocabulary, minter: Minter
) -> tuple[dict[str, list[Assignment]], list[tuple[Node, Node, Node]]]:
    """One programme's topics: each talk's evidence with the programme's themes lifted to the
    event (:func:`.themes.lift_themes`; ``talks`` in programme order), and their triples."""
    themed = lift_themes(talks, assign(talks, vocabulary), vocabulary)
    triples = assignment_triples(themed.assignments, talks, minter)
    triples += theme_triples(event_key, themed.themes, themed.assignments, minter)
    return themed.assignments, triples


_EXPLAIN = """
SELECT ?ann ?topic ?label ?field ?exact ?own WHERE {
    ?ann a oa:Annotation ; oa:hasBody ?topic ; oa:hasTarget ?target ; dcterms:subject ?field .
    ?target oa:hasSource ?talk ; oa:hasSelector ?selector .
    ?selector oa:exact ?exact .
    OPTIONAL { ?topic skos:prefLabel ?label . FILTER (langMatches(lang(?label), "en")) }
    OPTIONAL { ?talk schema:about ?topic . BIND (true AS ?own) }
}"""

THEME_NOTE = " (theme of its event)"


def explain(graph: Graph, talk_iri: URIRef) -> list[tuple[str, str, str]]:
    """(topic label, field, quoted text) for each piece of a talk's topic evidence, from RDF.

    Evidence of a theme of the talk's programme (a concept the talk is not tagged with, see
    :mod:`.themes`) has :data:`THEME_NOTE` after its label."""
    rows = graph.query(
        _EXPLAIN,
        initNs={"oa": OA, "dcterms": DCTERMS, "skos": SKOS, "schema": SCHEMA},
        initBindings={"talk": talk_iri},
    )
    found: list[tuple[int, str, int, str, str, str]] = []
    for row in rows:
        ann, topic, label, field, exact, own = row  # type: ignore[misc]
        name = str(label) if label is not None else str(topic).rstrip("/").rsplit("/", 1)[-1]
        if own is None:
            name += THEME_NOTE
        order = 0 if str(field) == "title" else 1
        number = str(ann).rsplit("-", 1)[-1]
        found.append(
            (order, name, int(number) if number.isdigit() else 0, str(field), str(exact), str(ann))
        )
    found.sort()
    return [(name, field, exact) for _, name, _, field, exact, _ in found]


def find_talk(graph: Graph, base: str, given: str, *, where: str) -> tuple[URIRef, str]:
    """The talk ``given`` names, and its title: an IRI, ``talk/SLUG``, a slug, or a title.

    Nothing is looked up by building an IRI from the text (a title is no IRI); the talks of the
    graph are compared with it.  :class:`NotFound` lists the closest talks and how to name one.
    """
    import difflib

    from ..errors import NotFound

    prefix = f"{base}talk/"
    talks: dict[str, tuple[URIRef, str]] = {}  # slug -> (IRI, title)
    for iri in graph.subjects(RDF.type, CONF.Talk):
        if isinstance(iri, URIRef):
            slug = str(iri)[len(prefix) :] if str(iri).startswith(prefix) else str(iri)
            talks[slug] = (iri, str(graph.value(iri, SCHEMA.name) or ""))
    text = " ".join(given.split())
    slug = text.removeprefix(prefix).removeprefix("/").removeprefix("talk/")
    if slug in talks:
        return talks[slug]
    folded = text.casefold()
    for iri, title in talks.values():
        if str(iri) == text or " ".join(title.split()).casefold() == folded:
            return iri, title
    names = {key: key for key in talks} | {t.casefold(): key for key, (_, t) in talks.items() if t}
    close = difflib.get_close_matches(folded, list(names), n=3, cutoff=0.5)
    near = list(dict.fromkeys(f"talk/{names[c]}" for c in close))
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise NotFound(
        f"no talk {given!r} in {where}{hint} (name a talk by its IRI, talk/SLUG, its slug or its "
        f"title; slugs are the last part of the talk IRIs, e.g. {prefix}SLUG, listed by "
        "`talkgraph graph --kind talks --format nodes-csv`)"
    )
