"""Spreadsheets with a header row: CSV, TSV and XLSX (``openpyxl``).

The header row is the first row (of the first ten) where at least a title column and a speaker
(or author) column are recognised by their usual names, case and punctuation aside: ``title``,
``talk title``, ``speaker``, ``presenter``, ``affiliation``, ``institution``, ``abstract``,
``date``, ``time``, ``start``, ``end``, ``duration``, ``room``, ``track``, ``session``, ``id``,
``authors``, ``co-authors`` … (see :data:`COLUMNS`).  Other columns are ignored.  A cell naming
several people ("A & B", "A; B", "A and B") gives several speakers; an institution cell split
the same way pairs with them.  Times without a zone stay without one (SHACL warns).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from ...errors import InputError, Place
from ...model import EventInfo, Programme
from ..text import clean
from .common import Collector, Slot, iso_date, named_people, parse_duration

# Usual column names, normalised (lower case, letters and digits, single spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": (
        "title",
        "talk title",
        "talk",
        "presentation title",
        "presentation",
        "paper title",
        "title of talk",
        "title of the talk",
        "seminar title",
        "lecture title",
        "topic",
    ),
    "speaker": (
        "speaker",
        "speakers",
        "presenter",
        "presenters",
        "speaker name",
        "speaker s",
        "name",
        "lecturer",
        "presenting author",
        "speaker names",
        "who",
    ),
    "authors": (
        "authors",
        "author",
        "author s",
        "co authors",
        "coauthors",
        "co author",
        "paper authors",
        "author list",
    ),
    "institution": (
        "affiliation",
        "affiliations",
        "institution",
        "institutions",
        "organisation",
        "organization",
        "university",
        "speaker affiliation",
        "company",
        "employer",
        "speaker institution",
    ),
    "abstract": ("abstract", "description", "summary", "talk abstract", "abstracts"),
    "date": ("date", "day", "talk date"),
    "time": ("time", "slot", "time slot", "timeslot"),
    "start": ("start", "start time", "starts", "begin", "from", "start date", "start datetime"),
    "end": ("end", "end time", "ends", "to", "until", "end date", "end datetime"),
    "duration": ("duration", "length", "minutes", "duration min"),
    "room": ("room", "location", "venue", "place", "hall", "lecture hall"),
    "track": ("track", "stream", "track name"),
    "session": ("session", "session name", "session title", "block"),
    "id": ("id", "talk id", "code", "submission id", "uid", "guid"),
}
_LOOKUP = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
_NULL = {"", "na", "n/a", "none", "null", "-", "—", "nan"}
_CLOCK = re.compile(
    r"^(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?$", re.IGNORECASE
)
_RANGE = re.compile(r"^(?P<a>.+?)\s*(?:-|–|—|to|until)\s*(?P<b>.+)$", re.IGNORECASE)
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%A, %d %B %Y",
    "%A %d %B %Y",
    "%A, %B %d, %Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
)


def _key(header: object) -> str | None:
    text = re.sub(r"[^0-9a-z]+", " ", str(header or "").casefold()).strip()
    return _LOOKUP.get(text)


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    text = str(value).strip()
    return None if text.casefold() in _NULL else text


def _clock(text: str) -> time | None:
    m = _CLOCK.match(text.strip())
    if m is None:
        return None
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    ampm = (m.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or (not m.group("m") and not ampm):
        return None
    return time(hour, minute)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    iso = iso_date(text)
    if iso:
        return date.fromisoformat(iso)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(clean(text), fmt).date()
        except ValueError:
            continue
    return None


def _moment(text: str | None, on: date | None) -> datetime | None:
    """A cell as a date-time: a full ISO date-time, or a clock time on ``on``."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if "T" in text or " " in text.strip():
            return moment
    except ValueError:
        pass
    clock = _clock(text)
    if clock is not None and on is not None:
        return datetime.combine(on, clock)
    return None


