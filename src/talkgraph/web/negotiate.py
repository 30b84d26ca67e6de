"""Content negotiation and IRI ↔ path mapping shared by the linked-data pages.

* A request path maps to the IRI under the dataset's configured base, whatever host serves it
  (``/person/x`` ↔ ``{base}person/x``); :func:`href` maps back (IRIs elsewhere stay absolute).
* :func:`choose` picks ``"html"`` or an RDF format name (from :data:`talkgraph.formats.FORMATS`)
  from a file suffix, then ``?format=``, then ``Accept`` (werkzeug's ``best_match``).
* :func:`rdf_response` answers with ``Vary``/``Link``/``Content-Location`` headers set.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, request
from markupsafe import Markup
from werkzeug.exceptions import BadRequest

from ..formats import (
    FORMATS,
    HTML_TYPES,
    NAME_ALIASES,
    TRIPLE_FORMATS,
    Format,
    by_media_type,
    by_suffix,
)
from . import state
from .media import pick, typed

HTML = "html"
#: Other media types clients send for our formats.
_MEDIA_ALIASES = {alias: f.name for f in TRIPLE_FORMATS for alias in f.aliases}
#: Names ``?format=`` accepts besides our format names, media types and suffixes.
_NAME_ALIASES = {**NAME_ALIASES, "htm": HTML}


@dataclass(frozen=True)
class Choice:
    """What to answer with: ``name`` is ``"html"`` or a format name; ``negotiated`` is true
    when the choice came from ``Accept`` (the response then varies on it)."""

    name: str
    negotiated: bool

    @property
    def is_html(self) -> bool:
        return self.name == HTML

    @property
    def format(self) -> Format:
        return FORMATS[self.name]


def iri_for_path(path: str) -> str:
    """The IRI a request path (relative to the application root) names."""
    return state().minter.base + path.lstrip("/")


def href(iri: str) -> str:
    """Where a link to ``iri`` should point: our IRIs on this server, others as they are."""
    path = state().minter.path(iri)
    return iri if path is None else request.script_root + path


def suffix_format(suffix: str) -> str | None:
    """``"html"`` or the format name of a document suffix (``.ttl``), else ``None``."""
    if suffix.lower() in (".html", ".htm"):
        return HTML
    fmt = by_suffix(suffix)
    return fmt.name if fmt is not None and not fmt.quads else None


def split_suffix(name: str) -> tuple[str, str | None]:
    """``("rene-vidal", "turtle")`` for ``rene-vidal.ttl``; ``(name, None)`` without a suffix.

    A dot followed by anything but a known suffix is left in the name (it will not resolve).
    """
    stem, dot, suffix = name.rpartition(".")
    if dot and stem:
        found = suffix_format("." + suffix)
        if found is not None:
            return stem, found
    return name, None


def _format_param(value: str) -> str:
    text = value.strip().lower()
    if text == HTML or text in HTML_TYPES:
        return HTML
    name = _NAME_ALIASES.get(text, text)
    if name in FORMATS and not FORMATS[name].quads:
        return name
    fmt = by_media_type(text) or by_suffix(text)
    if fmt is not None and not fmt.quads:
        return fmt.name
    if text in _MEDIA_ALIASES:
        return _MEDIA_ALIASES[text]
    known = ", ".join([HTML, *(f.name for f in TRIPLE_FORMATS)])
    raise BadRequest(f"unknown format {value!r} (known: {known})")


def choose(suffix: str | None = None, *, html_first: bool = True) -> Choice:
    """The representation to answer with; 406 when ``Accept`` allows none of ours.

    ``suffix`` (a name from :func:`split_suffix`) wins, then ``?format=``, then ``Accept``;
    without ``Accept`` (or with ``*/*``) the first of HTML/Turtle by ``html_first``.
    """
    if suffix is not None:
        return Choice(suffix, negotiated=False)
    param = request.args.get("format")
    if param:
        return Choice(_format_param(param), negotiated=False)
    rdf = [(f.media_type, f.name) for f in TRIPLE_FORMATS] + list(_MEDIA_ALIASES.items())
    html = [(media, HTML) for media in HTML_TYPES]
    wanted = ", ".join([HTML_TYPES[0], *(f.media_type for f in TRIPLE_FORMATS)])
    offers = [*html, *rdf] if html_first else [*rdf, *html]
    return Choice(pick(offers, f"this resource is available as {wanted}"), negotiated=True)


def _document(stem_path: str, name: str) -> str:
    """The URL of one document of a thing: a suffix, or ``?format=`` on a slash path."""
    root = request.script_root + stem_path
    if stem_path.endswith("/"):
        return f"{root}?format={name}"
    return root + (".html" if name == HTML else FORMATS[name].suffix)


def alternates(stem_path: str) -> list[tuple[str, str]]:
    """``(url, media type)`` of every document of a thing, from its path without suffix."""
    found = [(_document(stem_path, HTML), HTML_TYPES[0])]
    return found + [(_document(stem_path, f.name), f.media_type) for f in TRIPLE_FORMATS]


def document_url(stem_path: str, choice: Choice) -> str:
    """The URL of the document ``choice`` picks (``/person/x.ttl``)."""
    return _document(stem_path, choice.name)


def add_headers(
    response: Response, choice: Choice, links: Sequence[tuple[str, str]], location: str | None
) -> Response:
    """``Link`` (one ``rel="alternate"`` per document), ``Vary`` and ``Content-Location``."""
    if links:
        response.headers["Link"] = ", ".join(
            f'<{url}>; rel="alternate"; type="{media}"' for url, media in links
        )
    if choice.negotiated:
        response.vary.add("Accept")
    if location is not None:
        response.headers["Content-Location"] = location
    return response


def rdf_response(
    data: bytes,
    choice: Choice,
    *,
    links: Sequence[tuple[str, str]] = (),
    location: str | None = None,
) -> Response:
    """An RDF document in the chosen format, with the negotiation headers."""
    return add_headers(typed(data, choice.format.media_type), choice, links, location)


def jsonld_script(data: dict[str, Any]) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` element that cannot end it early.

    Every ``<``, ``>`` and ``&`` becomes a ``\\u`` escape (valid JSON, the same string), so
    neither ``</script>`` nor ``<!--`` can appear in the element's text.
    """
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
