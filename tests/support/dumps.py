"""A graph written as the build writes its dataset files, for tests of those formats."""

from __future__ import annotations

from rdflib import Graph, URIRef

from talkgraph.formats import get_format
from talkgraph.iris import Minter
from talkgraph.parts import quad_lines, trig_text
from talkgraph.rdf import canonical_ntriples, ntriples_to

#: The graph a plain graph's quads go into (``graph/main`` under the default base).
MAIN = Minter().graph("main")


def dump(graph: Graph, fmt: str) -> bytes:
    """``graph`` in the format called ``fmt``, by the functions the build writes its dumps
    with: sorted N-Triples (``canonical_ntriples``), Turtle/RDF-XML/JSON-LD from those
    (``ntriples_to``), N-Quads and TriG in the graph named by ``graph``'s IRI, else
    :data:`MAIN` (``quad_lines``, ``trig_text``)."""
    spec = get_format(fmt)
    ntriples = canonical_ntriples(graph)
    if spec.name == "nt":
        return ntriples.encode("utf-8")
    if not spec.quads:
        return ntriples_to(ntriples.encode("utf-8"), spec.name)
    name = graph.identifier if isinstance(graph.identifier, URIRef) else MAIN
    quads = quad_lines(graph, name)
    text = "".join(quads) if spec.name == "nquads" else trig_text(quads)
    return text.encode("utf-8")
