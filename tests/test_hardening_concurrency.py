"""Many simultaneous clients from a second process get correct answers with zero errors, and
the server's memory does not grow across repeated rounds."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from support.builds import seed_build
from support.web import live_server, running_app

LOAD = Path(__file__).resolve().parents[1] / "bench" / "load.py"
REQUESTS, CONCURRENCY = 250, 12


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    with running_app(seed_build(), TESTING=False, QUERY_TIMEOUT=10) as application:
        yield application


def _round(base: str) -> dict[str, object]:
    command = [sys.executable, str(LOAD), "--url", base, "--requests", str(REQUESTS),
               "--concurrency", str(CONCURRENCY), "--max-seconds", "40", "--json"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout, done.stderr
    result = json.loads(done.stdout)
    assert isinstance(result, dict)
    return result


def _rss_kib(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_concurrent_clients_from_another_process(app: Flask) -> None:
    store = app.extensions["talkgraph"].store
    with live_server(app, threads=8) as base:
        warm = _round(base)
        assert warm["errors"] == 0 and warm["requests"] == REQUESTS, warm
        server_before = _rss_kib()
        workers_before = sum(_rss_kib(p) for p in store.worker_pids())
        for _ in range(3):
            result = _round(base)
            assert result["errors"] == 0 and result["requests"] == REQUESTS, result
        server_after = _rss_kib()
        workers_after = sum(_rss_kib(p) for p in store.worker_pids())
    # small slack: allocator noise, not growth per request (3 x 250 requests)
    assert server_after - server_before < 24 * 1024, (server_before, server_after)
    assert workers_after - workers_before < 24 * 1024, (workers_before, workers_after)
