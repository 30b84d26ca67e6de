"""One reader for programme pages as they come: plain text, Markdown, HTML.

:func:`understand` reads a page into blocks (:mod:`.blocks`), recognises its talks
(:mod:`.layouts`) and says what it understood: the talks, and every line it skipped or was unsure
of, with its line number (:class:`~.layouts.Note`). :func:`read_page` returns the
:class:`~talkgraph.model.Programme` and refuses, helpfully, a page where nothing was recognised.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError, Place
from ..iris import fold
from ..model import ArxivRef, Mention, Programme, Span, SpeakerEntry, TalkEntry
from . import classify as cl
from . import layouts as lay
from .blocks import Block, page_blocks
from .extract import find_arxiv_ids
from .schemaorg import schema_talks
from .text import Segment, build_talk

KNOWN_LAYOUTS = (
    "a table: date/time | Name (Institution) | Title [| links] (HTML, Markdown or copied "
    "TAB-separated rows), or a weekday grid of 'Name' / 'Name: Title' cells",
    "one line per talk: 'Name: Title', 'Name (Institution), Title', '**Name**, *Title*', "
    "'\"Title\" by Name', '08:45 - 09:30 Title Name, Institution', "
    "'1000-1100 Name SURNAME, Institution \"Title\"'",
    "per-talk blocks: '[time] Name (Institution)' then a title line, 'Abstract: …', 'Bio: …'",
    "labelled fields: 'Speaker: …' / 'Title: …' / 'Abstract: …'",
    "the speakers page: a 'Confirmed Speakers' roster, then per talk a name line, an "
    "institution line and 'Title: …'",
)
#: The conference tools' exports (``ingest/importers``), named in the same error.
KNOWN_EXPORTS = (
    "frab/pentabarf schedule XML (frab, pretalx), C3VOC schedule JSON, Indico export JSON, "
    "iCalendar (.ics), CSV/TSV/XLSX with a header row naming a title and a speaker column"
)


@dataclass(frozen=True)
class Understanding:
    """What the reader made of a page."""

    source: str
    fmt: str
    programme: Programme
    notes: tuple[lay.Note, ...]
    layouts: tuple[str, ...]  # recognisers that contributed talks
    text: str = ""


def _raw_lines(text: str) -> list[str]:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


class _Spans:
    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.lines = _raw_lines(text)

    def mention(self, value: str, line: int) -> Mention:
        raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        col = raw.find(value)
        if col < 0:
            col = 0
            end = min(len(raw), len(value))
        else:
            end = col + len(value)
        return Mention(value, Span(self.source, line, col, end))

    def segment(self, line: int, value: str) -> Segment:
        raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        col = max(raw.find(value[:20]), 0) if value else 0
        return Segment(line, col, value)


def _roster(blocks: Sequence[Block]) -> dict[str, tuple[str, int]]:
    """Institutions the page gives next to a name anywhere ("Name (Institution)", a speaker
    card "Name" / "Institution"), by folded name: used for talks whose line names none."""
    out: dict[str, tuple[str, int]] = {}
    for i, b in enumerate(blocks):
        if b.is_row:
            continue
        _, rest = lay.strip_stamp(b.text)
        person = lay.parse_person(rest)
        if person is None:
            continue
        if person.institution:
            out.setdefault(fold(person.name), (person.institution, b.no))
        elif i + 1 < len(blocks):
            nxt = blocks[i + 1]
            card = nxt.kind == "heading" and nxt.level >= 4 and len(nxt.text.split()) <= 8
            if (
                not nxt.is_row
                and (card or cl.institution_evidence(nxt.text) >= 3)
                and len(nxt.text.split()) <= 8
                and not lay.parse_person(nxt.text)
                and not lay.title_like_sentence(nxt.text)
                and not lay.is_section_heading(nxt.text)
            ):
                out.setdefault(fold(person.name), (nxt.text, nxt.no))
    return out


def _bios(blocks: Sequence[Block]) -> dict[str, list[Block]]:
    """ "Biography" paragraphs under a person's card (a name block shortly before)."""
    out: dict[str, list[Block]] = {}
    for i, b in enumerate(blocks):
        m = lay._BIO_LABEL.match(b.text)
        if not m or len(b.text) > 40 and not b.text[: m.start("rest")].rstrip().endswith(":"):
            continue
        owner = None
        for j in range(i - 1, max(-1, i - 4), -1):
            person = lay.parse_person(blocks[j].text)
            if person is not None and not blocks[j].is_row:
                owner = person.name
                break
        if owner is None:
            continue
        body: list[Block] = []
        if m.group("rest").strip():
            body.append(Block(b.no, m.group("rest").strip(), b.kind))
        for nxt in blocks[i + 1 :]:
            if nxt.kind == "heading" or nxt.is_row or lay.parse_person(nxt.text):
                break
            body.append(nxt)
        out.setdefault(fold(owner), body)
    return out


