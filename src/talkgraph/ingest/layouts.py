"""Talks recognised in a page's blocks by what their lines contain, not by one fixed order.

Several recognisers read the same blocks (:mod:`talkgraph.ingest.blocks`), each for one family
of layouts seen on real programme pages:

* **rows** -- tables (HTML, Markdown, TAB-separated copies): columns found from the header row
  (``Date | Speaker | Title``, ``Time | Agenda item | Speaker``) or from what the cells hold; a
  weekday grid (``| 9:00 | Name | Name: Title |``) is read cell by cell;
* **entries** -- one line per talk: ``Name: Title``, ``**Name** (Institution), *Title*``,
  ``[[Name]], _Title_ (slides)``, ``"Title" by Name``, ``08:45 - 09:30 Title Name, Institution``;
* **heads** -- a line that is only ``[time] Name [(Institution)]`` followed by a title line
  (bold, a ``Title:`` label or the next short line), then the abstract, then ``Bio:``;
* **labels** -- ``Speaker(s): …`` / ``Title: …`` / ``Abstract: …`` / ``Bio …`` fields.

Breaks, receptions and empty slots are not talks; section headings ("Plenary Talks",
"Day 1", "Monday, June 24") are never people; link texts (``[slides]``, ``(Video)``) never
end up in titles; bio paragraphs go to the speaker, not into the abstract. The recognisers'
talks are merged best-first (:func:`recognise`); what no recogniser used and what looked like a
talk but was refused is reported with its line number (:class:`Note`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..iris import fold
from ..registry import looks_like_organisation
from . import classify as cl
from .blocks import Block, Cell


def _words(text: str) -> list[str]:
    return text.split()


# ------------------------------------------------------------------ vocabulary

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DAYS = (
    "mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|"
    "sat(?:urday)?|sun(?:day)?"
)
_CLOCK = r"\d{1,2}(?:[:.h]\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*(?:[A-Z]{2,4}T|UTC|GMT|CE[S]?T))?"
_CLOCK_STRICT = r"(?:\d{1,2}[:.]\d{2}|\d{1,2}h\d{0,2}|\d{1,2}\s*[ap]\.?m\.?)"
_DATE = (
    rf"(?:(?:{_DAYS})\.?,?\s+)?(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|"
    rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?)"
)
_RANGE = rf"{_CLOCK_STRICT}(?:\s*(?:[ap]\.?m\.?))?(?:\s*(?:-{{1,2}}|–|—|to|until)\s*(?:{_CLOCK})?)?"
_HHMM = r"(?:[01]\d|2[0-3])[0-5]\d"  # 24-hour "1430", only in a range ("1430-1530")
_RANGE4 = rf"{_HHMM}\s*(?:-{{1,2}}|–|—)\s*{_HHMM}"
STAMP_RE = re.compile(
    rf"^\s*(?:(?:{_DATE})(?:\s*,?\s*(?:at\s+)?{_RANGE})?|{_RANGE4}|{_RANGE}|(?:{_DAYS})\b\.?)"
    rf"(?:\s*(?:[A-Z]{{2,4}}T|UTC|GMT))?\s*(?:[:|–—-]\s*|\s+|$)",
    re.IGNORECASE,
)
_BREAK_WORDS = frozenset(
    _words(
        """
        coffee tea lunch break breaks breakfast dinner reception banquet registration welcome
        opening closing remarks wrap wrap-up social excursion excursions bbq barbecue poster
        posters discussion discussions panel roundtable holiday holidays thanksgiving recess
        vacation cancelled canceled postponed arrival departure free snacks drinks refreshments
        """
    )
)
_BREAK_PHRASES = re.compile(
    r"\b(?:coffee|lunch|tea|short|long)\s+break\b|\bround[- ]?table\b|\bpanel\s+discussion\b|"
    r"\bposter\s+session\b|\bno\s+(?:seminar|talk|meeting)s?\b|\b(?:spring|summer|winter|fall|"
    r"autumn|easter|christmas|mid-?term|reading)\s+break\b|\bthanksgiving\b|\bclosing\s+remarks\b|"
    r"\bopening\s+remarks\b|\bwrap[- ]?up\b|\bsocial\s+(?:dinner|event)\b|\bconference\s+dinner\b|"
    r"\btool\s+installation\b|\bcontributed\s+talks\b|\bfree\s+(?:period|time|afternoon)\b|"
    r"\bopen\s+discussions?\b|\bgroup\s+photo\b",
    re.IGNORECASE,
)
_SECTION_WORDS = frozenset(
    _words(
        """
        talks talk keynote keynotes plenary plenaries invited contributed speakers speaker
        lectures lecture tutorials tutorial sessions session schedule program programme
        abstracts abstract titles title day days week weeks morning afternoon evening posters
        poster organizers organisers committee scientific sponsors location venue overview
        agenda details information and of the for in on with detailed full preliminary tentative
        final conference workshop seminar seminars series past previous upcoming list accepted
        papers oral orals spotlight spotlights memorial lecture mini-course course courses
        minicourse short long special guest featured confirmed our all other more see also
        general student students young researchers panel panels invited contributions
        contribution presentations presentation
        """
    )
)
_LINK_WORDS = (
    r"slides?|video|videos|recording|recordings|pdf|notes|abstract|paper|preprint|poster|"
    r"code|demo|material|materials|examples?|exercises|link|links|youtube|zoom|website|web|"
    r"homepage|arxiv|bib|bibtex|handout|transcript|audio|photos?|agda src|src|source|rzk demo|"
    r"notes/exercises|additional slides|link to documents"
)
_LINK_TAIL = re.compile(
    rf"(?:\s*(?:\[+|\(+)\s*(?:(?:{_LINK_WORDS})(?::[\w]+)?\s*[,;|/]?\s*)+(?:\]+|\)+))+\s*$"
    rf"|(?:\s+(?:{_LINK_WORDS})(?:\s*[,;|/]?\s*(?:{_LINK_WORDS}))+\s*)$"
    rf"|(?:\s+[|•·–—-]\s*(?:{_LINK_WORDS})\s*)$",
    re.IGNORECASE,
)
_WIKI_LINK_TAIL = re.compile(r"\s*\(\s*\[\[[^\]]*\]\]\s*\)\s*$")
_ANCHOR_TAIL = re.compile(r"\s*\{#[^}]*\}\s*$")
_TITLE_LABEL = re.compile(
    r"^(?:(?:invited|contributed|keynote|plenary|spotlight|short|long|guest|featured|oral)\s+)?"
    r"(?:presentation|talk|lecture|keynote|tutorial|seminar|colloquium|mini-?course|course)"
    r"(?:\s+(?:[A-Z]?\d+(?:\.\d+)*|[IVX]+|#\d+))?\s*(?::|-|–|—)\s+",
    re.IGNORECASE,
)
_MODE_PREFIX = re.compile(
    r"^(?:in[- ]person|online|hybrid|virtual|remote|on\s+zoom)\b"
    r"\s*(?:\([^)]{0,60}\))?\s*[:,;–—-]\s*",
    re.IGNORECASE,
)
_FIELD_RE = re.compile(
    r"^(?P<label>speakers?|presenters?|lecturers?|by|talk\s+title|title|topic|abstract|summary|"
    r"bio(?:graphy)?(?:\s+of\s+the\s+speakers?)?|about\s+the\s+speakers?|short\s+bio|"
    r"affiliations?|institutions?)\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_HONORIFIC = re.compile(r"^(?:(?:prof|professor|dr|mr|mrs|ms|mx|sir|dame)\.?\s+)+", re.IGNORECASE)
_WIKI = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_MARKS = str.maketrans("", "", "*†‡§¶")


def clean_text(text: str) -> str:
    return " ".join(_WIKI.sub(r"\1", text).split())


def strip_stamp(text: str) -> tuple[str, str]:
    """``("09:30-10:30:", "Jérôme Bolte")`` from ``"09:30-10:30: Jérôme Bolte"``."""
    m = STAMP_RE.match(text)
    if m is None or not m.group(0).strip():
        return "", text
    stamp = m.group(0)
    if not re.search(r"\d", stamp) and not re.match(rf"^\s*(?:{_DAYS})\b", stamp, re.I):
        return "", text
    return stamp.strip(), text[m.end() :].strip()


def is_stamp(text: str) -> bool:
    stamp, rest = strip_stamp(text)
    return bool(stamp) and not rest


def is_break(text: str) -> bool:
    """A slot that is not a talk: breaks, meals, welcome, round tables, "no seminar"…"""
    t = text.strip(" *_:.-–").lower()
    if not t:
        return True
    words = re.findall(r"[a-z][a-z'-]*", t)
    if _BREAK_PHRASES.search(t) and len(words) <= 9:
        return True
    return bool(words) and len(words) <= 8 and words[0] in _BREAK_WORDS


def is_section_heading(text: str) -> bool:
    """ "Plenary Talks", "Keynotes", "Day 1", "Monday, June 24", "Week 1 (September 18-22)"…"""
    t = text.strip(" *_:#").lower()
    if not t or len(t) > 80:
        return False
    stamp, rest = strip_stamp(t)
    if stamp and not rest:
        return True
    t = rest if stamp else t
    toks = re.findall(r"[^\W\d_][\w'-]*|\d+", t)
    if not toks:
        return bool(stamp)
    months = re.compile(rf"^(?:{_MONTHS}|{_DAYS})$", re.I)
    return all(
        w in _SECTION_WORDS or w.isdigit() or months.match(w) or re.fullmatch(r"[ivx]+|[a-h]", w)
        for w in toks
    )


def strip_link_groups(text: str, links: Sequence[str]) -> str:
    """``Title (Slides; Examples)`` → ``Title`` when the bracket holds only link texts."""
    if not links:
        return text
    known = {fold(x).strip() for x in links if x.strip()}

    def only_links(inner: str) -> bool:
        parts = [fold(p).strip() for p in re.split(r"[,;|/]", inner)]
        return any(parts) and all(not p or p in known for p in parts)

    t = text
    while True:
        m = re.search(r"\s*[(\[]([^()\[\]]*)[)\]]\s*$", t)
        if m is None or not only_links(m.group(1)):
            return t
        t = t[: m.start()]


def clean_title(text: str) -> str:
    """A title without link texts, anchors, labels, quotes and stray emphasis marks."""
    t = clean_text(text)
    for _ in range(3):
        before = t
        t = _ANCHOR_TAIL.sub("", t)
        t = _WIKI_LINK_TAIL.sub("", t)
        t = _LINK_TAIL.sub("", t)
        t = re.sub(
            r"\s*\*?\((?:online|remote|virtual|in[- ]person|hybrid|cancell?ed)\)\*?\s*$",
            "",
            t,
            flags=re.I,
        )
        if t == before:
            break
    t = _TITLE_LABEL.sub("", t)
    t = _MODE_PREFIX.sub("", t)
    t = t.translate(_MARKS).strip()
    t = t.strip(" ,;:-–—")
    if len(t) >= 2 and t[0] in "\"“«'‘" and t[-1] in "\"”»'’":
        t = t[1:-1].strip()
    return t


def title_like(text: str) -> bool:
    t = text.strip()
    if len(t) < 3 or len(t) > 300 or not any(c.isalpha() for c in t):
        return False
    if is_break(t) or is_section_heading(t) or cl.is_marker(t):
        return False
    words = t.split()
    return not (len(words) > 30 or (t.endswith(".") and len(words) > 18))


# ------------------------------------------------------------------ people


@dataclass(frozen=True)
class PersonText:
    """A person as a line writes them: name and the institution text beside it, if any."""

    name: str
    institution: str | None = None


def person_name(text: str) -> str | None:
    """``text`` as a person's name (honorifics and wiki brackets removed), or ``None``."""
    t = clean_text(text).translate(_MARKS).strip(" ,;:")
    t = _HONORIFIC.sub("", t).strip()
    t = re.sub(r"\s*\((?:online|remote|virtual|in[- ]person)\)$", "", t, flags=re.I)
    nick = re.fullmatch(r"(\S+)\s+\(([^()]+)\)\s+(.+)", t)  # Firstname (Nick) Lastname
    if nick and cl.is_name_like(f"{nick.group(1)} {nick.group(3)}"):
        return t
    if cl.is_name_like(t) and not is_break(t) and not is_section_heading(t):
        return t
    return None


