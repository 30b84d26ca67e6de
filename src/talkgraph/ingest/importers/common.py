"""What every importer of a conference tool's export shares.

A :class:`Collector` gathers talks and what was left out (breaks, empty slots, entries without a
speaker) with the place it was found; helpers split "Name (Institution)" and lists of people,
read durations and times, and strip the HTML some tools put into abstracts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...errors import InputError, Place
from ...model import EventInfo, Mention, Programme, Span, SpeakerEntry, TalkEntry
from .. import classify as cl
from ..extract import arxiv_refs, coauthor_mentions
from ..text import clean

_PRONOUNS = re.compile(r"^(?:she|he|they|ze|xe|any)(?:\s*/\s*\w+)+$", re.IGNORECASE)
_HANDLE = re.compile(r"^[a-z0-9_.\-]+$")  # "Martin Haase (maha)": a nickname, not an institution
_PEOPLE_SEPARATORS = re.compile(r"\s*;\s*|\s+&\s+|\s+and\s+|\s*\n\s*", re.IGNORECASE)

# Slots of a schedule that are not talks (matched on the whole title, case-folded).
_BREAK = re.compile(
    r"^(?:(?:morning|afternoon|short|long)\s+)?(?:coffee(?:\s+break)?|tea(?:\s+break)?|break|"
    r"lunch(?:\s+break)?|dinner|breakfast|reception|welcome\s+reception|registration|"
    r"conference\s+dinner|banquet|social\s+(?:event|dinner)|excursion|free\s+time|"
    r"poster\s+session|no\s+(?:seminar|talk|meeting)|(?:empty|free)\s+slot|pause|"
    r"mittagspause|kaffeepause)(?:\s*(?:&|and|/)\s*\w+(?:\s+\w+)?)?[\s.!:]*$",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^>]+>")
_BLOCK_TAGS = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6])\b[^>]*>", re.IGNORECASE)


def is_break(title: str) -> bool:
    """A coffee break, a lunch, a reception, an empty slot: a slot that is not a talk."""
    return bool(_BREAK.match(clean(title)))


def split_affiliation(text: str) -> tuple[str, str | None]:
    """``"Jane Doe (MIT)"`` → ``("Jane Doe", "MIT")``; ``"Jane Doe [MIT]"`` likewise.

    A nickname inside the name ("Firstname (Nick) Lastname") is not at the end and stays; a
    pronoun group or a lower-case handle at the end is dropped, not taken as an institution.
    """
    value = clean(text)
    opened = _trailing_group(value)
    if opened is None:
        return value, None
    inside = clean(value[opened + 1 : -1])
    name = value[:opened].rstrip(" ,;-–—")
    if not name:
        return value, None
    if not inside or _PRONOUNS.match(inside) or _HANDLE.match(inside):
        return name, None
    return name, inside


def _trailing_group(value: str) -> int | None:
    """Where the bracket group that ends ``value`` opens (nested groups allowed), or ``None``."""
    pairs = {")": "(", "]": "["}
    if not value or value[-1] not in pairs:
        return None
    close, depth = value[-1], 0
    for i in range(len(value) - 1, -1, -1):
        if value[i] == close:
            depth += 1
        elif value[i] == pairs[close]:
            depth -= 1
            if depth == 0:
                return i
    return None


def split_people(text: str) -> list[str]:
    """``"A & B"``, ``"A and B"``, ``"A; B"``, ``"A, B, C"`` → the names; one name stays one.

    Commas separate people only when every part is a full name (two words or more), so
    "Doe, Jane" stays one person (see :func:`unflip`).
    """
    parts = [p for p in (clean(x) for x in _PEOPLE_SEPARATORS.split(text)) if p]
    out: list[str] = []
    for part in parts:
        pieces = [clean(x) for x in _split_outside_brackets(part, ",")]
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            out.extend(pieces)
        else:
            out.append(part)
    return out


def named_people(names: str | None, institutions: str | None = None) -> list[Person]:
    """The people named in ``names`` (see :func:`split_people`); ``institutions`` is everyone's
    institution, or one per person when it lists as many as there are people."""
    if not names:
        return []
    found = split_people(names)
    if institutions and len(found) > 1:
        each = split_people(institutions)
        if len(each) == len(found):
            return [Person(n, i) for n, i in zip(found, each, strict=True)]
    return [Person(n, institutions) for n in found]


def _split_outside_brackets(text: str, sep: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if ch == sep and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def unflip(name: str) -> str:
    """``"Couprie, Marie-Emmanuelle"`` → ``"Marie-Emmanuelle Couprie"`` (one comma only)."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    return clean(name)


