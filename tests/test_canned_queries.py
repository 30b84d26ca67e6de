"""Every canned query runs on the seed build and on the mini fixture; parameters are bound."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from support.builds import seed_build
from talkgraph.vocab import CONF, SCHEMA
from talkgraph.web.query import CANNED_DIR, load_canned

NAMES = sorted(p.stem for p in CANNED_DIR.glob("*.rq"))
MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def seed(seed_app: Flask) -> FlaskClient:
    return seed_app.test_client()


@pytest.fixture(scope="module")
def seed_graph() -> Graph:
    graph = Graph()
    graph.parse(seed_build() / "dataset.nt")
    return graph


def _json(client: FlaskClient, url: str) -> dict[str, object]:
    response = client.get(url, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/sparql-results+json"
    data = json.loads(response.data)
    assert set(data) >= {"head", "results"}
    return data  # type: ignore[no-any-return]


def _rows(client: FlaskClient, url: str) -> list[dict[str, str]]:
    data = _json(client, url)
    bindings = data["results"]["bindings"]  # type: ignore[index]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


def _check_all_formats(client: FlaskClient, name: str) -> None:
    html = client.get(f"/query/canned/{name}", headers={"Accept": "text/html"})
    assert html.status_code == 200, html.get_data(as_text=True)
    assert html.mimetype == "text/html"
    query = load_canned()[name]
    page = html.get_data(as_text=True)
    assert query.title.replace("'", "&#39;") in page
    data = _json(client, f"/query/canned/{name}?format=json")
    variables = data["head"]["vars"]  # type: ignore[index]
    for url, headers in [
        (f"/query/canned/{name}?format=csv", {}),
        (f"/query/canned/{name}", {"Accept": "text/csv"}),
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert table[0] == variables
        assert len(table) - 1 == len(data["results"]["bindings"])  # type: ignore[index]


def test_at_least_the_required_queries() -> None:
    assert len(NAMES) >= 11
    assert set(load_canned()) == set(NAMES)
    for query in load_canned().values():
        assert query.title and query.description
        assert "SELECT" in query.text.upper()


@pytest.mark.parametrize("name", NAMES)
def test_canned_runs_on_seed(seed: FlaskClient, name: str) -> None:
    _check_all_formats(seed, name)


@pytest.mark.parametrize("name", NAMES)
def test_canned_runs_on_mini(client: FlaskClient, name: str) -> None:
    _check_all_formats(client, name)


def _topics(graph: Graph) -> list[URIRef]:
    return sorted(URIRef(str(t)) for t in graph.subjects(RDF.type, SKOS.Concept))


def _closure_talks(graph: Graph, topic: URIRef) -> set[str]:
    """Talks about ``topic`` or a narrower topic, computed with rdflib alone."""
    topics = set(graph.transitive_subjects(SKOS.broader, topic))
    return {
        str(talk)
        for sub in topics
        for talk in graph.subjects(SCHEMA.about, sub)
        if (talk, RDF.type, CONF.Talk) in graph
    }


def test_talks_on_topic_matches_rdflib(seed: FlaskClient, seed_graph: Graph) -> None:
    topics = _topics(seed_graph)

    # the topic whose narrower topics add the most talks: the closure must matter
    def gain(topic: URIRef) -> int:
        direct = {str(t) for t in seed_graph.subjects(SCHEMA.about, topic)}
        return len(_closure_talks(seed_graph, topic) - direct)

    topic = max(topics, key=gain)
    expected = _closure_talks(seed_graph, topic)
    assert gain(topic) > 0
    rows = _rows(seed, f"/query/canned/talks-on-topic?format=json&topic={topic}")
    assert {r["talk"] for r in rows} == expected


def test_a_topic_parameter_changes_results(seed: FlaskClient, seed_graph: Graph) -> None:
    answers: dict[frozenset[str], str] = {}
    for topic in _topics(seed_graph):
        answers.setdefault(frozenset(_closure_talks(seed_graph, topic)), str(topic))
        if len(answers) == 2:
            break
    assert len(answers) == 2
    seen: set[frozenset[str]] = set()
    for expected, iri in answers.items():
        rows = _rows(seed, f"/query/canned/talks-on-topic?format=json&topic={iri}")
        seen.add(frozenset(r["talk"] for r in rows))
        assert {r["talk"] for r in rows} == expected
    assert len(seen) == 2


@pytest.mark.parametrize(
    "name", [n for n in NAMES if any(p.is_iri for p in load_canned()[n].params)]
)
def test_bound_results_are_a_subset_of_unbound(seed: FlaskClient, name: str) -> None:
    """Binding a parameter only narrows the answer; some choices give different answers."""
    query = load_canned()[name]
    everything = {
        json.dumps(r, sort_keys=True)
        for r in _rows(
            seed,
            f"/query/canned/{name}?format=json&" + "&".join(f"{p.name}=" for p in query.params),
        )
    }
    param = next(p for p in query.params if p.is_iri)
    page = seed.get(f"/query/canned/{name}").get_data(as_text=True)
    from talkgraph.web.query import choices

    with seed.application.test_request_context():
        options = [value for value, _ in choices(param.kind)]
    assert options and all(f'value="{v}"' in page for v in options)
    answers = set()
    for value in options:
        rows = _rows(seed, f"/query/canned/{name}?format=json&{param.name}={value}")
        answers.add(frozenset(json.dumps(r, sort_keys=True) for r in rows))
        assert {json.dumps(r, sort_keys=True) for r in rows} <= everything
    assert len(answers) > 1


def test_literal_parameter_filters(seed: FlaskClient, seed_graph: Graph) -> None:
    countries = sorted({str(c) for c in seed_graph.objects(None, SCHEMA.addressCountry)})
    assert countries
    every = _rows(seed, "/query/canned/institutions-by-speakers?format=json")
    for country in countries:
        rows = _rows(seed, f"/query/canned/institutions-by-speakers?format=json&country={country}")
        assert rows == [r for r in every if r["country"] == country]
