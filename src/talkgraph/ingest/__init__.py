"""Programme ingest: text pages and structured YAML/JSON files to the parsed model."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..model import EventInfo, Programme
from .document import read_text
from .event import load_event, merge_event
from .extract import find_arxiv_ids, find_coauthors
from .fetch import as_url, fetch_text
from .structured import (
    load_structured,
    parse_structured,
    to_structured,
    without_spans,
    write_structured,
)
from .text import parse_text

STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json")

__all__ = [
    "EventInfo",
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


def load_programme(path: Path | str, event: Path | str | None = None) -> Programme:
    """Parse a programme file (structured by suffix, text otherwise); ``source`` is its name.

    With ``event``, the sidecar's fields override what the programme says about the event.
    """
    url = as_url(path)
    if url is not None:  # a page on the web (ingest/fetch.py)
        text, name = fetch_text(url)
        programme = parse_text(text, name)
    elif Path(path).suffix.lower() in STRUCTURED_SUFFIXES:
        programme = load_structured(path)
    else:
        text, name = read_text(path)
        programme = parse_text(text, name)
    if event is not None:
        merged = merge_event(programme.event, load_event(event))
        programme = dataclasses.replace(programme, event=merged)
    return programme
