"""``/graphs``: co-topic graphs in the browser, as tables and as downloads.

* ``/graphs/<kind>`` (topics, speakers, talks): the interactive map (``static/graphview.js``
  draws the node-link JSON with sigma.js);
* ``/graphs/<kind>.<fmt>`` and ``/graphs/<kind>/data?format=…&min_weight=N``: the files
  ``talkgraph graph`` writes (json, graphml, gexf, csv, nodes-csv), as attachments;
* ``/graphs/<kind>/table``: the same graph as tables of nodes and edges, sortable by the server
  (``?sort=col&order=desc``) and, with JavaScript, by clicking a column header;
* ``/graphs/neighbourhood?iri=…``: node-link JSON of the ego network (radius 1) of a speaker
  (speakers graph), a topic (topics graph) or a talk (talks graph).

The rows come from one SPARQL SELECT through the store; built and analysed graphs are cached in
the served dataset's state (``state().cache``; a reload starts afresh).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any, cast

import networkx as nx
from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from ..errors import NotFound
from ..graphs import (
    CONFIDENCE_QUERY,
    COTOPIC_QUERY,
    FORMATS,
    HIERARCHY_QUERY,
    CoTopicData,
    GraphKind,
    analyse,
    build_graph,
    default_min_weight,
    export_graph,
    rows_from_bindings,
)
from . import state
from .media import typed

bp = Blueprint("graphs", __name__, url_prefix="/graphs")

PAGE_KINDS: tuple[str, ...] = ("topics", "speakers", "talks")
EXPORT_KINDS: tuple[str, ...] = (*PAGE_KINDS, "bipartite")
MAX_MIN_WEIGHT = 10_000
CACHE_SIZE = 32
_TITLES = {"topics": "Topic map", "speakers": "Speaker map", "talks": "Talk map",
           "bipartite": "Talk–topic graph"}  # fmt: skip
_NEIGHBOURHOOD_KINDS = {"person": "speakers", "topic": "topics", "talk": "talks"}


class _Cache:
    """The co-topic data of the served dataset and an LRU of built, analysed graphs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data: CoTopicData | None = None
        self.graphs: OrderedDict[tuple[str, int], nx.Graph] = OrderedDict()


def _cache() -> _Cache:
    return state().cache("graphs", _Cache)


def _data(cache: _Cache) -> CoTopicData:
    if cache.data is None:
        rows = rows_from_bindings(state().store.query(COTOPIC_QUERY, max_rows=1_000_000).rows())
        store = state().store
        hierarchy = store.query(HIERARCHY_QUERY, max_rows=1_000_000).rows()
        confidence = store.query(CONFIDENCE_QUERY, max_rows=1_000_000).rows()
        cache.data = CoTopicData.from_rows(rows).add_hierarchy(hierarchy).add_confidence(confidence)
    return cache.data


def cotopic_graph(kind: str, min_weight: int | None = None) -> nx.Graph:
    """The analysed co-topic graph of the served dataset (cached; do not modify it)."""
    if min_weight is None:
        min_weight = default_min_weight(kind)
    cache = _cache()
    key = (kind, min_weight)
    with cache.lock:
        if key in cache.graphs:
            cache.graphs.move_to_end(key)
            return cache.graphs[key]
        g = analyse(build_graph(_data(cache), cast(GraphKind, kind), min_weight))
        cache.graphs[key] = g
        while len(cache.graphs) > CACHE_SIZE:
            cache.graphs.popitem(last=False)
        return g


def _kind(kind: str, allowed: tuple[str, ...] = PAGE_KINDS) -> str:
    if kind not in allowed:
        raise NotFound(f"no co-topic graph of kind {kind!r}; there are: {', '.join(allowed)}")
    return kind


def _min_weight(kind: str) -> int:
    raw = request.args.get("min_weight", str(default_min_weight(kind)))
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"min_weight must be a whole number, got {raw!r}") from None
    if not 1 <= value <= MAX_MIN_WEIGHT:
        raise BadRequest(f"min_weight must be between 1 and {MAX_MIN_WEIGHT}, got {value}")
    return value


