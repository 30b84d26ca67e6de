"""The plain-text programme parser: a speakers page copied as text.

Layout: an optional roster (a heading such as ``Confirmed Speakers``, then name lines each
optionally followed by an institution line) and talk details (per talk: a name line, an
optional institution line, ``Title: …``, an optional ``Abstract`` line, then the abstract).
A talk is recognised by its ``Title`` line; the one or two lines before it are the speaker.
The roster is decoded with evidence from the line shapes and from the talk details.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ..errors import InputError, Place
from ..iris import fold
from ..model import Mention, Programme, Span, SpeakerEntry, TalkEntry
from . import classify as cl
from .document import check_talk_texts, check_text_input
from .extract import arxiv_refs, coauthor_mentions
from .layouts import clean_title

_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " "})


def clean(value: str) -> str:
    """One-line text as the parser sees it: non-breaking spaces and line breaks become spaces,
    no surrounding whitespace."""
    return value.translate(_SPACES).replace("\r", " ").replace("\n", " ").strip()


@dataclass(frozen=True)
class Line:
    """A non-blank line: 1-based number, stripped text, column of the text in the line."""

    no: int
    text: str
    col: int


def normalise(text: str) -> list[Line]:
    """Non-blank lines after normalising BOM, line endings and non-breaking spaces."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    out: list[Line] = []
    for no, raw in enumerate(text.split("\n"), start=1):
        line = raw.translate(_SPACES).rstrip()
        stripped = line.lstrip()
        if stripped:
            out.append(Line(no, stripped, len(line) - len(stripped)))
    return out


def mention(line: Line, source: str, text: str | None = None, offset: int = 0) -> Mention:
    value = line.text if text is None else text
    start = line.col + offset
    return Mention(value, Span(source, line.no, start, start + len(value)))


@dataclass(frozen=True)
class Segment:
    """One line of abstract text: line number, column, text."""

    no: int
    col: int
    text: str


def build_talk(
    speaker: SpeakerEntry, title: Mention, segments: list[Segment], source: str
) -> TalkEntry:
    """A talk whose abstract is ``segments``: lines of a paragraph are joined with a space,
    paragraphs (separated by blank lines) with a blank line; facts keep their line."""
    if not segments:
        return TalkEntry(speaker, title, placeholder=cl.is_placeholder(title.text))
    text = ""
    starts: list[int] = []
    for k, seg in enumerate(segments):
        if k:
            text += " " if seg.no == segments[k - 1].no + 1 else "\n\n"
        starts.append(len(text))
        text += seg.text

    def locate(start: int, end: int) -> Span:
        k = bisect_right(starts, start) - 1
        seg, base = segments[k], starts[k]
        stop = min(end, base + len(seg.text))
        return Span(source, seg.no, seg.col + start - base, seg.col + stop - base)

    abstract = Mention(text, locate(0, len(segments[0].text)))
    return TalkEntry(
        speaker,
        title,
        abstract,
        placeholder=cl.is_placeholder(title.text) or cl.is_placeholder(text),
        coauthors=coauthor_mentions(text, locate),
        citations=arxiv_refs(text, locate),
    )


