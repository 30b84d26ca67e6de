"""Shared fixtures.  Helpers the tests import live in ``support/`` (``support.web`` makes and
serves apps, ``support.builds`` builds, ``support.pages`` reads pages, ``support.servers`` starts
real SPARQL servers, ``support.browser`` drives chromium).

* ``app`` / ``client``: the app over the tiny hand-written build in fixtures/mini
  (``@pytest.mark.app_config(KEY=value)`` overrides its config);
* ``seed_dir`` / ``seed_app`` / ``seed_client``: the real seed programme built once per run
  (shared by the xdist workers, see ``support.builds``) and an app over it per module.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from support.builds import SHARED, seed_build
from support.web import Client, running_app

MINI = Path(__file__).parent / "fixtures" / "mini"

# Every app's test client reads each answer whole and closes it (support.web.Client), also for
# apps a test makes with create_app itself: an unclosed file answer is a ResourceWarning.
Flask.test_client_class = Client


@pytest.fixture
def mini_dir() -> Path:
    return MINI


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app over fixtures/mini; ``@pytest.mark.app_config(KEY=value)`` overrides config."""
    marker = request.node.get_closest_marker("app_config")
    config = {"QUERY_TIMEOUT": 5, **(marker.kwargs if marker else {})}
    with running_app(MINI, **config) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The seed programme's build directory (built once per run)."""
    return seed_build()


@pytest.fixture(scope="module")
def seed_app(seed_dir: Path) -> Iterator[Flask]:
    with running_app(seed_dir) as application:
        yield application


@pytest.fixture
def seed_client(seed_app: Flask) -> FlaskClient:
    return seed_app.test_client()


def pytest_configure(config: pytest.Config) -> None:
    """The controlling process (not an xdist worker) makes the directory the run's processes
    share, before any worker starts: workers inherit its path in the environment."""
    if not hasattr(config, "workerinput") and SHARED not in os.environ:
        os.environ[SHARED] = tempfile.mkdtemp(prefix="talkgraph-tests-")
        config.stash[_MADE] = os.environ[SHARED]


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controlling process removes the shared directory (the seed build) at the end."""
    made = config.stash.get(_MADE, None)
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)
        os.environ.pop(SHARED, None)


_MADE = pytest.StashKey[str]()