def parse_person(text: str) -> PersonText | None:
    """``Name``, ``Name (Institution)``, ``Name, Institution``, ``Name [Institution]``."""
    t = clean_text(text).strip(" ,;:")
    if not t or len(t) > 200:
        return None
    name = person_name(t)
    if name:
        return PersonText(name)
    m = re.fullmatch(r"(.+?)\s*[(\[]([^()\[\]]+)[)\]]\s*[,.]?", t)
    if m:
        name = person_name(m.group(1))
        inside = m.group(2).strip()
        if (
            name
            and inside
            and not re.fullmatch(r"(?:online|remote|virtual|in[- ]person)", inside, re.I)
        ):
            return PersonText(name, inside)
    m = re.fullmatch(r"([^,]+?)\s*(?:,|\s[-–—|]\s)\s*(.+)", t)
    if m:
        name = person_name(m.group(1))
        rest = m.group(2).strip()
        if (
            name
            and rest
            and looks_like_organisation(rest)
            and not title_like_sentence(rest)
            and not _names_list(rest)
        ):
            return PersonText(name, rest)
    return None


def title_like_sentence(text: str) -> bool:
    """Looks like a talk title rather than an institution (lower-case words, long)."""
    words = text.split()
    lower = [
        w
        for w in words
        if w[:1].islower()
        and fold(w)
        not in cl.PARTICLES
        | {"of", "and", "for", "at", "the", "de", "di", "la", "le", "des", "du", "en", "für"}
    ]
    return len(lower) >= 2 or len(words) > 10


