"""Look at a SPARQL request before it runs: what form it is, and whether it is allowed.

A real tokenizer, not a substring search: keywords inside string literals, IRIs and comments
are not keywords, and keywords are case-insensitive (``service`` is ``SERVICE``).  Only bare
words count, so a variable ``?load`` or a prefixed name ``ex:Service`` is fine.
"""

from __future__ import annotations

import re
from typing import Literal

from ..errors import QueryRefused

QueryForm = Literal["select", "ask", "construct", "describe"]

#: Words that only occur in SPARQL Update (none of them is a query keyword or function).
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"}
)
#: Words that would make the endpoint send requests elsewhere.
FEDERATION_WORDS = frozenset({"SERVICE"})
_FORMS: dict[str, QueryForm] = {
    "SELECT": "select",
    "ASK": "ask",
    "CONSTRUCT": "construct",
    "DESCRIBE": "describe",
}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>
        \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '''(?:[^'\\]|\\.|'(?!''))*'''
      | "(?:[^"\\\n\r]|\\.)*"
      | '(?:[^'\\\n\r]|\\.)*'
    )
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7-\uffff]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7-\uffff]*)?:(?:[\w.\-:%\\\u00b7-\uffff]*))
  | (?P<blank>_:[\w.\-\u00b7-\uffff]+)
  | (?P<word>[A-Za-z_][\w]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def bare_words(sparql: str) -> list[str]:
    """The bare words (keywords, function names, ``a``) of a query, upper-cased, in order."""
    return [m.group().upper() for m in _TOKEN.finditer(sparql) if m.lastgroup == "word"]


def query_form(words: list[str]) -> QueryForm | None:
    """The top-level form: the first of SELECT/ASK/CONSTRUCT/DESCRIBE after the prologue."""
    return next((_FORMS[w] for w in words if w in _FORMS), None)


def _glued_service(sparql: str) -> bool:
    """A SERVICE glued to what follows: the parser reads ``SERVICE:x {``, ``SERVICEex:x {``
    and ``SERVICESILENT<iri> {`` as SERVICE followed by the rest, so a word or prefixed name
    beginning with SERVICE that is followed by a group (directly or after one IRI, variable
    or prefixed name) counts as SERVICE, unless GRAPH, FROM or NAMED names it."""
    tokens = [
        (m.lastgroup, m.group())
        for m in _TOKEN.finditer(sparql)
        if m.lastgroup not in ("space", "comment")
    ]
    for i, (kind, text) in enumerate(tokens):
        if kind not in ("word", "pname") or not text.upper().startswith("SERVICE"):
            continue
        if i and tokens[i - 1][1].upper() in ("GRAPH", "FROM", "NAMED"):
            continue
        after = [t for _, t in tokens[i + 1 : i + 3]]
        if after[:1] == ["{"] or (
            len(tokens) > i + 2
            and tokens[i + 1][0] in ("iri", "var", "pname", "word")
            and after[1] == "{"
        ):
            return True
    return False


def check_query(sparql: str) -> QueryForm | None:
    """Refuse updates and federation; return the query form (``None`` if not recognisable).

    A query whose form cannot be found is left to the parser, which reports the exact
    position of the problem.
    """
    words = bare_words(sparql)
    update = sorted(set(words) & UPDATE_WORDS)
    if update:
        raise QueryRefused(
            f"this endpoint is read-only: SPARQL Update ({', '.join(update)}) is not accepted"
        )
    if set(words) & FEDERATION_WORDS or _glued_service(sparql):
        raise QueryRefused(
            "SERVICE (federated query) is not allowed: this endpoint never sends requests "
            "to other servers"
        )
    return query_form(words)


def where_group_start(sparql: str) -> int | None:
    """The offset just after the ``{`` that opens the query's top-level WHERE group.

    ``None`` when the query has no group pattern (``DESCRIBE <iri>``).  For CONSTRUCT the
    template is skipped: the group is the one after ``WHERE``.
    """
    depth, form, seen_where = 0, None, False
    for match in _TOKEN.finditer(sparql):
        kind, text = match.lastgroup, match.group()
        if kind == "word":
            upper = text.upper()
            if depth == 0 and form is None and upper in _FORMS:
                form = _FORMS[upper]
            elif depth == 0 and upper == "WHERE":
                seen_where = True
        elif kind == "other" and text == "{":
            if depth == 0 and form is not None and (seen_where or form != "construct"):
                return match.end()
            depth += 1
        elif kind == "other" and text == "}":
            depth -= 1
    return None
