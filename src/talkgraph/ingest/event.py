"""The event sidecar: what a programme page does not say about the event itself."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..model import EventInfo
from .document import Marks, PathKey, load_document, raise_at, validate

EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(EventInfo))


def _parse_date(value: str) -> date:
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value).date()


def _clean(value: str) -> str:
    return " ".join(value.replace("\u00a0", " ").split())


def event_from_mapping(
    data: Mapping[str, Any], name: str, marks: Marks | None = None, prefix: PathKey = ()
) -> EventInfo:
    """An :class:`EventInfo` from a mapping already checked against the ``event`` schema."""
    marks = marks or {}
    values: dict[str, Any] = {}
    for key in EVENT_FIELDS:
        value = data.get(key)
        if value is None:
            continue
        if key == "organisers":
            values[key] = tuple(_clean(str(v)) for v in value)
        elif key == "description":
            values[key] = str(value).strip()
        else:
            values[key] = _clean(str(value))
    days: dict[str, date] = {}
    for key in ("start_date", "end_date"):
        if key in values:
            try:
                days[key] = _parse_date(values[key])
            except ValueError:
                raise_at(name, marks, (*prefix, key), f"not a valid ISO 8601 date: {values[key]!r}")
    if len(days) == 2 and days["end_date"] < days["start_date"]:
        raise_at(name, marks, (*prefix, "end_date"), "end_date is before start_date")
    return EventInfo(**values)


def event_to_mapping(info: EventInfo) -> dict[str, Any]:
    """The fields of ``info`` that are set, in the sidecar's field order."""
    out: dict[str, Any] = {}
    for key in EVENT_FIELDS:
        value = getattr(info, key)
        if key == "organisers":
            if value:
                out[key] = list(value)
        elif value is not None:
            out[key] = value
    return out


def load_event(path: Path | str) -> EventInfo:
    """Read and validate an event sidecar (YAML, or JSON by the ``.json`` suffix)."""
    data, marks, name = load_document(path)
    validate(data, "event", name, marks)
    return event_from_mapping(data, name, marks)


def merge_event(base: EventInfo, override: EventInfo) -> EventInfo:
    """``base`` with every field that ``override`` sets replaced."""
    changes = {k: v for k, v in dataclasses.asdict(override).items() if v not in (None, ())}
    if "organisers" in changes:
        changes["organisers"] = tuple(changes["organisers"])
    return dataclasses.replace(base, **changes)