def _export(kind: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        raise NotFound(f"no graph format {fmt!r}; there are: {', '.join(FORMATS)}")
    min_weight = _min_weight(kind)
    g = cotopic_graph(_kind(kind, EXPORT_KINDS), min_weight)
    spec = FORMATS[fmt]
    response = typed(export_graph(g, fmt), spec.media_type)
    suffix = f"-min{min_weight}" if min_weight != default_min_weight(kind) else ""
    filename = f"cotopic-{kind}{suffix}{spec.suffix}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/<kind>")
def page(kind: str) -> str:
    kind = _kind(kind)
    return render_template(
        "graph.html",
        kind=kind,
        kinds=PAGE_KINDS,
        title=_TITLES[kind],
        data_url=url_for("graphs.data", kind=kind, format="json"),
        export_url=url_for("graphs.data", kind=kind),
        table_url=url_for("graphs.table", kind=kind),
        base_iri=state().minter.base,
        formats=[f for f in FORMATS if f != "json"] + ["json"],
    )


@bp.get("/<kind>.<fmt>")
def export(kind: str, fmt: str) -> Response:
    return _export(kind, fmt)


@bp.get("/<kind>/data")
def data(kind: str) -> Response:
    return _export(kind, request.args.get("format", "json"))


_NODE_COLUMNS = ("label", "weight", "degree", "weighted_degree", "betweenness", "community")
_EDGE_COLUMNS = ("source", "target", "weight", "shared")


def _sorted(rows: list[dict[str, Any]], columns: tuple[str, ...], key: str | None, desc: bool
            ) -> list[dict[str, Any]]:  # fmt: skip
    if key not in columns:
        return rows

    def order(row: dict[str, Any]) -> tuple[int, Any]:
        value = row[key]
        return (0, value) if isinstance(value, int | float) else (1, str(value).casefold())

    return sorted(rows, key=order, reverse=desc)


@bp.get("/<kind>/table")
def table(kind: str) -> str:
    kind = _kind(kind)
    min_weight = _min_weight(kind)
    g = cotopic_graph(kind, min_weight)
    sort, desc = request.args.get("sort"), request.args.get("order") == "desc"
    minter = state().minter
    nodes = [
        {"iri": n, "path": minter.path(n), **{c: a.get(c, "") for c in _NODE_COLUMNS}}
        for n, a in g.nodes(data=True)
    ]
    label = nx.get_node_attributes(g, "label")
    edges = []
    for u, v, a in g.edges(data=True):
        shared = a.get("concept_labels") or a.get("talk_labels") or []
        edges.append({"source": label.get(u, u), "target": label.get(v, v),
                      "source_path": minter.path(u), "target_path": minter.path(v),
                      "weight": a.get("weight", 1), "shared": "; ".join(shared)})  # fmt: skip
    return render_template(
        "graph_table.html",
        kind=kind,
        title=_TITLES[kind],
        min_weight=min_weight,
        nodes=_sorted(nodes, _NODE_COLUMNS, sort, desc),
        edges=_sorted(edges, _EDGE_COLUMNS, sort, desc),
        node_columns=_NODE_COLUMNS,
        edge_columns=_EDGE_COLUMNS,
        sort=sort,
        desc=desc,
        page_url=url_for("graphs.page", kind=kind),
    )


@bp.get("/neighbourhood")
def neighbourhood() -> Response:
    iri = request.args.get("iri", "").strip()
    if not iri:
        raise BadRequest("give the IRI of a person, topic or talk: ?iri=…")
    parsed = state().minter.kind_of(iri)
    kind = _NEIGHBOURHOOD_KINDS.get(parsed[0]) if parsed else None
    g = cotopic_graph(kind) if kind else None
    if g is None or iri not in g:
        raise NotFound(f"{iri} is not a node of any co-topic graph")
    ego = nx.ego_graph(g, iri, radius=1)
    ego.graph.update(kind=kind, center=iri)
    body = json.dumps(nx.node_link_data(ego, edges="links"), ensure_ascii=False)
    return Response(body + "\n", mimetype="application/json")
