"""Publishing a build to a remote SPARQL store, switching readers over atomically.

The build's ``dataset.nt`` and ``void.ttl`` (what the local backends put in their default
graph) are loaded into a new staging graph ``{graph}/staging/{sha}-{random}``, by the Graph
Store Protocol (one ``PUT`` of N-Triples) or by SPARQL Update (``INSERT DATA`` batches).  The
staging graph's triple count is checked, then one ``MOVE <staging> TO <graph>`` replaces the
graph readers use.  On any failure the staging graph is dropped and ``graph`` is untouched.

Only the union is published, not the programmes' named graphs (``dataset.nq``): switching
several graphs would take several ``MOVE``s, which SPARQL 1.1 Update does not promise to apply
atomically (Virtuoso applies them one by one), so readers could see a mix of two builds.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from .errors import ConfigError, PublishFailed, QueryError, StoreRefused, TalkgraphError
from .formats import FORMATS, RESULT_TYPES
from .iris import Minter
from .manifest import read_manifest
from .store.remote import Http

Method = Literal["gsp", "update"]
DATA_FILES = ("dataset.nt", "void.ttl")
#: HTTP statuses with which a store may refuse an update for its size (Virtuoso answers 500
#: "generated SQL text has exceeded 10000 lines"); such a batch is split and sent again.
SIZE_REFUSALS = (400, 413, 414, 500)


@dataclass(frozen=True)
class Published:
    """What :func:`publish` did."""

    graph: str
    staging: str
    triples: int
    method: Method


@dataclass(frozen=True)
class Payload:
    """The data to publish, as N-Triples lines (blank nodes kept within one batch)."""

    lines: list[bytes]
    groups: list[list[int]]  # indexes into lines; a group never spans two batches
    sha256: str

    @property
    def triples(self) -> int:
        return len(self.lines)

    def ntriples(self) -> bytes:
        return b"".join(self.lines)

    def batches(self, size: int) -> Iterator[list[list[int]]]:
        """Groups of lines, about ``size`` lines per batch."""
        batch: list[list[int]] = []
        count = 0
        for group in self.groups:
            if batch and count + len(group) > size:
                yield batch
                batch, count = [], 0
            batch.append(group)
            count += len(group)
        if batch:
            yield batch

    def text(self, batch: list[list[int]]) -> str:
        return b"".join(self.lines[i] for group in batch for i in group).decode()


def read_payload(data_dir: Path) -> Payload:
    """The build's data files merged (as the local backends' default graph) into N-Triples."""
    if not (data_dir / DATA_FILES[0]).is_file():
        raise ConfigError(f"{data_dir}: no {DATA_FILES[0]}; run `talkgraph build` first")
    store = ox.Store()
    for name in DATA_FILES:
        path = data_dir / name
        if path.is_file():
            fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
            assert fmt is not None
            try:
                store.bulk_load(path=path, format=fmt)
            except (OSError, SyntaxError) as error:
                raise ConfigError(f"{path}: cannot read: {error}") from None
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    lines = sorted(line + b"\n" for line in data.splitlines() if line.strip())
    return Payload(lines, _groups(lines), hashlib.sha256(b"".join(lines)).hexdigest())


def _groups(lines: list[bytes]) -> list[list[int]]:
    """Lines that share blank nodes, grouped (an ``INSERT DATA`` scopes labels to itself)."""
    parent: dict[bytes, bytes] = {}

    def find(label: bytes) -> bytes:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    labels: list[list[bytes]] = []
    for line in lines:
        found = [term for term in _terms(line) if term.startswith(b"_:")]
        for other in found[1:]:
            parent[find(other)] = find(found[0])
        labels.append(found)
    groups: dict[object, list[int]] = {}
    for index, found in enumerate(labels):
        key: object = find(found[0]) if found else index
        groups.setdefault(key, []).append(index)
    return list(groups.values())


def _terms(line: bytes) -> list[bytes]:
    if b"_:" not in line:
        return []
    quad = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))
    return [str(t).encode() for t in (quad.subject, quad.object)]


def publish(
    data_dir: Path,
    endpoint: str,
    graph: str | None = None,
    *,
    method: Method = "gsp",
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    auth: tuple[str, str] | None = None,
    batch_size: int = 5000,
    timeout: float = 600.0,
    progress: Callable[[str], None] | None = None,
) -> Published:
    """Load the build in ``data_dir`` into ``graph`` of the store at ``endpoint`` (queries),
    ``update_endpoint`` (SPARQL Update; default ``endpoint``) and ``gsp_endpoint`` (Graph
    Store Protocol, needed for ``method="gsp"``).  ``graph`` defaults to the dataset IRI."""
    say = progress or (lambda message: None)
    data_dir = Path(data_dir)
    if graph is None:
        graph = str(Minter(_base_iri(data_dir)).dataset)
    try:
        ox.NamedNode(graph)
    except ValueError:
        raise ConfigError(f"not an IRI: {graph!r}") from None
    if method == "gsp" and not gsp_endpoint:
        raise ConfigError(
            "--method gsp needs --gsp-endpoint (Oxigraph: .../store, Virtuoso: "
            ".../sparql-graph-crud, Fuseki: .../DATASET/data), or use --method update"
        )
    client = _Client(Http(auth), endpoint, update_endpoint or endpoint, timeout)
    payload = read_payload(data_dir)
    staging = f"{graph}/staging/{payload.sha256[:12]}-{secrets.token_hex(4)}"
    say(f"loading {payload.triples} triples into <{staging}> ({method})")
    try:
        # first a harmless update: a store that takes none fails here, before any data is sent
        client.update(f"DROP SILENT GRAPH <{staging}>")
        if method == "gsp":
            assert gsp_endpoint is not None
            client.put_graph(gsp_endpoint, staging, payload.ntriples())
        else:
            _insert_all(client, payload, staging, batch_size, say)
        loaded = client.count(staging)
        if loaded != payload.triples:
            raise PublishFailed(
                f"the staging graph holds {loaded} triples, {payload.triples} were sent"
            )
        say(f"switching <{graph}> to the new data")
        client.update(f"MOVE <{staging}> TO <{graph}>")
    except (QueryError, PublishFailed) as error:
        client.drop_quietly(staging)
        raise PublishFailed(
            f"publishing to {endpoint} failed, <{graph}> is unchanged: {error}"
        ) from None
    except BaseException:
        client.drop_quietly(staging)
        raise
    final = client.count(graph)
    if final != payload.triples:
        raise PublishFailed(f"<{graph}> holds {final} triples after the switch, not {loaded}")
    return Published(graph, staging, payload.triples, method)


def _insert_all(
    client: _Client, payload: Payload, staging: str, size: int, say: Callable[[str], None]
) -> None:
    """``INSERT DATA`` the payload in batches of about ``size`` lines.

    A batch the store refuses with a status that may mean "too large" (:data:`SIZE_REFUSALS`)
    is split in half and sent again, and no later batch is larger than the last one the store
    refused, so a store with a size limit (Virtuoso's limit is on the SQL it generates, not on
    the triples) is not sent one oversized batch after another.  Only a refused batch of one
    blank-node group fails the publication (inserting a triple twice changes nothing).
    """
    pending = list(reversed(payload.groups))  # a stack: the next group last
    number = 0
    while pending:
        batch: list[list[int]] = [pending.pop()]
        lines = len(batch[0])
        while pending and lines + len(pending[-1]) <= size:
            lines += len(pending[-1])
            batch.append(pending.pop())
        try:
            client.update(f"INSERT DATA {{ GRAPH <{staging}> {{\n{payload.text(batch)}}} }}")
        except StoreRefused as error:
            if len(batch) < 2 or error.status not in SIZE_REFUSALS:
                raise
            size = max(1, lines // 2)
            say(f"the store refused {lines} triples in one update; sending at most {size}")
            pending.extend(reversed(batch))
            continue
        number += 1
        say(f"batch {number} sent ({lines} triples)")


def _base_iri(data_dir: Path) -> str:
    return read_manifest(data_dir).base_iri


class _Client:
    """The few requests publishing makes."""

    def __init__(self, http: Http, endpoint: str, update_endpoint: str, timeout: float) -> None:
        self.http = http
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint
        self.timeout = timeout

    def update(self, text: str) -> None:
        body = urllib.parse.urlencode({"update": text}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        try:
            with self.http.open(
                self.update_endpoint,
                method="POST",
                data=body,
                headers=headers,
                timeout=self.timeout,
            ) as response:
                response.read()
        except QueryError as error:
            message = f"SPARQL Update at {self.update_endpoint} (see --update-endpoint): {error}"
            if isinstance(error, StoreRefused):
                raise StoreRefused(message, error.status) from None
            raise QueryError(message) from None

    def put_graph(self, gsp_endpoint: str, graph: str, data: bytes) -> None:
        url = f"{gsp_endpoint}?{urllib.parse.urlencode({'graph': graph})}"
        headers = {"Content-Type": FORMATS["nt"].media_type}
        with self.http.open(
            url, method="PUT", data=data, headers=headers, timeout=self.timeout
        ) as response:
            response.read()

    def count(self, graph: str) -> int:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        params = urllib.parse.urlencode({"query": query, "default-graph-uri": graph})
        headers = {"Accept": RESULT_TYPES["json"].media_type}
        with self.http.open(
            f"{self.endpoint}?{params}", headers=headers, timeout=self.timeout
        ) as response:
            answer = ox.parse_query_results(response.read(), format=ox.QueryResultsFormat.JSON)
        if isinstance(answer, ox.QueryBoolean):
            raise PublishFailed("the store answered a count with a boolean")
        for solution in answer:
            term = solution["n"]
            if isinstance(term, ox.Literal):
                return int(term.value)
        return 0

    def drop_quietly(self, graph: str) -> None:
        """Drop ``graph`` if the store can still be reached (errors are ignored)."""
        with contextlib.suppress(TalkgraphError):
            self.update(f"DROP SILENT GRAPH <{graph}>")
