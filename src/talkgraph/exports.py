"""The programme given back in the formats calendars and conference apps read.

Per event: an iCalendar feed (``.ics``), a frab/pentabarf ``schedule.xml`` and a C3VOC
``schedule.json`` (Giggity, ConfClerk, the C3VOC tools); per speaker: an iCalendar feed of their
talks.  Only talks with a start time can be placed in a schedule; the others are left out (a
programme page without times gives empty schedules, never invented times).  Each file is built
from the resolved model, deterministically (the same model and stamp give the same bytes), and
reads back through :mod:`talkgraph.ingest.importers` with every talk, speaker, time and room.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar

from . import __version__
from .iris import Minter
from .manifest import FileEntry
from .model import Event, KnowledgeModel, Talk
from .void import FileDistribution

ICS_MEDIA = "text/calendar; charset=utf-8"
XML_MEDIA = "application/xml"
JSON_MEDIA = "application/json"
SCHEDULE_PREFIX = "schedule-"  # release files: schedule-event-{key}.ics, schedule-person-{key}.ics


@dataclass(frozen=True)
class ScheduleFile:
    """One schedule file of a release: where it is written and served, and what it is."""

    name: str  # file name in the release, e.g. "schedule-event-ws.ics"
    url_path: str  # path under the base IRI it is served at, e.g. "event/ws/schedule.ics"
    data: bytes
    media_type: str
    kind: str  # "ical" | "frab" | "c3voc"
    about: str  # the event's or person's key
    title: str  # a human label for the VoID description

    def manifest_entry(self) -> FileEntry:
        """Its manifest entry (under ``schedules``): size, SHA-256, media type, URL path."""
        sha256 = hashlib.sha256(self.data).hexdigest()
        return FileEntry(len(self.data), sha256, self.media_type, self.url_path)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _timed(model: KnowledgeModel, keys: list[str]) -> list[Talk]:
    talks = [model.talks[k] for k in keys if _moment(model.talks[k].start) is not None]
    return sorted(talks, key=lambda t: (_sort_time(t), t.position))


def _sort_time(talk: Talk) -> str:
    moment = _moment(talk.start)
    assert moment is not None
    return (moment.astimezone(UTC) if moment.tzinfo else moment).isoformat()


def _who(model: KnowledgeModel, key: str, *, institution: bool) -> str:
    person = model.people[key]
    inst = model.institutions.get(person.affiliation or "") if institution else None
    return f"{person.name} ({inst.name})" if inst is not None else person.name


# ------------------------------------------------------------------------------ iCalendar


def ical(
    model: KnowledgeModel, talks: list[Talk], minter: Minter, name: str, stamp: datetime
) -> bytes:
    """An iCalendar feed of ``talks``: one VEVENT each, speakers and abstract in DESCRIPTION."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//talkgraph//talkgraph {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for talk in talks:
        start = _moment(talk.start)
        assert start is not None
        entry = icalendar.Event()
        entry.add("uid", str(minter.talk(talk.key)))
        entry.add("dtstamp", stamp)
        entry.add("dtstart", _utc(start))
        end = _moment(talk.end)
        if end is not None:
            entry.add("dtend", _utc(end))
        entry.add("summary", talk.title)
        speakers = "; ".join(_who(model, k, institution=True) for k in talk.speakers)
        lines = [f"Speakers: {speakers}", f"Title: {talk.title}"]
        if talk.coauthors:
            lines.append("Co-authors: " + "; ".join(model.people[k].name for k in talk.coauthors))
        if talk.abstract:
            lines.append(f"Abstract: {talk.abstract}")
        entry.add("description", "\n".join(lines))
        if talk.room:
            entry.add("location", talk.room)
        if talk.track:
            entry.add("categories", [talk.track])
        entry.add("url", str(minter.talk(talk.key)))
        calendar.add_component(entry)
    data: bytes = calendar.to_ical()
    return data


def _utc(moment: datetime) -> datetime:
    """Aware times in UTC (a bare UTC offset has no TZID calendars know); floating ones as is."""
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


# ------------------------------------------------------------------------------ frab XML


