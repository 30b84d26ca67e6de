"""Facts inside abstracts: co-authors ("joint work with …") and arXiv identifiers.

Co-authors come only from an explicit collaboration phrase (``joint work with``, ``in
collaboration with``, ``together with``, ``joint with``); people merely cited ("the phenomenon
of Papyan, Han, and Donoho") are not co-authors.  The list after the phrase ends at ``(``,
``)``, ``;``, ``:``, ``[`` or a sentence-ending period (a period after an initial such as
``I.`` does not end it), and at the first item that is not a name.

arXiv identifiers: new style ``YYMM.NNNN(N)`` with optional ``vN`` only when clearly arXiv —
prefixed ``arXiv:`` or inside an ``arxiv.org/abs|pdf/`` link — so decimals and version
numbers never match; old style ``archive[.subclass]/YYMMNNN`` (``math/0601001``,
``hep-th/9901001v1``) bare or prefixed, for the known archive names only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from ..model import ArxivRef, Mention, Span
from .classify import PARTICLES, is_name_like


class NameMatch(NamedTuple):
    name: str
    start: int
    end: int


class ArxivMatch(NamedTuple):
    arxiv_id: str
    version: str | None
    start: int
    end: int


_TRIGGER = re.compile(
    r"\b(?:joint\s+work|joint|(?:work\s+)?(?:done\s+)?in\s+collaboration|together|collaboration)"
    r"\s+with\s+(?:(?:my|our|the)\s+(?:(?:phd|ph\.d\.|graduate|former|amazing)\s+)*"
    r"(?:students?|postdocs?|colleagues?|collaborators?|advisors?|co-?authors?)\s*,?\s*)?",
    re.IGNORECASE,
)
_HARD_STOP = re.compile(r"[()\[\];:!?\n]")
_SPLIT = re.compile(r"\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+")
_MAX_NAMES = 30
_MAX_LIST = 1000  # characters: no co-author list is longer


def _list_end(text: str, start: int) -> int:
    """Where the name list that starts at ``start`` ends."""
    limit = min(len(text), start + _MAX_LIST)
    hard = _HARD_STOP.search(text, start, limit)
    end = hard.start() if hard else limit
    for m in re.finditer(r"\.", text[start:end]):
        pos = start + m.start()
        before = text[max(start, pos - 3) : pos]
        # "I." / "J.R." are initials, not the end of a sentence
        if re.search(r"(?:^|[\s.])[A-Z]$", before) and pos + 1 < len(text) and text[pos + 1] in " ":
            nxt = text[pos + 1 :].lstrip()[:1]
            if nxt.isupper():
                continue
        return pos
    return end


def _leading_name(item: str) -> str:
    """The longest run of name words at the start of ``item`` (``Hong Hu at Stanford``)."""
    toks = item.split()
    run: list[str] = []
    for tok in toks:
        if tok[0].isupper() or tok in PARTICLES:
            run.append(tok)
        else:
            break
    while run and run[-1] in PARTICLES:
        run.pop()
    return " ".join(run)


def find_coauthors(abstract: str) -> list[NameMatch]:
    """Co-authors named after a collaboration phrase, with their character offsets."""
    found: list[NameMatch] = []
    for trigger in _TRIGGER.finditer(abstract):
        start = trigger.end()
        end = _list_end(abstract, start)
        pos = start
        for sep in [*_SPLIT.finditer(abstract, start, end), None]:
            item_end = sep.start() if sep else end
            raw = abstract[pos:item_end]
            item = raw.strip()
            name = _leading_name(item)
            if not name or not is_name_like(name):
                break
            offset = pos + (len(raw) - len(raw.lstrip()))
            found.append(NameMatch(name, offset, offset + len(name)))
            if name != item or len(found) >= _MAX_NAMES:
                break
            if sep is None:
                break
            pos = sep.end()
    return found


_ARCHIVES = (
    "astro-ph|cond-mat|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math-ph|nlin|nucl-ex|nucl-th|physics"
    "|quant-ph|math|cs|q-bio|q-fin|stat|econ|eess|adap-org|alg-geom|chao-dyn|cmp-lg|comp-gas"
    "|dg-ga|funct-an|patt-sol|q-alg|solv-int|supr-con|acc-phys|ao-sci|atom-ph|bayes-an|chem-ph"
    "|mtrl-th|plasm-ph"
)
_OLD = rf"(?:{_ARCHIVES})(?:\.[A-Za-z-]{{2,}})?/\d{{2}}(?:0[1-9]|1[0-2])\d{{3}}"
_NEW = r"\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}"
_VERSION = r"(?:v(?P<v>[1-9]\d{0,2}))?"
_ARXIV = re.compile(
    rf"(?:\barxiv\s*:?\s*|arxiv\.org/(?:abs|pdf)/)(?P<id>{_NEW}|{_OLD}){_VERSION}(?!\d)"
    rf"|(?<![\w./-])(?P<old>{_OLD}){_VERSION.replace('<v>', '<v2>')}(?!\d)",
    re.IGNORECASE,
)


def find_arxiv_ids(text: str) -> list[ArxivMatch]:
    """arXiv identifiers in ``text`` with their offsets (of the id and version, no prefix)."""
    found: list[ArxivMatch] = []
    for m in _ARXIV.finditer(text):
        group = "id" if m.group("id") else "old"
        ver = m.group("v") if group == "id" else m.group("v2")
        end = m.end("v" if group == "id" else "v2") if ver else m.end(group)
        found.append(ArxivMatch(m.group(group), f"v{ver}" if ver else None, m.start(group), end))
    return found


Locate = Callable[[int, int], Span | None]


def coauthor_mentions(abstract: str, locate: Locate) -> tuple[Mention, ...]:
    """:func:`find_coauthors` as mentions; ``locate(start, end)`` places an abstract slice."""
    return tuple(Mention(m.name, locate(m.start, m.end)) for m in find_coauthors(abstract))


def arxiv_refs(text: str, locate: Locate) -> tuple[ArxivRef, ...]:
    """:func:`find_arxiv_ids` as :class:`ArxivRef` values."""
    return tuple(
        ArxivRef(m.arxiv_id, m.version, locate(m.start, m.end)) for m in find_arxiv_ids(text)
    )
