"""The web path of a cheap query, measured side by side: ``python -m bench.webpath BUILD WORK``.

Serves one build (``bench/run``'s seed build, say) with several servers and sends each the same
light mix (the interactive mix without co-topic pairs, :func:`bench.queries.light`) from the
same client process as ``bench/run`` (:mod:`bench.client`: keep-alive connections, fixed
request list), in rounds that alternate the servers, so that every server sees the same
background load on this shared machine.  The servers:

* ``ours`` — ``create_app`` + :func:`talkgraph.web.server.make_server` (as ``bench/run``:
  8 threads, answer cache on), and ``ours, no answer cache``;
* ``Oxigraph server (in memory)`` — the peer of ``bench/run``'s ratios (data POSTed to it);
* ``ours-flask`` — ours without the fast path of cached answers (every request through
  Flask); ``main``, ``main-nocache`` — ours from another checkout's ``src/`` (``--main-src``),
  the code before; ``KIND@N``: that server with N threads (default 8, as ``bench/run``);
* ``hello (waitress)`` — the ceiling of a Python server here: a minimal WSGI function
  answering a fixed body of the mix's median answer size, under the same waitress settings
  as ours (``make_server``: limits, slow-request cut, 8 threads);
* ``hello (Flask)`` — one Flask route answering the same body, same server: what Flask's
  dispatch costs without any of our hooks.
* ``granian-ours``, ``granian-hello``, ``uwsgi-ours``, ``uwsgi-hello`` — ours and the minimal
  function under granian (Rust) or uWSGI (C, ``--http11-socket``, one process, the same number
  of threads; its binary from ``$UWSGI``, else ``uwsgi`` on the PATH), for comparison only:
  neither is a dependency (``pip install granian uwsgi``).

``--client wrk`` sends the same requests with Debian's ``wrk`` (C, one thread, the same number
of keep-alive connections, ``--seconds`` per round) instead: the Python client spends 120–180 µs
of CPU per request (more on Oxigraph's chunked answers), so on two cores it, not the server,
limits the fastest servers' figures; wrk spends 11–20.
Also the mix's ``/version`` (no query): ``--version-path`` adds a round of it against ours.
Printed: req/s per round and the median per server, its ratio to Oxigraph's, the load average.
``python -m bench.webpath serve KIND BUILD PORT`` runs one of the Python servers (internal).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.queries import full_text, light, mix, pick_parameters
from bench.runner import OXIGRAPH, PY, ROOT, _free_port, _stop, _wait_ready

BODY_BYTES = 1200  # about a light-mix answer here (SPARQL JSON of a few rows)


def _hello_body() -> bytes:
    return b'{"head":{"vars":["x"]},"results":{"bindings":[' + b" " * BODY_BYTES + b"]}}"


def granian_app() -> Any:
    """The WSGI application a granian worker serves (``granian-ours``, ``granian-hello``)."""
    return _app(os.environ["WEBPATH_KIND"], os.environ["WEBPATH_BUILD"])


_APPS: list[Any] = []


def uwsgi_app(environ: dict[str, Any], start_response: Any) -> Any:
    """The WSGI application uWSGI serves (``uwsgi-ours``, ``uwsgi-hello``), made at the first
    request (uWSGI imports the module before it may fork)."""
    if not _APPS:
        _APPS.append(granian_app())
    return _APPS[0](environ, start_response)


def serve(kind: str, build: str, port: int) -> None:
    kind, _, threads = kind.partition("@")  # ours@4: 4 server threads (default 8)
    if kind.startswith("granian-"):  # granian (a Rust HTTP server) for comparison only
        from granian import Granian

        os.environ.update(WEBPATH_KIND=kind.removeprefix("granian-"), WEBPATH_BUILD=build)
        Granian(
            "bench.webpath:granian_app",
            address="127.0.0.1",
            port=port,
            interface="wsgi",
            workers=1,
            blocking_threads=int(threads or 8),
            factory=True,
        ).serve()
        return
    if kind.startswith("uwsgi-"):  # uWSGI (a C HTTP server) for comparison only
        os.environ.update(WEBPATH_KIND=kind.removeprefix("uwsgi-"), WEBPATH_BUILD=build)
        uwsgi = os.environ.get("UWSGI", "uwsgi")
        os.execvp(
            uwsgi,
            [
                uwsgi,
                "--http11-socket",
                f"127.0.0.1:{port}",
                "--home",
                sys.prefix,
                "--chdir",
                str(ROOT),
                "--module",
                "bench.webpath:uwsgi_app",
                "--threads",
                threads or "8",
                "--processes",
                "1",
                "--disable-logging",
                "--need-app",
            ],
        )
    from talkgraph.web.server import make_server

    server = make_server(_app(kind, build), "127.0.0.1", port, threads=int(threads or 8))
    print("ready", flush=True)
    server.run()


def _app(kind: str, build: str) -> Any:
    kind = kind.replace("main", "ours")  # main, main-nocache: another src/ (PYTHONPATH)
    app: Any
    if kind in ("ours", "ours-nocache", "ours-flask"):
        from talkgraph.web import create_app

        config: dict[str, Any] = {"MAX_ROWS": 100_000_000, "WORKER_MEMORY_MB": 8192}
        if kind == "ours-nocache":
            config["ANSWER_CACHE_BYTES"] = 0
        app = create_app(Path(build), config=config)
        if kind == "ours-flask":  # without the fast path of cached answers
            app.wsgi_app = app.wsgi_app.inner
    elif kind in ("hello", "hello-waitress"):
        body = _hello_body()
        headers = [
            ("Content-Type", "application/sparql-results+json"),
            ("Content-Length", str(len(body))),
        ]

        class Hello:
            config: dict[str, Any] = {}  # make_server reads the app's config

            def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
                start_response("200 OK", headers)
                return [body]

        app = Hello()

    elif kind == "hello-flask":
        from flask import Flask, Response

        app = Flask("hello")
        body = _hello_body()

        @app.route("/sparql")
        def hello() -> Response:
            return Response(body, content_type="application/sparql-results+json")

    else:
        raise SystemExit(f"unknown server {kind!r}")
    return app


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants (query workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        one = todo.pop()
        total += times.get(one, 0.0)
        todo += [child for child, parent in parents.items() if parent == one]
    return total


def _client(spec: dict[str, Any], work: Path, server: int) -> dict[str, Any]:
    """Run the client; its results, plus the CPU seconds the server and the client used."""
    path = work / "webpath-spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    before = _cpu_seconds(server)
    own = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [PY, "-m", "bench.client", str(path)], capture_output=True, check=True, cwd=ROOT
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result: dict[str, Any] = json.loads(out.stdout)
    result["server_cpu"] = _cpu_seconds(server) - before
    result["client_cpu"] = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
    return result


_WRK_SCRIPT = """
local requests = {%s}
local i = 0
request = function()
  i = i %% #requests + 1
  return wrk.format("GET", requests[i][1], {["Accept"] = requests[i][2]})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(99)))
