"""frab / pentabarf ``schedule.xml`` (frab, pretalx, FOSDEM, the C3VOC tools).

``<schedule>`` → ``<conference>`` (title, acronym, start, end, time_zone_name, venue, city) and
``<day date index start end>`` → ``<room name>`` → ``<event id guid>`` with ``date`` (ISO with
offset, newer exports), ``start`` and ``duration`` (``hh:mm``), ``room``, ``title``, ``track``,
``type``, ``abstract``, ``description`` and ``<persons><person id guid>Name</person>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta, tzinfo

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


def _text(element: ET.Element | None, tag: str) -> str | None:
    if element is None:
        return None
    child = element.find(tag)
    return child.text if child is not None and child.text is not None else None


def _start(event: ET.Element, day: ET.Element, tz: tzinfo | None) -> datetime | None:
    moment = parse_iso(_text(event, "date"), tz)
    if moment is not None:
        return moment
    clock = (_text(event, "start") or "").strip()
    try:
        at = time.fromisoformat(clock if len(clock) != 4 else "0" + clock)
        on = date.fromisoformat(day.get("date", "")[:10])
    except ValueError:
        return None
    day_start = parse_iso(day.get("start"))
    zone_ = tz or (day_start.tzinfo if day_start is not None else None)
    moment = datetime.combine(on, at, tzinfo=zone_)
    if day_start is not None and at < day_start.time():  # after midnight: the next date
        moment += timedelta(days=1)
    return moment


def parse_frab(data: bytes, source: str) -> Programme:
    """A :class:`Programme` from the bytes of a frab/pentabarf schedule XML."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise InputError(f"not well-formed schedule XML: {exc}", Place(source, line)) from None
    except ValueError as exc:
        raise InputError(f"not well-formed schedule XML: {exc}", Place(source, 1)) from None
    if root.tag != "schedule":
        raise InputError(
            f"not a frab/pentabarf schedule: the root element is <{root.tag}>, not <schedule>",
            Place(source, 1),
        )
    conference = root.find("conference")
    tz = zone(_text(conference, "time_zone_name"))
    collector = Collector(source, "frab schedule XML")
    for day in root.iter("day"):
        for room in day.findall("room"):
            for event in room.findall("event"):
                collector.add(_slot(event, day, room, tz))
    venue = ", ".join(v for v in (_text(conference, "venue"), _text(conference, "city")) if v)
    info = EventInfo(
        name=text_or_none(_text(conference, "title")),
        start_date=iso_date(_text(conference, "start")),
        end_date=iso_date(_text(conference, "end")),
        location=text_or_none(venue),
        url=text_or_none(_text(conference, "base_url")),
        identifier=text_or_none(_text(conference, "acronym")),
    )
    return collector.programme(info)


def _slot(event: ET.Element, day: ET.Element, room: ET.Element, tz: tzinfo | None) -> Slot:
    start = _start(event, day, tz)
    duration = parse_duration(_text(event, "duration"))
    persons = [
        Person(p.text or "", identifier=p.get("guid") or p.get("id"))
        for p in event.iter("person")
        if (p.text or "").strip()
    ]
    abstract = _text(event, "abstract")
    if not (abstract or "").strip():
        abstract = _text(event, "description")
    ident = event.get("guid") or event.get("id")
    return Slot(
        title=_text(event, "title") or "",
        speakers=persons,
        abstract=abstract,
        start=start,
        end=start + duration if start is not None and duration else None,
        room=_text(event, "room") or room.get("name"),
        track=_text(event, "track"),
        identifier=ident,
        where=f"event {ident}" if ident else f"room {room.get('name')}",
    )
