"""What the linked-data pages show: the SELECT queries in ``queries/pages/`` turned into values.

Every query runs through the store with ``?this`` bound by ``bindings=``; its rows come back as
:class:`Value` objects (an IRI with its label, or a literal) ready for the templates.  The served
dataset never changes, so its title and licence are looked up once per application.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from ..manifest import Manifest
from ..resources import resource
from ..store import Term
from ..vocab import DCTERMS, RDF, SCHEMA, prefixed
from . import state
from .negotiate import href

QUERY_DIR = resource("talkgraph.web", "queries", "pages")
SCHEMA_ORG = "https://schema.org"

Page = dict[str, Any]


@functools.cache
def query(name: str) -> str:
    """The text of ``queries/pages/{name}.rq``."""
    return (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")


def short(iri: str) -> str:
    """A short name for an IRI: our IRIs by path (``person/x``), others as a CURIE if we can."""
    path = state().minter.path(iri)
    if path is not None:
        return path.lstrip("/") or iri
    return prefixed(iri) or iri


@dataclass(frozen=True)
class Value:
    """An IRI (with its label when it has one) or a literal, ready to show."""

    text: str
    is_iri: bool = False
    label: str | None = None
    datatype: str | None = None
    lang: str | None = None

    @property
    def href(self) -> str | None:
        return href(self.text) if self.is_iri else None

    @property
    def external(self) -> bool:
        return self.is_iri and state().minter.path(self.text) is None

    @property
    def display(self) -> str:
        if self.label:
            return self.label
        return short(self.text) if self.is_iri else self.text

    @property
    def key(self) -> str:
        return self.display.casefold()

    def named(self, label: Value | None) -> Value:
        """This value with ``label`` (a literal) as its label."""
        return replace(self, label=label.text) if label is not None else self


def to_value(term: Term) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(term.value, is_iri=True)
    if isinstance(term, ox.Literal):
        return Value(term.value, datatype=term.datatype.value, lang=term.language)
    return Value(str(term))


Row = dict[str, Value]


def select(name: str, this: str | None = None, **iris: str) -> list[Row]:
    """The rows of a SELECT query as values, ``?this`` (and any ``iris``) bound to IRIs."""
    bindings = {k: URIRef(v) for k, v in {"this": this, **iris}.items() if v is not None}
    result = state().store.query(query(name), bindings=bindings or None)
    return [{k: to_value(t) for k, t in row.items()} for row in result.rows()]


def ask(name: str, this: str) -> bool:
    """The answer of an ASK query about ``this``."""
    return state().store.query(query(name), bindings={"this": URIRef(this)}).boolean


def named(row: Row, key: str, label: str) -> Value | None:
    """``row[key]`` labelled by ``row[label]``; ``None`` when ``key`` is unbound."""
    found = row.get(key)
    return found.named(row.get(label)) if found is not None else None


def grouped(rows: Iterable[Row], key: str) -> list[list[Row]]:
    """Rows grouped by the value of ``key``, in first-seen order."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row[key].text, []).append(row)
    return list(groups.values())


def by_key(values: Iterable[Value]) -> list[Value]:
    """Values without duplicates, sorted by what they show."""
    unique = {(v.text, v.is_iri): v for v in values}
    return sorted(unique.values(), key=lambda v: v.key)


class Facts:
    """The outgoing statements of one thing, by predicate (``facts.rq``)."""

    def __init__(self, iri: str) -> None:
        self.iri = iri
        found: dict[str, list[Value]] = {}
        for row in select("facts", iri):
            found.setdefault(row["p"].text, []).append(row["o"].named(row.get("label")))
        self.by_predicate = {p: by_key(values) for p, values in found.items()}

    def all(self, predicate: URIRef | str) -> list[Value]:
        return self.by_predicate.get(str(predicate), [])

    def text(self, predicate: URIRef | str) -> str | None:
        found = self.all(predicate)
        return found[0].text if found else None

    def texts(self, predicate: URIRef | str) -> list[str]:
        return [v.text for v in self.all(predicate)]

    def table(self) -> list[tuple[str, str, list[Value]]]:
        """``(CURIE, predicate IRI, values)`` for every predicate, ``rdf:type`` first."""
        order = sorted(self.by_predicate, key=lambda p: (p != str(RDF.type), short(p)))
        return [(short(p), p, self.by_predicate[p]) for p in order]


def ref(found: Value, kind: str) -> dict[str, Any]:
    """A schema.org node reference: type, ``@id`` and name."""
    data: dict[str, Any] = {"@type": kind, "@id": found.text}
    if found.label:
        data["name"] = found.label
    return data


def schema_org(kind: str, iri: str, **properties: Any) -> dict[str, Any]:
    """A schema.org JSON-LD description; empty properties are left out."""
    data: dict[str, Any] = {"@context": SCHEMA_ORG, "@type": kind, "@id": iri}
    data.update({k: v for k, v in properties.items() if v not in (None, [], "")})
    return data


def _cached(key: str, compute: Callable[[], Any]) -> Any:
    cache = state().cache("pages", dict)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def licences() -> list[Value]:
    """The dataset's licences (the dataset description's, else its events'); maybe none."""

    def compute() -> list[Value]:
        rows = select("licence", str(state().minter.dataset))
        own = [r["licence"] for r in rows if r["source"].text == "dataset"]
        return by_key(own or [r["licence"] for r in rows])

    found: list[Value] = _cached("licences", compute)
    return found


def dataset_title() -> str:
    """The dataset description's title, else its sources' names."""

    def compute() -> str:
        title = Facts(str(state().minter.dataset)).text(DCTERMS.title)
        sources = state().manifest.sources
        return title or "talkgraph dataset: " + ", ".join(map(str, sources))

    found: str = _cached("title", compute)
    return found


def _things(class_iri: URIRef) -> list[Value]:
    rows = select("home_list", **{"class": str(class_iri)})
    return [r["thing"].named(r.get("label")) for r in rows]


def home_data(manifest: Manifest) -> Page:
    """The home page: statistics and validation from the manifest, lists from the store."""
    events = [
        {"event": named(r, "event", "name"), "talks": r["talks"].text, "start": r.get("startDate")}
        for r in select("home_events")
    ]
    talks = [
        {"talk": named(r, "talk", "title"), "speaker": named(r, "speaker", "speakerName")}
        for r in select("home_talks")
    ]
    topics = [
        {"topic": named(r, "topic", "label"), "talks": r["talks"].text}
        for r in select("home_topics")
    ]
    counts, files = manifest.counts, manifest.files
    iri = str(state().minter.dataset)
    schema = schema_org(
        "Dataset",
        iri,
        name=dataset_title(),
        dateCreated=manifest.created,
        license=[v.text for v in licences()],
    )
    return {
        "title": dataset_title(),
        "triples": manifest.triple_count,
        "counts": sorted((str(k), v) for k, v in counts.items() if k != "triples"),
        "validation": {
            "conforms": manifest.conforms,
            "violations": manifest.violations,
            "warnings": manifest.warnings,
        },
        "reports": [n for n in ("validation-report.txt", "validation-report.ttl") if n in files],
        "events": events,
        "talks": talks,
        "people": _things(SCHEMA.Person),
        "institutions": _things(SCHEMA.Organization),
        "topics": topics,
        "limit": 1000,
        "dataset_iri": iri,
        "schema": schema,
    }
