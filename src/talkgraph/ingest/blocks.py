"""A page as a list of blocks: plain text, Markdown and HTML read into one shape.

A :class:`Block` is one visible unit of a page with the line it starts on in the *input*:
a heading, a list item, a table row (with its cells), a paragraph line, a ``<summary>``.
Emphasis (``<b>``/``<strong>``, ``<i>``/``<em>``) and link texts are kept beside the text,
because pages use them to mark titles and names. Markdown is parsed with markdown-it-py and
HTML with lxml (real parsers); plain text is one block per line, TAB-separated cells (a table
copied from a browser) becoming a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


def _words(text: str) -> list[str]:
    return text.split()


_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ", "\t": " "})

HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = frozenset(
    _words(
        """
        address article aside blockquote body center dd details dialog div dl dt fieldset
        figcaption figure footer form header hgroup hr html li main nav ol p pre section summary
        table tbody thead tfoot tr td th ul h1 h2 h3 h4 h5 h6 caption
        """
    )
)
_SKIP_TAGS = frozenset(
    _words(
        """
        script style noscript head template svg iframe object button select
        """
    )
)
_STRONG = frozenset({"b", "strong"})
_EM = frozenset({"i", "em", "cite"})
_FRONT_MATTER = re.compile(
    r"\A(?:---[ \t]*\n.*?\n---[ \t]*\n|\+\+\+[ \t]*\n.*?\n\+\+\+[ \t]*\n)", re.S
)
_TEMPLATE_TAGS = re.compile(
    r"\{%.*?%\}|\{\{<.*?>\}\}|\{\{.*?\}\}|\{:[^}\n]*\}|\[\[!redirects[^\]]*\]\]", re.S
)


def one_line(text: str) -> str:
    return " ".join(text.translate(_SPACES).split())


@dataclass(frozen=True)
class Cell:
    """A table cell: its text lines (split at ``<br>`` and inner blocks) and emphasised parts."""

    lines: tuple[str, ...]
    strong: tuple[str, ...] = ()
    em: tuple[str, ...] = ()
    header: bool = False
    links: tuple[str, ...] = ()  # link texts ("Slides", "Video")

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True)
class Block:
    """One visible unit of a page, starting on input line ``no``."""

    no: int
    text: str
    kind: str = "line"  # heading | item | row | para | line | summary
    level: int = 0
    cells: tuple[Cell, ...] = ()
    strong: tuple[str, ...] = ()
    em: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    hrefs: tuple[str, ...] = ()  # link targets (an arXiv link's id is a citation)

    @property
    def is_row(self) -> bool:
        return self.kind == "row"


# ------------------------------------------------------------------ plain text


def text_blocks(text: str) -> list[Block]:
    """One block per non-blank line; a line with TABs is a table row (cells from the TABs)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    out: list[Block] = []
    for no, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        if "\t" in raw.strip(" ") and raw.strip():
            cells = tuple(Cell((one_line(c),) if one_line(c) else ()) for c in raw.split("\t"))
            out.append(Block(no, one_line(raw), "row", cells=cells))
        else:
            bullet = _BULLET.match(raw)
            if bullet and raw[bullet.end() :].strip():
                out.append(Block(no, one_line(raw[bullet.end() :]), "item"))
            else:
                out.append(Block(no, one_line(raw), "line"))
    return _mend_rows(out)


_BULLET = re.compile(r"^\s*(?:[-*•·▪◦]|\d{1,3}[.)])\s+")


