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


def _words(text: str) -> list[str]:
    return text.split()


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


# ------------------------------------------------------------- affiliations as pages write them

# Names pycountry does not know under the form pages use (ISO 3166-1 alpha-2).
_COUNTRY_ALIASES = {
    "uk": "GB",
    "u.k.": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "great britain": "GB",
    "us": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "russia": "RU",
    "turkey": "TR",
    "korea": "KR",
    "hong kong": "HK",
    "hong-kong": "HK",
    "the netherlands": "NL",
    "czechia": "CZ",
}
_ORG_WORDS = frozenset(
    _words(
        """
        university universität universitat université universite universidad universidade
        università universita universiteit univ uni institute institut instituto istituto
        college school lab labs laboratory laboratoire laboratorio laboratories research inc ltd
        llc gmbh corp corporation company center centre centro academy hospital foundation
        polytechnic politecnico polytechnique ecole école escuela scuola hochschule department
        dept faculty ministry council agency group technologies observatory observatoire museum
        clinic
        """
    )
)
_ACRONYM_TOKEN = re.compile(r"^(?:[A-Z][A-Z0-9&.-]*[A-Z0-9]|[A-Z]{2,}[a-z]+)$")  # MIT, I3S, UMich
_JOINERS = re.compile(r"\s*;\s*|\s+/\s+|\s+(?:and|&|und|et|e|y)\s+")


@dataclass(frozen=True)
class AffiliationPart:
    """One organisation named in an affiliation text, with a country the text appends to it."""

    name: str
    country: str | None = None  # ISO 3166-1 alpha-2, only when the text names the country


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country *name* (``Canada`` → ``CA``), else ``None``.

    Two-letter codes other than US/UK are not accepted (``CA`` after a US university is
    California, not Canada).
    """
    key = " ".join(text.strip().strip(".").split())
    if not key or any(ch.isdigit() for ch in key):
        return None
    alias = _COUNTRY_ALIASES.get(key.lower()) or _COUNTRY_ALIASES.get(key.lower() + ".")
    if alias:
        return alias
    if len(key) == 2:
        return None
    import pycountry  # lazily: its tables are large

    try:
        found = pycountry.countries.lookup(key)
    except LookupError:
        return None
    code: str = found.alpha_2
    return code


def looks_like_organisation(part: str, registry: Registry | None = None) -> bool:
    """Does ``part`` on its own name an organisation (a keyword, an acronym, a registry form)?"""
    if registry is not None and registry.lookup(part) is not None:
        return True
    toks = part.replace(",", " ").split()
    if any(fold(t).strip(".()") in _ORG_WORDS for t in toks):
        return True
    return any(_ACRONYM_TOKEN.match(t.strip("()")) for t in toks)


def _is_place(part: str) -> bool:
    """A bare place name after an organisation: one or two capitalised words, no keyword."""
    toks = part.split()
    return 1 <= len(toks) <= 2 and all(t[:1].isupper() and t[1:].islower() for t in toks)


def split_affiliation(text: str, registry: Registry | None = None) -> list[AffiliationPart]:
    """The organisations an affiliation text names, as the page writes them.

    ``University of Genova and MIT`` → two; ``CNRS, École Normale Supérieure`` → two;
    ``University of Toronto, Canada`` → one, with country ``CA``; ``LJAD, Nice`` → ``LJAD``
    (a bare town after an organisation is a place, not an organisation). A text that is
    one registry form (``University of California, San Diego``) stays whole. Nothing is
    invented: every name returned is a piece of ``text``.
    """
    whole = " ".join(text.split()).strip(" ,;")
    if not whole:
        return []
    if registry is not None and registry.lookup(whole) is not None:
        return [AffiliationPart(whole)]
    parts = [p.strip() for p in whole.split(",")]
    country: str | None = None
    if len(parts) > 1:
        code = country_code(parts[-1])
        if code is not None:
            country = code
            parts = parts[:-1]
    if registry is not None and registry.lookup(", ".join(parts)) is not None:
        return [AffiliationPart(", ".join(parts), country)]
    names: list[str] = []
    for k, part in enumerate(parts):
        if not part:
            continue
        if k and re.fullmatch(r"[A-Z]{2}", part):
            continue  # "Stanford University, CA": a state or province code
        if k and not looks_like_organisation(part, registry) and _is_place(part):
            continue  # "LJAD, Nice": the town
        if k and not looks_like_organisation(part, registry) and names:
            names[-1] = f"{names[-1]}, {part}"  # "University of X, Y campus": one name
            continue
        names.extend(_split_joined(part, registry))
    return [AffiliationPart(n, country) for n in names]


def _split_joined(part: str, registry: Registry | None) -> list[str]:
    """``X and Y`` / ``X & Y`` / ``X; Y`` as two organisations when each side is one."""
    if registry is not None and registry.lookup(part) is not None:
        return [part]
    pieces = [p.strip() for p in _JOINERS.split(part) if p.strip()]
    if len(pieces) > 1 and all(looks_like_organisation(p, registry) for p in pieces):
        return pieces
    return [part]
