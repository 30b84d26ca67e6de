"""Every shape in shapes/talkgraph.ttl and shapes/topics.ttl: a valid graph passes it, and a
graph broken in one place fails it with the expected severity, focus node, path and message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from talkgraph.validation import SHAPES_DIR, TGSH, Report, load_shapes, validate
from talkgraph.vocab import SH

B = "http://talkgraph.localhost/"
EVENT = f"{B}event/ws"
TALK = f"{B}talk/ada-engines"
ADA = f"{B}person/ada"
BOB = f"{B}person/bob"
UNI = f"{B}institution/uni"
ADDRESS = f"{UNI}#address"
WORK = "https://arxiv.org/abs/2101.12699"
SCHEME = f"{B}topic/"
OPT = f"{B}topic/optimisation"
LEARNING = f"{B}topic/learning"
ANNOTATION = f"{TALK}#topic-optimisation-1"
TARGET = f"{ANNOTATION}-target"
SELECTOR = f"{ANNOTATION}-selector"
THEME = f"{EVENT}#theme-optimisation"

PREFIXES = f"""
PREFIX schema: <https://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX conf: <https://w3id.org/scholarlydata/ontology/conference-ontology.owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX tg: <https://w3id.org/talkgraph/ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX prov: <http://www.w3.org/ns/prov#>
BASE <{B}>
"""

# One event with one talk by a speaker with an institution, a co-author, a cited arXiv paper,
# two topics and the evidence for one of them: everything the data model has, all valid.
BASE_TTL = """
<event/ws> a schema:Event, conf:Workshop ;
    schema:name "Workshop on Engines" ;
    schema:startDate "2024-05-06"^^xsd:date ;
    schema:endDate "2024-05-07T17:00:00"^^xsd:dateTime ;
    schema:location "Room 1, Example City" ;
    schema:url <https://example.org/ws> ;
    schema:organizer "Carol Organiser" ;
    schema:description "A workshop." ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    schema:subEvent <talk/ada-engines> ;
    schema:performer <person/ada> ;
    tg:sourceLocation "programme.txt" .

<talk/ada-engines> a schema:Event, conf:Talk ;
    schema:name "On analytical engines" ;
    schema:description "We analyse engines trained by gradient descent on data." ;
    schema:performer <person/ada> ;
    schema:superEvent <event/ws> ;
    schema:about <topic/optimisation> ;
    schema:contributor <person/bob> ;
    dcterms:references <https://arxiv.org/abs/2101.12699> ;
    tg:isPlaceholder false ;
    tg:position 1 ;
    tg:titleSource "programme.txt:3:7-28" ;
    tg:abstractSource "programme.txt:5:0-57" ;
    schema:startDate "2024-05-06T10:00:00+02:00"^^xsd:dateTime ;
    schema:endDate "2024-05-06T10:30:00+02:00"^^xsd:dateTime ;
    schema:location <event/ws#room-hall-a> ;
    tg:track "Engines" ;
    tg:session "Morning session" ;
    schema:identifier "6561" .

<event/ws#room-hall-a> a schema:Place ;
    schema:name "Hall A" .

<person/ada> a schema:Person, foaf:Person ;
    schema:name "Ada Example" ;
    schema:givenName "Ada" ;
    schema:familyName "Example" ;
    schema:affiliation <institution/uni> ;
    schema:sameAs <https://orcid.org/0000-0002-1825-0097> ;
    schema:identifier "0000-0002-1825-0097", "1544" ;
    tg:onRoster true ;
    tg:sourceLocation "programme.txt:1:0-11", "programme.txt:2:0-11" .

<person/bob> a schema:Person, foaf:Person ;
    schema:name "Bob Example" .

<institution/uni> a schema:Organization, schema:CollegeOrUniversity, foaf:Organization ;
    schema:name "University of Example" ;
    schema:alternateName "Example U" ;
    schema:address <institution/uni#address> ;
    schema:sameAs <https://ror.org/0abcde123> ;
    tg:inRegistry true ;
    tg:sourceLocation "programme.txt:2:0-9" .

<institution/uni#address> a schema:PostalAddress ;
    schema:addressCountry "CH" .

<https://arxiv.org/abs/2101.12699> a schema:ScholarlyArticle ;
    schema:identifier "arXiv:2101.12699" ;
    schema:url <https://arxiv.org/abs/2101.12699> .

<topic/> a skos:ConceptScheme .

<topic/optimisation> a skos:Concept ;
    skos:inScheme <topic/> ;
    skos:prefLabel "optimisation"@en ;
    skos:altLabel "optimization"@en, "gradient descent"@en ;
    skos:broader <topic/learning> ;
    skos:definition "Finding the best parameters."@en ;
    skos:closeMatch <https://arxiv.org/list/math.OC> ;
    tg:tooBroad false .

<topic/learning> a skos:Concept ;
    skos:inScheme <topic/> ;
    skos:prefLabel "learning"@en .