def parse_people(text: str) -> list[PersonText]:
    """Several people: ``A, B and C``, ``A (X), B (Y)``, ``A/B``, ``A & B``."""
    t = clean_text(text).strip(" ,;:")
    one = parse_person(t)
    if one is not None:
        return [one]
    pieces = [p for p in re.split(r"\s*(?:,|;|/|&|\band\b)\s*(?![^()]*\))", t) if p.strip()]
    if len(pieces) < 2:
        return []
    out: list[PersonText] = []
    for piece in pieces:
        p = parse_person(piece)
        if p is None and _lone_name(piece):
            p = PersonText(piece.strip())  # "Perry Hart and Favonia": a one-word name
        if p is None:
            return []
        out.append(p)
    if all(" " not in p.name for p in out):
        return []  # only single words: not a list of people
    return out


def _lone_name(text: str) -> bool:
    t = text.strip()
    return bool(re.fullmatch(r"[A-Z][a-z\u00C0-\u024F'’-]{2,}", t)) and not is_break(t)


def _names_list(text: str) -> bool:
    """``Nicolai Kraus, Fredrik Nordvall Forsberg and Chuangjie Xu``: only people."""
    pieces = [p for p in re.split(r"\s*(?:,|;|&|\band\b)\s*", text) if p.strip()]
    return len(pieces) >= 1 and all(person_name(p) for p in pieces)


# ------------------------------------------------------------------ found talks


@dataclass
class Found:
    """A talk a recogniser found: the blocks it spans and what it read in them."""

    head: int  # index of the first block
    end: int  # index after the last block
    speakers: list[tuple[PersonText, Block]]
    title: str | None
    title_block: Block | None
    abstract: list[Block] = field(default_factory=list)
    abstract_inline: list[tuple[Block, str]] = field(default_factory=list)
    coauthors: list[tuple[str, Block]] = field(default_factory=list)
    bio: list[Block] = field(default_factory=list)
    how: str = ""

    def quality(self) -> float:
        if not self.speakers:
            return 0.0
        return 1.0 if self.title else 0.6


@dataclass(frozen=True)
class Note:
    """A line the reader skipped or was unsure of, for the organiser."""

    line: int
    text: str
    reason: str


