"""Indico's event export (``/export/event/ID.json?detail=contributions`` or ``detail=sessions``).

``{"results": [{"_type": "Conference", "title", "startDate": {"date", "time", "tz"}, "endDate",
"location", "room", "url", "timezone", "contributions": [...], "sessions": [{"contributions":
[...]}]}]}``.  A contribution has ``title``, ``description``, ``startDate``/``endDate``,
``room``/``roomFullname``, ``track``, ``session``, ``id`` and three lists of people:
``speakers``, ``primaryauthors`` and ``coauthors`` (``first_name``, ``last_name``,
``fullName`` as "Last, First", ``affiliation``, ``id``/``person_id``).  Speakers are the
``speakers``; when a contribution names none, its primary authors are taken as its speakers
(many events record the presenter only as primary author).  Other authors are paper authors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...errors import InputError, Place
from ...model import EventInfo, Programme
from .common import Collector, Person, Slot, iso_date, parse_iso, text_or_none, unflip, zone


def is_indico(data: Any) -> bool:
    """Whether loaded JSON has the shape of an Indico HTTP API event export."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        return False
    return any(
        isinstance(r, dict) and ("contributions" in r or r.get("_type") == "Conference")
        for r in data["results"]
    )


def _moment(value: Any, fallback_tz: str | None) -> datetime | None:
    if not isinstance(value, dict) or not value.get("date"):
        return None
    clock = str(value.get("time") or "00:00:00")
    return parse_iso(f"{value['date']}T{clock}", zone(value.get("tz") or fallback_tz))


def _person(data: Any) -> Person | None:
    if not isinstance(data, dict):
        return None
    first = text_or_none(data.get("first_name") or data.get("firstName"))
    last = text_or_none(data.get("last_name") or data.get("familyName"))
    if first or last:
        name = " ".join(x for x in (first, last) if x)
    else:
        full = text_or_none(data.get("fullName") or data.get("name"))
        if full is None:
            return None
        name = unflip(full)
    ident = data.get("person_id") or data.get("id")
    return Person(name, text_or_none(data.get("affiliation")), text_or_none(ident))


def _people(value: Any) -> list[Person]:
    found = [_person(x) for x in value] if isinstance(value, list) else []
    return [p for p in found if p is not None]


def _contributions(result: dict[str, Any]) -> list[tuple[dict[str, Any], str | None]]:
    out: list[tuple[dict[str, Any], str | None]] = []
    for c in result.get("contributions") or []:
        if isinstance(c, dict):
            out.append((c, None))
    for session in result.get("sessions") or []:
        if not isinstance(session, dict):
            continue
        title = text_or_none(session.get("title"))
        inner = session.get("session")
        if title is None and isinstance(inner, dict):
            title = text_or_none(inner.get("title"))
        for c in session.get("contributions") or []:
            if isinstance(c, dict):
                out.append((c, title))
    return sorted(out, key=lambda pair: _sort_key(pair[0]))


def _sort_key(contribution: dict[str, Any]) -> str:
    start = contribution.get("startDate")
    if isinstance(start, dict):
        return f"{start.get('date', '')}T{start.get('time', '')}"
    return ""


def parse_indico(data: Any, source: str) -> Programme:
    """A :class:`Programme` from a loaded Indico event export."""
    if not is_indico(data):
        raise InputError(
            "not an Indico event export: expected {'results': [{'contributions': …}]}",
            Place(source, 1),
        )
    results = [r for r in data["results"] if isinstance(r, dict)]
    event = results[0]
    tz = text_or_none(event.get("timezone"))
    collector = Collector(source, "Indico export")
    for result in results:
        for n, (contribution, session) in enumerate(_contributions(result)):
            collector.add(_slot(contribution, session, tz, n))
    start, end = _moment(event.get("startDate"), tz), _moment(event.get("endDate"), tz)
    where = [text_or_none(event.get(k)) for k in ("room", "location")]
    info = EventInfo(
        name=text_or_none(event.get("title")),
        start_date=iso_date(start.isoformat()) if start else None,
        end_date=iso_date(end.isoformat()) if end else None,
        location=", ".join(w for w in where if w) or None,
        url=text_or_none(event.get("url")),
    )
    return collector.programme(info)


def _slot(c: dict[str, Any], session: str | None, tz: str | None, n: int) -> Slot:
    speakers = _people(c.get("speakers"))
    primary = _people(c.get("primaryauthors"))
    authors = primary + _people(c.get("coauthors"))
    if not speakers:
        speakers = primary
    track = c.get("track")
    if isinstance(track, dict):
        track = track.get("title") or track.get("name")
    sess = c.get("session")
    if isinstance(sess, dict):
        sess = sess.get("title")
    ident = text_or_none(c.get("friendly_id")) or text_or_none(c.get("id"))
    return Slot(
        title=text_or_none(c.get("title")) or "",
        speakers=speakers,
        authors=authors,
        abstract=str(c.get("description") or "") or None,
        start=_moment(c.get("startDate"), tz),
        end=_moment(c.get("endDate"), tz),
        room=text_or_none(c.get("roomFullname")) or text_or_none(c.get("room")),
        track=text_or_none(track),
        session=text_or_none(sess) or session,
        identifier=ident,
        where=f"contribution {ident}" if ident else f"contribution #{n + 1}",
    )