def _hhmm(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days(talks: list[Talk]) -> list[tuple[str, list[Talk]]]:
    by_day: dict[str, list[Talk]] = defaultdict(list)
    for talk in talks:
        start = _moment(talk.start)
        assert start is not None
        by_day[start.date().isoformat()].append(talk)
    return sorted(by_day.items())


def _span(talks: list[Talk]) -> tuple[datetime, datetime]:
    starts = [m for m in (_moment(t.start) for t in talks) if m is not None]
    ends = [_moment(t.end) or _moment(t.start) for t in talks]
    first = min(starts, key=_instant)
    last = max((e for e in ends if e is not None), key=_instant)
    return first, last


def _instant(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _guid(minter: Minter, talk: Talk) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, str(minter.talk(talk.key))))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def frab_xml(model: KnowledgeModel, event: Event, talks: list[Talk], minter: Minter) -> bytes:
    """A frab/pentabarf ``schedule.xml`` of ``talks`` (days by local date, rooms, events)."""
    root = ET.Element("schedule")
    _sub(root, "generator", name="talkgraph", version=__version__)
    _sub(root, "version", __version__)
    conference = _sub(root, "conference")
    _sub(conference, "acronym", event.key)
    _sub(conference, "title", event.info.name or event.key)
    days = _days(talks)
    first_day = event.info.start_date or (days[0][0] if days else None)
    last_day = event.info.end_date or (days[-1][0] if days else None)
    if first_day:
        _sub(conference, "start", first_day[:10])
    if last_day:
        _sub(conference, "end", last_day[:10])
    _sub(conference, "days", str(len(days)))
    _sub(conference, "timeslot_duration", "00:05")
    _sub(conference, "base_url", minter.base)
    for index, (day, on_day) in enumerate(days, 1):
        first, last = _span(on_day)
        element = _sub(root, "day", index=str(index), date=day)
        element.set("start", first.isoformat())
        element.set("end", last.isoformat())
        rooms: dict[str, list[Talk]] = defaultdict(list)
        for talk in on_day:
            rooms[talk.room or ""].append(talk)
        for room, in_room in rooms.items():
            room_element = _sub(element, "room", name=room)
            for talk in in_room:
                _frab_event(room_element, model, talk, minter)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    return data


def _frab_event(parent: ET.Element, model: KnowledgeModel, talk: Talk, minter: Minter) -> None:
    start = _moment(talk.start)
    assert start is not None
    end = _moment(talk.end)
    element = _sub(parent, "event", id=str(talk.position), guid=_guid(minter, talk))
    _sub(element, "date", start.isoformat())
    _sub(element, "start", start.strftime("%H:%M"))
    _sub(element, "duration", _hhmm(end - start) if end is not None else "00:00")
    _sub(element, "room", talk.room or "")
    _sub(element, "slug", talk.key)
    _sub(element, "url", str(minter.talk(talk.key)))
    _sub(element, "title", talk.title)
    _sub(element, "subtitle", "")
    _sub(element, "track", talk.track or "")
    _sub(element, "type", "lecture")
    _sub(element, "language", "")
    _sub(element, "abstract", talk.abstract or "")
    _sub(element, "description", "")
    persons = _sub(element, "persons")
    for key in talk.speakers:
        _sub(persons, "person", model.people[key].name)
    links = _sub(element, "links")
    _sub(links, "link", "talkgraph", href=str(minter.talk(talk.key)))


# ------------------------------------------------------------------------------ C3VOC JSON


def c3voc_json(model: KnowledgeModel, event: Event, talks: list[Talk], minter: Minter) -> bytes:
    """A C3VOC ``schedule.json`` of ``talks`` (valid against https://c3voc.de/schedule/schema.json)."""
    days = _days(talks)
    first_day = (event.info.start_date or (days[0][0] if days else "1970-01-01"))[:10]
    last_day = (event.info.end_date or (days[-1][0] if days else first_day))[:10]
    day_list: list[dict[str, Any]] = []
    for index, (day, on_day) in enumerate(days, 1):
        first, last = _span(on_day)
        rooms: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for talk in on_day:
            rooms[talk.room or ""].append(_c3voc_event(model, talk, minter))
        day_list.append(
            {
                "index": index,
                "date": day,
                "day_start": first.isoformat(),
                "day_end": last.isoformat(),
                "rooms": dict(rooms),
            }
        )
    document = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": "talkgraph", "version": __version__},
        "schedule": {
            "version": __version__,
            "base_url": minter.base,
            "conference": {
                "acronym": _acronym(event.key),
                "title": event.info.name or event.key,
                "start": first_day,
                "end": last_day,
                "daysCount": len(days),
                "timeslot_duration": "00:05",
                "url": str(minter.event(event.key)),
                "days": day_list,
            },
        },
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _acronym(key: str) -> str:
    """The event's slug as the schema's acronym pattern wants it (``_`` for ``-``, 4+ chars)."""
    return key.replace("-", "_").ljust(4, "_")