_ABSTRACT_LABEL = re.compile(r"^(?:abstract|summary)\s*[:.\-–]?\s*(?P<rest>.*)$", re.I)
_BIO_LABEL = re.compile(
    r"^(?:short\s+)?(?:bio(?:graphy)?|about\s+the\s+speakers?|speaker\s+bio)"
    r"(?:\s+of\s+the\s+speakers?)?\s*[:.\-–]?\s*(?P<rest>.*)$",
    re.I,
)
_LINKS_ONLY = re.compile(rf"^[\s\[\](),;|/•·-]*(?:(?:{_LINK_WORDS})[\s\[\](),;|/•·:-]*)+$", re.I)


def is_links_only(text: str) -> bool:
    return bool(_LINKS_ONLY.match(text.strip()))


def _body(
    blocks: Sequence[Block], start: int, stop: Callable[[int], bool]
) -> tuple[list[Block], list[Block], int]:
    """Abstract and bio blocks from ``start`` until ``stop(i)`` or a heading; returns the end."""
    abstract: list[Block] = []
    bio: list[Block] = []
    in_bio = False
    i = start
    while i < len(blocks) and not stop(i):
        b = blocks[i]
        if b.kind == "heading" and not (_ABSTRACT_LABEL.match(b.text) or _BIO_LABEL.match(b.text)):
            break
        if b.is_row:
            break
        if is_links_only(b.text):
            i += 1
            continue
        mb = _BIO_LABEL.match(b.text)
        ma = _ABSTRACT_LABEL.match(b.text)
        if mb and (len(b.text) < 40 or b.text[: mb.start("rest")].rstrip().endswith(":")):
            in_bio = True
            if mb.group("rest").strip():
                bio.append(Block(b.no, mb.group("rest").strip(), b.kind))
        elif ma and (len(b.text) < 30 or b.text[: ma.start("rest")].rstrip()[-1:] in ":.-–"):
            in_bio = False
            if ma.group("rest").strip():
                abstract.append(Block(b.no, ma.group("rest").strip(), b.kind))
        elif in_bio:
            bio.append(b)
        else:
            abstract.append(b)
        i += 1
    return abstract, bio, i


# ------------------------------------------------------------------ recogniser: rows

_COLUMN_ROLES: dict[str, tuple[str, ...]] = {
    "time": ("time", "date", "when", "day", "slot", "hour", "hours", "duration", "#", "no", "nr"),
    "speaker": (
        "speaker",
        "speakers",
        "presenter",
        "presenters",
        "name",
        "names",
        "lecturer",
        "lecturers",
        "who",
        "moderator/speaker",
        "speaker/moderator",
        "author",
        "authors",
        "by",
        "instructor",
        "instructors",
        "person",
    ),
    "title": (
        "title",
        "titles",
        "topic",
        "topics",
        "talk",
        "talks",
        "item",
        "agenda item",
        "session",
        "subject",
        "event",
        "activity",
        "description",
        "talk / session",
        "lecture",
        "talk title",
        "presentation",
        "programme",
        "program",
    ),
    "institution": (
        "affiliation",
        "affiliations",
        "institution",
        "institutions",
        "organization",
        "organisation",
        "university",
    ),
}


def _role(header: str) -> str | None:
    h = " ".join(header.lower().strip(" *:").split())
    for role, names in _COLUMN_ROLES.items():
        if h in names:
            return role
    return None


def _day_header(text: str) -> bool:
    t = text.strip(" *").lower()
    return bool(t) and (
        bool(re.fullmatch(rf"(?:{_DAYS})\.?(?:,?\s+.*)?", t)) or bool(re.fullmatch(_DATE, t, re.I))
    )


def _tables(blocks: Sequence[Block]) -> list[list[int]]:
    groups: list[list[int]] = []
    current: list[int] = []
    for i, b in enumerate(blocks):
        if b.is_row:
            current.append(i)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _cell_people(cell: Cell) -> list[PersonText]:
    """The people of a speaker cell: ``Name`` / ``Name (Inst)`` / ``Name<br>Inst`` / ``A/B``."""
    lines = [line for line in cell.lines if line.strip() and line.strip() not in "—-–"]
    if not lines:
        return []
    if len(lines) >= 2:
        first = parse_person(lines[0])
        if first is not None and first.institution is None and not parse_person(lines[1]):
            inst = lines[1].strip()
            if cl.institution_evidence(inst) > 0 and not title_like_sentence(inst):
                return [PersonText(first.name, inst)]
    people: list[PersonText] = []
    for line in lines:
        found = parse_people(line)
        if not found:
            return people
        people.extend(found)
    return people


def recognise_rows(blocks: Sequence[Block]) -> list[Found]:
    found: list[Found] = []
    for group in _tables(blocks):
        roles: dict[int, str] = {}
        grid = False
        start = 0
        first = blocks[group[0]]
        header_roles = {k: _role(c.text) for k, c in enumerate(first.cells) if c.text}
        if header_roles and sum(r is not None for r in header_roles.values()) >= 2:
            roles = {k: r for k, r in header_roles.items() if r is not None}
            start = 1
        elif sum(_day_header(c.text) for c in first.cells) >= 2:
            grid = True
            start = 1
        else:
            roles = _infer_roles([blocks[i] for i in group])
        for idx in group[start:]:
            row = blocks[idx]
            if grid:
                found.extend(_grid_row(row, idx))
            elif roles:
                talk = _table_row(row, idx, roles)
                if talk is not None:
                    found.append(talk)
    return found


