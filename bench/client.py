"""A bounded HTTP load client, run as its own process: ``python -m bench.client SPEC.json``.

The spec names the endpoint URL, the requests (name, query, Accept) in order, the number of
concurrent connections and a per-request timeout.  Each connection is a thread with its own
keep-alive ``http.client`` connection taking the next request from a shared queue; after
``budget`` seconds no new request is started (the results say how many were sent).  Printed
on stdout as JSON: per request its name, latency in seconds, status and body bytes, and the
wall time of the whole run.  An answer that is not 200 also records its ``Retry-After`` header
(``retry_after``) and, for a request that got no answer at all (status 0), why (``error``:
the exception's class, e.g. ``TimeoutError``).  Stopped with SIGTERM (a background load), it
prints what it measured so far (with ``"stopped": true``).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import sys
import threading
import time
from typing import Any
from urllib.parse import urlencode, urlsplit


def _connect(url: str, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    if parts.hostname != "127.0.0.1":
        raise SystemExit("the bench client only talks to 127.0.0.1")
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def _worker(
    url: str,
    timeout: float,
    deadline: float,
    todo: queue.Queue[dict[str, str]],
    out: list[dict[str, Any]],
) -> None:
    path = urlsplit(url).path or "/"
    conn = _connect(url, timeout)
    while time.perf_counter() < deadline:
        try:
            item = todo.get_nowait()
        except queue.Empty:
            break
        target = f"{path}?{urlencode({'query': item['query']})}"
        start = time.perf_counter()
        status, size = 0, 0
        extra: dict[str, Any] = {}
        try:
            conn.request("GET", target, headers={"Accept": item["accept"]})
            response = conn.getresponse()
            size = len(response.read())
            status = response.status
            retry = response.getheader("Retry-After")
            if status != 200 and retry is not None:
                extra["retry_after"] = retry
        except (OSError, http.client.HTTPException) as error:
            extra["error"] = type(error).__name__
            conn.close()
            conn = _connect(url, timeout)
        took = time.perf_counter() - start
        out.append(
            {"name": item["name"], "seconds": took, "status": status, "bytes": size, **extra}
        )
    conn.close()


def run(
    spec: dict[str, Any], results: list[dict[str, Any]] | None = None, start: float | None = None
) -> dict[str, Any]:
    """Send every request of ``spec`` and return the measurements (appended to ``results``
    as they come)."""
    todo: queue.Queue[dict[str, str]] = queue.Queue()
    for item in spec["requests"]:
        todo.put(item)
    results = [] if results is None else results
    start = time.perf_counter() if start is None else start
    deadline = start + float(spec.get("budget", 1e9))
    threads = [
        threading.Thread(
            target=_worker, args=(spec["url"], float(spec["timeout"]), deadline, todo, results)
        )
        for _ in range(int(spec["concurrency"]))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"wall": time.perf_counter() - start, "results": results}


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as spec_file:
        spec = json.load(spec_file)
    results: list[dict[str, Any]] = []
    start = time.perf_counter()

    def stopped(signum: int, frame: object) -> None:
        """Stopped from outside (a background load): print what was measured so far."""
        wall = time.perf_counter() - start
        json.dump({"wall": wall, "results": list(results), "stopped": True}, sys.stdout)
        sys.stdout.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, stopped)
    json.dump(run(spec, results, start), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