def _join(blocks: Sequence[Block]) -> str:
    return " ".join(b.text for b in blocks).strip()


def _talk_entry(
    found: lay.Found,
    spans: _Spans,
    roster: dict[str, tuple[str, int]],
    bios: dict[str, list[Block]],
) -> TalkEntry:
    person, where = found.speakers[0]
    speaker = _speaker_entry(person, where, spans, roster)
    bio_blocks = found.bio or bios.get(fold(person.name), [])
    if bio_blocks:
        bio = Mention(_join(bio_blocks), Span(spans.source, bio_blocks[0].no))
        speaker = dataclasses.replace(speaker, bio=bio)
    assert found.title is not None and found.title_block is not None
    title = spans.mention(found.title, found.title_block.no)
    segments = [spans.segment(b.no, text) for b, text in found.abstract_inline]
    segments += [spans.segment(b.no, b.text) for b in found.abstract if b.text.strip()]
    entry = build_talk(speaker, title, segments, spans.source)
    linked = _linked_arxiv(found, spans, {r.arxiv_id for r in entry.citations})
    if linked:
        entry = dataclasses.replace(entry, citations=(*entry.citations, *linked))
    more = tuple(_speaker_entry(p, b, spans, roster) for p, b in found.speakers[1:])
    if more:  # a talk given by several people: every one is a speaker
        entry = dataclasses.replace(entry, more_speakers=more)
    listed = [spans.mention(n, b.no) for n, b in found.coauthors]
    if listed:
        seen = {fold(m.text) for m in listed}
        extra = [m for m in entry.coauthors if fold(m.text) not in seen]
        entry = dataclasses.replace(entry, coauthors=(*listed, *extra))
    return entry


def _speaker_entry(
    person: lay.PersonText, where: Block, spans: _Spans, roster: dict[str, tuple[str, int]]
) -> SpeakerEntry:
    """A further speaker of a talk, with the institution the page gives them (beside the name,
    or on the roster)."""
    institution = None
    if person.institution:
        institution = spans.mention(person.institution, where.no)
    elif fold(person.name) in roster:
        inst_text, inst_line = roster[fold(person.name)]
        institution = spans.mention(inst_text, inst_line)
    return SpeakerEntry(spans.mention(person.name, where.no), institution)


def _schema_found(text: str) -> list[lay.Found]:
    """schema.org Event JSON-LD/microdata as found talks (head indexes below the blocks')."""
    out: list[lay.Found] = []
    for k, talk in enumerate(schema_talks(text)):
        where = Block(talk.line, talk.title)
        people = [(lay.PersonText(n, a), where) for n, a in talk.speakers]
        head = k - 1_000_000  # before every block, in page order
        found = lay.Found(head, head, people, talk.title, where, how="schema.org")
        if talk.description:
            found.abstract_inline.append((where, talk.description))
        out.append(found)
    return out