def _infer_roles(rows: Sequence[Block]) -> dict[int, str]:
    width = max(len(r.cells) for r in rows)
    if width < 2:
        return {}
    score: dict[str, list[float]] = {
        "time": [0.0] * width,
        "speaker": [0.0] * width,
        "title": [0.0] * width,
    }
    for r in rows:
        for k, c in enumerate(r.cells):
            t = c.text
            if not t:
                continue
            if is_stamp(t):
                score["time"][k] += 1
            elif _cell_people(c):
                score["speaker"][k] += 1
            elif title_like(clean_title(c.lines[0] if c.lines else t)):
                score["title"][k] += 1
    roles: dict[int, str] = {}
    for role in ("time", "speaker", "title"):
        k = max(range(width), key=lambda j: score[role][j])
        if score[role][k] >= max(1.0, 0.3 * len(rows)) and k not in roles:
            roles[k] = role
    if "speaker" not in roles.values():
        # "<b>Title</b>, Name (Institution)" cells: entries inside a table
        return {k: "entry" for k in range(width) if score["title"][k] > 0} if score["title"] else {}
    return roles


def _table_row(row: Block, idx: int, roles: dict[int, str]) -> Found | None:
    cells = row.cells
    by_role = {role: cells[k] for k, role in roles.items() if k < len(cells)}
    if "entry" in roles.values():
        for k, role in roles.items():
            if role == "entry" and k < len(cells) and cells[k].text:
                cell = cells[k]
                fake = Block(row.no, cell.text, "line", strong=cell.strong, em=cell.em)
                talk = _entry(fake, idx)
                if talk is not None:
                    return talk
        return None
    speaker_cell = by_role.get("speaker")
    title_cell = by_role.get("title")
    if speaker_cell is None:
        return None
    people = _cell_people(speaker_cell)
    title_lines = list(title_cell.lines) if title_cell is not None else []
    raw_title = title_lines[0] if title_lines else ""
    non_empty = [c for c in cells if c.text]
    if not people:
        return None
    if raw_title and is_break(raw_title):
        return None
    if any(
        is_break(c.text)
        for c in non_empty
        if c is not speaker_cell and c is not title_cell and not is_stamp(c.text)
    ):
        return None
    inst_cell = by_role.get("institution")
    if inst_cell is not None and inst_cell.text:
        people = [p if p.institution else PersonText(p.name, inst_cell.text) for p in people]
    if title_cell is not None:
        raw_title = strip_link_groups(raw_title, title_cell.links)
    title = clean_title(raw_title) if raw_title else None
    if title is not None and not title:
        title = None
    talk = Found(
        idx, idx + 1, [(p, row) for p in people], title, row if title else None, how="rows"
    )
    for line in title_lines[1:]:
        m = _ABSTRACT_LABEL.match(line)
        text = m.group("rest") if m else line
        if text.strip() and not is_links_only(text):
            talk.abstract_inline.append((row, text.strip()))
    return talk


def _grid_row(row: Block, idx: int) -> list[Found]:
    out: list[Found] = []
    for k, cell in enumerate(row.cells):
        if k == 0 or not cell.text:
            continue
        text = cell.text
        if is_stamp(text) or is_break(text):
            continue
        text = strip_link_groups(re.sub(r"\s*\*?\((?:online|remote)\)\*?", "", text), cell.links)
        fake = Block(row.no, text, "line", strong=cell.strong, em=cell.em)
        talk = _entry(fake, idx)
        if talk is None:
            people = parse_people(clean_title(text))
            if people:
                talk = Found(idx, idx + 1, [(p, row) for p in people], None, None, how="grid")
        if talk is not None:
            talk.how = "grid"
            out.append(talk)
    return out


# ------------------------------------------------------------------ recogniser: entries

_BY_RE = re.compile(r"^(?P<title>.+?)\s+by\s+(?P<who>[^,()]+(?:\([^)]*\))?)\s*$", re.I)


#: "Name (Institution), Title" and "Title, Name (Institution)", in this order.
_WHO_INSTITUTION_TITLE = (
    re.compile(r"^(?P<who>[^(),]+\([^()]+\))\s*,\s*(?P<title>.+)$"),
    re.compile(r"^(?P<title>.+?),\s*(?P<who>[^,()]+\([^()]+\))$"),
)


