"""The remote backend against a real Virtuoso: publish (GSP and Update), serve, compare."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from support.builds import seed_build
from support.servers import (
    ASKS,
    CONSTRUCTS,
    SELECTS,
    VIRTUOSO,
    Server,
    sparql_answer,
    start_virtuoso,
)
from support.web import running_app
from talkgraph.publish_remote import publish as publish_with_grace
from talkgraph.web import create_app

#: the replaced data is dropped at once here (no query is in flight)
publish = functools.partial(publish_with_grace, grace=0)
GRAPH = "http://example.org/published/talkgraph"
LANG_DATATYPE = "SELECT (DATATYPE(?o) AS ?dt) WHERE { ?s ?p ?o FILTER(LANG(?o) != '') } LIMIT 1"
#: Queries whose answers differ on Virtuoso by its own semantics (checked separately).
SPARQL_1_0 = {q for q in SELECTS if "DATATYPE" in q}
LANG = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>"
DBA = ("dba", "dba")  # the fresh database's default administrator

if VIRTUOSO is None and not os.environ.get("CI"):
    pytest.skip("no virtuoso-t (apt-get install virtuoso-opensource)", allow_module_level=True)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def seed() -> Path:
    return seed_build()


@pytest.fixture(scope="module")
def memory_client(seed: Path) -> Iterator[FlaskClient]:
    with running_app(seed) as app:
        yield app.test_client()


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_publish_then_serve_answers_like_memory(
    method: str, virtuoso: Server, seed: Path, memory_client: FlaskClient
) -> None:
    graph = f"{GRAPH}/{method}"
    # writes go to the authenticated endpoints (digest auth), reads to the public /sparql
    for _ in range(2):  # the second publish replaces the first
        messages: list[str] = []
        done = publish(
            seed,
            virtuoso.query,
            graph,
            method="gsp" if method == "gsp" else "update",
            update_endpoint=virtuoso.update + "-auth",
            gsp_endpoint=virtuoso.gsp + "-auth",
            auth=DBA,
            batch_size=2000,  # more than Virtuoso compiles in one update
            progress=messages.append,
        )
        # a refused size is never sent again: each refusal is of a smaller batch
        refused = [int(m.split()[3]) for m in messages if m.startswith("the store refused")]
        assert refused == sorted(set(refused), reverse=True)
        assert method == "gsp" or sum(m.startswith("batch ") for m in messages) > 1
    assert done.triples > 1000
    app = create_app(seed, config={"TESTING": True, "STORE": virtuoso.query, "STORE_GRAPH": graph})
    assert app.extensions["talkgraph"].store.triple_count == done.triples
    client = app.test_client()
    for query in (*SELECTS, *ASKS, *CONSTRUCTS):
        if query not in SPARQL_1_0:
            assert sparql_answer(client, query) == sparql_answer(memory_client, query), query
    # Virtuoso 7 follows SPARQL 1.0 here: DATATYPE of a language-tagged literal is unbound
    datatypes = sparql_answer(client, LANG_DATATYPE)
    assert datatypes == [()] and sparql_answer(memory_client, LANG_DATATYPE) == [(("dt", LANG),)]
    for fmt in ("json", "xml", "tsv", "csv"):
        response = client.get(
            "/sparql", query_string={"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 3", "format": fmt}
        )
        assert response.status_code == 200
        if fmt == "tsv":  # standard TSV, whatever Virtuoso writes itself
            assert response.data.startswith(b"?s\n<")