<talk/ada-engines#topic-optimisation-1> a oa:Annotation ;
    oa:hasBody <topic/optimisation> ;
    oa:hasTarget <talk/ada-engines#topic-optimisation-1-target> ;
    oa:motivatedBy oa:classifying ;
    dcterms:subject "abstract" .

<talk/ada-engines#topic-optimisation-1-target> a oa:SpecificResource ;
    oa:hasSource <talk/ada-engines> ;
    oa:hasSelector <talk/ada-engines#topic-optimisation-1-selector> .

<talk/ada-engines#topic-optimisation-1-selector> a oa:TextQuoteSelector ;
    oa:exact "gradient descent" ;
    oa:prefix "trained by " ;
    oa:suffix " on data" .
"""

# A theme of the event (a concept on a large share of its talks), derived from the talk's
# evidence; the talk keeps the topic too (its only one, as talkgraph keeps it then).
THEME_TTL = """
<event/ws> schema:about <topic/optimisation> .
<event/ws#theme-optimisation> a oa:Annotation ;
    oa:hasBody <topic/optimisation> ;
    oa:hasTarget <event/ws> ;
    oa:motivatedBy oa:classifying ;
    tg:talkCount 1 ;
    tg:talkShare 1.0 ;
    prov:wasDerivedFrom <talk/ada-engines#topic-optimisation-1> .
