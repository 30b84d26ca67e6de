"""Helpers for the co-topic graph page tests: the seed programme built once per session."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from talkgraph.build import build


@cache
def seed_build() -> Path:
    """The seed programme (data/) built into a temporary directory, once per process."""
    out = Path(tempfile.mkdtemp(prefix="talkgraph-graphs-seed-")) / "build"
    atexit.register(shutil.rmtree, out.parent, True)
    build(None, out=out)
    return out
