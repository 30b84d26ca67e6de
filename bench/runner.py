"""The benchmark driver behind ``bench/run``: generate, build, load, query, compare.

For each scale: a build in its own process (stage times, peak RSS by ``wait4``), load times
into each store, then the query mix against each engine — sequential latency per query
(median, p99) and throughput of the interactive mix under bounded concurrency from a separate
client process — printed as tables, with ratios to our endpoint.  Results also go to
``WORK/results.json``.  Every server listens on 127.0.0.1 and is stopped by its process id.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import generate
from bench.queries import Query, full_text, heavy_text, light, mix, pick_parameters

PY = sys.executable
OXIGRAPH = str(Path(PY).with_name("oxigraph"))
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], limit: float) -> float:
    start = time.perf_counter()
    target = f"{url}?{urlencode({'query': 'ASK { ?s ?p ?o }'})}"
    while time.perf_counter() - start < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            request = urllib.request.Request(
                target, headers={"Accept": "application/sparql-results+json"}
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {limit} s")


def _stop(proc: subprocess.Popen[bytes], *, group: bool = False) -> None:
    """Stop ``proc``; with ``group`` (a server started in its own session) also whatever is
    left of its process group — our query workers, forked by the server, would otherwise run
    their last query to its end (up to the time limit) into the next engine's measurement."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if group:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def _session_pids(sid: int) -> list[int]:
    """The processes of session ``sid`` (a server started with ``start_new_session`` and the
    workers it forked)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()  # state ppid pgrp session ...
        if len(fields) > 3 and int(fields[3]) == sid:
            pids.append(int(entry.name))
    return pids


def _status_kb(pid: int, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _pss_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii").splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


class MemoryWatch:
    """Samples a server's memory every ``interval`` seconds while it runs: the peak of the
    summed proportional set size (PSS: shared pages split between the processes sharing them,
    so copy-on-write pages of forked workers count once) of every process in its session, and
    its main process's peak RSS (``VmHWM``).  Linux only; zeros elsewhere."""

    def __init__(self, proc: subprocess.Popen[bytes], interval: float = 2.0) -> None:
        self.proc, self.interval = proc, interval
        self.peak_pss_kb = self.peak_rss_kb = self.most_processes = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> None:
        pids = _session_pids(self.proc.pid) if Path("/proc").is_dir() else []
        self.most_processes = max(self.most_processes, len(pids))
        self.peak_pss_kb = max(self.peak_pss_kb, sum(_pss_kb(pid) for pid in pids))
        self.peak_rss_kb = max(self.peak_rss_kb, _status_kb(self.proc.pid, "VmHWM"))

    def _run(self) -> None:
        while not self._done.wait(self.interval):
            self.sample()

    def stop(self) -> dict[str, float]:
        if self.proc.poll() is None:
            self.sample()
        self._done.set()
        self._thread.join()
        return {
            "peak_pss_mb": self.peak_pss_kb / 1024,
            "peak_rss_mb": self.peak_rss_kb / 1024,
            "processes": self.most_processes,
        }