def _times(row: dict[str, str | None]) -> tuple[datetime | None, datetime | None]:
    on = _date(row.get("date")) or _date(row.get("start"))
    start = _moment(row.get("start"), on)
    end = _moment(row.get("end"), on)
    span = row.get("time")
    if start is None and span:
        m = _RANGE.match(span)
        if m and _clock(m.group("a")) is not None:
            start, end = _moment(m.group("a"), on), end or _moment(m.group("b"), on)
        else:
            start = _moment(span, on)
    if end is None and start is not None:
        duration = parse_duration(row.get("duration"))
        end = start + duration if duration is not None else None
    if start is not None and end is not None and end < start and end + timedelta(days=1) > start:
        end += timedelta(days=1)  # a slot across midnight
    return start, end


def _header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[int, str]] | None:
    for index, row in enumerate(rows[:10]):
        columns: dict[int, str] = {}
        for col, header in enumerate(row):
            key = _key(header)
            if key is not None and key not in columns.values():
                columns[col] = key
        found = set(columns.values())
        if "title" in found and found & {"speaker", "authors"}:
            return index, columns
    return None


def header_matches(first_line: str) -> bool:
    """Whether a text's first line is a spreadsheet header (for detection by content)."""
    for delimiter in ("\t", ",", ";"):
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            return False
        if len(cells) >= 2 and _header([cells]) is not None:
            return True
    return False


def parse_rows(rows: Sequence[Sequence[object]], source: str, fmt: str) -> Programme:
    """A :class:`Programme` from spreadsheet rows (the header row among them)."""
    found = _header(rows)
    if found is None:
        known = "title, talk title, speaker, presenter, authors, affiliation, date, time, room"
        raise InputError(
            f"no header row with a title column and a speaker column (usual names: {known}; "
            "see docs/data-model.md)",
            Place(source, 1),
        )
    header_index, columns = found
    collector = Collector(source, fmt)
    for index in range(header_index + 1, len(rows)):
        cells = rows[index]
        row = {key: _cell(cells[col]) if col < len(cells) else None for col, key in columns.items()}
        collector.add(_slot(row, index + 1))
    return collector.programme(EventInfo())


def _slot(row: dict[str, str | None], line: int) -> Slot:
    start, end = _times(row)
    speakers = named_people(row.get("speaker"), row.get("institution"))
    authors = named_people(row.get("authors"), None)
    if not speakers:
        speakers, authors = authors, []
    return Slot(
        title=clean(row.get("title") or ""),
        speakers=speakers,
        authors=authors,
        abstract=row.get("abstract"),
        start=start,
        end=end,
        room=row.get("room"),
        track=row.get("track"),
        session=row.get("session"),
        identifier=row.get("id"),
        where=f"row {line}",
        line=line,
    )


def parse_csv(text: str, source: str, delimiter: str | None = None) -> Programme:
    """CSV or TSV text (the delimiter is sniffed from the header line when not given)."""
    if delimiter is None:
        first = text.split("\n", 1)[0]
        delimiter = max(("\t", ",", ";"), key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"not valid CSV: {exc}", Place(source)) from None
    fmt = "TSV" if delimiter == "\t" else "CSV"
    return parse_rows(rows, source, fmt)


def parse_xlsx(data: bytes, source: str) -> Programme:
    """The first worksheet (with a header row) of an XLSX workbook."""
    import openpyxl  # only spreadsheets need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise InputError(f"not a readable XLSX workbook: {exc}", Place(source)) from None
    except Exception as exc:  # zipfile and XML errors of a damaged workbook
        raise InputError(f"not a readable XLSX workbook: {exc}", Place(source)) from None
    try:
        last: InputError | None = None
        for sheet in workbook.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            if _header(rows) is None:
                continue
            try:
                return parse_rows(rows, source, "XLSX")
            except InputError as exc:
                last = exc
        if last is not None:
            raise last
        return parse_rows([], source, "XLSX")
    finally:
        workbook.close()