def _mend_rows(blocks: list[Block]) -> list[Block]:
    """Rows a browser copy broke over lines: ``a<TAB>`` / ``text`` / ``<TAB>b<TAB>c`` is one
    row ``a | text | b | c`` (a cell holding block content is copied on lines of its own)."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.is_row and b.cells and not b.cells[-1].text:
            j = i + 1
            middle: list[Block] = []
            while j < len(blocks) and not blocks[j].is_row and len(middle) < 12:
                middle.append(blocks[j])
                j += 1
            if middle and j < len(blocks) and blocks[j].cells and not blocks[j].cells[0].text:
                cell = Cell(tuple(m.text for m in middle))
                cells = (*b.cells[:-1], cell, *blocks[j].cells[1:])
                text = " ".join(c.text for c in cells if c.text)
                out.append(Block(b.no, text, "row", cells=cells))
                i = j + 1
                continue
        out.append(b)
        i += 1
    return out


# ------------------------------------------------------------------ HTML


@dataclass
class _Run:
    """Inline content being collected: text pieces with emphasis and links."""

    parts: list[str] = field(default_factory=list)
    strong: list[str] = field(default_factory=list)
    em: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    line: int | None = None
    hrefs: list[str] = field(default_factory=list)

    def text(self) -> str:
        return one_line("".join(self.parts))


class _HtmlWalker:
    """Walks an lxml tree in document order, keeping the input line of each visible text."""

    def __init__(self, offset_of: Any) -> None:
        self.blocks: list[Block] = []
        self.line = 1
        self._offset_of = offset_of  # element -> line offset (rendered Markdown → input)

    def _at(self, el: Any) -> None:
        if isinstance(getattr(el, "sourceline", None), int):
            self.line = el.sourceline + self._offset_of(el)

    def _text(self, text: str | None, lines: list[_Run]) -> None:
        """Append a text node to the current run, advancing the line count."""
        if not text:
            return
        run = lines[-1]
        if run.line is None and text.strip():
            lead = len(text) - len(text.lstrip())
            run.line = self.line + text[:lead].count("\n")
        self.line += text.count("\n")
        run.parts.append(text)

    def _inline(self, el: Any, lines: list[_Run]) -> None:
        """Add an inline element (and its tail) to the current run; ``<br>`` starts a new one."""
        tag = _tag(el)
        self._at(el)
        if tag == "br":
            lines.append(_Run())
        elif isinstance(tag, str) and tag not in _SKIP_TAGS:
            first, start, count = lines[-1], len(lines[-1].parts), len(lines)
            self._text(el.text, lines)
            for child in el:
                self._inline(child, lines)
            texts = ["".join(first.parts[start:])] + ["".join(r.parts) for r in lines[count:]]
            piece = one_line(" ".join(texts))
            if piece:
                target = lines[-1]
                if (
                    tag in _STRONG
                    or "bold" in (el.get("style") or "")
                    or (tag == "span" and "font-weight" in (el.get("style") or ""))
                ):
                    target.strong.append(piece)
                elif tag in _EM:
                    target.em.append(piece)
                elif tag == "a":
                    target.links.append(piece)
            if tag == "a" and el.get("href"):
                lines[-1].hrefs.append(str(el.get("href")))
        self._text(el.tail, lines)

    def _flush(self, runs: list[_Run], kind: str, level: int = 0) -> None:
        for run in runs:
            for line, text in _label_lines(run):
                self.blocks.append(
                    Block(
                        line,
                        text,
                        kind,
                        level,
                        strong=tuple(s for s in run.strong if s in text),
                        em=tuple(s for s in run.em if s in text),
                        links=tuple(s for s in run.links if s in text),
                        hrefs=tuple(run.hrefs),
                    )
                )

    # --- block structure
    def walk(self, el: Any, depth: int = 0) -> None:
        tag = _tag(el)
        self._at(el)
        if not isinstance(tag, str) or tag in _SKIP_TAGS:
            return
        if tag == "table":
            self._table(el)
            return
        if tag in HEADING_TAGS:
            lines = [_Run()]
            self._text(el.text, lines)
            for child in el:
                self._inline(child, lines)
            joined = _Run(
                [" ".join(r.text() for r in lines)],
                [s for r in lines for s in r.strong],
                [s for r in lines for s in r.em],
                [s for r in lines for s in r.links],
                next((r.line for r in lines if r.line is not None), None),
                [h for r in lines for h in r.hrefs],
            )
            self._flush([joined], "heading", HEADING_TAGS[tag])
            return
        kind = {"li": "item", "summary": "summary", "dt": "item"}.get(tag, "para")
        level = depth if tag == "li" else 0
        lines = [_Run()]
        self._text(el.text, lines)
        for child in el:
            ctag = _tag(child)
            if isinstance(ctag, str) and ctag in _BLOCK_TAGS:
                self._flush(lines, kind, level)
                kind = "para" if kind in ("item", "summary") else kind
                self.walk(child, depth + (1 if ctag in ("ul", "ol") else 0))
                lines = [_Run()]
                self._text(child.tail, lines)
            else:
                self._inline(child, lines)
        self._flush(lines, kind, level)

    def _table(self, table: Any) -> None:
        for tr in table.iter("tr"):
            self._at(tr)
            row_line = self.line
            cells: list[Cell] = []
            hrefs: list[str] = []
            for td in tr:
                if _tag(td) not in ("td", "th"):
                    continue
                self._at(td)
                lines: list[_Run] = [_Run()]
                self._cell(td, lines)
                texts = tuple(t for t in (r.text() for r in lines) if t)
                strong = tuple(s for r in lines for s in r.strong)
                em = tuple(s for r in lines for s in r.em)
                hrefs.extend(h for r in lines for h in r.hrefs)
                raw_span = td.get("colspan") or "1"
                span = int(raw_span) if raw_span.isdigit() else 1
                links = tuple(s for r in lines for s in r.links)
                cells.append(Cell(texts, strong, em, header=_tag(td) == "th", links=links))
                cells.extend(Cell(()) for _ in range(max(0, min(span, 20) - 1)))
            text = " \t ".join(c.text for c in cells if c.text)
            if text:
                block = Block(
                    row_line, one_line(text), "row", cells=tuple(cells), hrefs=tuple(hrefs)
                )
                self.blocks.append(block)

    def _cell(self, el: Any, lines: list[_Run]) -> None:
        """A cell's text, one line per ``<br>`` or inner block element."""
        self._text(el.text, lines)
        for child in el:
            ctag = _tag(child)
            if isinstance(ctag, str) and ctag in _BLOCK_TAGS and ctag not in ("table", "tr"):
                self._at(child)
                lines.append(_Run())
                if ctag not in _SKIP_TAGS:
                    self._cell(child, lines)
                lines.append(_Run())
                self._text(child.tail, lines)
            else:
                self._inline(child, lines)


