"""Results are bounded in bytes as well as rows: CONSTRUCT and a huge GROUP_CONCAT over the
byte limit are refused with 413 (never silently truncated); so is an over-long query body."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

LIMIT = 2000  # bytes; the mini dataset's N-Triples are ~6 kB


@pytest.mark.app_config(MAX_RESULT_BYTES=LIMIT)
@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "xml"])
def test_construct_over_the_byte_limit_is_413(client: FlaskClient, fmt: str) -> None:
    response = client.post(
        "/sparql",
        data={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "format": fmt},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    assert f"{LIMIT} bytes" in response.get_json()["message"]


@pytest.mark.app_config(MAX_RESULT_BYTES=LIMIT)
def test_construct_under_the_byte_limit_is_answered(client: FlaskClient) -> None:
    query = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2"
    response = client.post("/sparql", data={"query": query, "format": "nt"})
    assert response.status_code == 200 and 0 < len(response.data) <= LIMIT


@pytest.mark.app_config(MAX_RESULT_BYTES=LIMIT)
@pytest.mark.parametrize("fmt", ["json", "csv", "xml"])
def test_huge_group_concat_is_413(client: FlaskClient, fmt: str) -> None:
    query = "SELECT (GROUP_CONCAT(STR(?s); separator=' ') AS ?all) WHERE { ?s ?p ?o . ?a ?b ?c }"
    response = client.post(
        "/sparql", data={"query": query, "format": fmt}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 413
    assert "bytes" in response.get_json()["message"]


@pytest.mark.app_config(MAX_ROWS=10)
def test_rows_over_the_limit_are_413(client: FlaskClient) -> None:
    response = client.post(
        "/sparql",
        data={"query": "SELECT * WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413 and "LIMIT" in response.get_json()["message"]


@pytest.mark.app_config(MAX_QUERY_BYTES=1000)
def test_query_body_over_the_size_limit_is_413(client: FlaskClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2000
    direct = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert direct.status_code == 413
    form = client.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000})
    assert form.status_code == 413