def _linked_arxiv(found: lay.Found, spans: _Spans, known: set[str]) -> list[ArxivRef]:
    """arXiv ids only in link targets (a title linked to arxiv.org/abs/…)."""
    out: list[ArxivRef] = []
    blocks = [found.title_block, *(b for _, b in found.speakers), *found.abstract]
    for b in blocks:
        if b is None:
            continue
        for href in b.hrefs:
            for m in find_arxiv_ids(href):
                if m.arxiv_id not in known:
                    known.add(m.arxiv_id)
                    span = spans.mention(m.arxiv_id, b.no).span
                    out.append(ArxivRef(m.arxiv_id, m.version, span))
    return out


def _notes(
    blocks: Sequence[Block], talks: Sequence[lay.Found], untitled: Sequence[lay.Found]
) -> list[lay.Note]:
    used: set[int] = set()
    for t in talks:
        used.update(range(t.head, max(t.end, t.head + 1)))
    notes: list[lay.Note] = []
    for t in untitled:
        who = ", ".join(p.name for p, _ in t.speakers)
        notes.append(
            lay.Note(
                blocks[t.head].no,
                blocks[t.head].text,
                f"a slot for {who} with no title: not a talk until the page gives one",
            )
        )
    untitled_heads = {t.head for t in untitled}
    speakers = {fold(p.name) for t in talks for p, _ in t.speakers}
    for i, b in enumerate(blocks):
        if i in used or i in untitled_heads:
            continue
        person = lay.parse_person(lay.strip_stamp(b.text)[1])
        if person is not None and fold(person.name) in speakers:
            continue  # a roster line: the talk is read elsewhere
        if b.is_row and all(lay._role(c.text) or not c.text for c in b.cells):
            continue  # a header row
        _, rest = lay.strip_stamp(b.text)
        if lay.is_break(rest) and rest:
            continue
        if lay.is_section_heading(b.text):
            continue
        if (
            b.is_row
            and sum(bool(c.text) for c in b.cells) >= 2
            or lay._head_person(b)
            or re.search(r"\bby\s+[A-Z]", b.text)
        ):
            notes.append(
                lay.Note(
                    b.no, b.text[:160], "looks like part of a programme but was not read as a talk"
                )
            )
    return sorted(notes, key=lambda n: n.line)


def understand(text: str, source: str, fmt: str | None = None) -> Understanding:
    """Read a page and say what was understood (talks, and lines skipped or unsure of)."""
    kind, blocks = page_blocks(text, source, fmt)
    extra = [("schema.org", _schema_found(text))] if kind == "html" else []
    found = lay.recognise(blocks, extra)
    titled = [t for t in found if t.title]
    untitled = [t for t in found if not t.title]
    spans = _Spans(source, text)
    roster = _roster(blocks)
    bios = _bios(blocks)
    talks = tuple(_talk_entry(t, spans, roster, bios) for t in titled)
    notes = _notes(blocks, titled, untitled)
    layouts = tuple(dict.fromkeys(t.how for t in titled))
    unsure = tuple(f"{source}:{n.line}: {n.reason}: {n.text[:80]!r}" for n in notes)
    programme = Programme(source, (), talks, notes=unsure)
    return Understanding(source, kind, programme, tuple(notes), layouts, text)


def nothing_found(source: str, text: str, notes: Sequence[lay.Note]) -> InputError:
    """The error for a page where no talk was recognised: what is known, what looked close."""
    candidates = [n for n in notes if n.reason.startswith(("looks like", "a slot"))][:3]
    if not candidates:
        raw = [(no, line.strip()) for no, line in enumerate(_raw_lines(text), 1) if line.strip()]
        candidates = [
            lay.Note(no, line[:120], "")
            for no, line in raw
            if lay.strip_stamp(line)[0] and not lay.is_break(lay.strip_stamp(line)[1])
        ][:3]
    quoted = "".join(f"\n  line {n.line}: {n.text[:120]!r}" for n in candidates)
    layouts = "".join(f"\n  - {k}" for k in KNOWN_LAYOUTS)
    first = candidates[0].line if candidates else 1
    return InputError(
        "no talks and no speaker roster recognised. Layouts talkgraph reads:"
        + layouts
        + "\nand conference tools' exports: "
        + KNOWN_EXPORTS
        + ("\nLines that look like talks:" + quoted if quoted else "")
        + "\nRun 'talkgraph inspect FILE' to see what was read, or write the programme in the "
        "structured YAML format (docs/structured-format.md).",
        Place(source, first),
    )


