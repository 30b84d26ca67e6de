"""Talks a page states as schema.org ``Event`` data: JSON-LD script tags and microdata.

A page built by a conference tool often embeds its programme as schema.org data: ``Event``
objects (or ``EducationEvent``, ``SocialEvent`` …) with a ``name``, ``performer`` /
``organizer`` people (``Person`` with ``name`` and ``affiliation``) and a ``description``, either
in ``<script type="application/ld+json">`` or as ``itemscope``/``itemprop`` microdata. Each such
event with a performer is a talk; the enclosing event (one whose ``subEvent`` lists the talks)
is not. JSON-LD is parsed with :mod:`json`, microdata with lxml.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_EVENT_TYPES = frozenset(
    {
        "event",
        "educationevent",
        "socialevent",
        "businessevent",
        "exhibitionevent",
        "publicationevent",
    }
)


@dataclass(frozen=True)
class SchemaTalk:
    """A talk stated as schema.org data, with the input line of its JSON-LD/microdata."""

    line: int
    title: str
    speakers: tuple[tuple[str, str | None], ...]  # (name, affiliation)
    description: str | None = None


def _types(obj: dict[str, Any]) -> set[str]:
    raw = obj.get("@type", obj.get("type", []))
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values}


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value"))
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


def _people(value: Any) -> list[tuple[str, str | None]]:
    items = value if isinstance(value, list) else [value]
    out: list[tuple[str, str | None]] = []
    for item in items:
        if isinstance(item, str) and item.strip():
            out.append((" ".join(item.split()), None))
        elif isinstance(item, dict) and _text(item.get("name")):
            if _types(item) & {"organization", "place"}:
                continue
            name = _text(item.get("name"))
            assert name is not None
            out.append((name, _text(item.get("affiliation") or item.get("worksFor"))))
    return out


def _walk(obj: Any) -> Iterator[dict[str, Any]]:
    if isinstance(obj, dict):
        yield obj
        for key in ("@graph", "subEvent", "subEvents", "itemListElement", "item"):
            if key in obj:
                yield from _walk(obj[key])
    elif isinstance(obj, list):
        for item in obj:
            yield from _walk(item)


def _talk(obj: dict[str, Any], line: int) -> SchemaTalk | None:
    if not _types(obj) & _EVENT_TYPES:
        return None
    title = _text(obj.get("name"))
    speakers = _people(obj.get("performer") or obj.get("performers") or obj.get("actor"))
    if not title or not speakers:
        return None
    return SchemaTalk(line, title, tuple(speakers), _text(obj.get("description")))


def schema_talks(html: str) -> list[SchemaTalk]:
    """The talks of an HTML page's JSON-LD and microdata ``Event`` items, in page order."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    found: list[SchemaTalk] = []
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for obj in _walk(data):
            talk = _talk(obj, script.sourceline or 1)
            if talk is not None:
                found.append(talk)
    for item in root.xpath("//*[@itemscope and @itemtype]"):
        obj = _microdata(item)
        talk = _talk(obj, item.sourceline or 1)
        if talk is not None:
            found.append(talk)
    return found


def _microdata(item: Any) -> dict[str, Any]:
    """An ``itemscope`` element as a JSON-LD-like dict (nested items for nested scopes)."""
    obj: dict[str, Any] = {"@type": item.get("itemtype", "")}

    def props(el: Any) -> Iterator[Any]:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.get("itemprop") is not None:
                yield child
                if child.get("itemscope") is not None:
                    continue
            if child.get("itemscope") is None:
                yield from props(child)

    for prop in props(item):
        value: Any
        if prop.get("itemscope") is not None:
            value = _microdata(prop)
        else:
            value = prop.get("content") or " ".join(prop.text_content().split())
        for name in prop.get("itemprop", "").split():
            existing = obj.get(name)
            if existing is None:
                obj[name] = value
            elif isinstance(existing, list):
                existing.append(value)
            else:
                obj[name] = [existing, value]
    return obj
