"""Builds for the page and download tests (imported by them; not a conftest plugin).

``seed_dir`` is the real seed programme built by the real pipeline, once per test session;
``crafted_build`` builds a tiny programme text written by a test.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient

from conftest_graphs import seed_build as shared_seed_build
from talkgraph.build import build
from talkgraph.web import create_app

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RDF_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt",
             "application/ld+json": "json-ld", "application/rdf+xml": "xml"}  # fmt: skip
# Dataset dumps also come as quads (named graphs); entity pages do not.
QUAD_TYPES = {"application/n-quads": "nquads", "application/trig": "trig"}


def seed_build(factory: pytest.TempPathFactory | None = None) -> Path:
    """The seed programme's build directory, built once per test process (shared with the
    graph and query tests)."""
    return shared_seed_build()


def crafted_build(tmp_path: Path, text: str, name: str = "programme.txt") -> Path:
    """Build a programme ``text`` (validated against no shapes: these tests are about pages)."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    shapes = tmp_path / "no-shapes.ttl"
    shapes.write_text("", encoding="utf-8")
    return build([source], out=tmp_path / "build", shapes_paths=[shapes]).out


def app_for(data_dir: Path) -> Flask:
    return create_app(data_dir, config={"TESTING": True, "QUERY_TIMEOUT": 10})


@pytest.fixture(scope="session")
def seed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_build(tmp_path_factory)


@pytest.fixture(scope="module")
def seed_app(seed_dir: Path) -> Iterator[Flask]:
    application = app_for(seed_dir)
    yield application
    application.extensions["talkgraph"].close()


@pytest.fixture
def seed_client(seed_app: Flask) -> FlaskClient:
    return seed_app.test_client()


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
