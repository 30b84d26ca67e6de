"""Real SPARQL servers for the store tests: Oxigraph server and Virtuoso on 127.0.0.1.

Each is started in a temporary directory on free ports and stopped (by its own process id)
at teardown.  Also a tiny HTTP listener that records every request it gets.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
VIRTUOSO_VAD = Path("/usr/share/virtuoso-opensource-7/vad")


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server of the PyPI ``oxigraph`` package (next to our Python first)."""
    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.is_file() else shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Wait until ``url`` answers any HTTP status (or fail if the process ends)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server ended with exit code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@dataclass
class Server:
    """A started server process and its URLs."""

    process: subprocess.Popen[bytes]
    query: str
    update: str
    gsp: str
    log: Path

    def stop(self) -> None:
        """Stop this server (by its own process group id)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def start_oxigraph(directory: Path, port: int | None = None) -> Server:
    """``oxigraph serve`` on ``port`` (default: a free one) with its data in ``directory``."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("no oxigraph server binary (pip install oxigraph)")
    port = port or free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    server = Server(process, f"{base}/query", f"{base}/update", f"{base}/store", log)
    try:
        wait_http(f"{base}/query?query=ASK%7B%7D", process, 30)
    except RuntimeError:
        server.stop()
        raise
    return server


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
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
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}, {vad}
VADInstallDir = {vad}/
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


def start_virtuoso(directory: Path) -> Server:
    """``virtuoso-t`` in the foreground on free ports; SPARQL_UPDATE granted to SPARQL."""
    if VIRTUOSO is None or ISQL is None:
        raise RuntimeError("no virtuoso-t/isql (apt-get install virtuoso-opensource)")
    sql, http = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(
        _VIRTUOSO_INI.format(d=directory, sql=sql, http=http, vad=VIRTUOSO_VAD), encoding="utf-8"
    )
    log = directory / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=directory,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{http}"
    server = Server(process, f"{base}/sparql", f"{base}/sparql", f"{base}/sparql-graph-crud", log)
    try:
        wait_http(f"{base}/sparql?query=ASK%7B%7D", process, 120)
        grants = 'grant SPARQL_UPDATE to "SPARQL"; grant SPARQL_LOAD_SERVICE_DATA to "SPARQL";'
        grants += " DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 7);"
        subprocess.run(
            [ISQL, str(sql), "dba", "dba", f"exec={grants}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (RuntimeError, subprocess.SubprocessError):
        server.stop()
        raise
    return server


#: A SPARQL JSON answer to any query: one row binding ?n to 1.
ONE_ROW = (
    b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1",'
    b'"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}'
)


@dataclass
class Recorder:
    """What a :func:`recording_listener` got: (method, path, body) per request."""

    url: str
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)


@contextlib.contextmanager
def recording_listener(
    answer: bytes = ONE_ROW,
    content_type: str = "application/sparql-results+json",
    delay: float = 0.0,
) -> Iterator[Recorder]:
    """A local HTTP listener on 127.0.0.1 that records every request and sends ``answer``
    (after ``delay`` seconds), for the duration of the block."""
    recorded: list[tuple[str, str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            recorded.append((self.command, self.path, self.rfile.read(length)))
            time.sleep(delay)
            with contextlib.suppress(OSError):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        do_GET = do_POST = do_PUT = do_DELETE = _record

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    with _serving(Handler) as base:
        yield Recorder(f"{base}/sparql", recorded)


@contextlib.contextmanager
def failing_proxy(target: str, fail: Callable[[str, bytes], bool]) -> Iterator[str]:
    """A proxy on 127.0.0.1 forwarding to ``target`` (scheme://host:port); a request for which
    ``fail(path, body)`` is true is not forwarded and gets 503.  Yields the proxy's base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if fail(self.path, body or b""):
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() in _FORWARDED}
            request = urllib.request.Request(
                target + self.path, data=body, method=self.command, headers=headers
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status, data = response.status, response.read()
                    kind = response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as error:
                status, data, kind = error.code, error.read(), ""
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _forward

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    with _serving(Handler) as base:
        yield base


_FORWARDED = {"accept", "content-type", "authorization"}


# Comparing answers ---------------------------------------------------------------------------
#: Queries whose answers must not depend on the backend (none is about a particular dataset).
SELECTS = (
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
    "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t",
    "SELECT ?o (DATATYPE(?o) AS ?dt) (LANG(?o) AS ?lang) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }",
    "SELECT (COUNT(DISTINCT ?s) AS ?n) (COUNT(*) AS ?all) WHERE { ?s ?p ?o }",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?x ?label WHERE { ?x rdfs:label ?label } ORDER BY ?x ?label LIMIT 50",
)
ASKS = ("ASK { ?s ?p ?o }", "ASK { ?s <urn:talkgraph-test:absent> ?o }")
CONSTRUCTS = (
    "CONSTRUCT WHERE { ?s a ?t }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }",
)


def sparql_answer(client: object, query: str) -> object:
    """The answer to ``query`` from ``client``'s /sparql (a Flask test client), normalised:
    SELECT rows (a sorted list, or the list itself when the query has ORDER BY), an ASK
    boolean, or a CONSTRUCT's set of triples."""
    import pyoxigraph as ox

    graph = query.lstrip().upper().startswith(("CONSTRUCT", "DESCRIBE"))
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})  # type: ignore[attr-defined]
    assert response.status_code == 200, response.get_data(as_text=True)
    if graph:
        return {str(q.triple) for q in ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES)}
    parsed = ox.parse_query_results(response.data, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    names = [v.value for v in parsed.variables]
    rows = [tuple((n, str(s[n])) for n in sorted(names) if s[n] is not None) for s in parsed]
    return rows if "ORDER BY" in query else sorted(rows)


@contextlib.contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on a free port of 127.0.0.1 in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
