"""Publish a build to Oxigraph server and Virtuoso with ``talkgraph publish``, interrupt and
resume it once, then serve the query mix from each through talkgraph's remote mode:
``python -m bench.remote BUILD WORK [--stores oxigraph,virtuoso] [--phases publish,serve]``.

Each store runs in ``WORK`` (its own database directory, free ports on 127.0.0.1) and is
stopped at the end.  ``publish``: a fresh publish (wall time, peak RSS of the publishing
process, peak RSS of the store), then a second publish of the same build killed (SIGKILL)
half-way and run again (the resume), with a reader counting the published graph every 0.2 s
throughout (what readers saw: one count if the switch is atomic for them).  ``serve``: the
query mix of ``bench/run`` against ``talkgraph`` with ``STORE=URL`` (no answer cache, so every
request reaches the store), as ``bench/served.py`` measures the other engines.  Results go to
``WORK/remote.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench import report
from bench.runner import PY, Plan, _free_port, _say, _served

ROOT = Path(__file__).resolve().parents[1]
OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")
VIRTUOSO = shutil.which("virtuoso-t") or "virtuoso-t"
ISQL = shutil.which("isql-vt") or shutil.which("isql") or "isql-vt"
VAD = "/usr/share/virtuoso-opensource-7/vad"

#: Virtuoso's own tuning table gives 340,000 buffers / 250,000 dirty for 4 GB of RAM to give it;
#: kept there (the machine has 23 GB, shared with other sessions).
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 200000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}, {vad}
VADInstallDir = {vad}/
NumberOfBuffers = 340000
MaxDirtyBuffers = 250000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 20
ServerThreads = 20
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 0
"""


