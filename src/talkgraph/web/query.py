"""``/query``: the query page, and the canned queries (``/query/canned/<name>``).

Canned queries are ``.rq`` files in ``queries/canned/`` whose header comment gives a title, a
description and parameters::

    # title: Talks on a topic, including narrower topics
    # description: Every talk annotated with the chosen topic or a narrower one.
    #   (an indented comment line continues the field above)
    # param: topic (topic) default=first  the topic (a skos:Concept)

A parameter's kind is ``topic``, ``speaker``, ``person``, ``institution``, ``talk`` or ``iri``
(an IRI, validated as an absolute http(s) IRI) or ``country``/``literal`` (a literal); its
default is ``first`` (the first choice from the data), ``none`` (unbound: any value) or a
literal.  Values are bound through the store's ``bindings=`` (a ``VALUES`` clause written from
terms), never formatted into the query text, so a parameter must be a variable in scope at the
top level of the query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for
from rdflib import Literal, URIRef
from werkzeug.exceptions import BadRequest

from ..errors import ConfigError, NotFound
from ..formats import HTML_TYPES, JSON_TYPE, RESULT_TYPES
from ..resources import resource
from ..store import QueryResult
from ..vocab import PREFIXES, prefixed
from . import state
from .media import best, pick, typed

bp = Blueprint("query", __name__)

CANNED_DIR = resource("talkgraph.web", "queries", "canned")
IRI_KINDS = ("topic", "speaker", "person", "institution", "talk", "iri")
LITERAL_KINDS = ("country", "literal")
MAX_LITERAL = 1000
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PARAM = re.compile(r"^(\w+)\s*\((\w+)\)\s*(?:default=(\S+))?\s*(.*)$")
_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")

#: The choices offered for a parameter of each kind: ``?value`` and ``?label``, in order.
_CHOICES: dict[str, str] = {
    "topic": """
        SELECT ?value (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?talk) AS ?n) WHERE {
          ?value a skos:Concept ; skos:prefLabel ?name .
          ?sub skos:broader* ?value .
          ?talk a conf:Talk ; schema:about ?sub .
        } GROUP BY ?value ORDER BY LCASE(STR(?label)) ?value""",
    "speaker": """
        SELECT DISTINCT ?value ?label WHERE {
          ?talk a conf:Talk ; schema:performer ?value . ?value schema:name ?label .
        } ORDER BY LCASE(STR(?label)) ?value""",
    "person": """
        SELECT ?value ?label WHERE { ?value a schema:Person ; schema:name ?label . }
        ORDER BY LCASE(STR(?label)) ?value""",
    "institution": """
        SELECT ?value ?label WHERE { ?value a schema:Organization ; schema:name ?label . }
        ORDER BY LCASE(STR(?label)) ?value""",
    "talk": """
        SELECT ?value ?label WHERE { ?value a conf:Talk ; schema:name ?label . }
        ORDER BY LCASE(STR(?label)) ?value""",
    "country": """
        SELECT DISTINCT ?value (?value AS ?label) WHERE {
          ?org schema:address/schema:addressCountry ?code . BIND (STR(?code) AS ?value)
        } ORDER BY ?value""",
}
#: The result formats a canned query can be downloaded in.
_TABLE_MEDIA = {name: RESULT_TYPES[name].media_type for name in ("json", "csv", "tsv")}


@dataclass(frozen=True)
class Param:
    """One parameter of a canned query."""

    name: str
    kind: str
    default: str  # "first", "none" or a literal
    description: str

    @property
    def is_iri(self) -> bool:
        return self.kind in IRI_KINDS


@dataclass(frozen=True)
class Canned:
    """A canned query: its name (the file stem), header fields and text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def parse_canned(name: str, text: str) -> Canned:
    """A canned query from the text of its ``.rq`` file; :class:`ConfigError` if malformed."""
    fields: dict[str, str] = {}
    params: list[str] = []
    last: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            last = match[1]
            if last == "param":
                params.append(match[2].strip())
            elif last in fields:
                raise ConfigError(f"{name}.rq: two {last!r} fields")
            else:
                fields[last] = match[2].strip()
        elif last and line[1:].strip():
            extra = " " + line[1:].strip()
            if last == "param":
                params[-1] += extra
            else:
                fields[last] += extra
    if not _NAME.match(name) or not fields.get("title"):
        raise ConfigError(f"{name}.rq: a canned query needs a slug name and a '# title:' line")
    return Canned(name, fields["title"], fields.get("description", ""), _params(name, params), text)