"""

Mutation = Callable[[Graph], None]


def base_graph() -> Graph:
    return Graph().parse(data=PREFIXES + BASE_TTL, format="turtle")


def update(sparql: str) -> Mutation:
    def run(graph: Graph) -> None:
        graph.update(PREFIXES + sparql)

    return run


def replace(subject: str, predicate: str, value: str) -> Mutation:
    """Replace every value of ``predicate`` on ``subject`` by ``value`` (Turtle syntax)."""
    return update(
        f"DELETE WHERE {{ <{subject}> {predicate} ?o }} ;"
        f"INSERT DATA {{ <{subject}> {predicate} {value} }}"
    )


def drop(subject: str, predicate: str) -> Mutation:
    return update(f"DELETE WHERE {{ <{subject}> {predicate} ?o }}")


def add(turtle: str) -> Mutation:
    def run(graph: Graph) -> None:
        graph.parse(data=PREFIXES + turtle, format="turtle")

    return run


def rename(old: str, new: str) -> Mutation:
    """Give a node another IRI, everywhere it occurs."""

    def run(graph: Graph) -> None:
        o, n = URIRef(old), URIRef(new)
        for s, p, v in list(graph):
            if o in (s, v):
                graph.remove((s, p, v))
                graph.add((n if s == o else s, p, n if v == o else v))

    return run


def themed(*mutations: Mutation) -> Mutation:
    """Add :data:`THEME_TTL`, then apply ``mutations``."""

    def run(graph: Graph) -> None:
        add(THEME_TTL)(graph)
        for mutation in mutations:
            mutation(graph)

    return run


LINK = f"{B}graph/cotopic-talks#talk-ada-engines--talk-other"


def link(
    source: str = "<talk/ada-engines>",
    target: str = "<talk/ada-engines>",
    weight: str = "42",
    similarity: str = "0.42",
    kind: str = '"talks"',
    explained: str = "<topic/optimisation>",
) -> str:
    """A co-topic link in Turtle; an empty value leaves its property out."""
    values = {
        "tg:source": source,
        "tg:target": target,
        "tg:weight": weight,
        "tg:similarity": similarity,
        "tg:graphKind": kind,
        "tg:explainedBy": explained,
    }
    body = " ".join(f"{p} {v} ;" for p, v in values.items() if v)
    return f"<{LINK}> a tg:CoTopicLink ; {body[:-1]}."


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Mutation
    severity: str
    focus: str
    path: str | None
    shape: str  # local name in tgsh:


V, W, INFO = "Violation", "Warning", "Info"

# fmt: off
CASES = [
    # any event
    Case("event-untyped", add("<event/other> a schema:Event ."),
         V, f"{B}event/other", None, "AnyEvent"),
    # event
    Case("event-iri", rename(EVENT, f"{B}events/WS"), V, f"{B}events/WS", None, "Event"),
    Case("event-type", update("DELETE DATA { <event/ws> a schema:Event }"),
         V, EVENT, "rdf:type", "Event-type"),
    Case("event-name-missing", drop(EVENT, "schema:name"),
         W, EVENT, "schema:name", "Event-name-missing"),
    Case("event-name-two", add('<event/ws> schema:name "Other" .'),
         V, EVENT, "schema:name", "Event-name"),
    Case("event-name-number", replace(EVENT, "schema:name", "42"),
         V, EVENT, "schema:name", "Event-name"),
    Case("event-talks-missing", drop(EVENT, "schema:subEvent"),
         W, EVENT, "schema:subEvent", "Event-talks-missing"),
    Case("event-talk-dangling", add("<event/ws> schema:subEvent <talk/ghost> ."),
         V, EVENT, "schema:subEvent", "Event-talks"),
    Case("event-performer-dangling", add("<event/ws> schema:performer <person/ghost> ."),
         V, EVENT, "schema:performer", "Event-performer"),
    Case("event-start-missing", drop(EVENT, "schema:startDate"),
         W, EVENT, "schema:startDate", "Event-startDate-missing"),
    Case("event-start-text", replace(EVENT, "schema:startDate", '"6 May 2024"'),
         V, EVENT, "schema:startDate", "Event-startDate"),
    Case("event-start-invalid", replace(EVENT, "schema:startDate", '"2024-13-45"^^xsd:date'),
         V, EVENT, "schema:startDate", "Event-startDate"),
    Case("event-start-two", add('<event/ws> schema:startDate "2024-05-05"^^xsd:date .'),
         V, EVENT, "schema:startDate", "Event-startDate"),
    Case("event-end-text", replace(EVENT, "schema:endDate", '"the next day"'),
         V, EVENT, "schema:endDate", "Event-endDate"),
    Case("event-ends-before-start", replace(EVENT, "schema:endDate", '"2024-05-01"^^xsd:date'),
         V, EVENT, "schema:startDate", "Event-dates-order"),
    Case("event-location-missing", drop(EVENT, "schema:location"),
         W, EVENT, "schema:location", "Event-location-missing"),
    Case("event-location-iri", replace(EVENT, "schema:location", "<https://example.org/r>"),
         V, EVENT, "schema:location", "Event-location"),
    Case("event-url-text", replace(EVENT, "schema:url", '"example.org"'),
         V, EVENT, "schema:url", "Event-url"),
    Case("event-organizer-iri", replace(EVENT, "schema:organizer", "<person/ada>"),
         V, EVENT, "schema:organizer", "Event-organizer"),
    Case("event-description-two", add('<event/ws> schema:description "Another." .'),
         V, EVENT, "schema:description", "Event-description"),
    Case("event-license-text", replace(EVENT, "dcterms:license", '"CC-BY"'),
         V, EVENT, "dcterms:license", "Event-license"),
    Case("event-source-empty", replace(EVENT, "tg:sourceLocation", '""'),
         V, EVENT, "tg:sourceLocation", "sourceLocation"),
    Case("event-source-bad-line", replace(EVENT, "tg:sourceLocation", '"programme.txt:x"'),
         V, EVENT, "tg:sourceLocation", "sourceLocation"),
    Case("event-lists-foreign-talk",
         add("<event/ws2> a schema:Event, conf:Workshop ; schema:subEvent <talk/ada-engines> ."),
         V, f"{B}event/ws2", "^schema:superEvent", "Event-talks-consistent"),
    # talk
    Case("talk-iri", rename(TALK, f"{B}talk/Ada_Engines"), V, f"{B}talk/Ada_Engines", None, "Talk"),
    Case("talk-type", update("DELETE DATA { <talk/ada-engines> a schema:Event }"),
         V, TALK, "rdf:type", "Talk-type"),
    Case("talk-title-missing", drop(TALK, "schema:name"),
         V, TALK, "schema:name", "Talk-title-missing"),
    Case("talk-title-two", add('<talk/ada-engines> schema:name "Another title" .'),
         V, TALK, "schema:name", "Talk-title-many"),
    Case("talk-title-blank", replace(TALK, "schema:name", '"   "'),
         V, TALK, "schema:name", "Talk-title"),
    Case("talk-title-langstring", replace(TALK, "schema:name", '"On engines"@en'),
         V, TALK, "schema:name", "Talk-title"),
    Case("talk-abstract-two", add('<talk/ada-engines> schema:description "More." .'),
         V, TALK, "schema:description", "Talk-abstract"),
    Case("talk-abstract-missing", drop(TALK, "schema:description"),
         W, TALK, "schema:description", "Talk-abstract-missing"),
    Case("talk-speaker-missing", drop(TALK, "schema:performer"),
         V, TALK, "schema:performer", "Talk-speaker-missing"),
    Case("talk-start-two",
         add('<talk/ada-engines> schema:startDate "2024-05-06T11:00:00+02:00"^^xsd:dateTime .'),
         V, TALK, "schema:startDate", "Talk-startDate"),
    Case("talk-start-date-only", replace(TALK, "schema:startDate", '"2024-05-06"^^xsd:date'),
         V, TALK, "schema:startDate", "Talk-startDate"),
    Case("talk-start-no-zone",
         replace(TALK, "schema:startDate", '"2024-05-06T10:00:00"^^xsd:dateTime'),
         W, TALK, "schema:startDate", "Talk-startDate-zone"),
    Case("talk-end-text", replace(TALK, "schema:endDate", '"half past ten"'),
         V, TALK, "schema:endDate", "Talk-endDate"),
    Case("talk-end-no-zone", replace(TALK, "schema:endDate", '"2024-05-06T10:30:00"^^xsd:dateTime'),
         W, TALK, "schema:endDate", "Talk-endDate-zone"),
    Case("talk-ends-before-start",
         replace(TALK, "schema:endDate", '"2024-05-06T09:30:00+02:00"^^xsd:dateTime'),
         V, TALK, "schema:startDate", "Talk-dates-order"),
    Case("talk-room-text", replace(TALK, "schema:location", '"Hall A"'),
         V, TALK, "schema:location", "Talk-location"),
    Case("talk-room-two",
         add("<talk/ada-engines> schema:location <event/ws#room-b> ."
             '<event/ws#room-b> a schema:Place ; schema:name "B" .'),
         V, TALK, "schema:location", "Talk-location"),
    Case("talk-track-blank", replace(TALK, "tg:track", '" "'), V, TALK, "tg:track", "Talk-track"),
    Case("talk-session-two", add('<talk/ada-engines> tg:session "Other" .'),
         V, TALK, "tg:session", "Talk-session"),
    Case("talk-identifier-two", add('<talk/ada-engines> schema:identifier "6562" .'),
         V, TALK, "schema:identifier", "Talk-identifier"),
    Case("room-iri", rename(f"{EVENT}#room-hall-a", f"{B}room/Hall_A"),
         V, f"{B}room/Hall_A", None, "Place"),
    Case("room-name-missing", drop(f"{EVENT}#room-hall-a", "schema:name"),
         V, f"{EVENT}#room-hall-a", "schema:name", "Place-name"),
    Case("person-identifier-blank", add('<person/ada> schema:identifier "" .'),
         V, ADA, "schema:identifier", "Person-identifier"),
    Case("talk-speaker-dangling", replace(TALK, "schema:performer", "<person/ghost>"),
         V, TALK, "schema:performer", "Talk-speaker"),
    Case("talk-speaker-literal", replace(TALK, "schema:performer", '"Ada Example"'),
         V, TALK, "schema:performer", "Talk-speaker"),
    Case("talk-event-missing", drop(TALK, "schema:superEvent"),
         V, TALK, "schema:superEvent", "Talk-event-missing"),
    Case("talk-event-dangling", replace(TALK, "schema:superEvent", "<event/ghost>"),
         V, TALK, "schema:superEvent", "Talk-event"),
    Case("talk-placeholder-missing", drop(TALK, "tg:isPlaceholder"),
         V, TALK, "tg:isPlaceholder", "Talk-placeholder"),
    Case("talk-placeholder-text", replace(TALK, "tg:isPlaceholder", '"no"'),
         V, TALK, "tg:isPlaceholder", "Talk-placeholder"),
    Case("talk-topic-dangling", add("<talk/ada-engines> schema:about <topic/ghost> ."),
         V, TALK, "schema:about", "Talk-topics"),
    Case("talk-topics-missing", drop(TALK, "schema:about"),
         W, TALK, "schema:about", "Talk-topics-missing"),
    Case("talk-coauthor-dangling", add("<talk/ada-engines> schema:contributor <person/x> ."),
         V, TALK, "schema:contributor", "Talk-coauthors"),
    Case("talk-reference-literal", replace(TALK, "dcterms:references", '"arXiv:2101.12699"'),
         V, TALK, "dcterms:references", "Talk-references"),
    Case("talk-position-negative", replace(TALK, "tg:position", "-1"),
         V, TALK, "tg:position", "Talk-position"),
    Case("talk-position-text", replace(TALK, "tg:position", '"first"'),
         V, TALK, "tg:position", "Talk-position"),
    Case("talk-title-source", replace(TALK, "tg:titleSource", '"line 3"'),
         V, TALK, "tg:titleSource", "Talk-titleSource"),
    Case("talk-abstract-source", replace(TALK, "tg:abstractSource", '"programme.txt:5"'),
         V, TALK, "tg:abstractSource", "Talk-abstractSource"),
    Case("talk-not-listed-by-event",
         update("DELETE DATA { <event/ws> schema:subEvent <talk/ada-engines> }"),
         V, EVENT, "^schema:superEvent", "Event-talks-consistent"),
    # person
    Case("person-iri", rename(ADA, f"{B}people/Ada"), V, f"{B}people/Ada", None, "Person"),
    Case("person-foaf-type", update("DELETE DATA { <person/ada> a foaf:Person }"),
         V, ADA, "rdf:type", "Person-type"),
    Case("person-name-missing", drop(BOB, "schema:name"),
         V, BOB, "schema:name", "Person-name-missing"),
    Case("person-name-two", add('<person/ada> schema:name "A. Example" .'),
         V, ADA, "schema:name", "Person-name"),
    Case("person-given-two", add('<person/ada> schema:givenName "A." .'),
         V, ADA, "schema:givenName", "Person-givenName"),
    Case("person-family-number", replace(ADA, "schema:familyName", "7"),
         V, ADA, "schema:familyName", "Person-familyName"),
    Case("person-affiliation-dangling", replace(ADA, "schema:affiliation", "<institution/ghost>"),
         V, ADA, "schema:affiliation", "Person-affiliation"),
    Case("person-roster-text", replace(ADA, "tg:onRoster", '"yes"'),
         V, ADA, "tg:onRoster", "Person-onRoster"),
    Case("person-sameas-literal", replace(ADA, "schema:sameAs", '"0000-0002-1825-0097"'),
         V, ADA, "schema:sameAs", "Person-sameAs"),
    Case("person-source-empty", replace(ADA, "tg:sourceLocation", '" "'),
         V, ADA, "tg:sourceLocation", "sourceLocation"),
    Case("speaker-affiliation-missing", drop(ADA, "schema:affiliation"),
         W, ADA, "schema:affiliation", "Speaker-affiliation-missing"),
    # institution
    Case("institution-iri", rename(UNI, f"{B}org/uni"), V, f"{B}org/uni", None, "Institution"),
    Case("institution-foaf-type", update("DELETE DATA { <institution/uni> a foaf:Organization }"),
         V, UNI, "rdf:type", "Institution-type"),
    Case("institution-name-missing", drop(UNI, "schema:name"),
         V, UNI, "schema:name", "Institution-name-missing"),
    Case("institution-name-two", add('<institution/uni> schema:name "Uni" .'),
         V, UNI, "schema:name", "Institution-name"),
    Case("institution-alt-name-number", replace(UNI, "schema:alternateName", "3"),
         V, UNI, "schema:alternateName", "Institution-alternateName"),
    Case("institution-address-dangling",
         replace(UNI, "schema:address", "<institution/uni#elsewhere>"),
         V, UNI, "schema:address", "Institution-address"),
    Case("institution-registry-text", replace(UNI, "tg:inRegistry", '"true"'),
         V, UNI, "tg:inRegistry", "Institution-inRegistry"),
    Case("institution-not-in-registry", replace(UNI, "tg:inRegistry", "false"),
         INFO, UNI, "tg:inRegistry", "Institution-registry-unknown"),
    Case("institution-sameas-other", replace(UNI, "schema:sameAs", "<https://example.org/u>"),
         V, UNI, "schema:sameAs", "Institution-sameAs"),
    Case("institution-source-empty", replace(UNI, "tg:sourceLocation", '""'),
         V, UNI, "tg:sourceLocation", "sourceLocation"),
    Case("address-iri", rename(ADDRESS, f"{UNI}/address"), V, f"{UNI}/address", None, "Address"),
    Case("address-country-name", replace(ADDRESS, "schema:addressCountry", '"Switzerland"'),
         V, ADDRESS, "schema:addressCountry", "Address-country"),
    # cited work
    Case("work-not-arxiv", add("<talk/ada-engines> dcterms:references <https://example.org/p> ."),
         V, "https://example.org/p", None, "Work"),
    Case("work-untyped", update(f"DELETE DATA {{ <{WORK}> a schema:ScholarlyArticle }}"),
         V, WORK, "rdf:type", "Work-type"),
    Case("work-identifier-missing", drop(WORK, "schema:identifier"),
         V, WORK, "schema:identifier", "Work-identifier"),
    Case("work-identifier-bare", replace(WORK, "schema:identifier", '"2101.12699"'),
         V, WORK, "schema:identifier", "Work-identifier"),
    Case("work-url-text", replace(WORK, "schema:url", f'"{WORK}"'),
         V, WORK, "schema:url", "Work-url"),
    Case("work-identifier-mismatch", replace(WORK, "schema:identifier", '"arXiv:2101.99999"'),
         V, WORK, "schema:identifier", "Work-identifier-match"),
    # topics
    Case("scheme-iri", add("<vocabulary/topics> a skos:ConceptScheme ."),
         V, f"{B}vocabulary/topics", None, "Scheme"),
    Case("topic-iri", rename(LEARNING, f"{B}topic/Learning_2"),
         V, f"{B}topic/Learning_2", None, "Topic"),
    Case("topic-scheme-missing", drop(LEARNING, "skos:inScheme"),
         V, LEARNING, "skos:inScheme", "Topic-scheme"),
    Case("topic-scheme-untyped", replace(LEARNING, "skos:inScheme", "<vocabulary/>"),
         V, LEARNING, "skos:inScheme", "Topic-scheme"),
    Case("topic-label-missing", drop(LEARNING, "skos:prefLabel"),
         V, LEARNING, "skos:prefLabel", "Topic-prefLabel"),
    Case("topic-label-two", add('<topic/learning> skos:prefLabel "machine learning"@en .'),
         V, LEARNING, "skos:prefLabel", "Topic-prefLabel"),
    Case("topic-label-untagged", replace(LEARNING, "skos:prefLabel", '"learning"'),
         V, LEARNING, "skos:prefLabel", "Topic-prefLabel"),
    Case("topic-label-german", replace(LEARNING, "skos:prefLabel", '"Lernen"@de'),
         V, LEARNING, "skos:prefLabel", "Topic-prefLabel"),
    Case("topic-label-also-alt", add('<topic/optimisation> skos:altLabel "optimisation"@en .'),
         V, OPT, "skos:prefLabel", "Topic-labels-disjoint"),
    Case("topic-alt-label-iri", add("<topic/optimisation> skos:altLabel <topic/learning> ."),
         V, OPT, "skos:altLabel", "Topic-altLabel"),
    Case("topic-broader-dangling", replace(OPT, "skos:broader", "<topic/ghost>"),
         V, OPT, "skos:broader", "Topic-broader"),
    Case("topic-definition-iri", replace(OPT, "skos:definition", "<https://example.org/d>"),
         V, OPT, "skos:definition", "Topic-definition"),
    Case("topic-close-match-other", replace(OPT, "skos:closeMatch", "<https://example.org/c>"),
         V, OPT, "skos:closeMatch", "Topic-closeMatch"),
    Case("topic-too-broad-text", replace(OPT, "tg:tooBroad", '"no"'),
         V, OPT, "tg:tooBroad", "Topic-tooBroad"),
    Case("topic-broader-cycle", add("<topic/learning> skos:broader <topic/optimisation> ."),
         V, SCHEME, "skos:broader", "Scheme-broader-cycle"),
    # topic evidence
    Case("annotation-iri", rename(ANNOTATION, f"{B}annotation/1"),
         V, f"{B}annotation/1", None, "Annotation"),
    Case("annotation-body-missing", drop(ANNOTATION, "oa:hasBody"),
         V, ANNOTATION, "oa:hasBody", "Annotation-body"),
    Case("annotation-body-two", add(f"<{ANNOTATION}> oa:hasBody <topic/learning> ."),
         V, ANNOTATION, "oa:hasBody", "Annotation-body"),
    Case("annotation-body-dangling", replace(ANNOTATION, "oa:hasBody", "<topic/ghost>"),
         V, ANNOTATION, "oa:hasBody", "Annotation-body"),
    Case("annotation-target-missing", drop(ANNOTATION, "oa:hasTarget"),
         V, ANNOTATION, "oa:hasTarget", "Annotation-target"),
    Case("annotation-target-dangling", replace(ANNOTATION, "oa:hasTarget", f"<{TALK}>"),
         V, ANNOTATION, "oa:hasTarget", "Annotation-target"),
    Case("annotation-motivation-missing", drop(ANNOTATION, "oa:motivatedBy"),
         V, ANNOTATION, "oa:motivatedBy", "Annotation-motivation"),
    Case("annotation-motivation-other", replace(ANNOTATION, "oa:motivatedBy", "oa:tagging"),
         V, ANNOTATION, "oa:motivatedBy", "Annotation-motivation"),
    # evidence confidence and co-topic links (issue 11)
    Case("annotation-confidence-above-one", add(f"<{ANNOTATION}> tg:confidence 1.5 ."),
         V, ANNOTATION, "tg:confidence", "Annotation-confidence"),
    Case("annotation-curation-text", add(f'<{ANNOTATION}> tg:needsCuration "yes" .'),
         V, ANNOTATION, "tg:needsCuration", "Annotation-curation"),
    Case("link-source-missing", add(link(source="")), V, LINK, "tg:source", "CoTopicLink-source"),
    Case("link-target-missing", add(link(target="")), V, LINK, "tg:target", "CoTopicLink-target"),
    Case("link-weight-zero", add(link(weight="0")), V, LINK, "tg:weight", "CoTopicLink-weight"),
    Case("link-similarity-above-one", add(link(similarity="1.5")),
         V, LINK, "tg:similarity", "CoTopicLink-similarity"),
    Case("link-kind-other", add(link(kind='"people"')),
         V, LINK, "tg:graphKind", "CoTopicLink-kind"),
    Case("link-explained-dangling", add(link(explained="<topic/ghost>")),
         V, LINK, "tg:explainedBy", "CoTopicLink-explainedBy"),
    Case("annotation-subject-missing", drop(ANNOTATION, "dcterms:subject"),
         V, ANNOTATION, "dcterms:subject", "Annotation-subject"),
    Case("annotation-subject-other", replace(ANNOTATION, "dcterms:subject", '"keywords"'),
         V, ANNOTATION, "dcterms:subject", "Annotation-subject"),
    Case("annotation-topic-not-tagged", replace(ANNOTATION, "oa:hasBody", "<topic/learning>"),
         V, TALK, "schema:about", "Talk-evidence-topic"),
    Case("annotation-other-talk",
         update(f"DELETE WHERE {{ <{TARGET}> oa:hasSource ?t }} ;"
                f"INSERT DATA {{ <talk/bob-other> a schema:Event, conf:Talk . "
                f"<{TARGET}> oa:hasSource <talk/bob-other> }}"),
         V, f"{B}talk/bob-other", None, "Talk-evidence-named"),
    Case("annotation-quote-absent", replace(SELECTOR, "oa:exact", '"stochastic descent"'),
         V, TALK, None, "Talk-evidence-quote"),
    Case("annotation-quote-wrong-field", replace(ANNOTATION, "dcterms:subject", '"title"'),
         V, TALK, None, "Talk-evidence-quote"),
    Case("target-iri", rename(TARGET, f"{TALK}#passage"), V, f"{TALK}#passage", None, "Target"),
    Case("target-source-missing", drop(TARGET, "oa:hasSource"),
         V, TARGET, "oa:hasSource", "Target-source"),
    Case("target-source-dangling", replace(TARGET, "oa:hasSource", "<talk/ghost>"),
         V, TARGET, "oa:hasSource", "Target-source"),
    Case("target-selector-missing", drop(TARGET, "oa:hasSelector"),
         V, TARGET, "oa:hasSelector", "Target-selector"),
    Case("quote-iri", rename(SELECTOR, f"{TALK}#quote"), V, f"{TALK}#quote", None, "Quote"),
    Case("quote-exact-missing", drop(SELECTOR, "oa:exact"), V, SELECTOR, "oa:exact", "Quote-exact"),
    Case("quote-exact-empty", replace(SELECTOR, "oa:exact", '""'),
         V, SELECTOR, "oa:exact", "Quote-exact"),
    Case("quote-exact-two", add(f'<{SELECTOR}> oa:exact "descent" .'),
         V, SELECTOR, "oa:exact", "Quote-exact"),
    Case("quote-prefix-two", add(f'<{SELECTOR}> oa:prefix "by " .'),
         V, SELECTOR, "oa:prefix", "Quote-prefix"),
    Case("quote-suffix-number", replace(SELECTOR, "oa:suffix", "5"),
         V, SELECTOR, "oa:suffix", "Quote-suffix"),
    # themes of a programme (issue 11)
    Case("theme-iri", themed(rename(THEME, f"{EVENT}#topic")), V, f"{EVENT}#topic", None, "Theme"),
    Case("theme-two-targets", themed(add(f"<{THEME}> oa:hasTarget <event/ws2> .")),
         V, THEME, "oa:hasTarget", "Theme-target"),
    Case("theme-body-dangling", themed(replace(THEME, "oa:hasBody", "<topic/ghost>")),
         V, THEME, "oa:hasBody", "Annotation-body"),
    Case("theme-count-missing", themed(drop(THEME, "tg:talkCount")),
         V, THEME, "tg:talkCount", "Theme-talkCount"),
    Case("theme-count-zero", themed(replace(THEME, "tg:talkCount", "0")),
         V, THEME, "tg:talkCount", "Theme-talkCount"),
    Case("theme-share-above-one", themed(replace(THEME, "tg:talkShare", "1.5")),
         V, THEME, "tg:talkShare", "Theme-talkShare"),
    Case("theme-evidence-missing", themed(drop(THEME, "prov:wasDerivedFrom")),
         V, THEME, "prov:wasDerivedFrom", "Theme-evidence"),
    Case("theme-evidence-dangling",
         themed(replace(THEME, "prov:wasDerivedFrom", f"<{TALK}#topic-ghost-1>")),
         V, THEME, "prov:wasDerivedFrom", "Theme-evidence"),
    Case("theme-evidence-other-topic",
         themed(replace(ANNOTATION, "oa:hasBody", "<topic/learning>"),
                add("<talk/ada-engines> schema:about <topic/learning> .")),
         V, THEME, "prov:wasDerivedFrom", "Theme-evidence-consistent"),
    Case("theme-event-not-tagged",
         themed(update("DELETE DATA { <event/ws> schema:about <topic/optimisation> }")),
         V, THEME, "oa:hasBody", "Theme-about"),
    Case("event-topic-dangling", add("<event/ws> schema:about <topic/ghost> ."),
         V, EVENT, "schema:about", "Event-theme-topic"),
    Case("event-topic-without-theme", add("<event/ws> schema:about <topic/optimisation> ."),
         V, EVENT, "schema:about", "Event-theme-annotated"),
    Case("theme-evidence-of-untagged-talk",
         update("DELETE DATA { <talk/ada-engines> schema:about <topic/optimisation> }"),
         V, TALK, "schema:about", "Talk-evidence-topic"),
]
# fmt: on


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def messages(shapes: Graph) -> dict[str, str]:
    """Each named shape's English message, by local name."""
    found: dict[str, str] = {}
    for shape, message in shapes.subject_objects(SH.message):
        if isinstance(shape, URIRef) and str(shape).startswith(str(TGSH)):
            found[str(shape)[len(str(TGSH)) :]] = str(message)
    for shape, constraint in shapes.subject_objects(SH.sparql):
        message = shapes.value(constraint, SH.message)
        found[str(shape)[len(str(TGSH)) :]] = str(message)
    return found


