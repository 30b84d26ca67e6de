"""The C3VOC schedule JSON (``schedule.json`` of frab, pretalx and the C3VOC tools).

``{"schedule": {"version", "conference": {"title", "acronym", "start", "end",
"time_zone_name", "days": [{"date", "rooms": {ROOM: [EVENT…]}}]}}}``; an event has ``guid``,
``id``, ``date`` (ISO with offset), ``start``, ``duration``, ``room``, ``title``, ``track``,
``type``, ``abstract``, ``description`` and ``persons`` (``public_name``/``name``, ``id``,
``guid``, ``code``).  See https://c3voc.de/schedule/schema.json.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from typing import Any

from ...errors import InputError, Place
from ...model import EventInfo, Programme
from .common import (
    Collector,
    Person,
    Slot,
    iso_date,
    parse_duration,
    parse_iso,
    text_or_none,
    zone,
)


def is_c3voc(data: Any) -> bool:
    """Whether loaded JSON has the shape of a C3VOC schedule."""
    schedule = data.get("schedule") if isinstance(data, dict) else None
    return isinstance(schedule, dict) and isinstance(schedule.get("conference"), dict)


def _person(data: Any) -> Person | None:
    if not isinstance(data, dict):
        return None
    name = text_or_none(data.get("public_name") or data.get("full_public_name") or data.get("name"))
    if name is None:
        return None
    ident = data.get("guid") or data.get("code") or data.get("id")
    return Person(name, text_or_none(data.get("affiliation")), text_or_none(ident))


def _start(event: dict[str, Any], day: dict[str, Any], tz: tzinfo | None) -> datetime | None:
    moment = parse_iso(text_or_none(event.get("date")), tz)
    if moment is not None:
        return moment
    try:
        at = time.fromisoformat(str(event.get("start", "")).strip())
        on = date.fromisoformat(str(day.get("date", ""))[:10])
    except ValueError:
        return None
    return datetime.combine(on, at, tzinfo=tz)


def parse_c3voc(data: Any, source: str) -> Programme:
    """A :class:`Programme` from a loaded C3VOC schedule JSON document."""
    if not is_c3voc(data):
        raise InputError(
            "not a C3VOC schedule: expected {'schedule': {'conference': …}}", Place(source, 1)
        )
    conference: dict[str, Any] = data["schedule"]["conference"]
    tz = zone(text_or_none(conference.get("time_zone_name")))
    collector = Collector(source, "C3VOC schedule JSON")
    days = conference.get("days")
    for d, day in enumerate(days if isinstance(days, list) else []):
        rooms = day.get("rooms") if isinstance(day, dict) else None
        if not isinstance(rooms, dict):
            raise InputError("a day has no 'rooms' object", Place(source, field=f"days[{d}]"))
        for room_name, events in rooms.items():
            for event in events if isinstance(events, list) else []:
                if isinstance(event, dict):
                    collector.add(_slot(event, day, room_name, tz))
    info = EventInfo(
        name=text_or_none(conference.get("title")),
        start_date=iso_date(text_or_none(conference.get("start"))),
        end_date=iso_date(text_or_none(conference.get("end"))),
        url=text_or_none(conference.get("url")),
        identifier=text_or_none(conference.get("acronym")),
    )
    return collector.programme(info)


def _slot(event: dict[str, Any], day: dict[str, Any], room: str, tz: tzinfo | None) -> Slot:
    start = _start(event, day, tz)
    duration = parse_duration(text_or_none(event.get("duration")))
    end = parse_iso(text_or_none(event.get("end")), tz)
    if end is None and start is not None and duration:  # "00:00": no duration given
        end = start + duration
    persons = [p for p in (_person(x) for x in event.get("persons") or []) if p is not None]
    abstract = text_or_none(event.get("abstract")) and str(event.get("abstract"))
    if not abstract:
        abstract = text_or_none(event.get("description")) and str(event.get("description"))
    ident = text_or_none(event.get("guid")) or text_or_none(event.get("id"))
    track = event.get("track")
    if isinstance(track, dict):
        track = track.get("name")
    return Slot(
        title=text_or_none(event.get("title")) or "",
        speakers=persons,
        abstract=abstract or None,
        start=start,
        end=end,
        room=text_or_none(event.get("room")) or room,
        track=text_or_none(track),
        identifier=ident,
        where=f"event {ident}" if ident else f"room {room}",
    )
