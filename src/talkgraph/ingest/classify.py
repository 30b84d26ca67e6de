"""What kind of line is this? Headings, markers, names, institutions, boilerplate.

General evidence only: keywords, acronyms, capitalisation and shape. The roster decoder in
:mod:`talkgraph.ingest.text` combines it with what the talk details say.
"""

from __future__ import annotations

import re

from ..iris import fold

_SEP = r"\s*(?:[:\-\u2013\u2014]\s*)"
TITLE_RE = re.compile(rf"^title{_SEP}(?P<rest>.*)$", re.IGNORECASE)
ABSTRACT_RE = re.compile(rf"^abstract(?:\s*$|{_SEP}(?P<rest>.*)$)", re.IGNORECASE)
ROSTER_HEADING_RE = re.compile(
    r"^(?:(?:confirmed|invited|keynote|plenary|featured|distinguished|our)\s+)?"
    r"(?:speakers?|keynotes?)(?:\s+speakers?)?\s*:?$",
    re.IGNORECASE,
)
TALKS_HEADING_RE = re.compile(
    r"^(?:talk\s+details|talks|abstracts|talk\s+abstracts|(?:talk\s+)?titles\s+and\s+abstracts"
    r"|talk\s+information|schedule|programme|program)\s*:?$",
    re.IGNORECASE,
)
_PLACEHOLDER_RE = re.compile(
    r"^[\s(\[]*(?:(?:title|talk|abstract)\s+)?"
    r"(?:tba|tbd|tbc|to\s+be\s+(?:announced|determined|confirmed))[\s.!)\]]*$",
    re.IGNORECASE,
)


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


PARTICLES = _set("van von der den de del della di da das dos du la le ten ter zu y bin ibn al el")
_CONNECTORS = _set("of for at and the und für fur in on")
INSTITUTION_WORDS = _set(
    """
    university universität universitat université universite universidad universidade
    università universita univ uni institute institut instituto istituto college school
    lab labs laboratory laboratories research inc inc. ltd ltd. llc gmbh corp corp.
    corporation company co. center centre academy hospital foundation polytechnic
    politecnico polytechnique ecole école hochschule department dept dept. faculty ministry
    council agency group technologies
    """
)
# A capitalised word: letters, inner hyphens/apostrophes/periods (J.R.), an optional final period.
_NAME_TOKEN = re.compile(r"^[^\W\d_](?:[^\W\d_]|[-'’.](?=[^\W\d_]))*\.?$")
_ACRONYM = re.compile(r"^(?!(?:II|III|IV|VI|VII|VIII|JR|SR)$)[A-Z][A-Z&]{1,7}$")
_INITIALS = re.compile(r"^(?:[A-Z]\.-?){1,3}$")  # "J.", "J.-B.", "J.R."
# Words no person's name is made of: "Algebraic Automata Theory", "Goursat Homology".
_TITLE_WORD = re.compile(
    r"(?:ogy|ics|ities|ism|isms|tions?|sions?|ical|aic|tic|\w{5}ity)$", re.IGNORECASE
)
_TITLE_OPENERS = frozenset(
    _set("The A On In From Towards Toward How What Why When Of To For Beyond Between Into About")
)
_NOT_NAME_WORDS = frozenset(
    _set(
        """
        lecture lectures memorial award awards prize session sessions talk talks keynote keynotes
        workshop seminar seminars colloquium school conference day week break panel opening
        closing welcome recipient best paper papers tutorial tutorials course minicourse
        schedule programme program abstract abstracts speakers speaker invited contributed
        plenary poster posters reception dinner lunch coffee registration organizers
        organisers committee sponsors introduction introductions remarks discussion
        """
    )
)
_CAMEL_ABBREV = re.compile(r"^[A-Z]{2,}[a-z]+$")  # UMich, UPenn, UMass


def words(text: str) -> list[str]:
    return text.replace(",", " , ").split()


def is_placeholder(text: str | None) -> bool:
    """``TBA``, ``TBD``, ``TBC``, ``To be announced`` …"""
    return bool(text) and bool(_PLACEHOLDER_RE.match(text or ""))


def is_heading(text: str) -> bool:
    return bool(ROSTER_HEADING_RE.match(text) or TALKS_HEADING_RE.match(text))


def is_marker(text: str) -> bool:
    """A ``Title:`` or ``Abstract`` line."""
    return bool(TITLE_RE.match(text) or ABSTRACT_RE.match(text))


def is_boilerplate(text: str) -> bool:
    """A sentence, a link, a decoration: not a name and not an institution."""
    if not any(c.isalpha() for c in text):
        return True
    if "://" in text or "@" in text or text.lower().startswith("www."):
        return True
    toks = text.split()
    if len(toks) > 12 or len(text) > 120:
        return True
    lower = [t for t in toks if t[0].islower() and fold(t) not in _CONNECTORS | PARTICLES]
    if len(lower) >= 2:
        return True
    return text.rstrip()[-1:] in "!?" or (text.endswith(".") and len(toks) > 4)


def _is_name_token(tok: str) -> bool:
    if tok in PARTICLES or _INITIALS.match(tok):
        return True
    if len(tok) >= 7 and _TITLE_WORD.search(tok.rstrip(".,")):
        return False
    if (len(tok) > 10 or sum(c.isupper() for c in tok) > 2) and re.search(r"[a-z][A-Z]", tok):
        return False  # "BerryFormalization": two words run together; "WaiChing" is a name
    return bool(_NAME_TOKEN.match(tok)) and tok[0].isupper()


def is_name_like(text: str, *, min_tokens: int = 2) -> bool:
    """Two to six capitalised words (particles allowed inside), no institution keyword."""
    toks = text.split()
    if not min_tokens <= len(toks) <= 6 or is_placeholder(text) or is_marker(text):
        return False
    if toks[0] in PARTICLES or toks[-1] in PARTICLES:  # lower-case particles sit inside
        return False
    if any(fold(t).strip(",.") in INSTITUTION_WORDS for t in toks):
        return False
    if any(fold(t).strip(",.:") in _NOT_NAME_WORDS for t in toks):
        return False
    if toks[0] in _TITLE_OPENERS:
        return False  # "The Univalence Principle", "From Type Theory to …"
    if len(toks) > 1 and all(_ACRONYM.match(t) for t in toks):
        return True  # an all-caps page: JOHN SMITH
    if any(_ACRONYM.match(t) or _CAMEL_ABBREV.match(t) for t in toks):
        return False
    return all(_is_name_token(t) for t in toks) and sum(t in PARTICLES for t in toks) < 3


def institution_evidence(text: str) -> float:
    """How strongly the line's own shape says "organisation" (0 = no evidence)."""
    toks = words(text)
    score = 0.0
    folded = [fold(t) for t in toks]
    if any(t in INSTITUTION_WORDS for t in folded):
        score += 3
    single = len(toks) == 1
    if any(_ACRONYM.match(t) or _CAMEL_ABBREV.match(t) for t in toks) and (
        single or not all(_ACRONYM.match(t) for t in toks)
    ):
        score += 3
    if any(t in _CONNECTORS or t == "&" for t in folded):
        score += 2
    if "," in toks:
        score += 1
    if any(c.isdigit() for c in text):
        score += 1
    if single:
        score += 2
    return score


def name_evidence(text: str) -> float:
    """How strongly the line's own shape says "person"."""
    return 2.0 if is_name_like(text) else 0.0