end
"""


def _wrk(
    url: str, requests: list[dict[str, str]], seconds: float, connections: int, work: Path,
    server: int,
) -> dict[str, Any]:  # fmt: skip
    """The same requests, in the same order, sent by wrk (C, one thread, ``connections``
    keep-alive connections) for ``seconds``: a client much cheaper per request than Python's
    ``http.client`` (which decodes a chunked answer, as Oxigraph sends, slowly)."""
    path = urlsplit(url).path
    items = dict.fromkeys((r["query"], r["accept"]) for r in requests)  # the cycle, in order
    targets = [(json.dumps(path + "?" + urlencode({"query": q})), json.dumps(a)) for q, a in items]
    entries = ", ".join(f"{{{target}, {accept}}}" for target, accept in targets)
    script = work / "webpath-wrk.lua"
    script.write_text(_WRK_SCRIPT % entries, encoding="utf-8")
    before = _cpu_seconds(server)
    own = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{round(seconds)}s", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))
    count, micros, p99 = (int(x) for x in done.split()[1:])
    bad = sum(
        int(line.split(":")[1])
        for line in out.stdout.splitlines()
        if line.strip().startswith(("Non-2xx", "Socket errors"))
        and line.split(":")[1].strip().isdigit()
    )
    return {
        "rate": count / (micros / 1e6),
        "errors": bad,
        "p99": p99 / 1000,
        "server_cpu": (_cpu_seconds(server) - before) / count * 1e6,
        "client_cpu": (after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime) / count * 1e6,
    }


def _requests(build: Path, count: int) -> list[dict[str, str]]:
    queries = light(mix(pick_parameters(str(build / "dataset.nt"))))
    one = [
        {
            "name": q.name,
            "query": full_text(q),
            "accept": "application/n-triples" if q.graph else "application/sparql-results+json",
        }
        for q in queries
    ]
    return [one[i % len(one)] for i in range(count)]


def _rate(result: dict[str, Any]) -> tuple[float, int, float]:
    ok = [r for r in result["results"] if r["status"] == 200]
    seconds = sorted(r["seconds"] for r in ok)
    p99 = seconds[min(len(seconds) - 1, round(0.99 * (len(seconds) - 1)))] if seconds else 0.0
    return len(ok) / result["wall"], len(result["results"]) - len(ok), p99 * 1000


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "serve":
        serve(argv[1], argv[2], int(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build")
    parser.add_argument("work")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--servers",
        default="oxigraph,ours,ours-nocache,hello-waitress,hello-flask",
        help="comma-separated: oxigraph, ours, ours-nocache, hello-waitress, hello-flask, "
        "or python:MODULE:KIND for another serve() (e.g. a candidate server)",
    )
    parser.add_argument(
        "--client",
        choices=("python", "wrk"),
        default="python",
        help="python: bench.client, as bench/run (default); wrk: Debian's wrk (C), the same "
        "requests for --seconds per round",
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="a wrk round's length")
    parser.add_argument(
        "--main-src", default="/work/main/src", help="the src/ the server 'main' runs"
    )
    args = parser.parse_args(argv)
    build, work = Path(args.build).resolve(), Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    requests = _requests(build, args.requests)
    procs: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    logs = []
    try:
        for name in args.servers.split(","):
            port = _free_port()
            log = (work / f"webpath-{name.replace(':', '_')}.log").open("wb")
            logs.append(log)
            if name == "oxigraph":
                command = [OXIGRAPH, "serve", "--bind", f"127.0.0.1:{port}"]
                url = f"http://127.0.0.1:{port}/query"
            elif name.startswith("python:"):
                _, module, kind = name.split(":")
                command = [PY, "-m", module, "serve", kind, str(build), str(port)]
                url = f"http://127.0.0.1:{port}/sparql"
            else:
                command = [PY, "-m", "bench.webpath", "serve", name, str(build), str(port)]
                url = f"http://127.0.0.1:{port}/sparql"
            env = dict(os.environ)
            if name.startswith("main"):  # the code of another checkout (--main-src), same server
                env["PYTHONPATH"] = args.main_src
            proc = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env
            )
            procs[name] = (proc, url)
            if "hello" in name or name.startswith("python:"):
                time.sleep(1.5)  # answers no ASK: wait for it to bind
            else:
                _wait_ready(url, proc, 120)
            if name == "oxigraph":
                body = (build / "dataset.nt").read_bytes()
                post = urllib.request.Request(
                    f"http://127.0.0.1:{port}/store?default",
                    data=body,
                    headers={"Content-Type": "application/n-triples"},
                )
                with urllib.request.urlopen(post, timeout=120) as response:
                    response.read()
        print(f"servers: {', '.join(procs)}; pids {[p.pid for p, _ in procs.values()]}")
        rates: dict[str, list[float]] = {name: [] for name in procs}
        p99s: dict[str, list[float]] = {name: [] for name in procs}
        cpus: dict[str, list[float]] = {name: [] for name in procs}
        client_cpus: dict[str, list[float]] = {name: [] for name in procs}
        loads = []
        for round_no in range(args.rounds):
            for name, (proc, url) in procs.items():
                spec = {
                    "url": url,
                    "requests": requests,
                    "concurrency": args.concurrency,
                    "timeout": 60,
                }
                if args.client == "wrk":
                    got = _wrk(url, requests, args.seconds, args.concurrency, work, proc.pid)
                    rate, errors, p99 = got["rate"], got["errors"], got["p99"]
                    cpus[name].append(got["server_cpu"])
                    client_cpus[name].append(got["client_cpu"])
                else:
                    result = _client(spec, work, proc.pid)
                    rate, errors, p99 = _rate(result)
                    cpus[name].append(result["server_cpu"] / len(requests) * 1e6)
                    client_cpus[name].append(result["client_cpu"] / len(requests) * 1e6)
                rates[name].append(rate)
                p99s[name].append(p99)
                loads.append(os.getloadavg()[0])
                print(
                    f"round {round_no + 1} {name:30s} {rate:8.1f} req/s  p99 {p99:6.1f} ms"
                    f"  errors {errors}  server CPU {cpus[name][-1]:5.0f} us/req"
                    f"  client CPU {client_cpus[name][-1]:5.0f} us/req",
                    flush=True,
                )
        peer = statistics.median(rates["oxigraph"]) if "oxigraph" in rates else None
        print(
            f"\nlight mix, {args.client} client, {args.requests} requests x {args.rounds} rounds, "
            f"{args.concurrency} connections; load average (1 min) during the run "
            f"{min(loads):.1f}-{max(loads):.1f}"
        )
        for name in procs:
            median = statistics.median(rates[name])
            ratio = f"{median / peer:5.2f}x" if peer else "-"
            each = ", ".join(f"{r:.0f}" for r in rates[name])
            print(
                f"{name:30s} median {median:8.1f} req/s  (rounds {each})"
                f"  ratio to Oxigraph {ratio}  p99 {statistics.median(p99s[name]):.1f} ms"
                f"  server CPU {statistics.median(cpus[name]):.0f} us/req"
                f"  client CPU {statistics.median(client_cpus[name]):.0f} us/req"
            )
    finally:
        for proc, _ in procs.values():
            _stop(proc)
        for log in logs:
            log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
