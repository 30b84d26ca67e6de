"""Importers for the formats conference tools export, and the detection of a file's format.

* ``frab``: frab/pentabarf ``schedule.xml`` (frab, pretalx, FOSDEM) — a ``<schedule>`` root;
* ``c3voc``: the C3VOC ``schedule.json`` — ``{"schedule": {"conference": …}}``;
* ``indico``: Indico's ``/export/event/ID.json?detail=contributions`` —
  ``{"results": [{"contributions": …}]}``;
* ``ical``: iCalendar ``.ics`` — ``BEGIN:VCALENDAR``;
* ``csv``/``tsv``: a spreadsheet saved as text — a first line that is a header with a title
  and a speaker column, or the suffix ``.csv``/``.tsv``;
* ``xlsx``: an Excel workbook with a header row — a ZIP holding ``xl/``, or ``.xlsx``.

:func:`detect` looks at the content first and falls back to the file name's suffix; ``None``
means "not an export" (the caller reads it as a structured file or as programme text).
"""

from __future__ import annotations

import json
import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from ...errors import InputError, Place
from ...model import Programme
from ..document import decode_text
from .c3voc import is_c3voc, parse_c3voc
from .frab import parse_frab
from .ical import parse_ical
from .indico import is_indico, parse_indico
from .table import header_matches, parse_csv, parse_xlsx

#: Export formats, by the name ``--format`` takes.
EXPORT_FORMATS = ("frab", "c3voc", "indico", "ical", "csv", "tsv", "xlsx")
_SUFFIXES = {
    ".xml": "frab",
    ".ics": "ical",
    ".ical": "ical",
    ".ifb": "ical",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
}
_XML_SCHEDULE = re.compile(rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<schedule[\s>]", re.S)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


def detect(data: bytes, name: str) -> str | None:
    """The export format of a file's bytes (content first, then the suffix), or ``None``."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _XML_SCHEDULE.match(head):
        return "frab"
    if head.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        return "ical"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if any(n.startswith("xl/") for n in archive.namelist()):
                    return "xlsx"
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            pass
    if head.lstrip()[:1] == b"{":
        loaded = _json(data)
        if is_c3voc(loaded):
            return "c3voc"
        if is_indico(loaded):
            return "indico"
        return None  # a structured programme (or an unknown JSON shape, reported there)
    try:
        first = head.decode("utf-8", errors="replace").lstrip().split("\n", 1)[0].strip("\r")
    except UnicodeDecodeError:  # pragma: no cover - errors="replace" never raises
        first = ""
    if first and header_matches(first):
        return "tsv" if "\t" in first else "csv"
    return _SUFFIXES.get(Path(name).suffix.lower())


def load_export(data: bytes, name: str, fmt: str) -> Programme:
    """Parse ``data`` (the bytes of file ``name``) as the export format ``fmt``."""
    if fmt == "frab":
        return parse_frab(data, name)
    if fmt in ("c3voc", "indico"):
        try:
            loaded = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError("file is not valid UTF-8", Place(name, line)) from None
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", Place(name, exc.lineno)) from None
        return parse_c3voc(loaded, name) if fmt == "c3voc" else parse_indico(loaded, name)
    if fmt == "ical":
        return parse_ical(data, name)
    if fmt == "xlsx":
        return parse_xlsx(data, name)
    if fmt in ("csv", "tsv"):
        return parse_csv(decode_text(data, name), name, "\t" if fmt == "tsv" else None)
    known = ", ".join(EXPORT_FORMATS)
    raise InputError(f"unknown export format {fmt!r} (known: {known})", Place(name))


__all__ = ["EXPORT_FORMATS", "detect", "load_export"]
