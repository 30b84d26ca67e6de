"""The query guard: a tokenizer, not a substring search."""

from __future__ import annotations

import pytest

from talkgraph.errors import QueryRefused
from talkgraph.store import check_query
from talkgraph.store.guard import bare_words


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
        "insert data { <http://e/a> <http://e/b> 1 }",
        "PREFIX e: <http://e/>\nDeLeTe WHERE { ?s e:p ?o }",
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "load <http://example.org/data.ttl> INTO GRAPH <http://e/g>",
        "CLEAR ALL",
        "clear default",
        "CREATE GRAPH <http://e/g>",
        "DROP SILENT GRAPH <http://e/g>",
        "COPY DEFAULT TO <http://e/g>",
        "MOVE <http://e/a> TO <http://e/b>",
        "ADD <http://e/a> TO <http://e/b>",
        "SELECT * {}\n;\nDROP ALL",
        "# a comment\nWITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        check_query(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * { service silent <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o . SeRvIcE ?endpoint { ?s ?q ?r } }",
        "ASK {\n  SERVICE\n<http://example.org/sparql>{}}",
    ],
)
def test_service_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_query(query)


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ('SELECT * { ?s ?p "SERVICE" }', "select"),
        ("SELECT * { ?s ?p 'insert data { }' }", "select"),
        ('SELECT * { ?s ?p """\nDROP ALL\n""" }', "select"),
        ("SELECT * { ?s ?p '''LOAD <x>''' }", "select"),
        ('SELECT * { ?s ?p "say \\"DELETE\\" please" }', "select"),
        ("SELECT * { ?s <http://e/SERVICE> ?o }", "select"),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://e/> and DROP ALL in a comment", "select"),
        ("PREFIX service: <http://e/>\nSELECT * { ?s service:load ?o }", "select"),
        ("SELECT ?load ?delete ?service { ?load ?delete ?service }", "select"),
        ("SELECT * { ?s ?p ?o FILTER(LANG(?o) = 'en') } LIMIT 3", "select"),
        ("PREFIX e: <http://e/> ASK { e:a e:b e:c }", "ask"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
        ("describe <http://e/a>", "describe"),
        (
            "BASE <http://e/>\nCONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { ?s ?p ?o } } }",
            "construct",
        ),
        ("PREFIX e: <http://e/> SELECT * { ?s ?p ?o }", "select"),
        ("this is not sparql", None),
    ],
)
def test_harmless_queries_pass_and_have_a_form(query: str, form: str | None) -> None:
    assert check_query(query) == form


def test_bare_words_skip_strings_iris_variables_and_prefixed_names() -> None:
    words = bare_words('SELECT ?x { ?x a e:Load ; <http://e/drop> "copy" @en } # move')
    assert words == ["SELECT", "A"]
