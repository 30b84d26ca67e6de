"""Co-topic graphs: derived from the RDF graph, analysed with networkx, exported."""

from __future__ import annotations

from .analysis import analyse
from .build import (
    CONFIDENCE_QUERY,
    COTOPIC_QUERY,
    HIERARCHY_QUERY,
    KINDS,
    CoTopicData,
    GraphKind,
    Row,
    build_graph,
    data_from_graph,
    default_min_weight,
    rows_from_bindings,
    rows_from_graph,
)
from .export import (
    FORMATS,
    Format,
    export_graph,
    nodes_csv,
    to_csv,
    to_gexf,
    to_graphml,
    to_node_link_json,
)
from .rdf import cotopic_graph_iri, graph_to_rdf, related_talks_graph

__all__ = [
    "CONFIDENCE_QUERY",
    "COTOPIC_QUERY",
    "HIERARCHY_QUERY",
    "FORMATS",
    "KINDS",
    "CoTopicData",
    "Format",
    "GraphKind",
    "Row",
    "analyse",
    "build_graph",
    "data_from_graph",
    "default_min_weight",
    "export_graph",
    "cotopic_graph_iri",
    "graph_to_rdf",
    "related_talks_graph",
    "nodes_csv",
    "rows_from_bindings",
    "rows_from_graph",
    "to_csv",
    "to_gexf",
    "to_graphml",
    "to_node_link_json",
]
