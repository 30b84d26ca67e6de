"""Reading what the pages answer: RDF bodies by media type, and HTML pages (links, JSON-LD,
scripts, visible text)."""

from __future__ import annotations

from html.parser import HTMLParser

import rdflib

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RDF_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt",
             "application/ld+json": "json-ld", "application/rdf+xml": "xml"}  # fmt: skip
# Dataset dumps also come as quads (named graphs); entity pages do not.
QUAD_TYPES = {"application/n-quads": "nquads", "application/trig": "trig"}


def parse_rdf(data: bytes, media_type: str) -> rdflib.Graph:
    """An RDF body parsed back by rdflib, by its media type (parameters ignored)."""
    bare = media_type.split(";")[0].strip()
    fmt = RDF_TYPES.get(bare) or QUAD_TYPES[bare]
    if bare in QUAD_TYPES:  # named graphs: parse as a dataset, return the union of its graphs
        dataset = rdflib.Dataset().parse(data=data, format=fmt)
        union = rdflib.Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return rdflib.Graph().parse(data=data, format=fmt)


class Page(HTMLParser):
    """An HTML page's links (text → hrefs), JSON-LD scripts, other scripts and visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: dict[str, list[str]] = {}
        self.jsonld: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.text: list[str] = []
        self._href: str | None = None
        self._anchor: list[str] = []
        self._script: dict[str, str | None] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a":
            self._href, self._anchor = found.get("href"), []
        elif tag == "script":
            self._script = found
            self.scripts.append(found)
            if found.get("type") == "application/ld+json":
                self.jsonld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.setdefault(" ".join("".join(self._anchor).split()), []).append(self._href)
            self._href = None
        elif tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            if self._script.get("type") == "application/ld+json":
                self.jsonld[-1] += data
            return
        self.text.append(data)
        if self._href is not None:
            self._anchor.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())