def run(case: Case, shapes: Graph) -> Report:
    graph = base_graph()
    case.mutate(graph)
    return validate(graph, shapes)


def test_the_base_graph_passes_every_shape(shapes: Graph) -> None:
    report = validate(base_graph(), shapes)
    assert report.results == [], report.text()
    assert report.conforms


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_broken_graph_fails_the_shape(
    case: Case, shapes: Graph, messages: dict[str, str]
) -> None:
    report = run(case, shapes)
    matching = [r for r in report.results if r.shape == f"tgsh:{case.shape}"]
    assert matching, report.text()
    expected = [r for r in matching if r.focus == case.focus and r.path == case.path]
    assert expected, report.text()
    result = expected[0]
    assert result.severity == case.severity
    assert result.message == messages[case.shape]
    if case.severity == V:
        assert not report.conforms


def test_every_shape_with_a_message_has_a_failing_case(messages: dict[str, str]) -> None:
    tested = {c.shape for c in CASES}
    untested = {name for name in messages if not name.startswith(("Dataset", "Distribution"))}
    assert untested - tested == set()


def test_every_constraint_has_an_english_message(shapes: Graph) -> None:
    structural = {SH.property, SH.sparql, SH.severity, SH.message, SH.path, SH.prefixes, SH.target}
    structural |= {SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf}
    named = {s for s in shapes.subjects() if isinstance(s, URIRef) and str(s).startswith(str(TGSH))}
    assert len(named) > 50
    for shape in named:
        parameters = {p for p in shapes.predicates(shape) if str(p).startswith(str(SH))}
        if parameters - structural:
            assert _english(shapes, shape), shape
        for constraint in shapes.objects(shape, SH.sparql):
            assert _english(shapes, constraint), shape


