"""Helpers for the co-topic graph page tests: the seed programme built once per session."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from flask import Flask

from talkgraph.build import build
from talkgraph.web import create_app


@cache
def seed_build() -> Path:
    """The seed programme (data/) built into a temporary directory, once per process."""
    out = Path(tempfile.mkdtemp(prefix="talkgraph-graphs-seed-")) / "build"
    atexit.register(shutil.rmtree, out.parent, True)
    build(None, out=out)
    return out


@contextmanager
def running_app(data_dir: Path) -> Iterator[Flask]:
    """The app for a build directory (test configuration); its query workers stop after."""
    app = create_app(data_dir, config={"TESTING": True})
    try:
        yield app
    finally:
        app.extensions["talkgraph"].close()
