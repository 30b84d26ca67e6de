"""/sparql: the SPARQL 1.1 Protocol through the Flask test client; every body is parsed."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID

from talkgraph.vocab import SD

BASE = "http://talkgraph.localhost/"
TOPICS = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "SELECT ?topic ?label WHERE { ?topic a skos:Concept ; skos:prefLabel ?label } ORDER BY ?label"
)
PERSONS = "CONSTRUCT WHERE { ?p a <https://schema.org/Person> ; <https://schema.org/name> ?n }"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


def get(client: FlaskClient, query: str, accept: str | None = None, **params: str):  # type: ignore[no-untyped-def]
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql?" + urlencode({"query": query, **params}), headers=headers)


def test_select_json_by_get_is_the_default(client: FlaskClient) -> None:
    response = get(client, TOPICS)
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    doc = json.loads(response.data)
    assert doc["head"]["vars"] == ["topic", "label"]
    labels = [b["label"] for b in doc["results"]["bindings"]]
    assert labels[0] == {"type": "literal", "value": "knowledge graphs", "xml:lang": "en"}
    assert doc["results"]["bindings"][1]["topic"]["value"] == BASE + "topic/query-languages"


def test_select_xml_csv_tsv(client: FlaskClient) -> None:
    response = get(client, TOPICS, "application/sparql-results+xml")
    assert response.mimetype == "application/sparql-results+xml"
    root = ET.fromstring(response.data)
    literals = root.findall(f".//{RESULTS_NS}literal")
    assert [e.text for e in literals] == ["knowledge graphs", "query languages"]

    response = get(client, TOPICS, "text/csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        {"topic": BASE + "topic/knowledge-graphs", "label": "knowledge graphs"},
        {"topic": BASE + "topic/query-languages", "label": "query languages"},
    ]

    response = get(client, TOPICS, "text/tab-separated-values")
    text = io.StringIO(response.get_data(as_text=True))
    table = list(csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert table[0] == ["?topic", "?label"]
    assert table[1] == [f"<{BASE}topic/knowledge-graphs>", '"knowledge graphs"@en']


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = get(client, TOPICS, "application/sparql-results+json", format="csv")
    assert response.mimetype == "text/csv"
    response = get(client, PERSONS, "text/turtle", format="rdfxml")
    assert response.mimetype == "application/rdf+xml"
    assert len(Graph().parse(data=response.data, format="xml")) == 4
    response = get(client, TOPICS, format="turtle")
    assert response.status_code == 400
    assert "json, xml, csv, tsv" in response.get_data(as_text=True)


def test_ask(client: FlaskClient) -> None:
    response = get(client, "ASK { ?t <https://schema.org/about> ?topic }")
    assert json.loads(response.data) == {"head": {}, "boolean": True}
    response = get(
        client, "ASK { ?t <https://schema.org/nope> ?x }", "application/sparql-results+xml"
    )
    assert ET.fromstring(response.data).find(f"{RESULTS_NS}boolean").text == "false"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("accept", "mimetype", "rdflib_format"),
    [
        (None, "text/turtle", "turtle"),
        ("*/*", "text/turtle", "turtle"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("text/csv;q=0.5, application/ld+json;q=0.9", "application/ld+json", "json-ld"),
    ],
)
def test_construct_formats(
    client: FlaskClient, accept: str | None, mimetype: str, rdflib_format: str
) -> None:
    response = get(client, PERSONS, accept)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    graph = Graph().parse(data=response.data, format=rdflib_format)
    assert len(graph) == 4
    assert (URIRef(BASE + "person/ada-example"), None, Literal("Ada Example")) in graph


def test_describe(client: FlaskClient) -> None:
    response = get(client, f"DESCRIBE <{BASE}institution/example-university>", "text/turtle")
    graph = Graph().parse(data=response.data, format="turtle")
    assert (
        URIRef(BASE + "institution/example-university"),
        None,
        Literal("Example University"),
    ) in graph


def test_post_form_and_post_direct(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": TOPICS})
    assert response.status_code == 200
    assert len(json.loads(response.data)["results"]["bindings"]) == 2
    response = client.post(
        "/sparql",
        data=TOPICS.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert response.status_code == 200
    assert len(list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))) == 2
    response = client.post("/sparql", data=TOPICS, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_dataset_parameters(client: FlaskClient) -> None:
    void_graph = BASE + "download/void.ttl"
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"

    def number(response) -> int:  # type: ignore[no-untyped-def]
        return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])

    everything = number(get(client, count))
    only_void = number(get(client, count, **{"default-graph-uri": void_graph}))
    assert 0 < only_void < everything
    direct = client.post(
        "/sparql?" + urlencode({"default-graph-uri": void_graph}),
        data=count,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert number(direct) == only_void
    form = client.post("/sparql", data={"query": count, "default-graph-uri": void_graph})
    assert number(form) == only_void
    # repeatable named-graph-uri
    graphs = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    query = urlencode(
        [("query", graphs), ("named-graph-uri", void_graph), ("named-graph-uri", BASE + "nothing")]
    )
    doc = json.loads(client.get("/sparql?" + query).data)
    assert [b["g"]["value"] for b in doc["results"]["bindings"]] == [void_graph]


def test_unacceptable_accept_is_406_with_the_supported_types(client: FlaskClient) -> None:
    response = get(client, TOPICS, "text/turtle")
    assert response.status_code == 406
    text = response.get_data(as_text=True)
    assert "application/sparql-results+json" in text and "text/csv" in text
    response = get(client, PERSONS, "text/csv")
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


def test_malformed_query_is_400_as_readable_text(client: FlaskClient) -> None:
    response = client.get(
        "/sparql?" + urlencode({"query": "SELECT ?s\nWHERE { ?s ?p }"}),
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "syntax error" in text
    assert "query:2:" in text
    assert "WHERE { ?s ?p }\n" in text and text.rstrip().endswith("^")
    as_json = client.get(
        "/sparql?" + urlencode({"query": "SELECT ?s\nWHERE { ?s ?p }"}),
        headers={"Accept": "application/json"},
    )
    body = json.loads(as_json.data)
    assert (body["error"], body["status"], body["line"]) == ("QuerySyntaxError", 400, 2)


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
        "PREFIX e: <http://e/> delete where { ?s e:p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "Load <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://e/g>",
        "DROP ALL",
        "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_updates_load_and_service_are_refused(client: FlaskClient, query: str) -> None:
    for response in (
        get(client, query),
        client.post("/sparql", data={"query": query}),
        client.post("/sparql", data={"update": query}),
        client.post("/sparql", data=query, headers={"Content-Type": "application/sparql-update"}),
        client.post("/sparql", data=query, headers={"Content-Type": "application/sparql-query"}),
    ):
        assert response.status_code == 403, response.get_data(as_text=True)
        assert response.mimetype == "text/plain"
    # nothing changed
    count = json.loads(get(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").data)
    assert count["results"]["bindings"][0]["n"]["value"] == "57"


def test_keywords_in_literals_are_not_refused(client: FlaskClient) -> None:
    query = 'SELECT ?t { ?t <https://schema.org/description> ?d FILTER(CONTAINS(?d, "SERVICE")) }'
    response = get(client, query)
    assert response.status_code == 200
    rows = json.loads(response.data)["results"]["bindings"]
    assert [r["t"]["value"] for r in rows] == [BASE + "talk/ada-example-graphs-for-testing"]
    response = get(client, 'ASK { ?s ?p "DROP ALL; LOAD <x>" } # INSERT DATA')
    assert json.loads(response.data)["boolean"] is False


def test_service_description(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert len(formats) == 8
    dataset = graph.value(service, SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    assert graph.value(default, VOID.triples).toPython() == 57  # type: ignore[union-attr]
    names = {graph.value(g, SD.name) for g in graph.objects(dataset, SD.namedGraph)}
    assert names == {URIRef(BASE + "download/dataset.nt"), URIRef(BASE + "download/void.ttl")}
    as_jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=as_jsonld.data, format="json-ld")) == len(graph)
    assert client.get("/sparql").mimetype == "text/turtle"


def test_browser_is_sent_to_the_query_page(client: FlaskClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/query")


def test_cors(client: FlaskClient) -> None:
    response = get(client, TOPICS)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert get(client, "SELECT").headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert {"GET", "POST"} <= set(preflight.headers["Access-Control-Allow-Methods"].split(", "))
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert preflight.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.app_config(MAX_ROWS=10)
def test_row_limit_is_413(client: FlaskClient) -> None:
    response = get(client, "SELECT * { ?s ?p ?o }")
    assert response.status_code == 413
    assert "more than 10 rows" in response.get_data(as_text=True)
    assert get(client, "SELECT * { ?s ?p ?o } LIMIT 10").status_code == 200
    assert get(client, "CONSTRUCT WHERE { ?s ?p ?o }").status_code == 413


@pytest.mark.app_config(MAX_QUERY_BYTES=1024)
def test_query_size_limit_is_413(client: FlaskClient) -> None:
    long_query = "SELECT * { ?s ?p ?o } LIMIT 1 #" + "x" * 2000
    assert get(client, long_query).status_code == 413
    response = client.post(
        "/sparql", data=long_query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    huge = "SELECT * {} #" + "x" * 10_000
    assert client.post("/sparql", data={"query": huge}).status_code == 413
    assert get(client, "SELECT * { ?s ?p ?o } LIMIT 1").status_code == 200


def test_missing_or_repeated_query(client: FlaskClient) -> None:
    assert client.post("/sparql", data={"format": "json"}).status_code == 400
    response = client.get("/sparql?" + urlencode([("query", "ASK {}"), ("query", "ASK {}")]))
    assert response.status_code == 400
    assert client.delete("/sparql").status_code == 405