class Store:
    """A started store: its process and endpoints."""

    def __init__(self, name: str, work: Path) -> None:
        self.name = name
        self.dir = work / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.log = (self.dir / "server.log").open("wb")
        self.auth: list[str] = []
        if name == "oxigraph":
            port = _free_port()
            command = [OXIGRAPH, "serve", "--location", str(self.dir / "db"), "--bind",
                       f"127.0.0.1:{port}"]  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            self.query, self.update, self.gsp = f"{base}/query", f"{base}/update", f"{base}/store"
        else:
            sql, http = _free_port(), _free_port()
            ini = self.dir / "virtuoso.ini"
            ini.write_text(VIRTUOSO_INI.format(d=self.dir, sql=sql, http=http, vad=VAD))
            command = [VIRTUOSO, "+foreground", "+configfile", str(ini)]
            base = f"http://127.0.0.1:{http}"
            self.query = f"{base}/sparql"
            self.update, self.gsp = f"{base}/sparql-auth", f"{base}/sparql-graph-crud-auth"
            self.auth = ["--user", "dba"]
        self.process = subprocess.Popen(
            command, cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        _wait(f"{self.query}?query=ASK%7B%7D", self.process)
        if name == "virtuoso":
            grants = (
                "grant SPARQL_UPDATE to \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 7);"
            )
            subprocess.run([ISQL, str(sql), "dba", "dba", f"exec={grants}"], check=True,
                           capture_output=True, timeout=60)  # fmt: skip

    def rss_mb(self) -> dict[str, float]:
        """The store process's resident memory now and at its peak (VmRSS, VmHWM)."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
        return fields

    def disk_mb(self) -> float:
        return sum(p.stat().st_size for p in self.dir.rglob("*") if p.is_file()) / 1024**2

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)
        self.log.close()


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the store ended with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {seconds} s")


def count(store: Store, graph: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    from talkgraph.store.remote import Http, read_pointer

    found = read_pointer(Http(), store.query, graph, 60)
    if found is None:
        return 0
    params = urllib.parse.urlencode({"query": query, "default-graph-uri": found[0]})
    request = urllib.request.Request(
        f"{store.query}?{params}", headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        data = json.loads(response.read())
    return int(data["results"]["bindings"][0]["n"]["value"])


class Reader(threading.Thread):
    """Counts the published graph every ``every`` seconds: what a reader sees."""

    def __init__(self, store: Store, graph: str, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.store, self.graph, self.every = store, graph, every
        self.seen: list[tuple[float, int | str]] = []
        self.done = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self.done.is_set():
            try:
                value: int | str = count(self.store, self.graph)
            except Exception as error:  # noqa: BLE001 (recorded, the reader goes on)
                value = f"error: {error}"[:200]
            self.seen.append((round(time.monotonic() - start, 2), value))
            self.done.wait(self.every)

    def summary(self) -> dict[str, Any]:
        values = [v for _, v in self.seen]
        distinct = sorted({str(v) for v in values})
        return {"reads": len(values), "distinct_answers": distinct[:10]}


def publish(
    store: Store, build: Path, graph: str, checkpoint: Path, batch: int | None,
    kill_after: int | None = None, log_name: str = "publish",
) -> dict[str, Any]:  # fmt: skip
    """One ``talkgraph publish`` process: wall time, peak RSS, its timestamped progress;
    killed (SIGKILL) once the checkpoint records ``kill_after`` batches."""
    command = [PY, "-m", "talkgraph.cli", "publish", "--data", str(build), "--to", store.query,
               "--graph", graph, "--grace", "5", "--gsp-endpoint", store.gsp, "--update-endpoint", store.update,
               "--checkpoint", str(checkpoint), *store.auth]  # fmt: skip
    if batch:
        command += ["--batch-size", str(batch)]
    env = {**os.environ, "TALKGRAPH_STORE_PASSWORD": "dba"}
    start = time.monotonic()
    lines: list[tuple[float, str]] = []
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                            cwd=ROOT)  # fmt: skip
    assert proc.stderr is not None

    def read() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            lines.append((round(time.monotonic() - start, 2), raw.decode().rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    killed = False
    peak = 0.0  # VmHWM of the child (wait4's ru_maxrss counts the parent's pages at fork)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        if kill_after is not None and not killed and checkpoint.exists():
            try:
                done = json.loads(checkpoint.read_text())["batch"]
            except (ValueError, KeyError, OSError):
                done = 0
            if done >= kill_after:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
        time.sleep(0.05)
    reader.join(10)
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    wall = time.monotonic() - start
    (store.dir / f"{log_name}.log").write_text(
        "\n".join(f"{t:8.2f} {line}" for t, line in lines) + "\n" + stdout
    )
    code = os.waitstatus_to_exitcode(status)
    switch = [t for t, line in lines if "switching" in line]
    return {
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(peak, 1),
        "exit": code,
        "killed": killed,
        "batches_logged": sum(" sent (" in line for _, line in lines),
        "switch_s": round(wall - switch[0], 1) if switch and code == 0 else None,
        "output": stdout.strip(),
        "last": lines[-1][1] if lines else "",
    }


def run_publish(store: Store, build: Path, graph: str, args: argparse.Namespace) -> dict[str, Any]:
    """A publish killed (SIGKILL) half-way, then resumed; a reader counting throughout."""
    checkpoint = store.dir / "publish-checkpoint.json"
    manifest = json.loads((build / "manifest.json").read_text())
    size = args.batch_size or 50_000
    half = max(1, manifest["triples"] // size // 2)
    result: dict[str, Any] = {"kill_after_batch": half}
    reader = Reader(store, graph, 1.0)
    reader.start()
    _say(f"[{store.name}] publish, killed after batch {half}")
    result["killed"] = publish(store, build, graph, checkpoint, args.batch_size, half,
                               "publish-killed")  # fmt: skip
    result["checkpoint_after_kill"] = json.loads(checkpoint.read_text())
    result["store_rss_mb_after_kill"] = store.rss_mb()
    _say(f"[{store.name}] {result}")
    result["resumed"] = publish(store, build, graph, checkpoint, args.batch_size,
                                log_name="publish-resumed")  # fmt: skip
    reader.done.set()
    reader.join(30)
    result["resumed"]["store_rss_mb"] = store.rss_mb()
    result["store_disk_mb"] = round(store.disk_mb())
    result["reader"] = reader.summary()
    result["reader_first_nonzero_s"] = next(
        (t for t, v in reader.seen if isinstance(v, int) and v > 0), None
    )
    result["triples"] = count(store, graph)
    _say(f"[{store.name}] {result}")
    return result


def run_republish(
    store: Store, build: Path, graph: str, args: argparse.Namespace
) -> dict[str, Any]:
    """A publish start to end, then the same build published again over it (a new version:
    the switch from the old one with a reader counting every 0.2 s, then the old dropped)."""
    checkpoint = store.dir / "publish-checkpoint.json"
    result: dict[str, Any] = {}
    _say(f"[{store.name}] publish, uninterrupted")
    result["fresh"] = publish(store, build, graph, checkpoint, args.batch_size, None,
                              "publish-fresh")  # fmt: skip
    result["fresh"]["store_rss_mb"] = store.rss_mb()
    result["store_disk_mb_one_version"] = round(store.disk_mb())
    _say(f"[{store.name}] {result}")
    reader = Reader(store, graph, 0.2)
    reader.start()
    result["again"] = publish(store, build, graph, checkpoint, args.batch_size, None,
                              "publish-again")  # fmt: skip
    reader.done.set()
    reader.join(60)
    result["again"]["store_rss_mb"] = store.rss_mb()
    result["reader_during_again"] = reader.summary()
    _say(f"[{store.name}] {result}")
    log = (store.dir / "publish-again.log").read_text().splitlines()
    marks = {}
    for line in log:
        for word in ("switching", "keeping", "dropping"):
            if line[9:].lstrip().startswith(word):
                marks[word] = float(line[:8])
    result["again"]["marks_s"] = marks
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
    request = urllib.request.Request(
        f"{store.query}?{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        rows = json.loads(response.read())["results"]["bindings"]
        names = [b["g"]["value"] for b in rows if "g" in b]
    result["graphs_left"] = [n for n in names if n.startswith(graph)]
    result["store_disk_mb_after"] = round(store.disk_mb())
    _say(f"[{store.name}] {result}")
    return result


def run_serve(
    store: Store, build: Path, work: Path, args: argparse.Namespace, queries: Any
) -> dict[str, Any]:
    plan = Plan(json.loads((build / "manifest.json").read_text())["triples"], args)
    port = _free_port()
    command = [PY, "-m", "bench.engines", "talkgraph", str(build), str(port), str(args.timeout),
               "nocache", f"store={store.query}"]  # fmt: skip
    name = f"talkgraph, remote {store.name}, no answer cache"
    return _served(
        name, command, f"http://127.0.0.1:{port}/sparql", queries, plan, work, slow=False
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build")
    parser.add_argument("work")
    parser.add_argument("--stores", default="oxigraph,virtuoso")
    parser.add_argument("--phases", default="publish,serve")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--budget", type=float, default=45.0)
    parser.add_argument("--keep", action="store_true", help="keep the stores' directories")
    args = parser.parse_args(argv)
    build, work = Path(args.build).absolute(), Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((build / "manifest.json").read_text())
    graph = manifest["base_iri"] + "dataset"
    phases = args.phases.split(",")
    print(report.machine(), flush=True)
    results: dict[str, Any] = {"graph": graph, "load_before": os.getloadavg()}
    out = work / "remote.json"
    queries = None
    if "serve" in phases:
        from bench.queries import mix, pick_parameters

        # not the full dump: through the remote backend it is held as 6.7M triples objects
        # (several GB) to be re-serialised; every other query of the mix is kept
        queries = [q for q in mix(pick_parameters(str(build / "dataset.nt"))) if q.interactive
                   or q.name != "full dump"]  # fmt: skip
    for name in args.stores.split(","):
        store = Store(name, work)
        try:
            entry: dict[str, Any] = {}
            if "publish" in phases:
                entry["publish"] = run_publish(store, build, graph, args)
            elif "republish" in phases:
                entry["republish"] = run_republish(store, build, graph, args)
            else:  # serving only: publish once, untimed
                publish(store, build, graph, store.dir / "c.json", args.batch_size)
            if "serve" in phases:
                entry["serve"] = run_serve(store, build, work, args, queries)
                print(report.engines_table([entry["serve"]]) if hasattr(report, "engines_table")
                      else json.dumps(entry["serve"], indent=1), flush=True)  # fmt: skip
            entry["store_rss_mb_end"] = store.rss_mb()
            results[name] = entry
        finally:
            store.stop()
            for log in store.dir.glob("*.log"):
                shutil.copy(log, work / f"{name}-{log.name}")
            if not args.keep:
                shutil.rmtree(store.dir, ignore_errors=True)
        results["load_after"] = os.getloadavg()
        out.write_text(json.dumps(results, indent=1, default=str))
    print(json.dumps(results, indent=1, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
