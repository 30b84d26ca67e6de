"""One builder per kind of page: the template context of the HTML page of a thing.

Each returns ``title``, ``facts`` (every outgoing statement) and ``schema`` (the schema.org
JSON-LD for search engines), plus what its partial template ``_ld_{kind}.html`` shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..vocab import DCTERMS, RDF, SCHEMA, SKOS, TG
from .pagedata import Facts, Page, Value, by_key, grouped, named, ref, schema_org, select, short

_PARAGRAPH = re.compile(r"\n\s*\n")
Item = dict[str, Any]


def paragraphs(text: str | None) -> list[str]:
    """An abstract's paragraphs (blank-line separated; line breaks inside are kept)."""
    return [p.strip() for p in _PARAGRAPH.split(text or "") if p.strip()]


def _labelled(rows: list[dict[str, Value]], key: str, label: str) -> list[Value]:
    return by_key(v for r in rows if (v := named(r, key, label)) is not None)


def _topics(rows: list[dict[str, Value]]) -> list[Item]:
    """Topics with their evidence (quoted words and field), by label."""
    topics: list[Item] = []
    for group in grouped(rows, "topic"):
        evidence = {
            (r["exact"].text, r["field"].text if "field" in r else "")
            for r in group
            if "exact" in r
        }
        topics.append(
            {
                "topic": named(group[0], "topic", "label"),
                "evidence": sorted(evidence, key=lambda e: (e[1] != "title", e)),
            }
        )
    topics.sort(key=lambda t: t["topic"].key)
    return topics


def talk_page(iri: str) -> Page:
    facts = Facts(iri)
    title = facts.text(SCHEMA.name) or short(iri)
    speakers: list[Item] = [
        {
            "person": named(rows[0], "speaker", "speakerName"),
            "institutions": _labelled(rows, "institution", "institutionName"),
        }
        for rows in grouped(select("talk_speaker", iri), "speaker")
    ]
    topics, themes = _topics(select("talk_topics", iri)), _topics(select("talk_themes", iri))
    related: list[Item] = [
        {
            "talk": named(rows[0], "other", "title"),
            "weight": int(rows[0]["weight"].text),
            "concepts": _labelled(rows, "concept", "conceptLabel"),
        }
        for rows in grouped(select("talk_related", iri), "other")
    ]
    related.sort(key=lambda r: (-r["weight"], r["talk"].key))
    events, coauthors = facts.all(SCHEMA.superEvent), facts.all(SCHEMA.contributor)
    references = facts.all(DCTERMS.references)
    schema = schema_org(
        "Event",
        iri,
        name=title,
        description=facts.text(SCHEMA.description),
        performer=[ref(s["person"], "Person") for s in speakers],
        contributor=[ref(c, "Person") for c in coauthors],
        superEvent=[ref(e, "Event") for e in events],
        about=[ref(t["topic"], "DefinedTerm") for t in topics],
        citation=[r.text for r in references],
    )
    return {
        "title": title,
        "facts": facts,
        "speakers": speakers,
        "events": events,
        "abstract": paragraphs(facts.text(SCHEMA.description)),
        "topics": topics,
        "themes": themes,  # of its programme, named by its words (topics.themes)
        "related": related,
        "coauthors": coauthors,
        "references": references,
        "placeholder": facts.text(TG.isPlaceholder) == "true",
        "position": facts.text(TG.position),
        "schema": schema,
    }


def person_page(iri: str) -> Page:
    facts = Facts(iri)
    name = facts.text(SCHEMA.name) or short(iri)
    talks: list[Item] = [
        {
            "talk": named(r, "talk", "title"),
            "role": r["role"].text,
            "event": named(r, "event", "eventName"),
        }
        for r in select("person_talks", iri)
    ]
    topics: list[Item] = [
        {"topic": named(r, "topic", "label"), "talks": int(r["talks"].text)}
        for r in select("person_topics", iri)
    ]
    neighbours: list[Item] = [
        {
            "person": named(rows[0], "other", "otherName"),
            "shared": _labelled(rows, "topic", "label"),
        }
        for rows in grouped(select("person_neighbours", iri), "other")
    ]
    neighbours.sort(key=lambda n: (-len(n["shared"]), n["person"].key))
    affiliations = facts.all(SCHEMA.affiliation)
    schema = schema_org(
        "Person",
        iri,
        name=name,
        givenName=facts.text(SCHEMA.givenName),
        familyName=facts.text(SCHEMA.familyName),
        affiliation=[ref(a, "Organization") for a in affiliations],
        identifier=facts.texts(SCHEMA.identifier),
        sameAs=facts.texts(SCHEMA.sameAs),
    )
    return {
        "title": name,
        "facts": facts,
        "affiliations": affiliations,
        "talks": talks,
        "topics": topics,
        "neighbours": neighbours,
        "identifiers": facts.all(SCHEMA.identifier) + facts.all(SCHEMA.sameAs),
        "schema": schema,
    }


