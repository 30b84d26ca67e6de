"""A bounded load run against a live talkgraph server on this machine (127.0.0.1 only).

    python bench/load.py --url http://127.0.0.1:8000 --requests 2000 --concurrency 16

A separate client process: a thread pool sends a fixed mix of cheap requests (pages, a SPARQL
SELECT, the version document) until ``--requests`` are done or ``--max-seconds`` pass, checks
each answer, and prints requests/s, p50/p99 latency and the error count (``--json``: one JSON
object, for tests).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"
MIX = [
    ("/", "text/html", b"<!doctype html"),
    ("/sparql?" + urllib.parse.urlencode({"query": QUERY}), "application/json", b'"n"'),
    ("/version", "application/json", b"dataset_sha256"),
    ("/downloads", "text/html", b"dataset.nt"),
    ("/graphs/topics/data", "application/json", b"nodes"),
]
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _check_url(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit(f"refusing to load {host!r}: only loopback addresses")


def _one(base: str, index: int, deadline: float) -> tuple[float, str | None]:
    if time.monotonic() > deadline:
        return 0.0, "skipped"
    path, accept, expect = MIX[index % len(MIX)]
    started = time.monotonic()
    try:
        with _OPENER.open(urllib.request.Request(base + path, headers={"Accept": accept}),
                          timeout=30) as response:  # fmt: skip
            body = response.read()
            error = None if response.status == 200 and expect in body else f"bad body {path}"
    except (urllib.error.URLError, OSError) as failure:
        error = f"{path}: {failure}"
    return time.monotonic() - started, error


def run(base: str, requests: int, concurrency: int, max_seconds: float) -> dict[str, object]:
    _check_url(base)
    deadline = time.monotonic() + max_seconds
    started = time.monotonic()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def task(index: int) -> None:
        took, error = _one(base, index, deadline)
        with lock:
            if error == "skipped":
                return
            latencies.append(took)
            if error:
                errors.append(error)

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(task, range(requests)))
    wall = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "requests": len(latencies),
        "seconds": round(wall, 3),
        "requests_per_second": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(pct(0.50), 1),
        "p99_ms": round(pct(0.99), 1),
        "errors": len(errors),
        "first_errors": errors[:5],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.url.rstrip("/"), args.requests, args.concurrency, args.max_seconds)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>20}: {value}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
