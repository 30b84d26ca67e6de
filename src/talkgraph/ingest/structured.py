"""The structured programme format (YAML or JSON): read, validate, write.

See ``docs/structured-format.md``; ``programme.schema.json`` is the schema.  Spans are
line-based: a value's span is the line and column where it starts in a YAML file (JSON
files carry no spans); co-authors and arXiv ids extracted from an abstract get the span of
the abstract.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, InputError, Place
from ..model import ArxivRef, Mention, Programme, Span, SpeakerEntry, TalkEntry
from . import classify as cl
from .document import Marks, PathKey, load_document, validate
from .event import event_from_mapping, event_to_mapping
from .extract import arxiv_refs, coauthor_mentions
from .text import clean

_ARXIV_ITEM = re.compile(r"^(?:arXiv:)?(?P<id>.+?)(?:v(?P<v>\d+))?$")


def _text(value: str, *, block: bool = False) -> str:
    if not block:
        return clean(value)
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(clean(line) for line in lines).strip()


class _Builder:
    def __init__(self, source: str, marks: Marks) -> None:
        self.source = source
        self.marks = marks

    def span(self, path: PathKey) -> Span | None:
        if path not in self.marks:
            return None
        line, start, end = self.marks[path]
        return Span(self.source, line, start, end)

    def mention(self, data: dict[str, Any], key: str, path: PathKey) -> Mention | None:
        if data.get(key) is None:
            return None
        text = _text(str(data[key]), block=key == "abstract")
        return Mention(text, self.span((*path, key)))

    def speaker(self, data: dict[str, Any], key: str, path: PathKey) -> SpeakerEntry:
        name = self.mention(data, key, path)
        assert name is not None  # required by the schema
        return SpeakerEntry(name, self.mention(data, "institution", path))

    def talk(self, data: dict[str, Any], path: PathKey) -> TalkEntry:
        title = self.mention(data, "title", path)
        assert title is not None
        abstract = self.mention(data, "abstract", path)
        where = abstract.span if abstract else None
        text = abstract.text if abstract else ""
        if data.get("coauthors") is not None:
            coauthors = tuple(
                Mention(_text(n), self.span((*path, "coauthors", i)))
                for i, n in enumerate(data["coauthors"])
            )
        else:
            coauthors = coauthor_mentions(text, lambda _s, _e: where)
        if data.get("arxiv") is not None:
            citations = tuple(
                self.arxiv(item, (*path, "arxiv", i)) for i, item in enumerate(data["arxiv"])
            )
        else:
            citations = arxiv_refs(text, lambda _s, _e: where)
        placeholder = data.get("placeholder")
        if placeholder is None:
            placeholder = cl.is_placeholder(title.text) or cl.is_placeholder(text)
        return TalkEntry(
            self.speaker(data, "speaker", path),
            title,
            abstract,
            bool(placeholder),
            coauthors,
            citations,
        )

    def arxiv(self, item: str, path: PathKey) -> ArxivRef:
        m = _ARXIV_ITEM.match(item)
        assert m is not None  # the schema pattern guarantees the shape
        version = f"v{m.group('v')}" if m.group("v") else None
        return ArxivRef(m.group("id"), version, self.span(path))

    def programme(self, data: dict[str, Any]) -> Programme:
        event = event_from_mapping(data.get("event") or {}, self.source, self.marks, ("event",))
        heading = data.get("roster_heading")
        return Programme(
            self.source,
            tuple(
                self.speaker(r, "name", ("roster", i))
                for i, r in enumerate(data.get("roster") or [])
            ),
            tuple(self.talk(t, ("talks", i)) for i, t in enumerate(data.get("talks") or [])),
            event,
            _text(heading) if heading else None,
        )


def without_spans(programme: Programme) -> Programme:
    """``programme`` with every span dropped: what a format says, not where it says it."""

    def strip(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(strip(v) for v in value)
        if isinstance(value, Mention | ArxivRef):
            return dataclasses.replace(value, span=None)
        if isinstance(value, SpeakerEntry | TalkEntry):
            fields = dataclasses.fields(value)
            return dataclasses.replace(
                value, **{f.name: strip(getattr(value, f.name)) for f in fields}
            )
        return value

    return dataclasses.replace(
        programme, roster=strip(programme.roster), talks=strip(programme.talks)
    )


def parse_structured(data: Any, source: str, marks: Marks | None = None) -> Programme:
    """A Programme from loaded structured data; InputError naming the bad field."""
    validate(data, "programme", source, marks or {})
    programme = _Builder(source, marks or {}).programme(data)
    if not programme.roster and not programme.talks:
        raise InputError("the programme has no roster entries and no talks", Place(source, 1))
    return programme


def load_structured(path: Path | str) -> Programme:
    """Read a ``.yaml``/``.yml``/``.json`` programme file."""
    data, marks, name = load_document(path)
    return parse_structured(data, name, marks)


def to_structured(programme: Programme) -> dict[str, Any]:
    """The structured form of a programme (spans are not written)."""
    out: dict[str, Any] = {}
    event = event_to_mapping(programme.event)
    if event:
        out["event"] = event
    if programme.roster_heading:
        out["roster_heading"] = programme.roster_heading
    out["roster"] = [_speaker(s, "name") for s in programme.roster]
    out["talks"] = [_talk(t) for t in programme.talks]
    return out


def _speaker(entry: SpeakerEntry, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {key: entry.name.text}
    if entry.institution is not None:
        out["institution"] = entry.institution.text
    return out


def _talk(talk: TalkEntry) -> dict[str, Any]:
    out = _speaker(talk.speaker, "speaker")
    out["title"] = talk.title.text
    if talk.abstract is not None:
        out["abstract"] = talk.abstract.text
    out["placeholder"] = talk.placeholder
    out["coauthors"] = [m.text for m in talk.coauthors]
    out["arxiv"] = [f"{ref.arxiv_id}{ref.version or ''}" for ref in talk.citations]
    return out


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so abstracts stay readable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dumps(programme: Programme, fmt: str) -> str:
    """The structured form as ``"yaml"`` or ``"json"`` text."""
    data = to_structured(programme)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def write_structured(programme: Programme, path: Path | str) -> None:
    """Write ``programme`` as YAML (``.yaml``/``.yml``) or JSON (``.json``)."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise ConfigError(
            f"cannot write a structured programme as {suffix or 'no suffix'!r}; "
            "use .yaml, .yml or .json"
        )
    fmt = "json" if suffix == ".json" else "yaml"
    Path(path).write_text(dumps(programme, fmt), encoding="utf-8")
