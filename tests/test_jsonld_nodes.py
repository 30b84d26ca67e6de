"""JSON-LD documents hold one node object per @id (no node split over several objects)."""

from __future__ import annotations

import json
from collections import Counter

import pyoxigraph as ox
from flask.testing import FlaskClient

from talkgraph.store import QueryResult


def _ids(document: object) -> Counter[str]:
    nodes = document if isinstance(document, list) else document.get("@graph", [document])  # type: ignore[union-attr]
    return Counter(node["@id"] for node in nodes)


def test_construct_result_as_jsonld_has_one_node_per_id() -> None:
    s, t = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/t")
    p, q = ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/q")
    triples = [
        ox.Triple(s, p, ox.Literal("1")),
        ox.Triple(t, p, ox.Literal("2")),
        ox.Triple(s, q, t),
        ox.Triple(s, p, ox.Literal("3")),
    ]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    result = QueryResult("graph", "nt", data, len(triples))
    document = json.loads(result.serialize("jsonld"))
    assert _ids(document) == {"http://example.org/s": 1, "http://example.org/t": 1}
    back = set(ox.parse(result.serialize("jsonld"), format=ox.RdfFormat.JSON_LD))
    assert {quad.triple for quad in back} == set(triples)


def test_person_page_jsonld_has_one_node_per_id(client: FlaskClient) -> None:
    for path in ("/person/bo-sample", "/person/ada-example", "/event/mini-workshop"):
        response = client.get(path, headers={"Accept": "application/ld+json"})
        assert response.status_code == 200
        ids = _ids(json.loads(response.data))
        assert ids and max(ids.values()) == 1, (path, ids)
