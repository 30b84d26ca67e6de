"""iCalendar (``.ics``): one talk per ``VEVENT`` (read with the ``icalendar`` package).

Calendars carry no speaker field, so the speaker is read from what seminar calendars write:

* labelled lines in ``DESCRIPTION``: ``Speaker: Name (Institution)``, ``Speakers: A; B``,
  ``Affiliation:``/``Institution:``, ``Title:``, ``Abstract:`` (the rest is the abstract);
* or the ``SUMMARY``: ``Title given by Name``, ``Title, by Name (Inst)``,
  ``Name (Institution): Title``, ``Title - Name [Institution]`` (the part that is a name with
  an institution in brackets), ``Seminar: Name - Title``.

A ``VEVENT`` where no speaker can be found is listed as skipped, never guessed.  Times keep
their time zone (``TZID`` or UTC); floating times get the calendar's ``X-WR-TIMEZONE``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import icalendar

from ...errors import InputError, Place
from ...model import EventInfo, Programme
from .. import classify as cl
from ..text import clean
from .common import Collector, Slot, iso_date, named_people, split_affiliation, zone

_LABEL = re.compile(
    r"^\s*(?P<label>speakers?|presenters?|presented\s+by|lecturer|talk\s+by|by|"
    r"affiliations?|institutions?|university|title|abstract|summary|track|session)\s*:\s*"
    r"(?P<value>.*)$",
    re.IGNORECASE,
)
_BY = re.compile(r"^(?P<title>.*?)[\s,;:–—-]*\b(?:given\s+by|presented\s+by|by)\s+(?P<who>[^,:]+)$")
_SPLIT = re.compile(r"\s*(?::|\s[-–—|]\s)\s*")


def _when(component: Any, key: str, tz: tzinfo | None) -> datetime | None:
    prop = component.get(key)
    if prop is None:
        return None
    value = prop.dt
    if isinstance(value, datetime):
        return value if value.tzinfo is not None or tz is None else value.replace(tzinfo=tz)
    return None  # an all-day entry has no time


def _speaker_like(text: str) -> bool:
    name, institution = split_affiliation(text)
    return cl.is_name_like(name) and not cl.is_placeholder(name) and bool(name)


def _from_description(text: str) -> tuple[dict[str, str], str]:
    """Labelled values (first of each label) and the rest of the description."""
    found: dict[str, str] = {}
    rest: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        m = _LABEL.match(line)
        if m is None:
            rest.append(line)
            continue
        label = m.group("label").lower().split()[0].rstrip("s")
        label = {"presenter": "speaker", "presented": "speaker", "lecturer": "speaker"}.get(
            label, label
        )
        label = {"talk": "speaker", "by": "speaker", "university": "institution"}.get(label, label)
        label = {"affiliation": "institution", "summary": "abstract"}.get(label, label)
        if label == "abstract":
            found.setdefault("abstract", "\n".join([m.group("value"), *lines[i + 1 :]]).strip())
            break
        found.setdefault(label, clean(m.group("value")))
    return found, "\n".join(rest).strip()


def _from_summary(summary: str) -> tuple[str, str | None]:
    """(title, speaker text or None) read from a SUMMARY line."""
    m = _BY.match(summary)
    if m and _speaker_like(m.group("who")):
        return m.group("title").strip(" ,;:–—-"), clean(m.group("who"))
    parts = _SPLIT.split(summary)
    for i, part in enumerate(parts if len(parts) >= 2 else []):
        _, inst = split_affiliation(part)
        if inst and _speaker_like(part):
            at = summary.find(part)
            after, before = summary[at + len(part) :], summary[:at]
            title = after if i < len(parts) - 1 else before
            return clean(title.strip(" ,;:–—|-")), part
    return summary, None


def parse_ical(data: bytes, source: str) -> Programme:
    """A :class:`Programme` from the bytes of an iCalendar file."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises several kinds of errors on broken input
        raise InputError(f"not a valid iCalendar file: {exc}", Place(source, 1)) from None
    tz = zone(str(calendar.get("X-WR-TIMEZONE") or "")) if calendar.get("X-WR-TIMEZONE") else None
    collector = Collector(source, "iCalendar")
    starts: list[date] = []
    for n, component in enumerate(calendar.walk("VEVENT"), 1):
        collector.add(_slot(component, tz, n))
        start = _when(component, "DTSTART", tz)
        if start is not None:
            starts.append(start.date())
    name = calendar.get("X-WR-CALNAME")
    info = EventInfo(
        name=clean(str(name)) if name else None,
        start_date=iso_date(min(starts).isoformat()) if starts else None,
        end_date=iso_date(max(starts).isoformat()) if starts else None,
    )
    return collector.programme(info)


def _slot(component: Any, tz: tzinfo | None, n: int) -> Slot:
    summary = clean(str(component.get("SUMMARY") or ""))
    description = str(component.get("DESCRIPTION") or "")
    labels, rest = _from_description(description)
    title, who = summary, None
    if "speaker" in labels:
        who = labels["speaker"]
        title = labels.get("title") or _without(summary, who)
    else:
        title, who = _from_summary(summary)
        if "title" in labels:
            title = labels["title"]
    start = _when(component, "DTSTART", tz)
    end = _when(component, "DTEND", tz)
    if end is None and start is not None and component.get("DURATION") is not None:
        duration = component.get("DURATION").dt
        end = start + duration if isinstance(duration, timedelta) else None
    categories = component.get("CATEGORIES")
    track = labels.get("track")
    if categories is not None and track is None:
        cats = categories if isinstance(categories, list) else [categories]
        names = [str(c) for cat in cats for c in getattr(cat, "cats", [cat])]
        track = names[0] if names else None
    abstract = labels.get("abstract") or (rest if "speaker" in labels else None)
    uid = component.get("UID")
    return Slot(
        title=title,
        speakers=named_people(who, labels.get("institution")),
        abstract=abstract,
        start=start,
        end=end,
        room=clean(str(component.get("LOCATION") or "")) or None,
        track=track,
        session=labels.get("session"),
        identifier=str(uid) if uid else None,
        where=f"VEVENT {n}",
    )


def _without(summary: str, speaker: str) -> str:
    """The SUMMARY with the speaker's name (and its bracket group, "by") taken out."""
    name, _ = split_affiliation(speaker)
    at = summary.find(name) if name else -1
    if at < 0:
        return summary
    after = re.sub(r"^\s*(?:\([^()]*\)|\[[^\[\]]*\])", "", summary[at + len(name) :])
    before = re.sub(r"\b(?:given\s+by|presented\s+by|by)\s*$", "", summary[:at].rstrip(" ,;:–—|-"))
    text = clean(f"{before.strip(' ,;:–—|-')} {after.strip(' ,;:–—|-')}")
    return text or summary
