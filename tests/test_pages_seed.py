"""The linked-data pages of the real seed build: what each kind of page shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF

from support.pages import BROWSER_ACCEPT, Page, parse_rdf

# the shared fixtures, under their own names

SDO = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
TG = Namespace("https://w3id.org/talkgraph/ns#")
OA = Namespace("http://www.w3.org/ns/oa#")
BASE = "http://talkgraph.localhost/"


@pytest.fixture(scope="module")
def data(seed_dir: Path) -> rdflib.Graph:
    """The published dataset, to compute what the pages should show."""
    return rdflib.Graph().parse(seed_dir / "dataset.nt", format="nt")


def _page(client: FlaskClient, path: str) -> Page:
    response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200, path
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


CONF = Namespace("https://w3id.org/scholarlydata/ontology/conference-ontology.owl#")


def _path(iri: object) -> str:
    return "/" + str(iri)[len(BASE) :]


def _talks_of(data: rdflib.Graph, person: URIRef) -> list[URIRef]:
    return [t for t in data.subjects(SDO.performer, person) if (t, RDF.type, CONF.Talk) in data]


def test_home_page(seed_client: FlaskClient, seed_dir: Path, data: rdflib.Graph) -> None:
    manifest = json.loads((seed_dir / "manifest.json").read_text())
    page = _page(seed_client, "/")
    text = page.visible
    assert str(manifest["triples"]) in text
    assert "conforms" in text and f"{manifest['warnings']} warnings" in text
    hrefs = {h for hs in page.links.values() for h in hs}
    assert {"/sparql", "/query", "/graphs/topics", "/downloads", "/dataset"} <= hrefs
    assert "/download/validation-report.txt" in hrefs
    for event in data.subjects(RDF.type, CONF.Workshop):
        assert _path(event) in hrefs
    talks = set(data.subjects(RDF.type, CONF.Talk))
    assert talks and {_path(t) for t in talks} <= hrefs
    people = set(data.subjects(RDF.type, SDO.Person))
    assert {_path(p) for p in people} <= hrefs
    for name, count in manifest["counts"].items():
        assert name in text and str(count) in text


def test_every_entity_linked_from_home_resolves(seed_client: FlaskClient) -> None:
    page = _page(seed_client, "/")
    kinds = ("/event/", "/talk/", "/person/", "/topic/", "/institution/", "/dataset")
    paths = {h for hs in page.links.values() for h in hs if h.startswith(kinds)}
    assert len(paths) > 50
    for path in sorted(paths):
        assert seed_client.get(path).status_code == 200, path


def test_talk_page_of_qing_qu(seed_client: FlaskClient, data: rdflib.Graph) -> None:
    person = _page(seed_client, "/person/qing-qu")
    (talk,) = _talks_of(data, URIRef(BASE + "person/qing-qu"))
    title = str(data.value(talk, SDO.name))
    assert person.links[title] == [_path(talk)]
    page = _page(seed_client, _path(talk))
    assert title in page.visible
    assert set(page.links["Qing Qu"]) == {"/person/qing-qu"}
    assert set(page.links["University of Michigan"]) == {"/institution/university-of-michigan"}
    for topic in data.objects(talk, SDO.about):
        label = str(data.value(topic, SKOS.prefLabel))
        assert _path(topic) in page.links[label]
    # the evidence words of the annotations are shown
    for selector in data.subjects(RDF.type, OA.TextQuoteSelector):
        if str(selector).startswith(str(talk) + "#"):
            assert f"“{data.value(selector, OA.exact)}”" in page.visible


def test_abstract_paragraphs_and_event_link(seed_client: FlaskClient, data: rdflib.Graph) -> None:
    talk = next(t for t in data.subjects(SDO.description, None))
    page = _page(seed_client, _path(talk))
    abstract = str(data.value(talk, SDO.description))
    assert " ".join(abstract.split()) in page.visible
    event = data.value(talk, SDO.superEvent)
    assert any(_path(event) in hs for hs in page.links.values())


def test_cited_papers_link_out(seed_client: FlaskClient, data: rdflib.Graph) -> None:
    talk, work = next(iter(data.subject_objects(URIRef("http://purl.org/dc/terms/references"))))
    page = _page(seed_client, _path(talk))
    assert any(str(work) in hs for hs in page.links.values())
    assert str(work).startswith("https://arxiv.org/")


def test_person_pages(seed_client: FlaskClient, data: rdflib.Graph) -> None:
    page = _page(seed_client, "/person/rene-vidal")
    (ld,) = [json.loads(s) for s in page.jsonld]
    assert ld["@id"].endswith("person/rene-vidal")
    assert ld["@type"] == "Person" and ld["name"] == "René Vidal"
    assert "René Vidal" in page.visible
    # the talks section lists the talks (not the event whose roster names the person)
    html = seed_client.get("/person/rene-vidal").get_data(as_text=True)
    talks = Page(html.split('class="ld-talks"')[1].split("</section>")[0])
    found = {h for hs in talks.links.values() for h in hs if not h.startswith("/event/")}
    expected = {_path(t) for t in _talks_of(data, URIRef(BASE + "person/rene-vidal"))}
    assert expected and found == expected
    rina = URIRef(BASE + "person/rina-panigrahy")
    assert data.value(rina, SDO.affiliation) is None
    page = _page(seed_client, "/person/rina-panigrahy")
    assert "Institution none stated" in page.visible
    assert not [h for hs in page.links.values() for h in hs if h.startswith("/institution/")]
    assert "affiliation" not in json.loads(page.jsonld[0])


def test_co_topic_neighbours(seed_client: FlaskClient, data: rdflib.Graph) -> None:
    """Other speakers sharing a topic that is not too broad, computed here from the data."""
    for person in [URIRef(BASE + "person/qing-qu"), URIRef(BASE + "person/rene-vidal")]:
        mine = {t for talk in _talks_of(data, person)
                for t in data.objects(talk, SDO.about)
                if data.value(t, TG.tooBroad) != Literal(True)}  # fmt: skip
        expected = {_path(other) for t in mine for talk in data.subjects(SDO.about, t)
                    for other in data.objects(talk, SDO.performer)
                    if other != person and (talk, RDF.type, CONF.Talk) in data}  # fmt: skip
        html = seed_client.get(_path(person)).get_data(as_text=True)
        section = html.split('class="ld-neighbours"')[1].split("</section>")[0]
        found = {h for hs in Page(section).links.values() for h in hs if h.startswith("/person/")}
        assert found == expected


def test_topic_pages(seed_client: FlaskClient, data: rdflib.Graph) -> None:
    topic = URIRef(BASE + "topic/neural-collapse")
    broader = data.value(topic, SKOS.broader)
    assert broader is not None
    page = _page(seed_client, _path(topic))
    assert str(data.value(topic, SKOS.definition)) in page.visible
    assert _path(broader) in page.links[str(data.value(broader, SKOS.prefLabel))]
    for talk in data.subjects(SDO.about, topic):
        assert _path(talk) in page.links[str(data.value(talk, SDO.name))]
    for match in data.objects(topic, SKOS.closeMatch):
        assert any(str(match) in hs for hs in page.links.values())
    # the broader topic lists the talks on its narrower topic, marked
    up = _page(seed_client, _path(broader))
    assert _path(topic) in up.links[str(data.value(topic, SKOS.prefLabel))]
    html = seed_client.get(_path(broader)).get_data(as_text=True)
    assert "ld-via" in html
    for talk in data.subjects(SDO.about, topic):
        assert _path(talk) in up.links[str(data.value(talk, SDO.name))]


def test_institution_page(seed_client: FlaskClient, data: rdflib.Graph) -> None:
    institution = URIRef(BASE + "institution/university-of-michigan")
    page = _page(seed_client, _path(institution))
    assert "university" in page.visible
    for alt in data.objects(institution, SDO.alternateName):
        assert str(alt) in page.visible
    country = data.value(URIRef(str(institution) + "#address"), SDO.addressCountry)
    assert f"Country {country}" in page.visible
    for person in data.subjects(SDO.affiliation, institution):
        assert _path(person) in page.links[str(data.value(person, SDO.name))]
    ld = json.loads(page.jsonld[0])
    assert ld["@type"] == "CollegeOrUniversity"


def test_event_page_in_programme_order(seed_client: FlaskClient, data: rdflib.Graph) -> None:
    event = next(data.subjects(SDO.subEvent, None))
    talks = sorted(data.objects(event, SDO.subEvent), key=lambda t: int(data.value(t, TG.position)))
    html = seed_client.get(_path(event)).get_data(as_text=True)
    programme = html.split('class="ld-programme"')[1]
    positions = [programme.index(f'href="{_path(t)}"') for t in talks]
    assert positions == sorted(positions)
    for speaker in data.objects(event, SDO.performer):
        assert f'href="{_path(speaker)}"' in html


def test_dataset_page(seed_client: FlaskClient, seed_dir: Path) -> None:
    manifest = json.loads((seed_dir / "manifest.json").read_text())
    page = _page(seed_client, "/dataset")
    hrefs = {h for hs in page.links.values() for h in hs}
    for name in ("dataset.ttl", "dataset.nt", "dataset.jsonld", "dataset.rdf"):
        assert f"/download/{name}" in hrefs
        assert manifest["files"][name]["sha256"] in page.visible
    assert "no licence stated" in page.visible
    assert json.loads(page.jsonld[0])["@type"] == "Dataset"


@pytest.mark.parametrize(
    ("path", "schema_type"),
    [("/person/qing-qu", "Person"), ("/topic/neural-collapse", "DefinedTerm"),
     ("/institution/university-of-michigan", "CollegeOrUniversity"), ("/dataset", "Dataset"),
     ("/event/workshop-programme", "Event"), ("/topic/", "DefinedTermSet"), ("/", "Dataset")],
)  # fmt: skip
def test_jsonld_script_is_schema_org(seed_client: FlaskClient, path: str, schema_type: str) -> None:
    page = _page(seed_client, path)
    (script,) = page.jsonld
    ld = json.loads(script)
    assert ld["@context"] == "https://schema.org" and ld["@type"] == schema_type
    # read as JSON-LD (with the schema.org context given inline: tests are offline)
    ld["@context"] = {"@vocab": "https://schema.org/"}
    graph = rdflib.Graph().parse(data=json.dumps(ld), format="json-ld")
    assert (URIRef(ld["@id"]), RDF.type, SDO[schema_type]) in graph


def test_neighbourhood_placeholder(seed_client: FlaskClient, seed_app: object) -> None:
    for path in ("/person/qing-qu", "/topic/neural-collapse"):
        html = seed_client.get(path).get_data(as_text=True)
        if "graphs.neighbourhood" in seed_app.view_functions:  # type: ignore[attr-defined]
            assert 'id="neighbourhood"' in html
            assert "/graphs/neighbourhood?iri=http" in html
        else:
            assert 'id="neighbourhood"' not in html
    assert 'id="neighbourhood"' not in seed_client.get("/event/workshop-programme").get_data(
        as_text=True
    )


def test_descriptions_include_hash_nodes(seed_client: FlaskClient, data: rdflib.Graph) -> None:
    (talk,) = _talks_of(data, URIRef(BASE + "person/qing-qu"))
    graph = parse_rdf(seed_client.get(_path(talk) + ".ttl").data, "text/turtle")
    annotations = {a for a in data.subjects(RDF.type, OA.Annotation)
                   if str(a).startswith(str(talk) + "#")}  # fmt: skip
    assert annotations
    for annotation in annotations:
        target = data.value(annotation, OA.hasTarget)
        selector = data.value(target, OA.hasSelector)
        assert (annotation, OA.hasBody, data.value(annotation, OA.hasBody)) in graph
        assert (selector, OA.exact, data.value(selector, OA.exact)) in graph
    institution = URIRef(BASE + "institution/university-of-michigan")
    graph = parse_rdf(seed_client.get(_path(institution) + ".nt").data, "application/n-triples")
    address = URIRef(str(institution) + "#address")
    assert (institution, SDO.address, address) in graph
    assert (address, SDO.addressCountry, None) in graph
    # the description is bounded: no other talk's annotations
    assert all(str(s).split("#")[0] in (str(talk), str(institution)) or "#" not in str(s)
               for s in graph.subjects())  # fmt: skip
