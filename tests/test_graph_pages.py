"""The /graphs routes: exports that parse back, tables, neighbourhoods, errors."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from support.builds import seed_build
from talkgraph.graphs import CoTopicData, analyse, build_graph, data_from_graph, export_graph

KINDS = ("topics", "speakers", "talks")


@pytest.fixture
def seed(seed_app: Flask) -> FlaskClient:
    return seed_app.test_client()


@pytest.fixture(scope="module")
def seed_data() -> CoTopicData:
    rdf = Graph()
    rdf.parse(seed_build() / "dataset.nt")
    return data_from_graph(rdf)


def _iri(row: str) -> str:
    return row.split('"')[1]


def _json_graph(body: bytes) -> nx.Graph:
    return nx.node_link_graph(json.loads(body), edges="links")


@pytest.mark.parametrize("kind", KINDS)
def test_exports_parse_back_with_networkx(seed: FlaskClient, kind: str) -> None:
    response = seed.get(f"/graphs/{kind}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    g = _json_graph(response.data)
    assert g.number_of_nodes() > 0
    for node, attrs in g.nodes(data=True):
        assert attrs["iri"] == node
        assert {"label", "community", "degree", "weight"} <= set(attrs)

    graphml = seed.get(f"/graphs/{kind}.graphml")
    assert graphml.mimetype == "application/graphml+xml"
    assert graphml.headers["Content-Disposition"].endswith('.graphml"')
    h = nx.read_graphml(io.BytesIO(graphml.data))
    assert (h.number_of_nodes(), h.number_of_edges()) == (g.number_of_nodes(), g.number_of_edges())

    gexf = seed.get(f"/graphs/{kind}/data?format=gexf")
    assert gexf.mimetype == "application/gexf+xml"
    x = nx.read_gexf(io.BytesIO(gexf.data))
    assert (x.number_of_nodes(), x.number_of_edges()) == (g.number_of_nodes(), g.number_of_edges())

    edges = seed.get(f"/graphs/{kind}.csv")
    assert edges.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(edges.get_data(as_text=True))))
    assert {frozenset((r["Source"], r["Target"])) for r in rows} == {
        frozenset(e) for e in g.edges()
    }
    nodes = seed.get(f"/graphs/{kind}/data?format=nodes-csv")
    assert nodes.mimetype == "text/csv"
    assert nodes.headers["Content-Disposition"].endswith('.nodes.csv"')
    ids = [r["Id"] for r in csv.DictReader(io.StringIO(nodes.get_data(as_text=True)))]
    assert sorted(ids) == sorted(g.nodes)


@pytest.mark.parametrize("kind", KINDS)
def test_exports_are_the_files_the_cli_writes(
    seed: FlaskClient, seed_data: CoTopicData, kind: str
) -> None:
    for fmt in ("json", "graphml", "csv"):
        expected = export_graph(analyse(build_graph(seed_data, kind)), fmt)  # type: ignore[arg-type]
        assert seed.get(f"/graphs/{kind}.{fmt}").data == expected


def test_min_weight_filters_edges(seed: FlaskClient, seed_data: CoTopicData) -> None:
    for kind in KINDS:
        all_edges = _json_graph(seed.get(f"/graphs/{kind}.json").data)
        heavy = _json_graph(seed.get(f"/graphs/{kind}/data?format=json&min_weight=2").data)
        expected = build_graph(seed_data, kind, 2)  # type: ignore[arg-type]
        assert heavy.number_of_edges() == expected.number_of_edges()
        assert set(heavy.nodes) == set(all_edges.nodes)
        assert all(d["weight"] >= 2 for _, _, d in heavy.edges(data=True))
        if any(d["weight"] < 2 for _, _, d in all_edges.edges(data=True)):
            assert heavy.number_of_edges() < all_edges.number_of_edges()


def test_min_weight_on_the_mini_fixture(client: FlaskClient) -> None:
    one = _json_graph(client.get("/graphs/speakers.json").data)
    two = _json_graph(client.get("/graphs/speakers.json?min_weight=50").data)
    assert one.number_of_edges() == 1 and two.number_of_edges() == 0
    assert (
        client.get("/graphs/speakers.json?min_weight=50")
        .headers["Content-Disposition"]
        .endswith('-min50.json"')
    )


@pytest.mark.parametrize("bad", ["0", "-1", "two", "1.5", "99999999"])
def test_bad_min_weight_is_400(client: FlaskClient, bad: str) -> None:
    response = client.get(
        f"/graphs/topics.json?min_weight={bad}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json()["status"] == 400


@pytest.mark.parametrize(
    "path",
    ["/graphs/people", "/graphs/people.json", "/graphs/topics.xlsx", "/graphs/topics/data?format=x",
     "/graphs/people/table", "/graphs/bipartite"],
)  # fmt: skip
def test_unknown_kind_or_format_is_404(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "NotFound"


@pytest.mark.parametrize("kind", KINDS)
def test_page_passes_urls_in_data_attributes(seed: FlaskClient, kind: str) -> None:
    html = seed.get(f"/graphs/{kind}").get_data(as_text=True)
    assert f'data-graph-url="/graphs/{kind}/data?format=json"' in html
    assert 'data-base-iri="http://' in html
    assert "<script>" not in html and " onclick=" not in html
    for script in ("vendor/sigma-3.0.2.min.js", "vendor/graphology-0.26.0.umd.min.js",
                   "graphview.js"):  # fmt: skip
        assert script in html
        assert seed.get(f"/static/{script}").status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_table_lists_every_node_and_edge(seed: FlaskClient, kind: str) -> None:
    g = _json_graph(seed.get(f"/graphs/{kind}.json").data)
    html = seed.get(f"/graphs/{kind}/table").get_data(as_text=True)
    for node in g.nodes:
        assert f'<tr data-iri="{node}">' in html
    assert html.count("<tr") == g.number_of_nodes() + g.number_of_edges() + 2
    assert f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges" in html


def test_table_sorts_on_the_server(seed: FlaskClient) -> None:
    g = _json_graph(seed.get("/graphs/speakers.json").data)
    html = seed.get("/graphs/speakers/table?sort=weighted_degree&order=desc").get_data(as_text=True)
    order = [_iri(line) for line in html.splitlines() if line.strip().startswith("<tr data-iri=")]
    degrees = [g.nodes[n]["weighted_degree"] for n in order]
    assert degrees == sorted(degrees, reverse=True) and len(order) == g.number_of_nodes()
    assert 'aria-sort="descending"' in html
    asc = seed.get("/graphs/speakers/table?sort=label").get_data(as_text=True)
    labels = [g.nodes[_iri(line)]["label"].casefold() for line in asc.splitlines()
              if line.strip().startswith("<tr data-iri=")]  # fmt: skip
    assert labels == sorted(labels)


def test_neighbourhood_of_a_speaker(seed: FlaskClient) -> None:
    g = _json_graph(seed.get("/graphs/speakers.json").data)
    speaker = max(g.nodes, key=lambda n: (g.degree(n), n))
    assert g.degree(speaker) > 0
    response = seed.get("/graphs/neighbourhood", query_string={"iri": speaker})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    ego = nx.node_link_graph(body, edges="links")
    assert set(ego.nodes) == {speaker, *g.neighbors(speaker)}
    assert body["graph"]["center"] == speaker and body["graph"]["kind"] == "speakers"


def test_neighbourhood_of_a_topic(seed: FlaskClient) -> None:
    g = _json_graph(seed.get("/graphs/topics.json").data)
    topic = max(g.nodes, key=lambda n: (g.degree(n), n))
    ego = nx.node_link_graph(
        seed.get("/graphs/neighbourhood", query_string={"iri": topic}).get_json(), edges="links"
    )
    assert set(ego.nodes) == {topic, *g.neighbors(topic)}


@pytest.mark.parametrize(
    "iri", ["http://example.org/x", "http://talkgraph.localhost/person/nobody"]
)
def test_neighbourhood_unknown_iri_is_404(client: FlaskClient, iri: str) -> None:
    response = client.get("/graphs/neighbourhood", query_string={"iri": iri})
    assert response.status_code == 404


def test_neighbourhood_without_iri_is_400(client: FlaskClient) -> None:
    assert client.get("/graphs/neighbourhood").status_code == 400


def test_graphs_are_cached_per_kind_and_weight(app: Flask) -> None:
    client = app.test_client()
    client.get("/graphs/topics.json")
    client.get("/graphs/topics.json?min_weight=2")
    client.get("/graphs/topics.json")
    cache = app.extensions["talkgraph"].caches["graphs"]
    assert set(cache.graphs) == {("topics", 1), ("topics", 2)}