_LABEL_LINE = re.compile(
    r"^\s*(?:speakers?|presenters?|lecturers?|(?:talk\s+)?title|topic|abstract|summary|"
    r"bio(?:graphy)?|affiliations?|institutions?|date(?:\s+and\s+time)?|time|when|where|"
    r"location|room|venue|host|chair|slides|video|links?|zoom|recording)\s*:(?:\s|$)",
    re.IGNORECASE,
)


def _label_lines(run: _Run) -> list[tuple[int, str]]:
    """A run's text, split where a source line starts with a field label (``Speaker:`` /
    ``Title:`` written on consecutive lines of one Markdown paragraph)."""
    raw = "".join(run.parts)
    start = run.line or 1
    text = one_line(raw)
    if not text:
        return []
    lines = raw.strip("\n ").split("\n") if "\n" in raw.strip() else [raw]
    if len(lines) < 2 or not any(_LABEL_LINE.match(ln) for ln in lines[1:]):
        return [(start, text)]
    out: list[tuple[int, str]] = []
    for k, ln in enumerate(lines):
        piece = one_line(ln)
        if not piece:
            continue
        if out and not _LABEL_LINE.match(ln):
            out[-1] = (out[-1][0], f"{out[-1][1]} {piece}")
        else:
            out.append((start + k, piece))
    return out


def _tag(el: Any) -> Any:
    tag = getattr(el, "tag", None)
    return tag.lower() if isinstance(tag, str) else tag


def html_blocks(text: str, offset_of: Any = None) -> list[Block]:
    """The blocks of an HTML page or fragment (lxml; scripts, styles and comments skipped)."""
    import lxml.html
    from lxml import etree

    if not text.strip():
        return []
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return []
    for bad in root.xpath("//comment() | //processing-instruction()"):
        parent = bad.getparent()
        if parent is not None:
            tail = bad.tail or ""
            prev = bad.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
            parent.remove(bad)
    walker = _HtmlWalker(offset_of or (lambda el: 0))
    body = root.find("body")
    walker.walk(body if body is not None else root)
    return walker.blocks


# ------------------------------------------------------------------ Markdown


def blank_template(text: str) -> str:
    """Front matter and Jekyll/Hugo template tags blanked out, line numbers kept."""

    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    text = _FRONT_MATTER.sub(blank, text)
    return _TEMPLATE_TAGS.sub(blank, text)


def markdown_blocks(text: str) -> list[Block]:
    """The blocks of a Markdown page (markdown-it-py, CommonMark + tables, raw HTML kept)."""
    from markdown_it import MarkdownIt

    source = blank_template(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = md.parse(source)
    for tok in tokens:
        if tok.map is not None and tok.nesting >= 0 and tok.type != "html_block":
            tok.attrSet("data-md-line", str(tok.map[0] + 1))
    for tok in tokens:
        if tok.type == "html_block" and tok.map is not None:
            # the raw HTML keeps its own lines: a wrapper records where it starts
            tok.content = f'<div data-md-line="{tok.map[0] + 1}">{tok.content}</div>\n'
    rendered = md.renderer.render(tokens, md.options, {})
    return html_blocks(rendered, _md_offset)


def _md_offset(el: Any) -> int:
    """Input line minus rendered line, from the nearest element that records its input line."""
    node = el
    while node is not None:
        value = node.get("data-md-line") if hasattr(node, "get") else None
        if value is not None and value.isdigit() and isinstance(node.sourceline, int):
            return int(value) - node.sourceline
        node = node.getparent()
    return 0


# ------------------------------------------------------------------ format


_HTML_TAG = re.compile(r"<(?:html|body|div|table|tr|td|p|h[1-6]|ul|li|span|br)\b", re.I)
_MD_SIGNS = re.compile(
    r"^(?:#{1,6} |\s*[-*+] |\|.*\|\s*$)|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\n]+\)", re.M
)


def sniff(text: str, name: str = "") -> str:
    """``html``, ``markdown`` or ``text``: by the file name's suffix, else by content."""
    lower = name.lower()
    if lower.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lower.endswith((".md", ".markdown", ".mdown", ".mkd")):
        return "markdown"
    head = text[:20000]
    if re.search(r"<!doctype html|<html[\s>]", head, re.I) or len(_HTML_TAG.findall(head)) >= 8:
        return "html"
    if lower.endswith(".txt"):
        return "text"
    if len(_MD_SIGNS.findall(head)) >= 3:
        return "markdown"
    return "text"


def page_blocks(text: str, name: str = "", fmt: str | None = None) -> tuple[str, list[Block]]:
    """The format and the blocks of a page."""
    kind = fmt or sniff(text, name)
    if kind == "html":
        return kind, html_blocks(blank_template(text))
    if kind == "markdown":
        return kind, markdown_blocks(text)
    return kind, text_blocks(text)