def _c3voc_event(model: KnowledgeModel, talk: Talk, minter: Minter) -> dict[str, Any]:
    start = _moment(talk.start)
    assert start is not None
    end = _moment(talk.end)
    out: dict[str, Any] = {
        "guid": _guid(minter, talk),
        "id": talk.position if talk.position >= 1 else 1,
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "duration": _hhmm(end - start) if end is not None else "00:00",
        "room": talk.room or "",
        "slug": talk.key,
        "url": str(minter.talk(talk.key)),
        "title": talk.title,
        "subtitle": None,
        "track": talk.track,
        "type": "lecture",
        "language": None,
        "abstract": talk.abstract,
        "persons": [{"name": model.people[k].name} for k in talk.speakers],
        "links": [],
    }
    if end is not None:
        out["end"] = end.isoformat()
    return out


# ------------------------------------------------------------------------------ all files


#: The specification each kind of schedule file follows (for dcterms:conformsTo).
SPECIFICATIONS = {
    "ical": "https://www.rfc-editor.org/rfc/rfc5545",
    "frab": "https://github.com/voc/schedule/tree/master/validator/xsd",
    "c3voc": "https://c3voc.de/schedule/schema.json",
}


def schedule_files(model: KnowledgeModel, minter: Minter, stamp: datetime) -> list[ScheduleFile]:
    """Every schedule file of a release: per event .ics/.xml/.json, per speaker .ics."""
    files: list[ScheduleFile] = []
    for event in model.events:
        talks = _timed(model, event.talks)
        name = event.info.name or event.key
        base = f"{SCHEDULE_PREFIX}event-{event.key}"
        url = f"event/{event.key}/schedule"
        files += [
            ScheduleFile(
                f"{base}.ics",
                f"{url}.ics",
                ical(model, talks, minter, name, stamp),
                ICS_MEDIA,
                "ical",
                event.key,
                f"{name}: iCalendar feed",
            ),
            ScheduleFile(
                f"{base}.xml",
                f"{url}.xml",
                frab_xml(model, event, talks, minter),
                XML_MEDIA,
                "frab",
                event.key,
                f"{name}: frab schedule XML",
            ),
            ScheduleFile(
                f"{base}.json",
                f"{url}.json",
                c3voc_json(model, event, talks, minter),
                JSON_MEDIA,
                "c3voc",
                event.key,
                f"{name}: C3VOC schedule JSON",
            ),
        ]
    by_person: dict[str, list[str]] = defaultdict(list)
    for talk in model.talks.values():
        for key in talk.speakers:
            by_person[key].append(talk.key)
    for key in sorted(by_person):
        talks = _timed(model, by_person[key])
        if not talks:
            continue
        person = model.people[key]
        data = ical(model, talks, minter, f"Talks by {person.name}", stamp)
        files.append(
            ScheduleFile(
                f"{SCHEDULE_PREFIX}person-{key}.ics",
                f"person/{key}/talks.ics",
                data,
                ICS_MEDIA,
                "ical",
                key,
                f"Talks by {person.name}: iCalendar feed",
            )
        )
    return files


def schedule_distribution(file: ScheduleFile, minter: Minter) -> FileDistribution:
    """The VoID/DCAT description of a schedule file."""
    kind = file.url_path.split("/", 1)[0]
    return FileDistribution(
        slug=f"schedule-{file.kind}-{kind}-{file.about}",
        url=f"{minter.base}{file.url_path}",
        media_type=file.media_type,
        byte_size=len(file.data),
        sha256=hashlib.sha256(file.data).hexdigest(),
        title=file.title,
        conforms_to=SPECIFICATIONS[file.kind],
    )


def write_schedules(
    release: Path, model: KnowledgeModel, minter: Minter, stamp: datetime
) -> dict[str, ScheduleFile]:
    """Write every schedule file into ``release`` (``schedule-…``); by name."""
    written: dict[str, ScheduleFile] = {}
    for file in schedule_files(model, minter, stamp):
        (release / file.name).write_bytes(file.data)
        written[file.name] = file
    return written
