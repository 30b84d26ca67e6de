"""The RDF mapping: a resolved :class:`KnowledgeModel` → an rdflib graph (docs/data-model.md).

Events, talks, people, institutions and cited arXiv works; topics and the dataset description
are added elsewhere.  No blank nodes.  Text (names, titles, abstracts) becomes plain
``xsd:string`` literals without a language tag: the language of a programme is not known.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Node

from .errors import InputError, Place
from .formats import FORMATS, by_suffix, get_format
from .iris import Minter, slugify
from .model import Event, Institution, KnowledgeModel, Person, Talk
from .vocab import CONF, DCTERMS, FOAF, PREFIXES, RDF, SCHEMA, TG, XSD, bind_prefixes

KIND_TYPES: dict[str, tuple[URIRef, ...]] = {
    "university": (SCHEMA.CollegeOrUniversity,),
    "company": (SCHEMA.Corporation,),
    "institute": (SCHEMA.ResearchOrganization,),
    "organization": (),
}
ORCID_BASE = "https://orcid.org/"
WIKIDATA_BASE = "http://www.wikidata.org/entity/"


def temporal_literal(value: str, *, source: str, field: str) -> Literal:
    """``xsd:date`` for an ISO date, ``xsd:dateTime`` for an ISO date-time."""
    text = value.strip()
    try:
        if "T" in text:
            datetime.fromisoformat(text)
            return Literal(text, datatype=XSD.dateTime)
        date.fromisoformat(text)
        return Literal(text, datatype=XSD.date)
    except ValueError:
        raise InputError(
            f"{value!r} is not an ISO 8601 date or date-time", Place(source, field=field)
        ) from None


Triple = tuple[Node, Node, Node]


class _Mapper:
    def __init__(self, model: KnowledgeModel, minter: Minter) -> None:
        self.model = model
        self.minter = minter
        self.triples: list[Triple] = []  # a plain list: an rdflib store costs ~10 µs a triple

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.triples.append((s, p, o))

    def event(self, event: Event) -> None:
        iri = self.minter.event(event.key)
        info = event.info
        self.add(iri, RDF.type, SCHEMA.Event)
        self.add(iri, RDF.type, CONF.Workshop)
        if info.name:
            self.add(iri, SCHEMA.name, Literal(info.name))
        for key in event.talks:
            self.add(iri, SCHEMA.subEvent, self.minter.talk(key))
        for key in event.performers:
            self.add(iri, SCHEMA.performer, self.minter.person(key))
        if info.start_date:
            lit = temporal_literal(info.start_date, source=event.source, field="start_date")
            self.add(iri, SCHEMA.startDate, lit)
        if info.end_date:
            lit = temporal_literal(info.end_date, source=event.source, field="end_date")
            self.add(iri, SCHEMA.endDate, lit)
        if info.location:
            self.add(iri, SCHEMA.location, Literal(info.location))
        if info.url:
            self.add(iri, SCHEMA.url, URIRef(info.url))
        for organiser in info.organisers:
            self.add(iri, SCHEMA.organizer, Literal(organiser))
        if info.description:
            self.add(iri, SCHEMA.description, Literal(info.description))
        if info.licence:
            self.add(iri, DCTERMS.license, URIRef(info.licence))
        self.add(iri, TG.sourceLocation, Literal(event.source))
        for key in event.talks:
            self.talk(self.model.talks[key], iri)

    def talk(self, talk: Talk, event_iri: URIRef) -> None:
        iri = self.minter.talk(talk.key)
        self.add(iri, RDF.type, SCHEMA.Event)
        self.add(iri, RDF.type, CONF.Talk)
        self.add(iri, SCHEMA.name, Literal(talk.title))
        if talk.abstract:
            self.add(iri, SCHEMA.description, Literal(talk.abstract))
        for speaker in talk.speakers:
            self.add(iri, SCHEMA.performer, self.minter.person(speaker))
        self.add(iri, SCHEMA.superEvent, event_iri)
        self.schedule(talk, iri, event_iri)
        for key in talk.coauthors:
            self.add(iri, SCHEMA.contributor, self.minter.person(key))
        for ref in talk.citations:
            work = URIRef(ref.url)
            self.add(iri, DCTERMS.references, work)
            self.add(work, RDF.type, SCHEMA.ScholarlyArticle)
            self.add(work, SCHEMA.identifier, Literal(f"arXiv:{ref.arxiv_id}"))
            self.add(work, SCHEMA.url, work)
        self.add(iri, TG.isPlaceholder, Literal(talk.placeholder))
        self.add(iri, TG.position, Literal(talk.position))
        if talk.title_span is not None:
            self.add(iri, TG.titleSource, Literal(str(talk.title_span)))
        if talk.abstract and talk.abstract_span is not None:
            self.add(iri, TG.abstractSource, Literal(str(talk.abstract_span)))

    def schedule(self, talk: Talk, iri: URIRef, event_iri: URIRef) -> None:
        """Times, room, track, session and id of a talk, as a conference tool exported them."""
        where = f"talk {talk.position}"
        if talk.start:
            self.add(
                iri, SCHEMA.startDate, temporal_literal(talk.start, source=where, field="start")
            )
        if talk.end:
            self.add(iri, SCHEMA.endDate, temporal_literal(talk.end, source=where, field="end"))
        if talk.room:
            place = self.minter.fragment(event_iri, f"room-{slugify(talk.room)}")
            self.add(iri, SCHEMA.location, place)
            self.add(place, RDF.type, SCHEMA.Place)
            self.add(place, SCHEMA.name, Literal(talk.room))
        if talk.track:
            self.add(iri, TG.track, Literal(talk.track))
        if talk.session:
            self.add(iri, TG.session, Literal(talk.session))
        if talk.identifier:
            self.add(iri, SCHEMA.identifier, Literal(talk.identifier))

    def person(self, person: Person) -> None:
        iri = self.minter.person(person.key)
        self.add(iri, RDF.type, SCHEMA.Person)
        self.add(iri, RDF.type, FOAF.Person)
        self.add(iri, SCHEMA.name, Literal(person.name))
        if person.given_name:
            self.add(iri, SCHEMA.givenName, Literal(person.given_name))
        if person.family_name:
            self.add(iri, SCHEMA.familyName, Literal(person.family_name))
        if person.affiliation is not None:
            self.add(iri, SCHEMA.affiliation, self.minter.institution(person.affiliation))
        for key in person.more_affiliations:
            self.add(iri, SCHEMA.affiliation, self.minter.institution(key))
        if person.description:
            self.add(iri, SCHEMA.description, Literal(person.description))
        self.add(iri, TG.onRoster, Literal(person.on_roster))
        if person.orcid:
            orcid = person.orcid.strip().rstrip("/").rsplit("/", 1)[-1]
            self.add(iri, SCHEMA.identifier, Literal(orcid))
            self.add(iri, SCHEMA.sameAs, URIRef(ORCID_BASE + orcid))
        for identifier in person.identifiers:
            self.add(iri, SCHEMA.identifier, Literal(identifier))
        for span in person.spans:
            self.add(iri, TG.sourceLocation, Literal(str(span)))

    def institution(self, inst: Institution) -> None:
        iri = self.minter.institution(inst.key)
        self.add(iri, RDF.type, SCHEMA.Organization)
        for cls in KIND_TYPES.get(inst.kind, ()):
            self.add(iri, RDF.type, cls)
        self.add(iri, RDF.type, FOAF.Organization)
        self.add(iri, SCHEMA.name, Literal(inst.name))
        for alt in inst.alternate_names:
            self.add(iri, SCHEMA.alternateName, Literal(alt))
        if inst.country:
            address = self.minter.fragment(iri, "address")
            self.add(iri, SCHEMA.address, address)
            self.add(address, RDF.type, SCHEMA.PostalAddress)
            self.add(address, SCHEMA.addressCountry, Literal(inst.country))
        self.add(iri, TG.inRegistry, Literal(inst.in_registry))
        if inst.ror:
            self.add(iri, SCHEMA.sameAs, URIRef(inst.ror))
        if inst.wikidata:
            self.add(iri, SCHEMA.sameAs, URIRef(WIKIDATA_BASE + inst.wikidata))
        for span in inst.spans:
            self.add(iri, TG.sourceLocation, Literal(str(span)))


def to_triples(model: KnowledgeModel, minter: Minter) -> list[Triple]:
    """The triples of a resolved model (events, talks, people, institutions, arXiv works),
    as made, repeats included (:func:`to_graph` holds them in an rdflib graph)."""
    mapper = _Mapper(model, minter)
    for event in model.events:
        mapper.event(event)
    for person in model.people.values():
        mapper.person(person)
    for inst in model.institutions.values():
        mapper.institution(inst)
    return mapper.triples


def to_graph(model: KnowledgeModel, minter: Minter) -> Graph:
    """The RDF graph of a resolved model (events, talks, people, institutions, arXiv works)."""
    graph = bind_prefixes(Graph())
    graph.addN((s, p, o, graph) for s, p, o in to_triples(model, minter))
    return graph


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "".join(f"{line}\n" for line in lines)


def canonical_ntriples(graph: Graph | Iterable[Triple]) -> str:
    """N-Triples with the lines sorted: the same graph always gives the same text.

    ``graph`` may be any triples (an rdflib graph or a collection of them): each is written
    as rdflib's N-Triples serialiser writes it, without building a graph first.
    """
    return _sorted_lines(ntriples_text(graph))


def ntriples_text(triples: Iterable[Triple]) -> str:
    """N-Triples of ``triples``, in their order, each line as rdflib's serialiser writes it
    (``rdflib.plugins.serializers.nt._nt_row``), with the text of each IRI made once: rdflib
    checks every character of an IRI each time it writes it."""
    names: dict[Node, str] = {}
    rows = []
    for s, p, o in triples:
        subject = names.get(s)
        if subject is None:
            subject = names[s] = s.n3()
        predicate = names.get(p)
        if predicate is None:
            predicate = names[p] = p.n3()
        if isinstance(o, Literal):
            value = _quoteLiteral(o)
        else:
            value = names.get(o)  # type: ignore[assignment]
            if value is None:
                value = names[o] = o.n3()
        rows.append(f"{subject} {predicate} {value} .\n")
    return "".join(rows)


#: Triple formats written by pyoxigraph: rdflib's pretty writers sort and group subjects and
#: take 40x longer at 100k triples (Turtle: 5.5 s against 0.12 s).
_OXIGRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def ntriples_to(ntriples: bytes, fmt: str) -> bytes:
    """N-Triples rewritten as Turtle, RDF/XML or JSON-LD by pyoxigraph, in bulk."""
    target = _OXIGRAPH_FORMATS[get_format(fmt).name]
    quads = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    data = ox.serialize(quads, format=target, prefixes=None if fmt == "jsonld" else prefixes)
    assert isinstance(data, bytes)
    return data


def ntriples_file_to(source: Path, fmt: str, target: Path) -> None:
    """The N-Triples file ``source`` rewritten as Turtle, RDF/XML or JSON-LD into ``target``
    by pyoxigraph, streamed (the same bytes as :func:`ntriples_to`; neither text is held)."""
    quads = ox.parse(path=str(source), format=ox.RdfFormat.N_TRIPLES)
    prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    ox.serialize(
        quads,
        output=str(target),
        format=_OXIGRAPH_FORMATS[get_format(fmt).name],
        prefixes=None if fmt == "jsonld" else prefixes,
    )


_OX_READ = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}


def _file_format(path: Path) -> str:
    spec = by_suffix(path.suffix) or (by_suffix(".ttl") if path.suffix == ".turtle" else None)
    if spec is None:
        known = ", ".join(f.suffix for f in FORMATS.values())
        raise InputError(f"unknown RDF file type (known: {known})", Place(str(path)))
    return spec.name


def read_store(paths: list[Path]) -> ox.Store:
    """Every quad of RDF files (any syntax a build writes, by suffix), named graphs kept.

    Triple files go into the default graph.  A missing, unreadable, malformed or empty file is
    an :class:`InputError` naming it (and the line of a syntax error): a file that holds no
    triples cannot be said to conform.
    """
    store = ox.Store()
    for path in paths:
        if path.is_dir():
            raise InputError("a directory, not an RDF file", Place(str(path)))
        fmt = _file_format(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", Place(str(path))) from None
        try:
            quads = list(ox.parse(data, format=_OX_READ[fmt], base_iri=path.resolve().as_uri()))
        except SyntaxError as exc:
            line = exc.lineno if isinstance(exc.lineno, int) else None
            message = str(exc.msg or exc).splitlines()[0]
            raise InputError(f"not valid {fmt}: {message}", Place(str(path), line)) from None
        except (ValueError, OSError) as exc:
            raise InputError(f"not valid {fmt}: {exc}", Place(str(path))) from None
        if not quads:
            raise InputError(
                f"no RDF triples in the file ({fmt}): nothing to check", Place(str(path))
            )
        store.extend(quads)
    return store


def read_graph(paths: list[Path]) -> Graph:
    """Parse RDF files (format by suffix) into one graph; :class:`InputError` naming the file."""
    graph = Graph()
    for path in paths:
        spec = by_suffix(path.suffix) or (by_suffix(".ttl") if path.suffix == ".turtle" else None)
        if spec is None:
            known = ", ".join(f.suffix for f in FORMATS.values())
            raise InputError(f"unknown RDF file type (known: {known})", Place(str(path)))
        try:
            graph.parse(path, format=spec.rdflib)
        except FileNotFoundError:
            raise InputError("no such file", Place(str(path))) from None
        except Exception as exc:  # rdflib's parsers raise many kinds of errors
            line = getattr(exc, "lines", None) or getattr(exc, "line", None)
            place = Place(str(path), int(line) if isinstance(line, int) else None)
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"not valid {spec.name}: {message}", place) from None
    return bind_prefixes(graph)
