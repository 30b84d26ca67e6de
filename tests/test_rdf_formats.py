"""Serialisation formats: the format table, round trips, stable N-Triples, temporal literals."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from support.dumps import dump
from talkgraph import vocab as v
from talkgraph.errors import ConfigError, InputError
from talkgraph.formats import FORMATS, by_media_type, by_suffix, get_format
from talkgraph.iris import Minter
from talkgraph.model import EventInfo, Programme
from talkgraph.rdf import temporal_literal, to_graph
from talkgraph.registry import Registry
from talkgraph.resolve import resolve
from test_resolve_crafted import crafted_model


def crafted_graph() -> Graph:
    return to_graph(crafted_model(), Minter())


def test_format_table() -> None:
    expected = {
        "turtle": ("text/turtle", ".ttl"),
        "nt": ("application/n-triples", ".nt"),
        "jsonld": ("application/ld+json", ".jsonld"),
        "xml": ("application/rdf+xml", ".rdf"),
        "nquads": ("application/n-quads", ".nq"),
        "trig": ("application/trig", ".trig"),
    }
    assert {name: (f.media_type, f.suffix) for name, f in FORMATS.items()} == expected
    for fmt in FORMATS.values():
        assert by_media_type(fmt.media_type) is fmt
        assert by_suffix(fmt.suffix) is fmt
        assert by_suffix(fmt.suffix.lstrip(".")) is fmt
    assert by_media_type("text/turtle; charset=utf-8") is FORMATS["turtle"]
    assert by_media_type("text/html") is None
    assert by_suffix(".txt") is None
    assert (
        get_format("turtle").iana_iri == "https://www.iana.org/assignments/media-types/text/turtle"
    )
    with pytest.raises(ConfigError):
        get_format("n3")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip(fmt: str) -> None:
    graph = crafted_graph()
    data = dump(graph, fmt)
    spec = FORMATS[fmt]
    if spec.quads:
        parsed = Dataset()
        parsed.parse(data=data, format=spec.rdflib)
        back = Graph()
        for s, p, o, _ in parsed.quads((None, None, None, None)):
            back.add((s, p, o))
    else:
        back = Graph().parse(data=data, format=spec.rdflib)
    assert isomorphic(back, graph)


def test_turtle_uses_our_prefixes() -> None:
    text = dump(crafted_graph(), "turtle").decode("utf-8")
    assert "@prefix schema: <https://schema.org/> ." in text
    assert "@prefix tg: <https://w3id.org/talkgraph/ns#> ." in text


def test_ntriples_and_nquads_are_byte_identical_across_builds() -> None:
    for fmt in ("nt", "nquads"):
        assert dump(crafted_graph(), fmt) == dump(crafted_graph(), fmt)


def test_named_graph_keeps_its_name_in_quads() -> None:
    graph = Graph(identifier=URIRef("http://talkgraph.localhost/graph/main"))
    graph.add((URIRef("http://a/s"), v.SCHEMA.name, v.RDF.nil))
    line = dump(graph, "nquads").decode("utf-8").strip()
    assert line.endswith("<http://talkgraph.localhost/graph/main> .")


def test_temporal_literals() -> None:
    assert temporal_literal("2024-05-02", source="s", field="f").datatype == v.XSD.date
    assert temporal_literal("2024-05-02T09:30", source="s", field="f").datatype == v.XSD.dateTime
    with pytest.raises(InputError) as info:
        temporal_literal("May 2nd", source="w.yaml", field="start_date")
    assert "w.yaml" in str(info.value) and "start_date" in str(info.value)


def test_event_without_name_has_no_name() -> None:
    model = resolve([Programme(source="x/ws.txt", event=EventInfo())], Registry.load())
    graph = to_graph(model, Minter())
    event = URIRef("http://talkgraph.localhost/event/ws")
    assert (event, v.RDF.type, v.CONF.Workshop) in graph
    assert graph.value(event, v.SCHEMA.name) is None
