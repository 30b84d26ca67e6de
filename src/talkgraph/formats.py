"""The one table of media types: RDF syntaxes, SPARQL result formats and the page types.

Every media type the package reads, writes or negotiates is declared here once, with our name
for it, the other media types clients send for it (``aliases``), its file suffix and its W3C
format IRI; :func:`with_charset` is the one rule for which of them are sent with
``charset=utf-8``.  The web front end negotiates over these tables (``web/media.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConfigError

#: Where the W3C names its formats (``sd:resultFormat`` values).
W3_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    name: str  # our name, used in URLs and options (``turtle``)
    media_type: str  # IANA media type (``text/turtle``)
    rdflib: str  # rdflib's serializer/parser name
    suffix: str  # file suffix with the dot (``.ttl``)
    label: str  # how people call it (``Turtle``)
    w3: str  # its name under :data:`W3_FORMATS`
    quads: bool = False  # a dataset format (named graphs)
    aliases: tuple[str, ...] = ()  # other media types clients send for it

    @property
    def iana_iri(self) -> str:
        """The IANA registry IRI of the media type."""
        return f"https://www.iana.org/assignments/media-types/{self.media_type}"


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "turtle",
            "text/turtle",
            "turtle",
            ".ttl",
            "Turtle",
            "Turtle",
            aliases=("application/x-turtle",),
        ),  # fmt: skip
        Format("nt", "application/n-triples", "nt", ".nt", "N-Triples", "N-Triples"),
        Format(
            "jsonld",
            "application/ld+json",
            "json-ld",
            ".jsonld",
            "JSON-LD",
            "JSON-LD",
            aliases=("application/json",),
        ),  # fmt: skip
        Format(
            "xml",
            "application/rdf+xml",
            "xml",
            ".rdf",
            "RDF/XML",
            "RDF_XML",
            aliases=("application/xml", "text/xml"),
        ),  # fmt: skip
        Format("nquads", "application/n-quads", "nquads", ".nq", "N-Quads", "N-Quads", quads=True),
        Format("trig", "application/trig", "trig", ".trig", "TriG", "TriG", quads=True),
    )
}
#: The triple formats (a graph, a CONSTRUCT result, an entity; named-graph formats do not apply).
TRIPLE_FORMATS: tuple[Format, ...] = tuple(f for f in FORMATS.values() if not f.quads)


@dataclass(frozen=True)
class ResultType:
    """A SPARQL result format of SELECT and ASK queries."""

    name: str
    media_type: str
    w3: str
    aliases: tuple[str, ...] = ()


#: SELECT and ASK result formats, the first is the default.
RESULT_TYPES: dict[str, ResultType] = {
    r.name: r
    for r in (
        ResultType(
            "json", "application/sparql-results+json", "SPARQL_Results_JSON", ("application/json",)
        ),
        ResultType(
            "xml",
            "application/sparql-results+xml",
            "SPARQL_Results_XML",
            ("application/xml", "text/xml"),
        ),
        ResultType("csv", "text/csv", "SPARQL_Results_CSV"),
        ResultType("tsv", "text/tab-separated-values", "SPARQL_Results_TSV"),
    )
}

#: Names a ``format`` parameter may use besides ours (``ttl`` for ``turtle``).
NAME_ALIASES = {
    "ttl": "turtle",
    "json-ld": "jsonld",
    "ntriples": "nt",
    "rdf": "xml",
    "rdfxml": "xml",
}

#: Pages for people, the first is the one we answer with.
HTML_TYPES = ("text/html", "application/xhtml+xml")
JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain"


def with_charset(media_type: str) -> str:
    """``media_type`` with ``; charset=utf-8`` when it is text we write (the one rule):
    ``text/*``, N-Triples and the ``+xml``/``+json`` types (SPARQL results, JSON-LD, RDF/XML,
    GraphML, GEXF); plain ``application/json`` is UTF-8 by definition and says nothing."""
    if (
        media_type.startswith("text/")
        or media_type == "application/n-triples"
        or media_type.endswith(("+xml", "+json"))
    ):
        return f"{media_type}; charset=utf-8"
    return media_type


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
