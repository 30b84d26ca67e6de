"""The one place that mints IRIs.

IRIs are slash IRIs under a configurable base, one pattern per kind::

    {base}event/{slug}      {base}talk/{slug}        {base}person/{slug}
    {base}institution/{slug} {base}topic/{slug}      {base}dataset

Slugs are deterministic (``René Vidal`` → ``rene-vidal``) and depend only on the thing they
name, so they are stable across rebuilds and when other things are added.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet

from rdflib import URIRef

DEFAULT_BASE = "http://talkgraph.localhost/"

KINDS = ("event", "talk", "person", "institution", "topic", "graph")

# Letters NFKD does not decompose into ASCII.
_TRANSLIT = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
        "Þ": "th",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
    }
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 64


def fold(text: str) -> str:
    """Lower-case ASCII folding used for slugs and for matching names."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold()


def slugify(text: str, max_length: int = MAX_SLUG) -> str:
    """A URL-safe slug: ASCII letters and digits separated by single hyphens."""
    slug = _NON_ALNUM.sub("-", fold(text)).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        # cut at a word boundary when there is one in the second half
        if "-" in cut[max_length // 2 :]:
            cut = cut[: cut.rfind("-")]
        slug = cut.strip("-")
    return slug or "x"


def unique_slug(base: str, taken: Iterable[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… — the first not in ``taken``."""
    used = taken if isinstance(taken, AbstractSet | Mapping) else set(taken)  # no copy of a dict
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


def normalise_base(base: str) -> str:
    if not re.match(r"^https?://[^\s/]+(/[^\s]*)?$", base):
        from .errors import ConfigError

        raise ConfigError(f"base IRI must be an absolute http(s) IRI, got {base!r}")
    return base if base.endswith("/") else base + "/"


class Minter:
    """Mints every IRI of a dataset under one base."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = normalise_base(base)

    def entity(self, kind: str, slug: str) -> URIRef:
        if kind not in KINDS:
            raise ValueError(f"unknown IRI kind {kind!r}")
        return URIRef(f"{self.base}{kind}/{slug}")

    def event(self, slug: str) -> URIRef:
        return self.entity("event", slug)

    def talk(self, slug: str) -> URIRef:
        return self.entity("talk", slug)

    def person(self, slug: str) -> URIRef:
        return self.entity("person", slug)

    def institution(self, slug: str) -> URIRef:
        return self.entity("institution", slug)

    def topic(self, slug: str) -> URIRef:
        return self.entity("topic", slug)

    def graph(self, slug: str) -> URIRef:
        return self.entity("graph", slug)

    def fragment(self, iri: URIRef, name: str) -> URIRef:
        """A hash IRI for a node that belongs to a thing (an address, an annotation)."""
        return URIRef(f"{iri}#{name}")

    @property
    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}dataset")

    @property
    def topic_scheme(self) -> URIRef:
        return URIRef(f"{self.base}topic/")

    def distribution(self, fmt: str) -> URIRef:
        return URIRef(f"{self.base}dataset#{fmt}")

    def download(self, filename: str) -> URIRef:
        return URIRef(f"{self.base}download/{filename}")

    @property
    def sparql_endpoint(self) -> URIRef:
        return URIRef(f"{self.base}sparql")

    def path(self, iri: str) -> str | None:
        """The site path of one of our IRIs (``/person/x``: the web app serves it there under
        its script root); ``None`` for any other IRI."""
        return "/" + iri[len(self.base) :] if iri.startswith(self.base) else None

    def kind_of(self, iri: str) -> tuple[str, str] | None:
        """Split one of our IRIs into (kind, slug); ``None`` for anything else."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :].split("#", 1)[0]
        kind, _, slug = rest.partition("/")
        if kind in KINDS and slug and "/" not in slug:
            return kind, slug
        return None
