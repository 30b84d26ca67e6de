"""The curated institution registry: short and variant forms → one canonical institution.

The registry is a YAML file (``data/institutions.yaml``) with one list, ``institutions``; each
entry has a canonical ``name``, a ``kind``, an ISO 3166-1 alpha-2 ``country`` and ``alternates``
(the forms programmes use).  ``ror``, ``wikidata`` and ``url`` are optional and recorded only when
certain.  Forms are matched by :func:`match_key`, so ``ETH Zurich`` and ``ETH Zürich`` are one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import InputError, Place
from .iris import fold
from .resources import data_file

KINDS = ("university", "company", "institute", "organization")

DEFAULT_PATH = data_file("institutions.yaml")

_FIELDS = {"name", "kind", "country", "alternates", "ror", "wikidata", "url"}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ROR = re.compile(r"^https://ror\.org/0[a-z0-9]{8}$")
_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")
_URL = re.compile(r"^https?://\S+$")


def match_key(text: str) -> str:
    """The form two institution names share when they name the same thing.

    ASCII-folded, lower-cased, punctuation and whitespace collapsed to single spaces, a leading
    ``the`` dropped: ``The ETH Zürich`` → ``eth zurich``.
    """
    key = " ".join(_NON_ALNUM.sub(" ", fold(text)).split())
    if key.startswith("the "):
        key = key[4:]
    return key


@dataclass(frozen=True)
class RegistryEntry:
    """One canonical institution."""

    name: str
    kind: str
    country: str | None = None
    alternates: tuple[str, ...] = ()
    ror: str | None = None
    wikidata: str | None = None  # a Q-number, e.g. ``Q42``
    url: str | None = None

    @property
    def forms(self) -> tuple[str, ...]:
        """The canonical name followed by every alternate form."""
        return (self.name, *self.alternates)


class Registry:
    """A set of :class:`RegistryEntry` with lookup by any of their forms."""

    def __init__(self, entries: Sequence[RegistryEntry], source: str = "<registry>") -> None:
        self.entries: tuple[RegistryEntry, ...] = tuple(entries)
        self.source = source
        self._index: dict[str, RegistryEntry] = {}
        for entry in self.entries:
            for form in entry.forms:
                key = match_key(form)
                other = self._index.get(key)
                if other is not None and other is not entry:
                    raise InputError(
                        f"form {form!r} of {entry.name!r} is already a form of {other.name!r}",
                        Place(source, field=entry.name),
                    )
                self._index[key] = entry

    @classmethod
    def load(cls, path: str | Path | None = None) -> Registry:
        """Read a registry file (default: the project's ``data/institutions.yaml``)."""
        file = Path(path) if path is not None else DEFAULT_PATH
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read institution registry: {exc}", Place(str(file))) from exc
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise InputError(f"invalid YAML: {exc}", Place(str(file), line)) from exc
        if not isinstance(data, Mapping) or not isinstance(data.get("institutions"), list):
            raise InputError("expected a mapping with a list 'institutions'", Place(str(file)))
        entries = [_parse_entry(raw, str(file), n) for n, raw in enumerate(data["institutions"], 1)]
        return cls(entries, str(file))

    def lookup(self, raw: str) -> RegistryEntry | None:
        """The entry one of whose forms matches ``raw``, or ``None``."""
        return self._index.get(match_key(raw))

    def __len__(self) -> int:
        return len(self.entries)


def _parse_entry(raw: object, file: str, number: int) -> RegistryEntry:
    label = f"entry {number}"

    def fail(message: str) -> InputError:
        return InputError(f"{label}: {message}", Place(file, field=label))

    if not isinstance(raw, Mapping):
        raise fail("expected a mapping")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("'name' must be a non-empty string")
    label = f"entry {number} ({name})"
    unknown = sorted(set(map(str, raw)) - _FIELDS)
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise fail(f"'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    alternates = raw.get("alternates", [])
    if not isinstance(alternates, list) or not all(
        isinstance(a, str) and a.strip() for a in alternates
    ):
        raise fail("'alternates' must be a list of non-empty strings")
    checks = {"country": _COUNTRY, "ror": _ROR, "wikidata": _WIKIDATA, "url": _URL}
    optional: dict[str, str | None] = {}
    for field_name, pattern in checks.items():
        value = raw.get(field_name)
        if value is not None and (not isinstance(value, str) or not pattern.match(value)):
            raise fail(f"'{field_name}' is malformed: {value!r}")
        optional[field_name] = value
    return RegistryEntry(
        name=" ".join(name.split()),
        kind=str(kind),
        country=optional["country"],
        alternates=tuple(" ".join(a.split()) for a in alternates),
        ror=optional["ror"],
        wikidata=optional["wikidata"],
        url=optional["url"],
    )
