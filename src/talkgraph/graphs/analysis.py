"""Network measures added to a co-topic graph as node attributes.

Everything is deterministic: Louvain runs with a fixed seed on a graph whose nodes and edges were
added in sorted order, and communities and components are numbered by size (largest first), ties
broken by their smallest member IRI.

``betweenness`` is normalised shortest-path betweenness where an edge's length is
``1 / weight``: a strong tie (many shared topics or talks) is a short step.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

SEED = 42
DIGITS = 6  # float measures are rounded so exports do not carry floating-point noise


def _numbered(groups: Iterable[Iterable[str]]) -> dict[str, int]:
    """Node -> group number; groups ordered by size descending, then smallest member."""
    ordered = sorted((sorted(group) for group in groups), key=lambda m: (-len(m), m[0]))
    return {node: n for n, members in enumerate(ordered) for node in members}


def _length(u: str, v: str, attrs: dict[str, object]) -> float:
    weight = attrs.get("weight", 1)
    return 1.0 / weight if isinstance(weight, int | float) and weight > 0 else 1.0


def analyse(g: nx.Graph) -> nx.Graph:
    """Add ``community``, ``component``, ``degree``, ``weighted_degree``,
    ``degree_centrality`` and ``betweenness`` to every node (in place); returns ``g``.

    Graph attributes ``density`` (edges over possible edges), ``communities``, ``components``
    and (when there are edges) ``modularity`` are added too.
    """
    if g.number_of_nodes() == 0:
        g.graph.update(communities=0, components=0)
        return g
    communities = nx.community.louvain_communities(g, weight="weight", seed=SEED)
    community = _numbered(communities)
    component = _numbered(nx.connected_components(g))
    centrality = nx.degree_centrality(g)
    betweenness = nx.betweenness_centrality(g, normalized=True, weight=_length)
    weighted = dict(g.degree(weight="weight"))
    for node, attrs in g.nodes(data=True):
        attrs["community"] = community[node]
        attrs["component"] = component[node]
        attrs["degree"] = g.degree(node)
        attrs["weighted_degree"] = weighted[node]
        attrs["degree_centrality"] = round(centrality[node], DIGITS)
        attrs["betweenness"] = round(betweenness[node], DIGITS)
    g.graph["density"] = round(nx.density(g), DIGITS)
    g.graph["communities"] = len(communities)
    g.graph["components"] = len(set(component.values()))
    if g.number_of_edges():
        modularity = nx.community.modularity(g, communities, weight="weight")
        g.graph["modularity"] = round(modularity, DIGITS)
    return g