def _params(name: str, specs: list[str]) -> tuple[Param, ...]:
    out: list[Param] = []
    for spec in specs:
        match = _PARAM.match(spec)
        if (
            not match
            or match[2] not in (*IRI_KINDS, *LITERAL_KINDS)
            or match[1] in ("format", "name")
        ):
            raise ConfigError(f"{name}.rq: bad parameter {spec!r} (name (kind) default=...)")
        default = match[3] or "none"
        if match[2] in IRI_KINDS and default not in ("first", "none"):
            raise ConfigError(f"{name}.rq: an IRI parameter's default is 'first' or 'none'")
        out.append(Param(match[1], match[2], default, match[4].strip()))
    return tuple(out)


@cache
def load_canned(directory: Path = CANNED_DIR) -> dict[str, Canned]:
    """Every canned query in ``directory``, by name, in name order."""
    return {
        path.stem: parse_canned(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.rq"))
    }


def prefix_block() -> str:
    """The dataset's PREFIX declarations, one a line."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def choices(kind: str) -> list[tuple[str, str]]:
    """(value, label) choices from our data for a parameter of ``kind`` (none for free kinds)."""
    query = _CHOICES.get(kind)
    if query is None:
        return []
    result = state().store.query(prefix_block() + query, result_format="json")
    out = []
    for row in result.text_rows():
        label = row.get("label", row["value"])
        out.append((row["value"], f"{label} ({row['n']})" if "n" in row else label))
    return out


def bind_params(
    canned: Canned, args: Mapping[str, str]
) -> tuple[dict[str, URIRef | Literal], dict[str, str]]:
    """The bindings for a request's arguments, and the value chosen for each parameter.

    An absent parameter takes its default; an empty one is unbound (any value).  IRI values
    must be absolute http(s) IRIs (400 otherwise); literal values are bound as plain literals.
    """
    bindings: dict[str, URIRef | Literal] = {}
    chosen: dict[str, str] = {}
    for param in canned.params:
        value = args.get(param.name)
        if value is None:
            value = _default(param)
        value = value.strip()
        chosen[param.name] = value
        if not value:
            continue
        if param.is_iri:
            if not _IRI.match(value):
                raise BadRequest(f"parameter {param.name!r} must be an absolute http(s) IRI")
            bindings[param.name] = URIRef(value)
        else:
            if len(value) > MAX_LITERAL:
                raise BadRequest(f"parameter {param.name!r} is longer than {MAX_LITERAL}")
            bindings[param.name] = Literal(value)
    return bindings, chosen


def _default(param: Param) -> str:
    if param.default == "none":
        return ""
    if param.default == "first":
        found = choices(param.kind)
        return found[0][0] if found else ""
    return param.default


# Rendering ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    external: bool = False


def shown_columns(variables: list[str]) -> list[str]:
    """The columns of a table: ``xLabel`` is folded into the link text of ``x``."""
    names = set(variables)
    return [v for v in variables if not (v.endswith("Label") and v[: -len("Label")] in names)]


def iri_cell(iri: str, label: str | None = None) -> Cell:
    """A link: our IRIs to their page on this site, others out."""
    path = state().minter.path(iri)
    if path is not None:
        return Cell(label or path[1:], request.script_root + path)
    return Cell(label or compact(iri), iri, external=True)


def compact(iri: str) -> str:
    """``prefix:local`` for an IRI in one of the dataset's namespaces, else the IRI."""
    return prefixed(iri) or iri


def table(result: QueryResult) -> tuple[list[str], list[list[Cell]]]:
    """The header and cells of a SELECT result for an HTML table."""
    columns = shown_columns(result.variables)
    rows: list[list[Cell]] = []
    for row in result.rows():
        cells = []
        for name in columns:
            term = row.get(name)
            label = row.get(f"{name}Label")
            label_text = label.value if isinstance(label, ox.Literal) else None
            if isinstance(term, ox.NamedNode):
                cells.append(iri_cell(term.value, label_text))
            elif isinstance(term, ox.Literal | ox.BlankNode):
                cells.append(Cell(term.value))
            else:
                cells.append(Cell(str(term) if term is not None else ""))
        rows.append(cells)
    return columns, rows


def _terms() -> list[str]:
    """Prefixed names of the classes and properties used in the data (for autocompletion)."""

    def compute() -> list[str]:
        query = "SELECT DISTINCT ?t WHERE { { ?s a ?t } UNION { ?s ?t ?o } }"
        result = state().store.query(query, result_format="json")
        return sorted({compact(row["t"]) for row in result.text_rows()})

    return list(state().cache("query_terms", list, compute))


# Routes ------------------------------------------------------------------------------------
@bp.route("/query")
def page() -> str:
    text = request.args.get("query") or prefix_block() + (
        "\nSELECT ?talk ?title ?speaker WHERE {\n"
        "  ?talk a conf:Talk ;\n        schema:name ?title ;\n        schema:performer ?speaker .\n"
        "}\nLIMIT 50\n"
    )
    return render_template(
        "query.html",
        text=text,
        canned=list(load_canned().values()),
        prefixes={p: str(ns) for p, ns in PREFIXES.items()},
        base=state().minter.base,
        terms=[f"{p}:" for p in PREFIXES] + _terms(),
    )


@bp.route("/query/canned")
def canned_list() -> Response | str:
    queries = list(load_canned().values())
    if best([HTML_TYPES[0], JSON_TYPE]) == JSON_TYPE:
        data = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "params": [vars(p) for p in q.params],
                "query": q.text,
            }
            for q in queries
        ]
        response = typed(json.dumps(data, indent=1), JSON_TYPE)
        response.vary.add("Accept")
        return response
    return render_template("canned_list.html", canned=queries)


