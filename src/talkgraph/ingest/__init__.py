"""Programme ingest: text pages and structured YAML/JSON files to the parsed model."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..errors import InputError, Place
from ..model import EventInfo, Programme
from .document import decode_text, read_bytes
from .event import load_event, merge_event
from .extract import find_arxiv_ids, find_coauthors
from .fetch import as_url, fetch_text
from .importers import EXPORT_FORMATS, detect, load_export
from .structured import (
    load_structured,
    parse_structured,
    to_structured,
    without_spans,
    write_structured,
)
from .text import parse_text

STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json")
#: What ``fmt`` (``--format``) may force: programme text, the structured format, or an export.
FORMAT_NAMES = ("text", "structured", *EXPORT_FORMATS)

__all__ = [
    "EventInfo",
    "FORMAT_NAMES",
    "find_arxiv_ids",
    "find_coauthors",
    "load_event",
    "load_programme",
    "parse_structured",
    "parse_text",
    "to_structured",
    "without_spans",
    "write_structured",
]


def load_programme(
    path: Path | str, event: Path | str | None = None, fmt: str | None = None
) -> Programme:
    """Parse a programme file; ``source`` is its name.

    The format is ``fmt`` when given (one of :data:`FORMAT_NAMES`), else detected: a
    conference tool's export by its content, then by its suffix (see
    :mod:`talkgraph.ingest.importers`); else structured YAML/JSON by suffix; else text.
    With ``event``, the sidecar's fields override what the programme says about the event.
    """
    if fmt is not None and fmt not in FORMAT_NAMES:
        known = ", ".join(FORMAT_NAMES)
        raise InputError(f"unknown format {fmt!r} (known: {known})", Place(Path(path).name))
    url = as_url(path)
    if url is not None:  # a page or an export on the web (ingest/fetch.py)
        text, name = fetch_text(url)
        data = text.encode("utf-8")
    else:
        data, name = read_bytes(path)  # read once, whatever the format turns out to be
    found = fmt if fmt in EXPORT_FORMATS else None
    if fmt is None and data.strip():
        found = detect(data, name)
    if found is not None:
        return _with_event(load_export(data, name, found), event)
    structured = fmt == "structured" or (
        fmt is None and Path(path).suffix.lower() in STRUCTURED_SUFFIXES
    )
    if url is None and structured:
        programme = load_structured(path)
    else:
        programme = parse_text(decode_text(data, name), name)
    return _with_event(programme, event)


def _with_event(programme: Programme, event: Path | str | None) -> Programme:
    if event is not None:
        merged = merge_event(programme.event, load_event(event))
        programme = dataclasses.replace(programme, event=merged)
    return programme
