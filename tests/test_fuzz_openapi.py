"""Every described route, fuzzed from the OpenAPI document (schemathesis): never a 500, never
a traceback in a response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from talkgraph.web import create_app

MINI = Path(__file__).parent / "fixtures" / "mini"
_APP: list[Flask] = []


def _app() -> Flask:
    if not _APP:
        _APP.append(create_app(MINI, config={"TESTING": True, "QUERY_TIMEOUT": 5}))
    return _APP[0]


@pytest.fixture(scope="module", autouse=True)
def _close() -> Iterator[None]:
    yield
    if _APP:
        _APP.pop().extensions["talkgraph"].close()


schema = schemathesis.openapi.from_wsgi("/openapi.json", _app())


def test_the_document_covers_every_non_sparql_route() -> None:
    described = set(schema.raw_schema["paths"])
    for rule in _app().url_map.iter_rules():
        if rule.endpoint.startswith(("sparql.", "static")):
            continue
        path = rule.rule.replace("<", "{").replace(">", "}").replace("{path:", "{")
        path = path.replace("{filename}", "{file}")
        assert path in described, rule.rule


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_routes(case: Any) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    text = response.text if isinstance(response.text, str) else ""
    assert "Traceback (most recent call last)" not in text
    assert 'File "/' not in text