def _subprocess_json(args: Sequence[str], timeout: float) -> tuple[dict[str, Any], float]:
    """Run a child, return its JSON stdout and its peak RSS in MB (``wait4``)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(list(args), stdout=out, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{args[:3]} took over {timeout} s")
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{args[:3]} failed with {proc.returncode}")
        out.seek(0)
        return json.loads(out.read()), usage.ru_maxrss / 1024


def _stats(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {"median_ms": statistics.median(ordered) * 1000, "p99_ms": p99 * 1000}


def _requests(queries: list[Query], repeats: int) -> list[dict[str, str]]:
    return [
        {
            "name": q.name,
            "query": full_text(q),
            "accept": "application/n-triples" if q.graph else "application/sparql-results+json",
        }
        for q in queries
        for _ in range(repeats)
    ]


def _client(spec: dict[str, Any], work: Path, limit: float) -> dict[str, Any]:
    path = work / "client-spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    result, _ = _subprocess_json([PY, "-m", "bench.client", str(path)], limit)
    return result


class Plan:
    """How much to ask of each engine at a scale (bounded by request counts and budgets)."""

    def __init__(self, triples: int, args: argparse.Namespace) -> None:
        slow = triples > 200_000
        self.repeats = args.repeats
        self.requests = args.requests
        self.concurrency = args.concurrency
        self.budget = args.budget
        self.timeout = args.timeout
        self.slow_repeats = 3 if slow else args.repeats  # rdflib engines at large scales
        self.slow_requests = max(20, args.requests // 10) if slow else args.requests


def _latency(url: str, queries: list[Query], repeats: int, plan: Plan, work: Path) -> list[Any]:
    out = []
    for query in queries:
        spec = {
            "url": url,
            "requests": _requests([query], repeats if query.interactive else max(1, repeats // 5)),
            "concurrency": 1,
            "timeout": plan.timeout,
            "budget": plan.budget,
        }
        out.extend(_client(spec, work, plan.budget + plan.timeout + 30)["results"])
    return out


def _throughput(url: str, queries: list[Query], count: int, plan: Plan, work: Path) -> Any:
    spec = {
        "url": url,
        "requests": _interleave([q for q in queries if q.interactive], count),
        "concurrency": plan.concurrency,
        "timeout": plan.timeout,
        "budget": plan.budget,
    }
    return _client(spec, work, plan.budget + plan.timeout + 30)


def _under_heavy(url: str, queries: list[Query], count: int, plan: Plan, work: Path) -> Any:
    """The light mix from ``concurrency - 1`` connections while one more connection keeps a
    heavy query running (a new text each time, so no answer cache helps); the light mix's
    results only."""
    heavy_spec = work / "heavy-spec.json"
    heavy_spec.write_text(
        json.dumps(
            {
                "url": url,
                "requests": [
                    {"name": "heavy", "query": heavy_text(i), "accept": "application/json"}
                    for i in range(10_000)
                ],
                "concurrency": 1,
                "timeout": plan.timeout,
                "budget": plan.budget,
            }
        ),
        encoding="utf-8",
    )
    heavy_out = (work / "heavy-out.json").open("wb")
    heavy = subprocess.Popen(
        [PY, "-m", "bench.client", str(heavy_spec)], stdout=heavy_out, cwd=ROOT
    )
    try:
        time.sleep(0.5)  # the heavy query is running
        spec = {
            "url": url,
            "requests": _interleave(light(queries), count),
            "concurrency": max(1, plan.concurrency - 1),
            "timeout": plan.timeout,
            "budget": plan.budget,
        }
        result = _client(spec, work, plan.budget + plan.timeout + 30)
    finally:
        _stop(heavy)
        heavy_out.close()
    # what became of the heavy connection's queries (answered, refused, timed out)
    with contextlib.suppress(OSError, ValueError, KeyError):
        result["heavy"] = json.loads((work / "heavy-out.json").read_text())["results"]
    return result


def _interleave(queries: list[Query], count: int) -> list[dict[str, str]]:
    one = _requests(queries, 1)
    return [one[i % len(one)] for i in range(count)]


def _load_stats(load: dict[str, Any]) -> dict[str, Any]:
    from bench.report import not_ok

    ok = [r["seconds"] for r in load["results"] if r["status"] == 200]
    return {
        **(_stats(ok) if ok else {"median_ms": float("nan"), "p99_ms": float("nan")}),
        "requests": len(load["results"]),
        "errors": len(load["results"]) - len(ok),
        "not_ok": not_ok(load["results"]),
        "req_per_s": len(ok) / load["wall"] if load["wall"] else 0.0,
        **(
            {"heavy": {"answered": _answered(load["heavy"]), "not_ok": not_ok(load["heavy"])}}
            if "heavy" in load
            else {}
        ),
    }


def _answered(results: list[dict[str, Any]]) -> int:
    return sum(1 for r in results if r["status"] == 200)


def _engine_report(
    name: str, latency: list[Any], load: dict[str, Any] | None, note: str = ""
) -> dict[str, Any]:
    per_query: dict[str, list[float]] = {}
    errors = 0
    for item in latency:
        if item["status"] == 200:
            per_query.setdefault(item["name"], []).append(item["seconds"])
        else:
            errors += 1
    from bench.report import not_ok

    report: dict[str, Any] = {
        "engine": name,
        "queries": {k: {**_stats(v), "n": len(v)} for k, v in per_query.items()},
        "latency_errors": errors,
        "latency_not_ok": not_ok(latency),
        "note": note,
    }
    if load is not None:
        report["throughput"] = _load_stats(load)
    return report


def _served(
    name: str,
    command: list[str],
    url: str,
    queries: list[Query],
    plan: Plan,
    work: Path,
    *,
    slow: bool,
    ready_limit: float = 900,
    preload: tuple[str, Path] | None = None,
) -> dict[str, Any]:
    log = (work / f"{re.sub(r'[^A-Za-z0-9]+', '-', name).strip('-')}.log").open("wb")
    proc = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
    )
    watch = MemoryWatch(proc)
    try:
        ready = _wait_ready(url, proc, ready_limit)
        if preload is not None:  # an in-memory server: POST the data (Graph Store Protocol)
            start = time.perf_counter()
            body = preload[1].read_bytes()
            request = urllib.request.Request(
                preload[0], data=body, headers={"Content-Type": "application/n-triples"}
            )
            with urllib.request.urlopen(request, timeout=ready_limit) as response:
                response.read()
            ready += time.perf_counter() - start
        repeats = plan.slow_repeats if slow else plan.repeats
        count = plan.slow_requests if slow else plan.requests
        latency = _latency(url, queries, repeats, plan, work)
        load = _throughput(url, queries, count, plan, work)
        note = f"{repeats} runs/query, {count} mix requests" if slow else ""
        report = _engine_report(name, latency, load, note)
        report["light"] = _load_stats(_throughput(url, light(queries), count, plan, work))
        if not slow:
            report["under_heavy"] = _load_stats(_under_heavy(url, queries, count, plan, work))
        report["ready_s"] = ready
        report["memory"] = watch.stop()
        return report
    finally:
        watch.stop()
        _stop(proc, group=True)
        log.close()


def run_scale(label: str, triples: int, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work) / label
    progs = work / "programmes"
    if progs.exists():
        shutil.rmtree(progs)
    start = time.perf_counter()
    if label == "seed":  # the real programme shipped in data/
        paths = [ROOT / "data" / "workshop-programme.txt"]
    else:
        paths = generate.generate(triples, args.seed, progs)
    result: dict[str, Any] = {"scale": label, "generate_s": time.perf_counter() - start}
    out = work / "build"
    build, peak = _subprocess_json(
        [PY, "-m", "bench.buildproc", str(out), *map(str, paths)], args.build_timeout
    )
    result["build"] = {**build, "peak_rss_mb": peak}
    _say(f"[{label}] build {build['wall']:.1f} s, {build['triples']} triples, {peak:.0f} MB")
    nt = out / "dataset.nt"
    stores = work / "stores"
    shutil.rmtree(stores, ignore_errors=True)
    stores.mkdir()
    loads, _ = _subprocess_json(
        [PY, "-m", "bench.engines", "loads", str(nt), str(stores)], args.build_timeout
    )
    shutil.rmtree(stores)
    queries = mix(pick_parameters(str(nt)))
    plan = Plan(build["triples"], args)
    slow = build["triples"] > 200_000
    result["build"]["rdflib_parse_s"] = loads["rdflib Graph.parse (nt)"]
    engines = []
    for name, extra in (("talkgraph (ours)", []), ("talkgraph, no answer cache", ["nocache"])):
        port = _free_port()
        command = [PY, "-m", "bench.engines", "talkgraph", str(out), str(port), str(args.timeout)]
        engines.append(
            _served(
                name,
                command + extra,
                f"http://127.0.0.1:{port}/sparql",
                queries,
                plan,
                work,
                slow=False,
            )
        )
    _say(f"[{label}] ours done")
    engines += oxigraph_engines(nt, queries, plan, work, loads, args.build_timeout)
    _say(f"[{label}] oxigraph done")
    port = _free_port()
    engines.append(
        _served(
            "rdflib-endpoint",
            [PY, "-m", "bench.engines", "rdflib-endpoint", str(nt), str(port)],
            f"http://127.0.0.1:{port}/sparql",
            queries,
            plan,
            work,
            slow=slow,
        )
    )
    _say(f"[{label}] rdflib-endpoint done")
    spec = work / "inprocess.json"
    spec.write_text(
        json.dumps(
            {
                "queries": [
                    {"name": q.name, "query": full_text(q), "graph": q.graph} for q in queries
                ],
                "repeats": plan.slow_repeats if slow else plan.repeats,
                "budget": plan.budget,
            }
        )
    )
    inproc, _ = _subprocess_json(
        [PY, "-m", "bench.engines", "rdflib-inprocess", str(nt), str(spec)], args.build_timeout
    )
    engines.append(_engine_report("rdflib Graph.query (in-process)", inproc["results"], None))
    result.update(loads=loads, engines=engines, parameters=[q.name for q in queries])
    return result


def _oxigraph_commands(location: Path, nt: Path, port: int) -> list[list[str]]:
    from bench.engines import oxigraph_commands

    return oxigraph_commands(OXIGRAPH, location, nt, port)


def oxigraph_engines(
    nt: Path,
    queries: Any,
    plan: Plan,
    work: Path,
    loads: dict[str, float],
    timeout: float,
    *,
    on_disk: bool = True,
) -> list[dict[str, Any]]:
    """The peers measured beside ours: Oxigraph server in memory (``nt`` POSTed to it) and on
    RocksDB (``oxigraph load`` then serve, its load time recorded in ``loads``; not without
    ``on_disk``)."""
    engines = []
    port = _free_port()
    engines.append(
        _served(
            "Oxigraph server (in memory)",
            [OXIGRAPH, "serve", "--bind", f"127.0.0.1:{port}"],
            f"http://127.0.0.1:{port}/query",
            queries,
            plan,
            work,
            slow=False,
            preload=(f"http://127.0.0.1:{port}/store?default", nt),
        )
    )
    if not on_disk:
        return engines
    location = work / "oxigraph-db"
    shutil.rmtree(location, ignore_errors=True)
    port = _free_port()
    load_cmd, serve_cmd = _oxigraph_commands(location, nt, port)
    start = time.perf_counter()
    subprocess.run(load_cmd, check=True, capture_output=True, timeout=timeout)
    loads["Oxigraph server (oxigraph load)"] = time.perf_counter() - start
    engines.append(
        _served(
            "Oxigraph server",
            serve_cmd,
            f"http://127.0.0.1:{port}/query",
            queries,
            plan,
            work,
            slow=False,
        )
    )
    shutil.rmtree(location, ignore_errors=True)
    return engines


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    from bench import report

    parser = argparse.ArgumentParser(description="talkgraph benchmarks (see bench/README.md)")
    parser.add_argument(
        "--scales", default="seed,10k,100k,1M", help="comma-separated: seed,10k,100k,1M"
    )
    parser.add_argument("--with-5m", action="store_true", help="also the 5M-triple scale")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", default="/tmp/talkgraph-bench", help="scratch directory")
    parser.add_argument("--repeats", type=int, default=20, help="sequential runs per query")
    parser.add_argument("--requests", type=int, default=600, help="mix requests per engine")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request seconds")
    parser.add_argument("--budget", type=float, default=180.0, help="seconds per client run")
    parser.add_argument("--build-timeout", type=float, default=3600.0)
    args = parser.parse_args(argv)
    labels = [s for s in args.scales.split(",") if s] + (["5M"] if args.with_5m else [])
    print(report.machine(), flush=True)
    results = []
    for label in labels:
        triples = 0 if label == "seed" else generate.parse_triples(label)
        results.append(run_scale(label, triples, args))
        print("\n" + report.scale(results[-1]), flush=True)
        Path(args.work, "results.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