def _english(shapes: Graph, node: Node) -> bool:
    return any(
        isinstance(m, Literal) and m.language == "en" and len(m) > 20
        for m in shapes.objects(node, SH.message)
    )


def test_a_placeholder_talk_needs_no_abstract_and_no_topic(shapes: Graph) -> None:
    graph = base_graph()
    update(
        "DELETE WHERE { <talk/ada-engines> schema:description ?d } ;"
        "DELETE WHERE { <talk/ada-engines> schema:about ?t } ;"
        "DELETE WHERE { <talk/ada-engines#topic-optimisation-1> ?p ?o } ;"
        "DELETE WHERE { <talk/ada-engines> tg:isPlaceholder ?x } ;"
        "INSERT DATA { <talk/ada-engines> tg:isPlaceholder true }"
    )(graph)
    report = validate(graph, shapes)
    assert report.results == [], report.text()


def test_an_event_theme_passes(shapes: Graph) -> None:
    graph = base_graph()
    themed()(graph)
    report = validate(graph, shapes)
    assert report.results == [], report.text()


def test_a_theme_lifted_from_the_talk_passes(shapes: Graph) -> None:
    """The talk's evidence for the theme stays, without ``schema:about``: it is the theme's."""
    graph = base_graph()
    themed(update("DELETE DATA { <talk/ada-engines> schema:about <topic/optimisation> }"))(graph)
    report = validate(graph, shapes)
    assert [r.shape for r in report.results] == ["tgsh:Talk-topics-missing"], report.text()
    assert report.conforms