def _entry(b: Block, idx: int) -> Found | None:
    """One block holding speaker(s) and title."""
    _, rest = strip_stamp(b.text)
    rest = clean_text(rest)
    if not rest or is_break(rest) or is_section_heading(rest):
        return None
    # emphasis: the title is the emphasised span that is not a name
    for em in [*b.em, *[s for s in b.strong if s not in b.em]]:
        title = clean_title(em)
        if not title_like(title) or person_name(title):
            continue
        pos = rest.find(em)
        if pos <= 0:
            continue
        before = rest[:pos].strip(" ,:;-–—*_")
        before = re.sub(
            r"^(?:tutorial|keynote|lecture|talk)\s*\d*\s*[:,-]\s*", "", before, flags=re.I
        )
        people = parse_people(before)
        if not people:
            continue
        bold = [p for p in people if any(fold(p.name) == fold(clean_text(s)) for s in b.strong)]
        speakers = bold if bold and len(bold) < len(people) else people
        others = [p for p in people if p not in speakers]
        talk = Found(idx, idx + 1, [(p, b) for p in speakers], title, b, how="entry")
        talk.coauthors = [(p.name, b) for p in others]
        return talk
    # "Name: Title" / "Label: Name: Title"
    parts = [p.strip() for p in re.split(r":\s+", rest)]
    for k in range(min(2, len(parts) - 1)):
        who = parts[k]
        title = clean_title(": ".join(parts[k + 1 :]))
        people = parse_people(who)
        if people and title_like(title) and not person_name(title):
            return Found(idx, idx + 1, [(p, b) for p in people], title, b, how="entry")
        if k == 0 and not re.match(
            r"^(?:tutorial|keynote|lecture|talk|session|invited|plenary)\b", who, re.I
        ):
            break
    # Name, Institution "Title"  /  Name "Title"  /  Name, Institution Title to be announced
    m = _QUOTED_TITLE.match(rest) or _ANNOUNCED.match(rest)
    if m:
        person = _schedule_person(m.group("who"))
        title = clean_title(m.group("title"))
        if person and title:
            return Found(idx, idx + 1, [(person, b)], title, b, how="entry")
    # "Title" by Name
    m = _BY_RE.match(rest)
    if m:
        person = parse_person(m.group("who"))
        raw = m.group("title")
        quoted = re.search(r"[\"“«]([^\"”»]+)[\"”»]", raw)
        title = clean_title(quoted.group(1) if quoted else raw)
        if person and title_like(title):
            return Found(idx, idx + 1, [(person, b)], title, b, how="entry")
    # Name (Institution), Title  /  Title, Name (Institution)
    for pattern in _WHO_INSTITUTION_TITLE:
        m = pattern.match(rest)
        if m:
            person = parse_person(m.group("who"))
            title = clean_title(m.group("title"))
            if person and title_like(title):
                return Found(idx, idx + 1, [(person, b)], title, b, how="entry")
    if strip_stamp(b.text)[0]:
        m = re.match(r"^(?P<pre>.+?),\s*(?P<inst>[^,]+)$", rest)
        if m and cl.institution_evidence(m.group("inst")) >= 3:
            toks = m.group("pre").split()
            for n in (3, 2):
                if len(toks) > n + 1 and person_name(" ".join(toks[-n:])):
                    title = clean_title(" ".join(toks[:-n]))
                    if title_like(title):
                        person = PersonText(" ".join(toks[-n:]), m.group("inst").strip())
                        return Found(idx, idx + 1, [(person, b)], title, b, how="entry")
    # "Name, Title" in a list item (no emphasis kept)
    if b.kind == "item":
        m = re.match(r"^(?P<who>[^,:]+),\s*(?P<title>.+)$", rest)
        if m:
            person = parse_person(m.group("who"))
            title = clean_title(m.group("title"))
            if person and title_like(title) and not person_name(title) and len(title.split()) >= 2:
                return Found(idx, idx + 1, [(person, b)], title, b, how="entry")
    return None


_QUOTED_TITLE = re.compile(
    r"^(?P<who>[^\"“”]+?)\s*[,:–—-]?\s*[\"“](?P<title>[^\"“”]{3,300})[\"”]\s*\.?$"
)
_ANNOUNCED = re.compile(
    r"^(?P<who>.+?)\s*[,:–—-]?\s+(?P<title>(?:title|talk)\s+to\s+be\s+(?:announced|confirmed)|"
    r"tba|tbc|tbd)\s*\.?$",
    re.IGNORECASE,
)


def _schedule_person(text: str) -> PersonText | None:
    """A person as schedule lines write them, family names often in capitals:
    ``Anthony BLOCH, University of Michigan`` / ``BLOCH Anthony (IHES)``."""
    t = text.strip(" ,;:-–—")
    person = parse_person(t)
    if person is not None:
        return person
    m = re.fullmatch(r"(?P<name>[^,(]+?)\s*(?:,\s*(?P<inst>.+)|\((?P<inst2>[^()]+)\))?", t)
    if m is None:
        return None
    name = m.group("name").strip()
    toks = name.split()
    caps = [tok for tok in toks if re.fullmatch(r"[A-ZÀ-Þ][A-ZÀ-Þ'-]{2,}", tok)]
    if not caps or len(caps) == len(toks):
        return None
    softened = " ".join(tok.title() if tok in caps else tok for tok in toks)
    if not person_name(softened):
        return None
    inst = (m.group("inst") or m.group("inst2") or "").strip() or None
    return PersonText(name, inst)


def recognise_entries(blocks: Sequence[Block]) -> list[Found]:
    found: list[Found] = []
    starts: list[int] = []
    for i, b in enumerate(blocks):
        if b.is_row:
            continue
        talk = _entry(b, i)
        if talk is not None:
            found.append(talk)
            starts.append(i)
    _attach_bodies(blocks, found, set(starts))
    return found


# ------------------------------------------------------------------ recogniser: heads


def _head_person(b: Block) -> list[PersonText]:
    stamp, rest = strip_stamp(b.text)
    rest = rest.strip().rstrip(":").strip()
    if not rest:
        return []
    rest = re.sub(r"^(?:speakers?|presenters?|lecturers?)\s*:\s*", "", rest, flags=re.I)
    return parse_people(rest)


