"""Content negotiation of the linked-data pages: Accept, suffix, ?format=, headers, 404/406."""

from __future__ import annotations

import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib import Namespace, URIRef
from rdflib.namespace import RDF

from support.pages import BROWSER_ACCEPT, RDF_TYPES, parse_rdf

BASE = "http://talkgraph.localhost/"
SDO = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
VOID = Namespace("http://rdfs.org/ns/void#")
TALK = "/talk/ada-example-graphs-for-testing"
# every kind the mini fixture has: (path, a triple its description must contain)
THINGS = [
    ("/event/mini-workshop", (RDF.type, SDO.Event)),
    (TALK, (SDO.name, rdflib.Literal("Graphs for Testing"))),
    ("/person/ada-example", (SDO.name, rdflib.Literal("Ada Example"))),
    ("/institution/example-university", (RDF.type, SDO.CollegeOrUniversity)),
    ("/topic/knowledge-graphs", (RDF.type, SKOS.Concept)),
    ("/dataset", (RDF.type, VOID.Dataset)),
]
SUFFIXES = {".ttl": "text/turtle", ".nt": "application/n-triples",
            ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml"}  # fmt: skip


def _described(client: FlaskClient, url: str, media_type: str, **headers: str) -> rdflib.Graph:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == media_type
    return parse_rdf(response.data, response.content_type)


@pytest.mark.parametrize("media_type", sorted(RDF_TYPES))
@pytest.mark.parametrize(("path", "fact"), THINGS)
def test_accept_gives_each_rdf_format(
    client: FlaskClient, path: str, fact: tuple[URIRef, object], media_type: str
) -> None:
    graph = _described(client, path, media_type, Accept=media_type)
    assert (URIRef(BASE + path.lstrip("/")), *fact) in graph


@pytest.mark.parametrize(("suffix", "media_type"), sorted(SUFFIXES.items()))
@pytest.mark.parametrize(("path", "fact"), THINGS)
def test_suffix_and_format_parameter(
    client: FlaskClient, path: str, fact: tuple[URIRef, object], suffix: str, media_type: str
) -> None:
    iri = URIRef(BASE + path.lstrip("/"))
    # the suffix wins over Accept
    graph = _described(client, path + suffix, media_type, Accept="text/html")
    assert (iri, *fact) in graph
    by_param = _described(client, f"{path}?format={suffix[1:]}", media_type, Accept="text/html")
    assert set(by_param) == set(graph)


def test_format_parameter_names_and_media_types(client: FlaskClient) -> None:
    for value, media_type in [("turtle", "text/turtle"), ("jsonld", "application/ld+json"),
                              ("application/n-triples", "application/n-triples"),
                              ("xml", "application/rdf+xml"), ("html", "text/html")]:  # fmt: skip
        response = client.get(TALK, query_string={"format": value})
        assert response.status_code == 200
        assert response.mimetype == media_type
    assert client.get(TALK, query_string={"format": "png"}).status_code == 400


@pytest.mark.parametrize("accept", [BROWSER_ACCEPT, "text/html", "*/*", None])
def test_browsers_and_unspecific_clients_get_html(client: FlaskClient, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(TALK, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Location"] == TALK + ".html"
    assert client.get(TALK + ".html", headers={"Accept": "text/turtle"}).mimetype == "text/html"


def test_quality_values_decide(client: FlaskClient) -> None:
    accept = "text/html;q=0.5, application/ld+json;q=0.9, text/turtle;q=0.1"
    assert client.get(TALK, headers={"Accept": accept}).mimetype == "application/ld+json"


@pytest.mark.parametrize("accept", ["image/png", "application/pdf, image/*"])
def test_unsupported_accept_is_406(client: FlaskClient, accept: str) -> None:
    response = client.get(TALK, headers={"Accept": accept})
    assert response.status_code == 406
    assert client.get(TALK + ".ttl", headers={"Accept": accept}).status_code == 200


def test_negotiation_headers(client: FlaskClient) -> None:
    response = client.get(TALK, headers={"Accept": "text/turtle"})
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Content-Location"] == TALK + ".ttl"
    links = response.headers["Link"]
    for suffix, media_type in [*SUFFIXES.items(), (".html", "text/html")]:
        assert f'<{TALK}{suffix}>; rel="alternate"; type="{media_type}"' in links
    # a suffixed document is what it is: no Content-Location, but the same alternates
    document = client.get(TALK + ".nt")
    assert "Content-Location" not in document.headers
    assert document.headers["Link"] == links


def test_html_names_its_alternates(client: FlaskClient) -> None:
    html = client.get(TALK).get_data(as_text=True)
    for suffix, media_type in SUFFIXES.items():
        assert f'<link rel="alternate" type="{media_type}" href="{TALK}{suffix}">' in html


def test_description_has_incoming_links_and_labels(client: FlaskClient) -> None:
    graph = _described(client, "/person/ada-example.ttl", "text/turtle")
    person = URIRef(BASE + "person/ada-example")
    talk = URIRef(BASE + "talk/ada-example-graphs-for-testing")
    institution = URIRef(BASE + "institution/example-university")
    assert (talk, SDO.performer, person) in graph  # incoming
    assert (person, SDO.affiliation, institution) in graph  # outgoing
    assert (institution, SDO.name, rdflib.Literal("Example University")) in graph  # a label
    assert (talk, SDO.name, rdflib.Literal("Graphs for Testing")) in graph
    # but not the rest of what is linked
    assert (institution, RDF.type, SDO.CollegeOrUniversity) not in graph


@pytest.mark.parametrize(
    "path",
    ["/person/nobody", "/person/nobody.ttl", "/talk/ada-example", "/widget/ada-example",
     "/dataset/x", "/person/ada-example.png", "/person/ada-example.", "/topic/knowledge-graphs.x"],
)  # fmt: skip
def test_unknown_things_are_404(client: FlaskClient, path: str) -> None:
    page = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert "not described in this dataset" in page.get_data(as_text=True)
    shaped = client.get(path, headers={"Accept": "application/json"})
    assert shaped.status_code == 404
    assert shaped.get_json()["error"] == "NotFound"


def test_topic_scheme_dereferences(client: FlaskClient) -> None:
    response = client.get("/topic/", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Location"] == "/topic/?format=turtle"
    graph = parse_rdf(response.data, response.content_type)
    assert (URIRef(BASE + "topic/knowledge-graphs"), SKOS.inScheme, URIRef(BASE + "topic/")) in (
        graph
    )


def test_any_host_serves_the_base_iris(client: FlaskClient) -> None:
    for base_url in ("http://example.test:8123", "https://other.example"):
        response = client.get(TALK, base_url=base_url, headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        graph = parse_rdf(response.data, response.content_type)
        assert (URIRef(BASE + TALK.lstrip("/")), SDO.name, None) in graph
        html = client.get(TALK, base_url=base_url).get_data(as_text=True)
        assert 'href="/person/ada-example"' in html
        assert f"{BASE}talk/ada-example-graphs-for-testing" in html


def test_head_has_the_headers_and_no_body(client: FlaskClient) -> None:
    response = client.head(TALK, headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.data == b""