def test_an_event_with_a_date_and_time_range_passes(shapes: Graph) -> None:
    graph = base_graph()
    replace(EVENT, "schema:startDate", '"2024-05-06T09:00:00"^^xsd:dateTime')(graph)
    assert validate(graph, shapes).results == []


def test_a_talk_with_several_speakers_passes(shapes: Graph) -> None:
    graph = base_graph()
    add("<talk/ada-engines> schema:performer <person/bob> .")(graph)
    report = validate(graph, shapes)
    assert report.conforms
    assert [r.shape for r in report.results] == ["tgsh:Speaker-affiliation-missing"]


def test_an_old_style_arxiv_identifier_passes(shapes: Graph) -> None:
    graph = base_graph()
    old = "https://arxiv.org/abs/math/0601001"
    rename(WORK, old)(graph)
    replace(old, "schema:identifier", '"arXiv:math/0601001"')(graph)
    replace(old, "schema:url", f"<{old}>")(graph)
    assert validate(graph, shapes).results == []


def test_shape_files_are_all_loaded_by_default() -> None:
    files = sorted(p.name for p in SHAPES_DIR.glob("*.ttl"))
    assert {"talkgraph.ttl", "topics.ttl", "dataset.ttl"} <= set(files)
    default = load_shapes()
    for name in files:
        assert len(load_shapes([SHAPES_DIR / name])) > 0
    assert len(default) == sum(len(load_shapes([SHAPES_DIR / n])) for n in files)
