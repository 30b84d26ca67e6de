"""Linked-data pages: every IRI the dataset mints dereferences here; and the home page.

``/{kind}/{slug}``, ``/dataset`` and ``/topic/`` (the topic scheme) map to the IRI under the
dataset's configured base (``{base}person/x``) on whatever host serves them.  Browsers get HTML;
RDF clients get Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept``, by suffix (``.ttl``…) or by
``?format=`` — 200 with ``Content-Location`` naming the suffixed document (docs/linked-data.md).
The RDF description is the CONSTRUCT in ``queries/pages/describe.rq``; what the HTML pages show
comes from :mod:`talkgraph.web.pagedata`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, url_for
from rdflib import URIRef

from ..errors import NotFound
from ..formats import HTML_TYPES, JSON_TYPE, TEXT_TYPE
from ..iris import KINDS
from . import state
from .errors import error_response
from .media import best
from .negotiate import (
    Choice,
    add_headers,
    alternates,
    choose,
    document_url,
    iri_for_path,
    jsonld_script,
    rdf_response,
    split_suffix,
    suffix_format,
)
from .pagedata import ask, home_data, licences, query
from .pagekinds import BUILDERS, generic_page

bp = Blueprint("pages", __name__)

_KIND_LABELS = {
    "event": "Event",
    "talk": "Talk",
    "person": "Person",
    "institution": "Institution",
    "topic": "Topic",
    "graph": "Graph",
    "dataset": "Dataset",
    "scheme": "Topic scheme",
}


@bp.get("/")
def home() -> str:
    """The dataset's title, statistics, validation status and ways in."""
    manifest = state().manifest
    data = home_data(manifest)
    data["jsonld"] = jsonld_script(data.pop("schema"))
    data["licences"] = licences()
    return render_template("home.html", manifest=manifest, **data)


@bp.get("/dataset")
@bp.get("/dataset.<suffix>")
def dataset(suffix: str | None = None) -> Response:
    """The dataset description (VoID/DCAT), negotiated like every entity."""
    if suffix is None:
        return _resource("/dataset", "dataset", None)
    found = suffix_format("." + suffix)
    if found is None:
        return _not_found(f"/dataset.{suffix}")
    return _resource("/dataset", "dataset", found)


@bp.get("/topic/")
def scheme() -> Response:
    """The topic scheme (``{base}topic/``)."""
    return _resource("/topic/", "scheme", None)


@bp.get("/<kind>/<name>")
def entity(kind: str, name: str) -> Response:
    """An event, talk, person, institution or topic; 404 for anything the dataset lacks."""
    slug, suffix = split_suffix(name)
    if kind not in KINDS or kind == "topic" and not slug:
        return _not_found(f"/{kind}/{name}")
    return _resource(f"/{kind}/{slug}", kind, suffix)


def _resource(stem: str, kind: str, suffix: str | None) -> Response:
    iri = iri_for_path(stem)
    if not ask("exists", iri):
        return _not_found(stem)
    choice = choose(suffix)
    links = alternates(stem)
    location = None if suffix is not None else document_url(stem, choice)
    if not choice.is_html:
        result = state().store.query(
            query("describe"), bindings={"this": URIRef(iri)}, result_format=choice.name
        )
        return rdf_response(result.serialize(choice.name), choice, links=links, location=location)
    return _html(iri, kind, choice, links, location)


def _html(
    iri: str, kind: str, choice: Choice, links: list[tuple[str, str]], location: str | None
) -> Response:
    builder = BUILDERS.get(kind, generic_page)
    page: dict[str, Any] = builder(iri)
    schema = page.pop("schema")
    neighbourhood = None
    if kind in ("person", "topic") and "graphs.neighbourhood" in current_app.view_functions:
        neighbourhood = url_for("graphs.neighbourhood", iri=iri)
    body = render_template(
        "entity.html",
        iri=iri,
        kind=kind,
        kind_label=_KIND_LABELS.get(kind, kind.title()),
        alternates=links,
        jsonld=jsonld_script(schema),
        licences=licences(),
        neighbourhood=neighbourhood,
        base_iri=state().minter.base,
        **page,
    )
    response = Response(body, mimetype="text/html")
    return add_headers(response, choice, links, location)


def _not_found(path: str) -> Response:
    """The 404 page for a browser, the one error shape for anybody else."""
    iri = iri_for_path(path)
    message = f"{iri} is not described in this dataset"
    if best([*HTML_TYPES, JSON_TYPE, TEXT_TYPE]) not in HTML_TYPES:
        return error_response(NotFound.__name__, message, 404, iri=iri)
    body = render_template("notfound.html", iri=iri, message=message, licences=licences())
    response = Response(body, status=404, mimetype="text/html")
    response.vary.add("Accept")
    return response