def _title_block(b: Block) -> str | None:
    if b.is_row or is_links_only(b.text):
        return None
    m = cl.TITLE_RE.match(b.text)
    if m:
        t = clean_title(m.group("rest"))
        return t if t else None
    if _ABSTRACT_LABEL.match(b.text) or _BIO_LABEL.match(b.text) or _FIELD_RE.match(b.text):
        return None
    t = clean_title(b.text)
    if not title_like(t) or parse_person(b.text) or strip_stamp(b.text)[0]:
        return None
    emphasised = any(clean_title(s) == t for s in (*b.strong, *b.em))
    words = t.split()
    if len(words) < 2 and not emphasised:
        return None  # "Princeton": an institution line
    if looks_like_organisation(t) and not title_like_sentence(t):
        return None  # "University of London", "NVIDIA and Caltech"
    if emphasised or b.kind == "heading":
        return t
    if len(words) <= 25 and not t.endswith(".") and b.kind in ("line", "para", "item", "summary"):
        return t
    return None


def recognise_heads(blocks: Sequence[Block]) -> list[Found]:
    found: list[Found] = []
    heads: list[int] = []
    for i, b in enumerate(blocks):
        if b.is_row or b.kind == "heading" and b.level <= 1:
            continue
        people = _head_person(b)
        if not people:
            continue
        j = i + 1
        while j < len(blocks) and j <= i + 2 and is_links_only(blocks[j].text):
            j += 1
        # an institution line right after the name ("Name" / "Inst" / title)
        if (
            j < len(blocks)
            and len(people) == 1
            and people[0].institution is None
            and cl.institution_evidence(blocks[j].text) >= 3
            and not title_like_sentence(blocks[j].text)
            and j + 1 < len(blocks)
            and _title_block(blocks[j + 1]) is not None
            and not parse_person(blocks[j + 1].text)
        ):
            people = [PersonText(people[0].name, blocks[j].text)]
            j += 1
        if j >= len(blocks):
            continue
        title = _title_block(blocks[j])
        if title is None or _head_person(blocks[j]):
            continue
        found.append(Found(i, j + 1, [(p, b) for p in people], title, blocks[j], how="heads"))
        heads.append(i)
    _attach_bodies(blocks, found, set(heads))
    return found


def _attach_bodies(blocks: Sequence[Block], found: list[Found], starts: set[int]) -> None:
    """Each talk's abstract/bio: the blocks after it up to the next talk, heading or row."""
    for talk in found:
        if talk.how == "rows":
            continue

        def stop(i: int) -> bool:
            b = blocks[i]
            return (
                i in starts
                or bool(strip_stamp(b.text)[0])
                and not _ABSTRACT_LABEL.match(b.text)
                or (b.kind == "item" and bool(_head_person(b)))
            )

        abstract, bio, end = _body(blocks, talk.end, stop)
        talk.abstract = abstract
        talk.bio = bio
        talk.end = max(talk.end, end)


# ------------------------------------------------------------------ recogniser: labelled fields


def recognise_labels(blocks: Sequence[Block]) -> list[Found]:
    fields: list[tuple[int, str, str]] = []
    for i, b in enumerate(blocks):
        m = _FIELD_RE.match(b.text)
        if m:
            label = m.group("label").lower()
            kind = (
                "speaker"
                if label.startswith(("speaker", "presenter", "lecturer", "by"))
                else "title"
                if "title" in label or label == "topic"
                else "abstract"
                if label in ("abstract", "summary")
                else "institution"
                if label.startswith(("affiliation", "institution"))
                else "bio"
            )
            fields.append((i, kind, m.group("rest").strip()))
    titles = [f for f in fields if f[1] == "title"]
    speakers = [f for f in fields if f[1] == "speaker"]
    if not titles or not speakers:
        return []
    found: list[Found] = []
    title_idx = [f[0] for f in titles]
    for n, (ti, _, raw) in enumerate(titles):
        prev_t = title_idx[n - 1] if n else -1
        next_t = title_idx[n + 1] if n + 1 < len(title_idx) else len(blocks)
        near = [s for s in speakers if prev_t < s[0] < next_t]
        before = [s for s in near if s[0] < ti]
        pick = before[-1] if before else (near[0] if near else None)
        if pick is None:
            continue
        people = parse_people(pick[2])
        if not people:
            continue
        b_title = blocks[ti]
        title = clean_title(raw) if raw else None
        if not title and ti + 1 < len(blocks) and not _FIELD_RE.match(blocks[ti + 1].text):
            title = _title_block(blocks[ti + 1])
            b_title = blocks[ti + 1]
        if not title:
            continue
        inst = [f for f in fields if f[1] == "institution" and prev_t < f[0] < next_t]
        if inst and len(people) == 1 and people[0].institution is None:
            people = [PersonText(people[0].name, inst[0][2])]
        head = min(ti, pick[0])
        talk = Found(
            head, ti + 1, [(p, blocks[pick[0]]) for p in people], title, b_title, how="labels"
        )
        after = max(ti, pick[0]) + 1

        i = after
        while (
            i < len(blocks)
            and _FIELD_RE.match(blocks[i].text)
            and not (_ABSTRACT_LABEL.match(blocks[i].text) or _BIO_LABEL.match(blocks[i].text))
        ):
            i += 1
        abstract, bio, end = _body_labelled(blocks, i, next_t)
        talk.abstract, talk.bio, talk.end = abstract, bio, max(end, talk.end)
        found.append(talk)
    return found