@bp.route("/query/canned/<name>")
def canned(name: str) -> Response | str:
    query = load_canned().get(name)
    if query is None:
        raise NotFound(f"there is no canned query called {name!r}")
    fmt = _canned_format()
    bindings, chosen = bind_params(query, request.args)
    result = state().store.query(query.text, bindings=bindings, result_format="json")
    if fmt != "html":
        response = typed(result.serialize(fmt), _TABLE_MEDIA[fmt])
        response.vary.add("Accept")
        return response
    columns, rows = table(result)
    params = [(p, chosen[p.name], choices(p.kind)) for p in query.params]
    return render_template(
        "canned_query.html",
        query=query,
        params=params,
        columns=columns,
        rows=rows,
        count=len(result),
        downloads=[(fmt, _download_url(name, fmt)) for fmt in _TABLE_MEDIA],
    )


def _download_url(name: str, fmt: str) -> str:
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "format"}
    return url_for("query.canned", name=name, format=fmt, **args)


def _canned_format() -> str:
    wanted = request.args.get("format")
    if wanted is not None:
        if wanted not in ("html", *_TABLE_MEDIA):
            raise BadRequest(f"format {wanted!r} is not available; use html, json, csv or tsv")
        return wanted
    offered = [(HTML_TYPES[0], "html"), *((v, k) for k, v in _TABLE_MEDIA.items())]
    offered.append((JSON_TYPE, "json"))
    return pick(offered, "a canned query answers with " + ", ".join(m for m, _ in offered))
