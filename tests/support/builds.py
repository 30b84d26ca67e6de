"""Builds the tests share: the seed programme built once per test run, and tiny crafted ones.

``seed_build()`` is the real seed programme (data/) built by the real pipeline, once per test
run: the first process to ask (an xdist worker, or pytest itself without xdist) builds it under
a file lock in the run's shared directory, the others wait and reuse it.  That directory is
made by the controlling pytest process before any worker starts and removed when the run ends
(``conftest.py``); its path reaches the workers in the environment variable :data:`SHARED`.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from talkgraph.build import build

#: The environment variable naming the directory the processes of one test run share.
SHARED = "TALKGRAPH_TEST_SHARED"


def shared_dir() -> Path:
    """The directory the processes of this test run share (made on first use outside pytest)."""
    if SHARED not in os.environ:
        os.environ[SHARED] = tempfile.mkdtemp(prefix="talkgraph-tests-")
        atexit.register(shutil.rmtree, os.environ[SHARED], True)
    return Path(os.environ[SHARED])


@cache
def seed_build() -> Path:
    """The seed programme's build directory (data/ built by the real pipeline), once per run."""
    shared = shared_dir()
    out = shared / "seed" / "build"
    with (shared / "seed.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (out / "manifest.json").is_file():
            shutil.rmtree(out.parent, ignore_errors=True)  # a half build of a failed worker
            build(None, out=out)
    return out


def crafted_build(tmp_path: Path, text: str, name: str = "programme.txt") -> Path:
    """Build a programme ``text`` (validated against no shapes: these tests are about pages)."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    shapes = tmp_path / "no-shapes.ttl"
    shapes.write_text("", encoding="utf-8")
    return build([source], out=tmp_path / "build", shapes_paths=[shapes]).out
