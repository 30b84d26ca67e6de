"""Co-topic graphs in the formats network tools open (Gephi, Cytoscape, VOSviewer, d3).

* JSON: networkx node-link data with the edge list under ``"links"`` (the d3 convention); list
  attributes stay lists; graph attributes (``kind``, ``min_weight``…) under ``"graph"``.
* GraphML and GEXF hold only scalars: list attributes become ``"; "``-joined strings.
* CSV: an edge table (``Source,Target,Source_Label,Target_Label,Weight,Shared,Type``) and a node
  table (``Id,Label,…``) with Gephi's column names, for its spreadsheet import.

Every format carries each node's IRI (as its id and as ``iri``) and its ``label``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import NamedTuple

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from ..errors import ConfigError

LIST_SEPARATOR = "; "
LINKS = "links"  # node-link key of the edge list

EDGE_COLUMNS = ("Source", "Target", "Source_Label", "Target_Label", "Weight", "Shared", "Type")


def _scalar(value: object) -> object:
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return LIST_SEPARATOR.join(str(item) for item in items)
    return value


def _scalar_attrs(attrs: dict[str, object]) -> dict[str, object]:
    return {key: _scalar(value) for key, value in attrs.items() if value is not None}


def scalar_copy(g: nx.Graph) -> nx.Graph:
    """A copy of ``g`` whose node, edge and graph attributes are all scalars."""
    h = nx.Graph(**_scalar_attrs(g.graph))
    h.add_nodes_from((node, _scalar_attrs(attrs)) for node, attrs in g.nodes(data=True))
    h.add_edges_from((u, v, _scalar_attrs(attrs)) for u, v, attrs in g.edges(data=True))
    return h


def to_node_link_json(g: nx.Graph) -> str:
    """Node-link JSON (``nodes``, ``links``, ``graph``); read back with
    ``nx.node_link_graph(data, edges="links")``."""
    data = nx.node_link_data(g, edges=LINKS)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def to_graphml(g: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(scalar_copy(g), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def to_gexf(g: nx.Graph) -> bytes:
    h = scalar_copy(g)
    # GEXF keeps no arbitrary graph attributes: name the graph after its kind instead
    h.graph.setdefault("name", f"talkgraph co-topic graph: {g.graph.get('kind', '')}".strip())
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    # networkx stamps today's date; leave it out so the same graph gives the same bytes
    for meta in writer.xml.iter("meta"):
        meta.attrib.pop("lastmodifieddate", None)
    writer.add_graph(h)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _shared(attrs: dict[str, object]) -> str:
    """What an edge stands for: the concepts explaining it (speakers, talks) or shared talks."""
    for key in ("concept_labels", "topic_labels", "talk_labels", "topics", "talks"):
        if key in attrs:
            return str(_scalar(attrs[key]))
    return ""


def _write_csv(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def to_csv(g: nx.Graph) -> str:
    """The edge table, one undirected edge per row."""
    label = nx.get_node_attributes(g, "label")
    rows: list[list[object]] = [
        [u, v, label.get(u, u), label.get(v, v), attrs.get("weight", 1), _shared(attrs)]
        + ["Undirected"]
        for u, v, attrs in g.edges(data=True)
    ]
    return _write_csv(list(EDGE_COLUMNS), rows)


def nodes_csv(g: nx.Graph) -> str:
    """The node table: ``Id``, ``Label``, then every other node attribute (sorted by name)."""
    keys = sorted({key for _, attrs in g.nodes(data=True) for key in attrs} - {"label"})
    rows: list[list[object]] = []
    for node, attrs in g.nodes(data=True):
        values = [_scalar(attrs.get(key)) for key in keys]
        rows.append([node, attrs.get("label", node), *("" if v is None else v for v in values)])
    return _write_csv(["Id", "Label", *keys], rows)


class Format(NamedTuple):
    media_type: str
    suffix: str
    write: Callable[[nx.Graph], str | bytes]


FORMATS: dict[str, Format] = {
    "json": Format("application/json", ".json", to_node_link_json),
    "graphml": Format("application/graphml+xml", ".graphml", to_graphml),
    "gexf": Format("application/gexf+xml", ".gexf", to_gexf),
    "csv": Format("text/csv", ".csv", to_csv),
    "nodes-csv": Format("text/csv", ".nodes.csv", nodes_csv),
}


def export_graph(g: nx.Graph, fmt: str) -> bytes:
    """``g`` in one of :data:`FORMATS`, as UTF-8 bytes."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown graph format {fmt!r}; expected one of {sorted(FORMATS)}")
    out = FORMATS[fmt].write(g)
    return out.encode("utf-8") if isinstance(out, str) else out