class _Parser:
    def __init__(self, lines: list[Line], source: str) -> None:
        self.lines = lines
        self.source = source
        self.titles = [i for i, ln in enumerate(lines) if cl.TITLE_RE.match(ln.text)]

    def error(self, index: int, message: str) -> InputError:
        line = self.lines[index].no if 0 <= index < len(self.lines) else 1
        return InputError(message, Place(self.source, line))

    def _opens_content(self, i: int) -> bool:
        """Is line ``i`` a bare ``Title:``/``Abstract`` marker whose content is the next line?"""
        text = self.lines[i].text
        m = cl.TITLE_RE.match(text) or cl.ABSTRACT_RE.match(text)
        return m is not None and not (m.group("rest") or "").strip()

    def _blocked(self, i: int) -> bool:
        text = self.lines[i].text
        return cl.is_marker(text) or cl.is_heading(text)

    def head(self, t: int) -> tuple[int, int | None]:
        """Indices of the speaker name line and institution line of the Title line ``t``."""
        p1, p2 = t - 1, t - 2
        if p1 < 0 or self._blocked(p1) or cl.is_boilerplate(self.lines[p1].text):
            raise self.error(t, "a Title line with no speaker name before it")
        one, two = self.lines[p1].text, self.lines[p2].text if p2 >= 0 else ""
        pair_ok = (
            p2 >= 0
            and not self._blocked(p2)
            and not (p2 >= 1 and self._opens_content(p2 - 1))
            and cl.is_name_like(two, min_tokens=1)
            and not cl.is_boilerplate(two)
        )
        if pair_ok and (cl.institution_evidence(one) > 0 or cl.is_name_like(two)):
            return p2, p1
        if pair_ok and not cl.is_name_like(one, min_tokens=1):
            return p2, p1
        return p1, None

    def talks(self) -> tuple[list[TalkEntry], list[int]]:
        heads = [self.head(t) for t in self.titles]
        starts = [h for h, _ in heads]
        talks: list[TalkEntry] = []
        for k, (t, (name_i, inst_i)) in enumerate(zip(self.titles, heads, strict=True)):
            end = starts[k + 1] if k + 1 < len(starts) else len(self.lines)
            body = self.lines[t + 1 : end]
            cut = next((j for j, ln in enumerate(body) if cl.is_heading(ln.text)), len(body))
            speaker = SpeakerEntry(
                mention(self.lines[name_i], self.source),
                mention(self.lines[inst_i], self.source) if inst_i is not None else None,
            )
            talks.append(self._talk(t, speaker, body[:cut]))
        return talks, starts

    def _talk(self, t: int, speaker: SpeakerEntry, body: list[Line]) -> TalkEntry:
        line = self.lines[t]
        m = cl.TITLE_RE.match(line.text)
        assert m is not None
        rest = m.group("rest").strip()
        if rest:
            title = mention(line, self.source, rest, m.start("rest"))
        elif body and not cl.is_marker(body[0].text):
            title, body = mention(body[0], self.source), body[1:]
        else:
            raise self.error(t, "a Title line with no title")
        cleaned = clean_title(title.text)
        if cleaned and cleaned != title.text:  # "Title [slides]": link texts are not the title
            title = Mention(cleaned, title.span)
        body, bio = _split_bio(body, self.source)
        if bio:
            speaker = SpeakerEntry(speaker.name, speaker.institution, bio=bio)
        segments: list[Segment] = []
        am = cl.ABSTRACT_RE.match(body[0].text) if body else None
        if am is not None:
            inline = (am.group("rest") or "").strip()
            if inline:
                offset = body[0].col + am.start("rest")
                segments.append(Segment(body[0].no, offset, inline))
            body = body[1:]
        segments += [Segment(ln.no, ln.col, ln.text) for ln in body]
        return build_talk(speaker, title, segments, self.source)

    def roster(
        self, talk_starts: list[int], talks: list[TalkEntry]
    ) -> tuple[str | None, list[SpeakerEntry]]:
        start = next(
            (i for i, ln in enumerate(self.lines) if cl.ROSTER_HEADING_RE.match(ln.text)), None
        )
        if start is None:
            return None, []
        bounds = [i for i in talk_starts if i > start]
        bounds += [
            i for i in range(start + 1, len(self.lines)) if cl.is_heading(self.lines[i].text)
        ]
        end = min(bounds, default=len(self.lines))
        heading = self.lines[start].text.rstrip(":").rstrip()
        candidates = [
            ln
            for ln in self.lines[start + 1 : end]
            if not (cl.is_boilerplate(ln.text) or cl.is_marker(ln.text))
        ]
        return heading, decode_roster(candidates, talks, self.source)


_BIO_RE = re.compile(
    r"^(?:short\s+)?(?:bio(?:graphy)?|about\s+the\s+speaker)\s*(?::\s*(?P<rest>.*))?$", re.I
)


def _split_bio(body: list[Line], source: str) -> tuple[list[Line], Mention | None]:
    """The talk's lines before a ``Bio:`` / ``Biography`` line, and the bio (for the person)."""
    for k, ln in enumerate(body):
        m = _BIO_RE.match(ln.text)
        if m is None:
            continue
        rest = (m.group("rest") or "").strip()
        parts = [rest, *(b.text for b in body[k + 1 :])]
        text = " ".join(p for p in parts if p)
        if not text:
            return body[:k], None
        first = ln if rest else body[k + 1]
        col = first.col + (m.start("rest") if rest else 0)
        return body[:k], Mention(
            text, Span(source, first.no, col, col + len(parts[0] or first.text))
        )
    return body, None


