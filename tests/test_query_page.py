"""The query page, the canned query list and pages, parameters and errors (mini fixture)."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from talkgraph.errors import ConfigError
from talkgraph.vocab import PREFIXES
from talkgraph.web.query import load_canned, parse_canned

MALICIOUS = '"> } ; DROP ALL #'
TOPIC = "http://talkgraph.localhost/topic/query-languages"


def _no_inline_script(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html)
    assert not re.search(r"\son[a-z]+\s*=", html)


def test_page_has_prefixes_canned_list_and_terms(client: FlaskClient) -> None:
    response = client.get("/query")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for prefix, ns in PREFIXES.items():
        assert f"PREFIX {prefix}: &lt;{ns}&gt;" in html
    for name in load_canned():
        assert f'href="/query/canned/{name}"' in html
        assert f'data-name="{name}"' in html
    assert 'id="run-query"' in html and 'src="/static/query.js"' in html
    # autocompletion comes from our own data: classes and properties used in the mini dataset
    assert '<option value="schema:performer">' in html
    assert '<option value="conf:Talk">' in html
    _no_inline_script(html)


def test_query_parameter_prefills_the_editor_escaped(client: FlaskClient) -> None:
    text = "SELECT * WHERE { ?s ?p ?o } # </textarea><script>alert(1)</script>"
    html = client.get("/query?query=" + quote(text)).get_data(as_text=True)
    assert "SELECT * WHERE { ?s ?p ?o } # &lt;/textarea&gt;&lt;script&gt;" in html
    assert "<script>alert" not in html
    _no_inline_script(html)


def test_browser_get_sparql_leads_to_the_page(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/query")


def test_canned_list_html_and_json(client: FlaskClient) -> None:
    html = client.get("/query/canned").get_data(as_text=True)
    for name in load_canned():
        assert f'href="/query/canned/{name}"' in html
    _no_inline_script(html)
    response = client.get("/query/canned", headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    listed = json.loads(response.data)
    assert [q["name"] for q in listed] == list(load_canned())
    assert all(q["query"] == load_canned()[q["name"]].text for q in listed)


def test_canned_page_links_and_form(client: FlaskClient) -> None:
    html = client.get("/query/canned/talks-on-topic").get_data(as_text=True)
    assert '<select name="topic">' in html
    assert f'<option value="{TOPIC}"' in html
    assert 'href="/talk/bo-sample-sparql-in-practice">SPARQL in Practice</a>' in html
    assert 'href="/person/bo-sample">Bo Sample</a>' in html
    assert "?format=csv" in html and "?format=json" in html
    _no_inline_script(html)


def test_unknown_canned_query_is_404(client: FlaskClient) -> None:
    assert client.get("/query/canned/no-such-query").status_code == 404
    assert client.get("/query/canned/..%2Fquery").status_code == 404


def test_bad_format_and_unacceptable(client: FlaskClient) -> None:
    assert client.get("/query/canned/talks-topics?format=xlsx").status_code == 400
    response = client.get("/query/canned/talks-topics", headers={"Accept": "image/png"})
    assert response.status_code == 406
    tsv = client.get("/query/canned/talks-topics?format=tsv")
    assert tsv.mimetype == "text/tab-separated-values"


def test_malicious_iri_parameter_is_rejected(client: FlaskClient) -> None:
    for value in (MALICIOUS, "not an iri", "javascript:alert(1)", f"{TOPIC}> }} #"):
        response = client.get(
            f"/query/canned/talks-on-topic?format=json&topic={quote(value)}",
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 400, value
        assert json.loads(response.data)["status"] == 400


def test_malicious_literal_parameter_is_inert(client: FlaskClient) -> None:
    url = "/query/canned/institutions-by-speakers?format=json"
    every = json.loads(client.get(url).data)
    bad = json.loads(client.get(f"{url}&country={quote(MALICIOUS)}").data)
    assert bad["head"] == every["head"]
    assert every["results"]["bindings"] and bad["results"]["bindings"] == []
    # the dataset is unchanged
    assert json.loads(client.get(url).data) == every


def test_topic_parameter_binds(client: FlaskClient) -> None:
    def talks(topic: str) -> set[str]:
        data = json.loads(
            client.get(f"/query/canned/talks-on-topic?format=json&topic={topic}").data
        )
        return {row["talk"]["value"] for row in data["results"]["bindings"]}

    narrow = talks(TOPIC)
    broad = talks("http://talkgraph.localhost/topic/knowledge-graphs")
    assert narrow == {"http://talkgraph.localhost/talk/bo-sample-sparql-in-practice"}
    assert len(broad) == 2


def test_header_parsing() -> None:
    query = parse_canned(
        "x",
        "# title: T\n# description: one\n#   two\n# param: who (person) default=none  the one\n"
        "SELECT * WHERE { ?who ?p ?o }\n",
    )
    assert query.title == "T" and query.description == "one two"
    assert [(p.name, p.kind, p.default, p.description) for p in query.params] == [
        ("who", "person", "none", "the one")
    ]
    for bad in (
        "SELECT * {}",  # no title
        "# title: T\n# param: x (colour) default=none\nSELECT * {}",
        "# title: T\n# param: format (literal)\nSELECT * {}",
        "# title: T\n# param: x (topic) default=something\nSELECT * {}",
    ):
        with pytest.raises(ConfigError):
            parse_canned("x", bad)
