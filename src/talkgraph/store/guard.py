"""Look at a SPARQL request before it runs: what form it is, and whether it is allowed.

pyoxigraph (0.5) has no parse-only API, and its parser answers ``SERVICE`` with real HTTP
requests, so the decision is taken here, in one linear pass over the query, by a lexer that
follows the terminal rules of oxigraph's own grammar (``spargebra/src/parser.rs``, a PEG):

* ``#`` starts a comment only where oxigraph reads whitespace: not inside a string, an IRI or a
  prefixed name (``ex:a\\#b`` is one term, as ``\\#`` is a local-name escape);
* an IRI is ``<`` up to the next ``>`` whose text could be an IRI once its ``\\u``/``\\U``
  escapes are read (``<http://x/\\u0061#>`` is one IRI; ``<`` followed by a space is the
  operator);
* strings are read with the grammar's escapes (``\\"``, ``\\'``, ``\\u0022``...), long strings
  first, as the PEG tries them;
* keywords are matched as oxigraph matches them: case-insensitively and **without** a word
  boundary (oxigraph reads ``SERVICE:x {`` as ``SERVICE :x {``, and ``?o trueSERVICE <x> {}``
  as ``?o true SERVICE <x> {}``).  So a bare word that *contains* SERVICE is refused, and so is
  a prefixed name whose prefix contains it when a group ``{`` follows.  Keywords inside strings,
  IRIs, comments, variables and local names are never keywords.

Where oxigraph's reading depends on context the lexer cannot see, the query is refused rather
than guessed: an IRI holding ``#`` or ``'`` right after an operand inside parentheses that may
hold an expression could be the ``<`` operator followed by a comment or a string (parentheses
of VALUES rows and RDF collections hold no expression, so IRIs with fragments are fine there).
The SPARQL form comes from the first keyword after the prologue; a query starting with an
Update keyword is refused as read-only.
Nesting deeper than :data:`MAX_DEPTH` is refused here, because oxigraph's recursive parser
would overflow its stack (a crash, not an error).

The pass is linear in the query length (every scan moves forward; the "next ``>``" and "no
``:`` after this run" look-aheads are remembered), and runs once per query text: the result is
cached, so the web layer, the store's admission and the binding of parameters share it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ..errors import QueryError, QueryRefused

QueryForm = Literal["select", "ask", "construct", "describe"]

#: The deepest nesting of ``{ ( [`` (and ``!`` chains) accepted; oxigraph 0.5's recursive
#: parser overflows its stack at a few thousand levels and takes the process down with it.
MAX_DEPTH = 256
#: Seconds the check may take (a backstop: the pass is linear, 64 KiB take milliseconds).
TIME_BUDGET = 2.0

#: Words that begin SPARQL Update operations (none is a query keyword or function).
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")
_UPDATE_START = (*UPDATE_WORDS, "WITH")
#: The keyword that would make the endpoint send requests elsewhere.
FEDERATION_WORD = "SERVICE"
_FORMS: dict[str, QueryForm] = {
    "SELECT": "select",
    "ASK": "ask",
    "CONSTRUCT": "construct",
    "DESCRIBE": "describe",
}
_PROLOGUE = ("BASE", "PREFIX", "VERSION")

#: Every keyword and function name of oxigraph 0.5's grammar (SPARQL 1.1 and 1.2); a bare word
#: not among them is a store-specific extension (Virtuoso's DEFINE, OPTION...), never sent to a
#: remote store.  Words starting with a digit are numbers.
KEYWORDS = frozenset(
    [
        "ABS",
        "ADD",
        "ADJUST",
        "ALL",
        "AS",
        "ASC",
        "ASK",
        "AVG",
        "BASE",
        "BIND",
        "BNODE",
        "BOUND",
        "BY",
        "CEIL",
        "CLEAR",
        "COALESCE",
        "CONCAT",
        "CONSTRUCT",
        "CONTAINS",
        "COPY",
        "COUNT",
        "CREATE",
        "DATA",
        "DATATYPE",
        "DAY",
        "DEFAULT",
        "DELETE",
        "DESC",
        "DESCRIBE",
        "DISTINCT",
        "DROP",
        "ENCODE_FOR_URI",
        "EXISTS",
        "FILTER",
        "FLOOR",
        "FROM",
        "GRAPH",
        "GROUP",
        "GROUP_CONCAT",
        "HAVING",
        "HOURS",
        "IF",
        "IN",
        "INSERT",
        "INTO",
        "IRI",
        "LANG",
        "LANGDIR",
        "LANGMATCHES",
        "LATERAL",
        "LCASE",
        "LIMIT",
        "LOAD",
        "MAX",
        "MIN",
        "MINUS",
        "MINUTES",
        "MONTH",
        "MOVE",
        "NAMED",
        "NOT",
        "NOW",
        "OBJECT",
        "OFFSET",
        "OPTIONAL",
        "ORDER",
        "PREDICATE",
        "PREFIX",
        "RAND",
        "REDUCED",
        "REGEX",
        "REPLACE",
        "ROUND",
        "SAMPLE",
        "SECONDS",
        "SELECT",
        "SEPARATOR",
        "SERVICE",
        "SILENT",
        "STR",
        "STRAFTER",
        "STRBEFORE",
        "STRDT",
        "STRENDS",
        "STRLANG",
        "STRLANGDIR",
        "STRLEN",
        "STRSTARTS",
        "STRUUID",
        "SUBJECT",
        "SUBSTR",
        "SUM",
        "TIMEZONE",
        "TO",
        "TRIPLE",
        "TZ",
        "UCASE",
        "UNDEF",
        "UNION",
        "URI",
        "USING",
        "UUID",
        "VALUES",
        "VERSION",
        "WHERE",
        "WITH",
        "YEAR",
        "HASLANG",
        "HASLANGDIR",
        "ISBLANK",
        "ISIRI",
        "ISLITERAL",
        "ISNUMERIC",
        "ISTRIPLE",
        "ISURI",
        "SAMETERM",
        "MD5",
        "SHA1",
        "SHA256",
        "SHA384",
        "SHA512",
        "A",
        "TRUE",
        "FALSE",
    ]
)

READ_ONLY = "this endpoint is read-only: SPARQL Update ({}) is not accepted"
NO_SERVICE = (
    "SERVICE (federated query) is not allowed: this endpoint never sends requests to other "
    "servers{}"
)

# Character classes of the grammar (PN_CHARS_BASE, PN_CHARS_U, PN_CHARS, VARNAME).
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS = _BASE + "_\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_CHARS_BASE = re.compile(f"[{_BASE}]")
_PN_PREFIX_RUN = re.compile(f"[{_CHARS}.]*")
_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]|%[0-9A-Fa-f]{2}"
#: PN_LOCAL as oxigraph 0.5 has it: at most one run of dots inside (``ex:a.b.c`` is ``ex:a.b``
#: followed by ``.c``).
_PN_LOCAL = re.compile(
    f"(?:[{_BASE}_:0-9]|{_ESC})(?:[{_CHARS}:]|{_ESC})*(?:\\.+(?:[{_CHARS}:]|{_ESC})+)?"
)
_VARNAME = re.compile(f"[{_BASE}_0-9][{_BASE}_0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_BNODE = re.compile(f"_:[{_BASE}_0-9](?:[{_CHARS}]|\\.+(?=[{_CHARS}]))*")
_LANG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?")
_WORD = re.compile(f"[{_BASE}_0-9]+")
_SPACE = re.compile(r"[ \t\r\n]+")
_COMMENT = re.compile(r"#[^\r\n]*")
#: Characters an IRI can never hold (oxiri), and a backslash that is not a \u/\U escape.
_IRI_BAD = re.compile(r'[\x00-\x20<"{}|^`]|\\(?!u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})')
_ECHAR = re.compile(r"""\\(?:[tbnrf"'\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})""")
_SHORT = {q: re.compile(f"{q}(?:[^{q}\\\\\\n\\r]|{_ECHAR.pattern})*{q}") for q in "'\""}

Kind = Literal["word", "pname", "iri", "string", "var", "other"]


@dataclass(frozen=True)
class Analysis:
    """What the check found: the form, where the top-level WHERE group opens, or why the
    query is refused (``refusal`` with ``status`` 403 for Update/SERVICE, 400 otherwise)."""

    form: QueryForm | None
    group_start: int | None
    refusal: str | None = None
    status: int = 403
    unknown_word: str | None = None  # the first bare word that is no SPARQL keyword


class _Refuse(Exception):
    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _long_string_end(text: str, start: int, quote: str) -> int:
    """The end of a long string opening at ``start`` (``'''``/``\"\"\"``), or -1: the PEG rule
    ``q q q ((q q / q)? (char / ECHAR / UCHAR))* q q q``, greedy and possessive."""
    i, n = start + 3, len(text)
    while i < n:
        j = i
        if text.startswith(quote * 2, j):
            j += 2
        elif text.startswith(quote, j):
            j += 1
        if j < n and text[j] != quote and text[j] != "\\":
            i = j + 1
            continue
        if j < n and text[j] == "\\":
            escape = _ECHAR.match(text, j)
            if escape:
                i = escape.end()
                continue
        break
    return i + 3 if text.startswith(quote * 3, i) else -1


class _Lexer:
    """One forward pass over the query; see the module documentation."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.deadline = time.monotonic() + TIME_BUDGET
        self.next_gt = -2  # cached position of the next '>' (-1: none left)
        self.no_colon_until = -1  # a PN_PREFIX run here has no ':' after it
        self.tokens: list[tuple[Kind, str, int]] = []
        self.open: list[str] = []  # the brackets open at this point
        self.expression: list[bool] = []  # for each: may it hold an expression?

    def _emit(self, kind: Kind, text: str, offset: int) -> None:
        if kind == "other" and text in "([{":
            self.open.append(text)
            self.expression.append(text == "(" and self._opens_expression())
        elif kind == "other" and text in ")]}" and self.open:
            self.open.pop()
            self.expression.pop()
        self.tokens.append((kind, text, offset))

    def _opens_expression(self) -> bool:
        """Whether a ``(`` about to be emitted may hold an expression (where ``<`` can be the
        operator), rather than data: a VALUES row or variable list, or an RDF collection.
        When unsure it says yes (the only cost is refusing an ambiguous ``<``)."""
        if self.expression and self.expression[-1]:
            return True  # arguments, IN lists, nested brackets of an expression
        if not self.tokens:
            return True
        kind, text, _ = self.tokens[-1]
        if kind == "word":  # FILTER, BIND, HAVING, BY, ASC, function names... but not these
            return text.upper() not in ("VALUES", "A")
        if not self.open:
            return True  # SELECT (…), GROUP BY, ORDER BY, HAVING
        if kind in ("iri", "pname") and len(self.tokens) > 1:
            before_kind, before, _ = self.tokens[-2]
            glued = kind == "pname" and "FILTER" in text.partition(":")[0].upper()
            return glued or before_kind == "word"  # FILTER ex:f(…), keyword + function
        return kind == "pname" and "FILTER" in text.partition(":")[0].upper()

    def _gt_after(self, i: int) -> int:
        if self.next_gt != -1 and self.next_gt < i:
            self.next_gt = self.text.find(">", i)
        return self.next_gt

    def run(self) -> list[tuple[Kind, str, int]]:
        text, n, i = self.text, len(self.text), 0
        steps = 0
        while i < n:
            steps += 1
            if steps & 1023 == 0 and time.monotonic() > self.deadline:
                raise _Refuse(f"the query check took longer than {TIME_BUDGET:g} s", 400)
            c = text[i]
            if c in " \t\r\n":
                i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
            elif c == "#":
                i = _COMMENT.match(text, i).end()  # type: ignore[union-attr]
            elif c in "'\"":
                end = _long_string_end(text, i, c) if text.startswith(c * 3, i) else -1
                if end < 0:
                    short = _SHORT[c].match(text, i)
                    if short is None:
                        raise _Refuse(
                            f"SPARQL syntax error: unterminated string at {_position(text, i)}",
                            400,
                        )
                    end = short.end()
                self._emit("string", text[i:end], i)
                i = end
            elif c == "<":
                i = self._angle(i)
            elif c in "?$":
                var = _VARNAME.match(text, i + 1)
                if var:
                    self._emit("var", text[i : var.end()], i)
                    i = var.end()
                else:
                    self._emit("other", c, i)
                    i += 1
            elif c == "@":
                lang = _LANG.match(text, i)
                end = lang.end() if lang else i + 1
                self._emit("other", text[i:end], i)
                i = end
            elif c == "_" and text.startswith("_:", i):
                bnode = _BNODE.match(text, i)
                end = bnode.end() if bnode else i + 2
                self._emit("var", text[i:end], i)
                i = end
            elif c == ":" or (i >= self.no_colon_until and _PN_CHARS_BASE.match(c)):
                i = self._name(i)
            elif c == "\\":
                raise _Refuse(f"SPARQL syntax error: stray '\\' at {_position(text, i)}", 400)
            else:
                word = _WORD.match(text, i)
                if word:
                    self._emit("word", word.group(), i)
                    i = word.end()
                else:
                    self._emit("other", c, i)
                    i += 1
        return self.tokens

    def _angle(self, i: int) -> int:
        """``<``: an IRI up to the next ``>`` if its text can be one, else the operator."""
        text = self.text
        end = self._gt_after(i + 1)
        bad = _IRI_BAD.search(text, i + 1, end) if end > 0 else None
        if end < 0 or bad is not None:
            self._emit("other", "<", i)
            return i + 1
        content = text[i + 1 : end]
        if ("#" in content or "'" in content) and self._after_operand_in_expression():
            raise _Refuse(
                f"ambiguous '<' at {_position(text, i)}: in an expression after a value it "
                "may be the operator, but what follows could also be an IRI holding "
                "'#' or \"'\"; write a space after the operator or percent-encode the IRI",
                400,
            )
        self._emit("iri", text[i : end + 1], i)
        return end + 1

    def _after_operand_in_expression(self) -> bool:
        if not self.expression or not self.expression[-1]:
            return False
        last_kind, last, _ = self.tokens[-1]
        return last_kind != "other" or last in (")", "]") or last.startswith("@")

    def _name(self, i: int) -> int:
        """A prefixed name (``PN_PREFIX? ':' PN_LOCAL``) or, without ``:``, a bare word."""
        text = self.text
        if text[i] == ":":
            colon = i
        else:
            run_end = _PN_PREFIX_RUN.match(text, i).end()  # type: ignore[union-attr]
            stop = run_end
            while stop > i and text[stop - 1] == ".":
                stop -= 1
            if stop < len(text) and text[stop] == ":":
                colon = stop
            else:
                self.no_colon_until = stop
                word = _WORD.match(text, i)
                assert word is not None
                self._emit("word", word.group(), i)
                return word.end()
        local = _PN_LOCAL.match(text, colon + 1)
        end = local.end() if local else colon + 1
        self._emit("pname", text[i:end], i)
        return end


def _significant_after(tokens: list[tuple[Kind, str, int]], index: int) -> str:
    return tokens[index + 1][1] if index + 1 < len(tokens) else ""


def _inspect(sparql: str) -> Analysis:
    tokens = _Lexer(sparql).run()
    form: QueryForm | None = None
    group_start: int | None = None
    first_word: str | None = None
    seen_where = False
    updates: list[str] = []
    unknown: str | None = None
    depth = bangs = 0
    for index, (kind, text, offset) in enumerate(tokens):
        if kind == "word":
            upper = text.upper()
            if FEDERATION_WORD in upper:
                raise _Refuse(NO_SERVICE.format(f" (at {_position(sparql, offset)})"))
            if first_word is None and upper not in _PROLOGUE:
                first_word = upper  # keywords are matched without a word boundary
                form = next((f for w, f in _FORMS.items() if upper.startswith(w)), None)
                if form is None and upper.startswith(_UPDATE_START):
                    updates.append(upper)
            elif depth == 0 and form is not None and upper == "WHERE":
                seen_where = True
            if upper in UPDATE_WORDS and upper not in updates:
                updates.append(upper)
            if unknown is None and upper not in KEYWORDS and not text[0].isdigit():
                unknown = text
        elif kind == "pname":
            prefix = text.partition(":")[0].upper()
            if FEDERATION_WORD in prefix and _significant_after(tokens, index) == "{":
                raise _Refuse(NO_SERVICE.format(f" (at {_position(sparql, offset)})"))
        bangs = bangs + 1 if kind == "other" and text == "!" else 0
        if kind == "other" and text in "{([":
            opens_where = seen_where or form != "construct"
            if text == "{" and depth == 0 and group_start is None and form and opens_where:
                group_start = offset + 1
            depth += 1
        elif kind == "other" and text in "})]":
            depth = max(depth - 1, 0)
        if depth + bangs > MAX_DEPTH:
            where = _position(sparql, offset)
            raise _Refuse(f"the query nests deeper than {MAX_DEPTH} levels (at {where})", 400)
    if updates:
        raise _Refuse(READ_ONLY.format(", ".join(updates)))
    return Analysis(form, group_start, unknown_word=unknown)


@lru_cache(maxsize=32)
def analyse(sparql: str) -> Analysis:
    """The check of ``sparql``, computed once per text (see the module documentation)."""
    try:
        return _inspect(sparql)
    except _Refuse as refusal:
        return Analysis(None, None, refusal.message, refusal.status)


def check_query(sparql: str) -> QueryForm | None:
    """Refuse updates and federation; return the query form (``None`` if not recognisable).

    A query whose form cannot be found is left to the parser, which reports the exact
    position of the problem.  Raises :class:`QueryRefused` (403) for Update and SERVICE,
    :class:`QueryError` (400) for what cannot be checked (too deep, unterminated string...).
    """
    result = analyse(sparql)
    if result.refusal is not None:
        if result.status == 403:
            raise QueryRefused(result.refusal)
        raise QueryError(result.refusal)
    return result.form


def bare_words(sparql: str) -> list[str]:
    """The bare words (keywords, function names, ``a``) of a query, upper-cased, in order."""
    return [text.upper() for kind, text, _ in _Lexer(sparql).run() if kind == "word"]


def where_group_start(sparql: str) -> int | None:
    """The offset just after the ``{`` that opens the query's top-level WHERE group.

    ``None`` when the query has no group pattern (``DESCRIBE <iri>``).  For CONSTRUCT the
    template is skipped: the group is the one after ``WHERE``.
    """
    return analyse(sparql).group_start


def normal_form(sparql: str) -> str:
    """``sparql`` as its tokens separated by single spaces: the same query written with other
    whitespace or other comments has the same normal form (the key under which the worker pool
    remembers what a query cost).  A text the lexer cannot read is its own normal form."""
    try:
        return " ".join(text for _, text, _ in _Lexer(sparql).run())
    except _Refuse:
        return sparql
