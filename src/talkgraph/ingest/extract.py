"""Facts inside abstracts: co-authors ("joint work with …") and arXiv identifiers.

Co-authors come only from an explicit collaboration phrase (``joint work(s) with``, ``joint
papers with``, ``based on (joint) work with``, ``in collaboration with``, ``together with``,
``with (my) students``, ``en collaboration avec``); people merely cited ("the phenomenon of
Papyan, Han, and Donoho") are not co-authors.  Honorifics (``Prof.``, ``Dr.``) are dropped.
The list after the phrase ends at ``(``, ``)``, ``;``, ``:``, ``[`` or a sentence-ending period
(a period after an initial such as ``I.`` or ``J.-B.`` does not end it), and at the first item
that is not a name; an affiliation in parentheses after a name (``X (UCL) and Y``) does not
end it. Lone capitalised words count only as a list of surnames (``with Cavallo, Coquand and
Riehl``).

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


_STUDENTS = (
    r"(?:(?:my|our|the|his|her|their)\s+)?(?:(?:phd|ph\.d\.|graduate|master'?s?|former|current|"
    r"amazing|excellent|talented)\s+)*(?:students?|postdocs?|colleagues?|collaborators?|"
    r"advisors?|co-?authors?)\s*,?\s*"
)
_TRIGGER = re.compile(
    r"\b(?:"
    r"joint\s+(?:works?|papers?|research|projects?)|joint|"
    r"(?:(?:work|research)\s+)?(?:done\s+)?in\s+collaboration|together|collaborations?|"
    r"(?:based\s+on|builds?\s+on|from|represents|describes|presents|reports\s+on)\s+"
    r"(?:(?:joint|recent|ongoing|several|past)\s+)*"
    r"(?:works?|papers?|research|projects?)"
    r")\s+with\s+(?:" + _STUDENTS + r")?"
    r"|\b(?:en\s+)?collaboration\s+avec\s+|\btravaux?\s+(?:communs?\s+)?avec\s+"
    r"|\bwith\s+" + _STUDENTS.replace(r"\s*,?\s*", r"\s*,?\s+", 1),
    re.IGNORECASE,
)
_HARD_STOP = re.compile(r"[()\[\];:!?\n]")
_SPLIT = re.compile(r"\s*,\s*(?:(?:and|&|et|und)\s+)?|\s+(?:and|&|et|und)\s+")
_HONORIFIC = re.compile(r"^(?:(?:prof|professor|dr|mr|mrs|ms|sir)\.?\s+)+", re.IGNORECASE)
_NOT_SURNAME = frozenset(
    re.findall(
        r"\w+", "The This That These We It In On Our My Their His Her And Or But For With See"
    )
)
_MAX_NAMES = 30
_MAX_LIST = 1000  # characters: no co-author list is longer


def _mask_affiliations(text: str, start: int, limit: int) -> str:
    """``text`` with the parenthesised affiliations after names in ``[start, limit)`` blanked:
    ``Takashi Furuya (Shimane Univ.) and Maarten de Hoop`` reads as one list."""
    out = text
    pos = start
    while True:
        m = re.compile(r"(?<=[^\W\d_])\s*\(([^()]{1,80})\)").search(out, pos, limit)
        if m is None:
            return out
        inner = m.group(1)
        if re.search(r"\b(?:joint|with|arxiv|see|e\.g|i\.e)\b", inner, re.IGNORECASE):
            return out
        out = out[: m.start()] + " " * (m.end() - m.start()) + out[m.end() :]
        pos = m.end()


def _list_end(text: str, start: int) -> int:
    """Where the name list that starts at ``start`` ends."""
    limit = min(len(text), start + _MAX_LIST)
    hard = _HARD_STOP.search(text, start, limit)
    end = hard.start() if hard else limit
    for m in re.finditer(r"\.", text[start:end]):
        pos = start + m.start()
        if re.search(r"\b(?:Prof|Profs|Dr|Drs|Mr|Mrs|Ms|St)$", text[start:pos]):
            continue  # "Prof. Ada Lovelace"
        before = text[max(start, pos - 3) : pos]
        # "I." / "J.R." / "J.-B." are initials, not the end of a sentence
        if (
            re.search(r"(?:^|[\s.-])[A-Z]$", before)
            and pos + 1 < len(text)
            and text[pos + 1] in " -"
        ):
            nxt = text[pos + 1 :].lstrip(" -")[:1]
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


def _surname(name: str) -> bool:
    """A lone capitalised surname (``Cavallo``) in a list of surnames."""
    return bool(re.fullmatch(r"[A-Z][a-z\u00C0-\u024F'’-]{2,}", name)) and name not in _NOT_SURNAME


def find_coauthors(abstract: str) -> list[NameMatch]:
    """Co-authors named after a collaboration phrase, with their character offsets."""
    found: list[NameMatch] = []
    for trigger in _TRIGGER.finditer(abstract):
        start = trigger.end()
        limit = min(len(abstract), start + _MAX_LIST)
        masked = _mask_affiliations(abstract, start, limit)
        end = _list_end(masked, start)
        pos = start
        items: list[NameMatch] = []
        lone: list[bool] = []
        for sep in [*_SPLIT.finditer(masked, start, end), None]:
            item_end = sep.start() if sep else end
            raw = masked[pos:item_end]
            stripped = raw.strip()
            honorific = _HONORIFIC.match(stripped)
            lead = len(raw) - len(raw.lstrip()) + (honorific.end() if honorific else 0)
            item = stripped[honorific.end() :] if honorific else stripped
            name = _leading_name(item)
            single = bool(name) and " " not in name and _surname(name)
            if not name or not (is_name_like(name) or single):
                break
            offset = pos + lead
            items.append(NameMatch(name, offset, offset + len(name)))
            lone.append(single)
            if name != item or len(items) >= _MAX_NAMES or sep is None:
                break
            pos = sep.end()
        if any(lone) and not (all(lone) and len(items) >= 2):
            # a lone capitalised word is a surname only in a list of surnames
            items = items[: lone.index(True)]
        found.extend(items)
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
    rf"(?:\barxiv\s*[:.]?\s*(?:abs/)?|arxiv\.org/(?:abs|pdf)/)(?P<id>{_NEW}|{_OLD}){_VERSION}(?!\d)"
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
