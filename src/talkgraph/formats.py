"""The one table of RDF serialisation formats: name ↔ media type ↔ rdflib format ↔ suffix."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConfigError


@dataclass(frozen=True)
class Format:
    name: str  # our name, used in URLs and options (``turtle``)
    media_type: str  # IANA media type (``text/turtle``)
    rdflib: str  # rdflib's serializer/parser name
    suffix: str  # file suffix with the dot (``.ttl``)
    quads: bool = False  # a dataset format (named graphs)

    @property
    def iana_iri(self) -> str:
        """The IANA registry IRI of the media type."""
        return f"https://www.iana.org/assignments/media-types/{self.media_type}"


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", "text/turtle", "turtle", ".ttl"),
        Format("nt", "application/n-triples", "nt", ".nt"),
        Format("jsonld", "application/ld+json", "json-ld", ".jsonld"),
        Format("xml", "application/rdf+xml", "xml", ".rdf"),
        Format("nquads", "application/n-quads", "nquads", ".nq", quads=True),
        Format("trig", "application/trig", "trig", ".trig", quads=True),
    )
}


def get_format(name: str) -> Format:
    """The format called ``name`` (our name); :class:`ConfigError` for anything else."""
    try:
        return FORMATS[name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ConfigError(f"unknown RDF format {name!r} (known: {known})") from None


def by_media_type(media_type: str) -> Format | None:
    """The format of a media type (parameters such as ``;charset=utf-8`` are ignored)."""
    bare = media_type.split(";", 1)[0].strip().lower()
    return next((f for f in FORMATS.values() if f.media_type == bare), None)


def by_suffix(suffix: str) -> Format | None:
    """The format of a file suffix, with or without the dot (``ttl``, ``.ttl``)."""
    dotted = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    return next((f for f in FORMATS.values() if f.suffix == dotted), None)