def read_page(text: str, source: str, fmt: str | None = None) -> Programme:
    """The programme of a page; InputError (with hints) when no talk is recognised."""
    result = understand(text, source, fmt)
    if not result.programme.talks:
        raise nothing_found(source, text, result.notes)
    return result.programme


def understand_file(path: object) -> Understanding:
    """:func:`understand` for a file or URL as ``talkgraph build`` would read it.

    A conference tool's export or a structured file is shown as its reader read it (the rows it
    left out are in the programme's notes); so is a page the speakers-page reader takes.
    """
    from pathlib import Path

    from . import load_programme
    from .document import decode_text, read_bytes
    from .fetch import as_url, fetch_text
    from .importers import detect, load_export
    from .text import parse_text

    url = as_url(path)
    if url is not None:
        text, name = fetch_text(url)
        data = text.encode("utf-8")
    else:
        data, name = read_bytes(Path(str(path)))
    export = detect(data, name) if data.strip() else None
    if export is not None:
        programme = load_export(data, name, export)
        return Understanding(programme.source, export, programme, (), (export,))
    if url is None and Path(str(path)).suffix.lower() in (".yaml", ".yml", ".json"):
        programme = load_programme(Path(str(path)))
        return Understanding(programme.source, "structured", programme, (), ("structured",))
    if url is None:
        text = decode_text(data, name)
    result = understand(text, name)
    try:
        programme = parse_text(text, name)
    except InputError:
        return result
    if programme.talks != result.programme.talks:  # the speakers-page reader took it
        return Understanding(name, result.fmt, programme, (), ("speakers-page",), text)
    return result


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def inspect_report(path: object) -> tuple[str, bool]:
    """The text ``talkgraph inspect`` prints, and whether any talk was recognised."""
    result = understand_file(path)
    talks = result.programme.talks
    how = ", ".join(result.layouts) or "nothing"
    out = [f"{result.source} ({result.fmt}): {len(talks)} talks, read as {how}"]
    if talks:
        head = (
            f"{'#':>3}  {'line':>5}  {'speaker':<30}  {'institution':<28}  {'title':<40}  "
            f"{'abstract':>8}  co-authors"
        )
        out += ["", head, "-" * len(head)]
        for n, talk in enumerate(talks, 1):
            line = str(talk.title.span.line) if talk.title.span else "—"  # exports: no lines
            who = "; ".join(s.name.text for s in talk.speakers)
            inst = "; ".join(s.institution.text for s in talk.speakers if s.institution) or "—"
            size = f"{len(talk.abstract.text)} ch" if talk.abstract else "—"
            names = [m.text for m in talk.coauthors] + [a.name.text for a in talk.authors]
            co = ", ".join(names) or "—"
            out.append(
                f"{n:>3}  {line:>5}  {_cut(who, 30):<30}  {_cut(inst, 28):<28}  "
                f"{_cut(talk.title.text, 40):<40}  {size:>8}  {_cut(co, 60)}"
            )
    if result.programme.roster:
        out += [
            "",
            f"roster ({len(result.programme.roster)}): "
            + ", ".join(s.name.text for s in result.programme.roster),
        ]
    if result.notes:
        out += ["", f"Lines skipped or unsure ({len(result.notes)}):"]
        out += [f"  line {n.line}: {_cut(n.text, 90)!r} — {n.reason}" for n in result.notes]
    elif result.programme.notes:  # an importer's report: "file:line: skipped 'Title': reason"
        out += ["", f"Entries skipped or unsure ({len(result.programme.notes)}):"]
        out += [f"  {_cut(note, 110)}" for note in result.programme.notes]
    if not talks and not result.programme.roster:
        out += ["", nothing_found(result.source, result.text, result.notes).message]
    return "\n".join(out), bool(talks or result.programme.roster)
