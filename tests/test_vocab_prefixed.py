"""One way IRIs are shortened for people: ``vocab.prefixed`` (pages, query tables, VoID slugs)."""

from __future__ import annotations

from rdflib import URIRef

from talkgraph.vocab import PREFIXES, prefixed
from talkgraph.void import class_slug


def test_an_iri_in_a_known_namespace_becomes_a_prefixed_name() -> None:
    assert prefixed("https://schema.org/Person") == "schema:Person"
    assert prefixed(str(PREFIXES["skos"]) + "prefLabel") == "skos:prefLabel"


def test_what_would_not_be_a_valid_prefixed_name_stays_an_iri() -> None:
    assert prefixed("https://schema.org/") is None  # the namespace itself
    assert prefixed("https://schema.org/a/b") is None  # '/' in the local part
    assert prefixed("http://example.org/x") is None  # no known namespace


def test_void_class_slugs_use_it() -> None:
    assert class_slug(URIRef("https://schema.org/Person")) == "schema-person"
    assert class_slug(URIRef("http://example.org/Thing")) == "http-example-org-thing"