def decode_roster(lines: list[Line], talks: list[TalkEntry], source: str) -> list[SpeakerEntry]:
    """Label roster lines name/institution (best-scoring labelling; an institution line only
    ever follows a name line) using line shapes and what the talk details say."""
    speakers = {fold(t.speaker.name.text) for t in talks}
    institutions = {fold(t.speaker.institution.text) for t in talks if t.speaker.institution}
    counts: dict[str, int] = {}
    for ln in lines:
        counts[fold(ln.text)] = counts.get(fold(ln.text), 0) + 1

    def scores(ln: Line) -> tuple[float, float]:
        key = fold(ln.text)
        as_name = cl.name_evidence(ln.text) + (6 if key in speakers else 0)
        as_inst = cl.institution_evidence(ln.text) + (6 if key in institutions else 0)
        as_inst += 2 if counts[key] > 1 else 0
        return as_name, as_inst

    # Viterbi over two states (N: name, I: institution); back[i][s] = best previous state.
    neg = float("-inf")
    score = {"N": 0.0, "I": neg}
    back: list[dict[str, str]] = []
    for i, ln in enumerate(lines):
        n_score, i_score = scores(ln)
        prev = max(score, key=lambda s: score[s]) if i else "N"
        back.append({"N": prev, "I": "N"})
        score = {
            "N": (score[prev] if i else 0.0) + n_score,
            "I": score["N"] + i_score + 0.5 if i else neg,
        }
    labels: list[str] = []
    state = max(score, key=lambda s: score[s])
    for step in reversed(back):
        labels.append(state)
        state = step[state]
    labels.reverse()
    entries: list[SpeakerEntry] = []
    for ln, label in zip(lines, labels, strict=True):
        if label == "N":
            entries.append(SpeakerEntry(mention(ln, source)))
        else:
            entries[-1] = SpeakerEntry(entries[-1].name, mention(ln, source))
    return entries


def parse_text(text: str, source: str, fmt: str | None = None) -> Programme:
    """Parse a programme page (plain text, Markdown or HTML); ``source`` names it.

    A plain-text page in the speakers-page layout (roster, then ``Title:`` lines) is read by the
    original parser below; every other page by :func:`talkgraph.ingest.pages.read_page`.  The
    input limits (size, lines, line length) are checked before any work, the title and abstract
    limits on what was read.
    """
    check_text_input(text, source)
    programme = _parse_page(text, source, fmt)
    check_talk_texts(programme)
    return programme


def _parse_page(text: str, source: str, fmt: str | None) -> Programme:
    from .blocks import blank_template, sniff
    from .pages import nothing_found, understand

    kind = fmt or sniff(text, source)
    legacy: Programme | None = None
    legacy_error: InputError | None = None
    if kind in ("text", "markdown"):
        try:  # front matter ("title: …") is not a talk's Title line
            legacy = parse_speakers_page(
                blank_template(text) if kind == "markdown" else text, source
            )
        except InputError as exc:
            legacy_error = exc
        if legacy is not None and legacy.talks and kind == "text":
            return legacy
    result = understand(text, source, kind)
    found = result.programme
    if legacy is not None and legacy.talks and len(legacy.talks) >= len(found.talks):
        return legacy
    if found.talks:
        return found
    if legacy is not None:
        return legacy  # a roster and no talks
    if legacy_error is not None and "no speaker roster" not in legacy_error.message:
        raise legacy_error
    raise nothing_found(source, text, result.notes)


def parse_speakers_page(text: str, source: str) -> Programme:
    """The speakers-page layout: a roster and talk details with ``Title:`` lines."""
    lines = normalise(text)
    if not lines:
        raise InputError("input is empty", Place(source, 1))
    parser = _Parser(lines, source)
    talks, starts = parser.talks()
    heading, roster = parser.roster(starts, talks)
    if not talks and not roster:
        raise InputError(
            "no speaker roster (a heading such as 'Confirmed Speakers') and no talks "
            "('Title:' lines) found",
            Place(source, lines[0].no),
        )
    return Programme(source, tuple(roster), tuple(talks), roster_heading=heading)
