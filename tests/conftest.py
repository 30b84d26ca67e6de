"""Shared fixtures: a web application over the tiny hand-written build in fixtures/mini."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from talkgraph.web import create_app

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def mini_dir() -> Path:
    return MINI


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app over fixtures/mini; ``@pytest.mark.app_config(KEY=value)`` overrides config."""
    marker = request.node.get_closest_marker("app_config")
    config = {"TESTING": True, "QUERY_TIMEOUT": 5, **(marker.kwargs if marker else {})}
    application = create_app(MINI, config=config)
    yield application
    application.extensions["talkgraph"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app_config(**config): config for the app fixture")