def _body_labelled(
    blocks: Sequence[Block], start: int, stop_at: int
) -> tuple[list[Block], list[Block], int]:
    abstract: list[Block] = []
    bio: list[Block] = []
    mode = ""
    i = start
    while i < min(stop_at, len(blocks)):
        b = blocks[i]
        mb, ma = _BIO_LABEL.match(b.text), _ABSTRACT_LABEL.match(b.text)
        if mb and (
            b.kind == "heading"
            or b.text[: mb.start("rest")].rstrip().endswith(":")
            or len(b.text) < 30
        ):
            mode = "bio"
            if mb.group("rest").strip():
                bio.append(Block(b.no, mb.group("rest").strip(), b.kind))
        elif ma and (
            b.kind == "heading"
            or b.text[: ma.start("rest")].rstrip()[-1:] in ":.-–"
            or len(b.text) < 30
        ):
            mode = "abstract"
            if ma.group("rest").strip():
                abstract.append(Block(b.no, ma.group("rest").strip(), b.kind))
        elif b.kind == "heading" or b.is_row:
            if mode:
                break
        elif _FIELD_RE.match(b.text) or is_links_only(b.text):
            pass
        elif mode == "bio":
            bio.append(b)
        elif mode == "abstract":
            abstract.append(b)
        i += 1
    return abstract, bio, i


# ------------------------------------------------------------------ merging


RECOGNISERS: tuple[tuple[str, Callable[[Sequence[Block]], list[Found]]], ...] = (
    ("labels", recognise_labels),
    ("rows", recognise_rows),
    ("entries", recognise_entries),
    ("heads", recognise_heads),
)


def _key(talk: Found) -> tuple[str, str]:
    name = fold(talk.speakers[0][0].name) if talk.speakers else ""
    return name, fold(talk.title or "")


# folded speaker name -> recogniser -> (talk, folded title, title words)
_Index = dict[str, dict[str, list[tuple["Found", str, set[str]]]]]


def _title_key(title: str) -> tuple[str, set[str]]:
    folded = fold(title)
    return folded, set(re.findall(r"\w+", folded))


def _same_talk(talk: Found, index: _Index) -> Found | None:
    """A talk another recogniser accepted for the same speaker with the same or a similar title
    (an abstracts section writes "Analysis of …" for the table's "Analyses of …")."""
    if not talk.title or not talk.speakers:
        return None
    folded, mine = _title_key(talk.title)
    for how, entries in index.get(fold(talk.speakers[0][0].name), {}).items():
        if how == talk.how:
            continue
        for other, theirs_folded, theirs in entries:
            if theirs_folded == folded or (
                mine and theirs and len(mine & theirs) / min(len(mine), len(theirs)) >= 0.8
            ):
                return other
    return None


def recognise(
    blocks: Sequence[Block], extra: Iterable[tuple[str, list[Found]]] = ()
) -> list[Found]:
    """The talks of a page: every recogniser's, best recogniser first, without overlaps."""
    results = [(name, fn(blocks)) for name, fn in RECOGNISERS]
    results.extend(extra)
    results = [(n, r) for n, r in results if r]
    results.sort(key=lambda nr: -sum(t.quality() for t in nr[1]))
    accepted: list[Found] = []
    taken: dict[int, str] = {}  # block index -> the recogniser whose talk spans it
    keys: dict[tuple[str, str], str] = {}
    titles: dict[str, Found] = {}
    index: _Index = {}
    for name, talks in results:
        for talk in talks:
            if not talk.speakers:
                continue
            owner = taken.get(talk.head)
            if owner is not None and owner != name:
                continue
            other = _same_talk(talk, index) or titles.get(fold(talk.title or ""))
            if talk.title and other is not None and other.how != talk.how:
                # an abstracts section repeating a talk: its text is the talk's abstract
                if not other.abstract and not other.abstract_inline and talk.abstract:
                    other.abstract = talk.abstract
                continue
            key = _key(talk)
            if talk.title is not None and keys.get(key, name) != name:
                continue
            accepted.append(talk)
            if talk.title:
                by_how = index.setdefault(fold(talk.speakers[0][0].name), {})
                by_how.setdefault(talk.how, []).append((talk, *_title_key(talk.title)))
            for i in range(talk.head, max(talk.end, talk.head + 1)):
                taken.setdefault(i, name)
            keys.setdefault(key, name)
            if talk.title:
                titles.setdefault(fold(talk.title), talk)
    accepted.sort(key=lambda t: t.head)
    _abstracts_by_title(blocks, accepted)
    return accepted


def _abstracts_by_title(blocks: Sequence[Block], talks: Sequence[Found]) -> None:
    """An abstracts section that repeats the titles without the speakers: the paragraphs
    under a block that is exactly a talk's title are that talk's abstract."""
    wanting = {
        fold(t.title): t for t in talks if t.title and not t.abstract and not t.abstract_inline
    }
    if not wanting:
        return
    own = {t.title_block.no for t in talks if t.title_block is not None}
    starts = {i for i, b in enumerate(blocks) if fold(clean_title(b.text)) in wanting}
    for i in sorted(starts):
        b = blocks[i]
        talk = wanting.get(fold(clean_title(b.text)))
        if talk is None or b.no in own or talk.abstract:
            continue

        def stop(j: int) -> bool:
            return j in starts or bool(_head_person(blocks[j]))

        abstract, bio, _ = _body(blocks, i + 1, stop)
        if abstract:
            talk.abstract = abstract
            talk.bio = talk.bio or bio