def plain_text(value: str | None) -> str:
    """Text with HTML tags removed and entities decoded (some tools export HTML abstracts)."""
    if not value:
        return ""
    text = value
    if "<" in text and ">" in text:
        text = _BLOCK_TAGS.sub("\n", text)
        text = _TAGS.sub("", text)
    text = html.unescape(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [clean(line) for line in text.split("\n")]
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def parse_duration(value: str | None) -> timedelta | None:
    """``"00:30"``, ``"1:15:00"``, ``"45"`` (minutes) → a duration; ``None`` when unreadable."""
    if value is None:
        return None
    text = str(value).strip()
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if m:
        days, hours, minutes, seconds = (int(g) if g else 0 for g in m.groups())
        if m.group(4) is None and m.group(1) is not None:  # "d:hh:mm" is not a format; hh:mm:ss
            return timedelta(hours=days, minutes=hours, seconds=minutes)
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if re.fullmatch(r"\d+", text):
        return timedelta(minutes=int(text))
    return None


def zone(name: str | None) -> tzinfo | None:
    """The IANA time zone called ``name`` (``Europe/Berlin``), or ``None``."""
    if not name or not str(name).strip():
        return None
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def iso(moment: datetime) -> str:
    """ISO 8601 to the second, with the UTC offset when the time is aware."""
    return moment.replace(microsecond=0).isoformat()


def parse_iso(value: str | None, tz: tzinfo | None = None) -> datetime | None:
    """An ISO 8601 date-time (``Z`` allowed); a naive one is placed in ``tz`` when given."""
    if not value:
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None and tz is not None:
        moment = moment.replace(tzinfo=tz)
    return moment


def iso_date(value: str | None) -> str | None:
    """The date part of an ISO date or date-time, or ``None``."""
    if not value:
        return None
    text = str(value).strip()[:10]
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def text_or_none(value: object) -> str | None:
    """A cleaned one-line string, or ``None`` for missing, empty and ``null``-like values."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = clean(str(value))
    return text or None


@dataclass
class Person:
    """A person as an export gives them."""

    name: str
    institution: str | None = None
    identifier: str | None = None


@dataclass
class Slot:
    """One entry of a schedule, before it is judged a talk or not."""

    title: str
    speakers: list[Person] = field(default_factory=list)
    authors: list[Person] = field(default_factory=list)  # paper authors who do not speak
    abstract: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    room: str | None = None
    track: str | None = None
    session: str | None = None
    identifier: str | None = None
    where: str = ""  # how to find it in the file: "line 12", "event 6561"
    line: int | None = None


class Collector:
    """Turns :class:`Slot` values into talks, and records the slots that are not talks."""

    def __init__(self, source: str, fmt: str) -> None:
        self.source = source
        self.fmt = fmt
        self.talks: list[TalkEntry] = []
        self.skipped: list[str] = []

    def skip(self, slot: Slot, reason: str) -> None:
        title = f" {slot.title!r}" if slot.title else ""
        place = f"{self.source}:{slot.line}" if slot.line else f"{self.source} ({slot.where})"
        self.skipped.append(f"{place}: skipped{title}: {reason}")

    def add(self, slot: Slot) -> None:
        title = clean(slot.title)
        if not title and not slot.speakers:
            return  # an empty slot says nothing
        if is_break(title):
            self.skip(slot, "a break or social slot, not a talk")
            return
        speakers = [p for p in slot.speakers if clean(p.name)]
        if not speakers:
            self.skip(slot, "no speaker given")
            return
        if not title:  # a slot naming only its speaker: talkgraph invents no title
            self.skip(slot, f"no title given (speaker {speakers[0].name!r})")
            return
        span = Span(self.source, slot.line) if slot.line else None
        abstract_text = plain_text(slot.abstract)
        abstract = Mention(abstract_text, span) if abstract_text else None

        def locate(_s: int, _e: int) -> Span | None:
            return span

        first, *rest = (self.entry(p, span) for p in speakers)
        spoken = {first.name.text.casefold(), *(r.name.text.casefold() for r in rest)}
        authors = tuple(
            self.entry(p, span) for p in slot.authors if clean(p.name).casefold() not in spoken
        )
        self.talks.append(
            TalkEntry(
                speaker=first,
                title=Mention(title, span),
                abstract=abstract,
                placeholder=cl.is_placeholder(title) or cl.is_placeholder(abstract_text),
                coauthors=coauthor_mentions(abstract_text, locate) if abstract_text else (),
                citations=arxiv_refs(abstract_text, locate) if abstract_text else (),
                more_speakers=tuple(rest),
                authors=authors,
                start=iso(slot.start) if slot.start else None,
                end=iso(slot.end) if slot.end else None,
                room=text_or_none(slot.room),
                track=text_or_none(slot.track),
                session=text_or_none(slot.session),
                identifier=text_or_none(slot.identifier),
            )
        )

    @staticmethod
    def entry(person: Person, span: Span | None) -> SpeakerEntry:
        name, inside = split_affiliation(person.name)
        institution = person.institution or inside
        return SpeakerEntry(
            name=Mention(name, span),
            institution=(
                Mention(clean(institution), span) if institution and clean(institution) else None
            ),
            identifier=text_or_none(person.identifier),
        )

    def programme(self, event: EventInfo) -> Programme:
        if not self.talks:
            seen = f"; left out: {'; '.join(self.skipped[:3])}" if self.skipped else ""
            raise InputError(
                f"this {self.fmt} file has no talks (an entry needs a title and a speaker){seen}",
                Place(self.source),
            )
        return Programme(
            self.source, talks=tuple(self.talks), event=event, notes=tuple(self.skipped)
        )


def people(names: Sequence[str], institution: str | None = None) -> list[Person]:
    """Persons for ``names``; a shared institution applies to each."""
    return [Person(n, institution) for n in names if clean(n)]