def topic_page(iri: str) -> Page:
    facts = Facts(iri)
    label = facts.text(SKOS.prefLabel) or short(iri)
    talks: list[Item] = []
    for rows in grouped(select("topic_talks", iri), "talk"):
        via = _labelled(rows, "via", "viaLabel")
        talks.append(
            {
                "talk": named(rows[0], "talk", "title"),
                "speaker": named(rows[0], "speaker", "speakerName"),
                "direct": any(v.text == iri for v in via),
                "via": [v for v in via if v.text != iri],
            }
        )
    talks.sort(key=lambda t: (not t["direct"], t["talk"].key))
    related: list[Item] = [
        {"topic": named(r, "topic", "label"), "talks": int(r["talks"].text)}
        for r in select("topic_related", iri)
    ]
    narrower = _labelled(select("topic_narrower", iri), "topic", "label")
    matches = [
        Value(v.text, is_iri=True, label=v.text.rstrip("/").rsplit("/", 1)[-1])
        for v in facts.all(SKOS.closeMatch)
    ]
    schema = schema_org(
        "DefinedTerm",
        iri,
        name=label,
        description=facts.text(SKOS.definition),
        alternateName=facts.texts(SKOS.altLabel),
        inDefinedTermSet=[
            {"@type": "DefinedTermSet", "@id": s} for s in facts.texts(SKOS.inScheme)
        ],
        sameAs=[m.text for m in matches],
    )
    return {
        "title": label,
        "facts": facts,
        "talks": talks,
        "related": related,
        "narrower": narrower,
        "matches": matches,
        "broader": facts.all(SKOS.broader),
        "alt_labels": facts.all(SKOS.altLabel),
        "definition": facts.text(SKOS.definition),
        "too_broad": facts.text(TG.tooBroad) == "true",
        "schema": schema,
    }


_INSTITUTION_KINDS = {
    str(SCHEMA.CollegeOrUniversity): ("university", "CollegeOrUniversity"),
    str(SCHEMA.Corporation): ("company", "Corporation"),
    str(SCHEMA.ResearchOrganization): ("research institute", "ResearchOrganization"),
}


def institution_page(iri: str) -> Page:
    facts = Facts(iri)
    name = facts.text(SCHEMA.name) or short(iri)
    kinds = [_INSTITUTION_KINDS[t] for t in facts.texts(RDF.type) if t in _INSTITUTION_KINDS]
    countries = sorted({r["country"].text for r in select("institution_country", iri)})
    people = _labelled(select("institution_people", iri), "person", "name")
    schema = schema_org(
        kinds[0][1] if kinds else "Organization",
        iri,
        name=name,
        alternateName=facts.texts(SCHEMA.alternateName),
        address=[{"@type": "PostalAddress", "addressCountry": c} for c in countries],
        sameAs=facts.texts(SCHEMA.sameAs),
    )
    return {
        "title": name,
        "facts": facts,
        "kinds": [k[0] for k in kinds],
        "countries": countries,
        "people": people,
        "alternate_names": facts.all(SCHEMA.alternateName),
        "same_as": facts.all(SCHEMA.sameAs),
        "schema": schema,
    }


def event_page(iri: str) -> Page:
    facts = Facts(iri)
    name = facts.text(SCHEMA.name)
    talks: list[Item] = [  # one row per talk, its speakers together (a talk may have several)
        {
            "talk": named(rows[0], "talk", "title"),
            "position": rows[0]["position"].text if "position" in rows[0] else "",
            "placeholder": "placeholder" in rows[0] and rows[0]["placeholder"].text == "true",
            "speaker": named(rows[0], "speaker", "speakerName"),
            "speakers": [s for s in (named(r, "speaker", "speakerName") for r in rows) if s],
        }
        for rows in grouped(select("event_talks", iri), "talk")
    ]
    roster = facts.all(SCHEMA.performer)
    themes: list[Item] = [  # topics on a large share of its talks (topics.themes)
        {"topic": named(r, "topic", "label"), "talks": r["talks"].text if "talks" in r else ""}
        for r in select("event_themes", iri)
    ]
    schema = schema_org(
        "Event",
        iri,
        name=name,
        startDate=facts.text(SCHEMA.startDate),
        endDate=facts.text(SCHEMA.endDate),
        location=facts.text(SCHEMA.location),
        url=facts.text(SCHEMA.url),
        description=facts.text(SCHEMA.description),
        subEvent=[ref(t["talk"], "Event") for t in talks],
        performer=[ref(p, "Person") for p in roster],
        about=[ref(t["topic"], "DefinedTerm") for t in themes],
    )
    return {
        "title": name or short(iri),
        "name": name,
        "facts": facts,
        "talks": talks,
        "roster": roster,
        "themes": themes,
        "schema": schema,
    }


def dataset_page(iri: str) -> Page:
    facts = Facts(iri)
    title = facts.text(DCTERMS.title) or short(iri)
    distributions = select("dataset_distributions", iri)
    partitions = select("dataset_partitions", iri)
    provenance = select("dataset_provenance", iri)
    schema = schema_org(
        "Dataset",
        iri,
        name=title,
        dateCreated=facts.text(DCTERMS.created),
        license=facts.texts(DCTERMS.license),
        distribution=[
            {
                "@type": "DataDownload",
                "contentUrl": d["url"].text,
                **({"encodingFormat": d["format"].text} if "format" in d else {}),
            }
            for d in distributions
            if "url" in d
        ],
    )
    return {
        "title": title,
        "facts": facts,
        "distributions": distributions,
        "partitions": partitions,
        "provenance": provenance,
        "schema": schema,
    }


def scheme_page(iri: str) -> Page:
    facts = Facts(iri)
    title = facts.text(SKOS.prefLabel) or facts.text(DCTERMS.title) or short(iri)
    top = facts.all(SKOS.hasTopConcept)
    schema = schema_org(
        "DefinedTermSet", iri, name=title, hasDefinedTerm=[ref(t, "DefinedTerm") for t in top]
    )
    return {"title": title, "facts": facts, "top": top, "schema": schema}


def generic_page(iri: str) -> Page:
    facts = Facts(iri)
    label = facts.text(SCHEMA.name) or facts.text(SKOS.prefLabel) or short(iri)
    return {"title": label, "facts": facts, "schema": schema_org("Thing", iri, name=label)}


BUILDERS: dict[str, Callable[[str], Page]] = {
    "talk": talk_page,
    "person": person_page,
    "topic": topic_page,
    "institution": institution_page,
    "event": event_page,
    "dataset": dataset_page,
    "scheme": scheme_page,
}
