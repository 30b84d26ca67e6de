"""Publishing a build to a remote SPARQL store: streamed, batched, resumable, switched at once.

What is published is what the local backends put in their default graph: ``dataset.nt`` and
``void.ttl``.  ``dataset.nt`` is never held in memory: it is read once to check it (N-Triples,
one triple a line, sorted without duplicates as ``talkgraph build`` writes it — so the number
of triples the store must end up with is known — and its SHA-256), then streamed in batches of
``batch_size`` lines into a staging graph ``{graph}/version/{sha}-{random}``: each batch is a
Graph Store Protocol ``POST`` of N-Triples (``method="gsp"``) or one SPARQL ``INSERT DATA``
(``method="update"``; a batch the store refuses as too large is split).  Lines with blank nodes
and ``void.ttl`` (small) are sent last, a blank node's lines always in one batch (a store scopes
blank-node labels to one request).

After every batch the store acknowledged, a small checkpoint file (JSON, replaced atomically)
records the batch number, the byte offset in ``dataset.nt`` reached, the triples acknowledged,
the staging graph, the digest of the source and the target.  Run again after an interruption
(the process killed, the network or the store down), ``publish`` continues after the last
acknowledged batch — once it has checked that the source is the same (else it refuses: the
staging graph holds part of another build; ``restart=True`` drops it and starts over) and that
the staging graph still holds what was acknowledged.  Transient errors (no connection, a
timeout, HTTP 408/429/502/503/504) are retried with exponential backoff first; a batch the
store rejects is named with its lines.

Only when every batch is in and the staging graph holds exactly the triples acknowledged is it
made the published version: one SPARQL update (a single DELETE/INSERT operation) rewrites the
two triples of the graph ``{graph}/current`` that name it (``<graph> tg:publishedVersion
<staging>``, ``<graph> tg:publishedTriples N``), and readers (:class:`talkgraph.store.RemoteStore`)
query the version named there, looked up at most a second before.  So the switch costs the same
at any size, readers never see a half-published dataset, and a publish that fails or is
abandoned leaves what readers see as it was.  A ``MOVE <staging> TO <graph>`` would copy every
triple in one transaction: Oxigraph server took 203 s and 1.4 GB more memory to move 500,000
triples on a busy machine (6.7M would have needed about 19 GB).  The data replaced stays
``grace`` seconds for the queries still reading it, then is deleted in chunks (never one
transaction of millions of triples).  What the switch guarantees is the store's: Oxigraph
server applies an update request in one transaction (readers see the old version or the new);
Virtuoso applies one operation in one SQL transaction, its readers (read committed) see the
last committed state.

Only the union is published, not the programmes' named graphs (``dataset.nq``); the pointer
could name a set of graphs switched together, not done.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import secrets
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import pyoxigraph as ox

from .errors import (
    ConfigError,
    PublishFailed,
    QueryError,
    QueryTimeout,
    StoreRefused,
    TalkgraphError,
)
from .formats import FORMATS, RESULT_TYPES
from .iris import Minter
from .manifest import read_manifest
from .release import write_bytes_atomic
from .store.remote import (
    PUBLISHED_TRIPLES,
    PUBLISHED_VERSION,
    Http,
    pointer_graph,
    read_pointer,
)

Method = Literal["gsp", "update"]
DATA_FILE = "dataset.nt"
VOID_FILE = "void.ttl"
#: Lines per batch when none is given: a Graph Store POST takes large bodies well, an
#: ``INSERT DATA`` is parsed as a query text (Virtuoso compiles it to SQL of bounded size).
DEFAULT_BATCH = {"gsp": 50_000, "update": 5_000}
#: A batch never has more bytes than this (long literals), whatever its number of lines.
MAX_BATCH_BYTES = 32 * 1024 * 1024
#: HTTP statuses with which a store may refuse an update for its size (Virtuoso answers 500
#: "generated SQL text has exceeded 10000 lines"); such a batch is split and sent again.
SIZE_REFUSALS = (400, 413, 414, 500)
#: HTTP statuses worth sending the same request again for (after a pause).
TRANSIENT = (408, 425, 429, 502, 503, 504)
CHECKPOINT_VERSION = 1
T = TypeVar("T")


@dataclass(frozen=True)
class Published:
    """What :func:`publish` did."""

    graph: str
    staging: str
    triples: int
    method: Method
    batches: int = 0  # batches sent by this run
    resumed_from: int = 0  # the number of batches acknowledged before this run (0: fresh)


@dataclass
class Source:
    """A build's data to publish, checked (see :func:`scan_source`); only small parts held."""

    path: Path  # dataset.nt
    sha256: str  # of dataset.nt, then void.ttl
    size: int  # bytes of dataset.nt
    streamed: int  # lines of dataset.nt streamed in order (those without blank nodes)
    tail: list[list[bytes]]  # groups of lines sent after the stream, each in one batch
    tail_origin: list[str]  # where each tail group comes from (for messages)

    @property
    def triples(self) -> int:
        """The distinct triples to send (fewer if literals have several forms of one value:
        each batch is sent in the canonical form, see :func:`canonical`)."""
        return self.streamed + sum(len(group) for group in self.tail)


def scan_source(data_dir: Path) -> Source:
    """Read ``dataset.nt`` once (in bounded memory) and ``void.ttl``: check them, digest them,
    set blank-node lines and the description aside.  Bad input is a :class:`ConfigError`
    naming the file and line."""
    path = data_dir / DATA_FILE
    if not path.is_file():
        raise ConfigError(f"{data_dir}: no {DATA_FILE}; run `talkgraph build` first")
    void = data_dir / VOID_FILE
    void_lines, void_subjects, void_blank = _void_lines(void) if void.is_file() else ({}, set(), [])
    digest = hashlib.sha256()
    streamed = 0
    blank: list[bytes] = []
    previous = b""
    number = 0
    try:
        with path.open("rb") as source:
            for number, line in enumerate(source, 1):
                digest.update(line)
                content = _content(line)
                if content is None:
                    continue
                if content <= previous:
                    raise ConfigError(
                        f"{path}:{number}: lines are not sorted without duplicates (as "
                        "`talkgraph build` writes them), so the triples the store must hold "
                        "cannot be counted while streaming; `LC_ALL=C sort -u` sorts a file"
                    )
                previous = content
                if b"_:" in content and _blank_labels(content, path, number):
                    blank.append(content)
                else:
                    streamed += 1
                if content.split(b" ", 1)[0] in void_subjects:
                    void_lines.pop(_canonical_line(content, path, number), None)
            size = source.tell()
        count = sum(1 for _ in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as error:
        where = error.lineno if error.lineno is not None else "?"
        raise ConfigError(f"{path}:{where}: not N-Triples: {error.msg}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    if count != streamed + len(blank):
        raise ConfigError(f"{path}: {count} triples in {streamed + len(blank)} lines")
    if void.is_file():
        digest.update(void.read_bytes())
    tail = _groups(blank)
    origin = [f"{DATA_FILE} (blank nodes)"] * len(tail)
    tail += [[line] for line in void_lines.values()] + _groups(void_blank)
    origin += [VOID_FILE] * (len(tail) - len(origin))
    return Source(path, digest.hexdigest(), size, streamed, tail, origin)


def _content(line: bytes) -> bytes | None:
    """A line as sent (one newline at the end), or ``None`` for a blank or comment line."""
    text = line.strip()
    if not text or text.startswith(b"#"):
        return None
    return text + b"\n"


def _blank_labels(line: bytes, path: Path, number: int) -> list[bytes]:
    try:
        quad = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))
    except SyntaxError as error:
        raise ConfigError(f"{path}:{number}: not N-Triples: {error.msg}") from None
    terms = (quad.subject, quad.object)
    return [str(term).encode() for term in terms if isinstance(term, ox.BlankNode)]


def _canonical_line(line: bytes, path: Path, number: int) -> bytes:
    try:
        found = canonical([line])
    except SyntaxError as error:
        raise ConfigError(f"{path}:{number}: not N-Triples: {error.msg}") from None
    return found[0] if found else b""


def canonical(lines: list[bytes]) -> list[bytes]:
    """N-Triples ``lines`` as the local backends hold them: through a pyoxigraph store, which
    writes literals in their canonical form (``"05"^^xsd:integer`` and
    ``"5"^^xsd:nonNegativeInteger`` are both ``"5"^^xsd:integer``), duplicates merged."""
    store = ox.Store()
    store.bulk_load(b"".join(lines), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    return data.splitlines(keepends=True)


def _void_lines(void: Path) -> tuple[dict[bytes, bytes], set[bytes], list[bytes]]:
    """``void.ttl`` as N-Triples: lines without blank nodes (canonical form → line), their
    subjects (to find those ``dataset.nt`` has too), and the lines with blank nodes, relabelled
    so that they cannot meet a label of ``dataset.nt``."""
    try:
        quads = list(ox.parse(path=void, format=ox.RdfFormat.TURTLE))
    except (SyntaxError, OSError) as error:
        raise ConfigError(f"{void}: cannot read: {error}") from None
    plain: list[bytes] = []
    subjects: set[bytes] = set()
    blank: list[bytes] = []
    for quad in quads:
        triple = quad.triple
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            triple = ox.Triple(_relabel(triple.subject), triple.predicate, _relabel(triple.object))
            blank.append(ox.serialize([triple], format=ox.RdfFormat.N_TRIPLES) or b"")
            continue
        plain.append(ox.serialize([triple], format=ox.RdfFormat.N_TRIPLES) or b"")
        subjects.add(str(triple.subject).encode())
    lines = canonical(plain)
    return {line: line for line in lines}, subjects, sorted(set(blank))


def _relabel(term: Any) -> Any:
    if isinstance(term, ox.BlankNode):
        return ox.BlankNode(f"tgvoid{term.value}")
    return term


def _groups(lines: list[bytes]) -> list[list[bytes]]:
    """Lines that share blank nodes, grouped (a request scopes labels to itself)."""
    parent: dict[bytes, bytes] = {}

    def find(label: bytes) -> bytes:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    labels: list[list[bytes]] = []
    for line in lines:
        quad = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))
        terms = (quad.subject, quad.object)
        found = [str(t).encode() for t in terms if isinstance(t, ox.BlankNode)]
        for other in found[1:]:
            parent[find(other)] = find(found[0])
        labels.append(found)
    groups: dict[object, list[bytes]] = {}
    for index, found in enumerate(labels):
        key: object = find(found[0]) if found else index
        groups.setdefault(key, []).append(lines[index])
    return list(groups.values())


# The checkpoint ------------------------------------------------------------------------------
@dataclass
class Checkpoint:
    """Where a publish is: saved after every acknowledged batch (see module doc)."""

    target: dict[str, str]
    source_sha256: str
    source_bytes: int
    staging: str
    offset: int = 0  # bytes of dataset.nt streamed and acknowledged
    line: int = 0  # lines of dataset.nt read up to ``offset``
    group: int = 0  # tail groups acknowledged
    batch: int = 0  # batches acknowledged
    acknowledged: int = 0  # triples in the acknowledged batches
    batch_size: int = 0  # the batch size in use (smaller after a size refusal)
    loaded: bool = False  # every batch is in and counted; only the switch is left
    extra: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Write atomically: a temporary file in the same directory, fsynced, renamed."""
        data = {"version": CHECKPOINT_VERSION, **self.__dict__}
        text = json.dumps(data, indent=1, sort_keys=True) + "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, text.encode("utf-8"))

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.pop("version", None) != CHECKPOINT_VERSION:
                raise ValueError("unknown version")
            return cls(**data)
        except (OSError, ValueError, TypeError) as error:
            raise ConfigError(
                f"{path}: not a publish checkpoint ({error}); remove it or use --restart"
            ) from None


def default_checkpoint(data_dir: Path, endpoint: str, graph: str) -> Path:
    """The checkpoint of publishing ``data_dir`` to ``graph`` at ``endpoint``: next to the
    build directory (which a new build replaces), one per target."""
    key = hashlib.sha256(f"{endpoint}\n{graph}".encode()).hexdigest()[:12]
    absolute = Path(os.path.abspath(data_dir))  # not resolved: a build dir may be a symlink
    return absolute.parent / f".{absolute.name}.publish-{key}.json"


# Publishing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Batch:
    number: int
    lines: list[bytes]
    where: str  # e.g. "dataset.nt lines 1–50000"
    offset: int | None  # stream: the byte offset in dataset.nt after the batch
    line: int  # stream: the line number of dataset.nt at ``offset``
    group: int | None  # tail: the index of the next group
    blank: bool  # holds blank nodes: not idempotent


class _BatchFailed(Exception):
    """A batch that could not be sent: rejected by the store, or the store out of reach."""

    def __init__(self, batch: _Batch, error: QueryError) -> None:
        super().__init__(str(error))
        self.batch = batch
        self.error = error


def publish(
    data_dir: Path,
    endpoint: str,
    graph: str | None = None,
    *,
    method: Method = "gsp",
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    auth: tuple[str, str] | None = None,
    batch_size: int | None = None,
    timeout: float = 600.0,
    progress: Callable[[str], None] | None = None,
    checkpoint: Path | None = None,
    restart: bool = False,
    retries: int = 5,
    backoff: float = 2.0,
    grace: float = 60.0,
) -> Published:
    """Load the build in ``data_dir`` into ``graph`` of the store at ``endpoint`` (queries),
    ``update_endpoint`` (SPARQL Update; default ``endpoint``) and ``gsp_endpoint`` (Graph
    Store Protocol, needed for ``method="gsp"``).  ``graph`` defaults to the dataset IRI.
    ``checkpoint`` is the progress file (default: :func:`default_checkpoint`); an existing one
    is resumed, or with ``restart`` its staging graph dropped and the publish begun again.
    ``retries`` transient failures of one request are retried, after ``backoff`` seconds,
    then twice that, and so on.  The data replaced stays ``grace`` seconds after the switch
    (queries started before it still read it), then is dropped."""
    say = progress or (lambda message: None)
    data_dir = Path(data_dir)
    if graph is None:
        graph = str(Minter(read_manifest(data_dir).base_iri).dataset)
    try:
        ox.NamedNode(graph)
    except ValueError:
        raise ConfigError(f"not an IRI: {graph!r}") from None
    if method == "gsp" and not gsp_endpoint:
        raise ConfigError(
            "--method gsp needs --gsp-endpoint (Oxigraph: .../store, Virtuoso: "
            ".../sparql-graph-crud, Fuseki: .../DATASET/data), or use --method update"
        )
    size = batch_size or DEFAULT_BATCH[method]
    path = checkpoint or default_checkpoint(data_dir, endpoint, graph)
    target = {"endpoint": endpoint, "graph": graph}
    client = _Client(Http(auth), endpoint, update_endpoint or endpoint, timeout)
    run = _Run(client, say, retries, backoff, gsp_endpoint, method)
    source = scan_source(data_dir)
    unchanged = f"publishing to {endpoint} failed, <{graph}> is unchanged"
    with _locked(path):
        try:
            state = _resume_or_start(run, path, target, source, restart, size)
        except QueryError as error:
            raise PublishFailed(f"{unchanged}: {error}") from None
        resumed = state.batch
        say(
            f"{'resuming' if resumed else 'loading'} {source.triples} triples into "
            f"<{state.staging}> ({method}, {size} a batch)"
            + (f" after batch {state.batch} ({state.acknowledged} triples in)" if resumed else "")
        )
        sent = 0
        try:
            if not state.loaded:
                sent = _send_all(run, source, state, path, size)
                loaded = run.retrying("counting", lambda: client.count(state.staging))
                if loaded != state.acknowledged:
                    raise PublishFailed(
                        f"the staging graph <{state.staging}> holds {loaded} triples, "
                        f"{state.acknowledged} were sent"
                    )
                state.loaded = True
                state.save(path)
            if not state.extra.get("switched"):
                _switch(run, state, path, graph)
        except PublishFailed as error:  # the data in the staging graph is wrong: start again
            client.drop_quietly(state.staging)
            path.unlink(missing_ok=True)
            raise PublishFailed(f"{unchanged}: {error}") from None
        except (_BatchFailed, QueryError) as failure:
            cause = failure.error if isinstance(failure, _BatchFailed) else failure
            if isinstance(failure, _BatchFailed):
                batch = failure.batch
                verb = "rejected" if not _transient(cause) else "could not take"
                what = f"the store {verb} batch {batch.number} ({batch.where})"
            else:
                what = "the switch failed" if state.loaded else "the store could not be reached"
            raise PublishFailed(
                f"{unchanged}: {what}: {cause}\n{state.batch} batches ({state.acknowledged} "
                f"triples) are kept in <{state.staging}>; run the same command again to resume "
                f"from there (checkpoint {path}), or with --restart to start over"
            ) from None
        # the new data is published: what follows only tidies up
        previous = str(state.extra.get("previous", ""))
        if previous and previous != state.staging:
            if grace > 0:
                say(f"keeping <{previous}> {grace:g} s for the queries still reading it")
                time.sleep(grace)
            say(f"dropping <{previous}> (the data replaced)")
            try:
                run.retrying("dropping", lambda: client.drop_in_chunks(previous, size))
            except QueryError as error:
                raise QueryError(
                    f"<{graph}> is published (as <{state.staging}>), but dropping the data it "
                    f"replaced, <{previous}>, failed: {error}. Run the same command again to "
                    f"drop it (checkpoint {path})"
                ) from None
        path.unlink(missing_ok=True)
    return Published(graph, state.staging, state.acknowledged, method, sent, resumed)


def _switch(run: _Run, state: Checkpoint, path: Path, graph: str) -> None:
    """Name ``state.staging`` the published version of ``graph``: one SPARQL update of the
    two triples in ``graph/current`` (see :func:`talkgraph.store.remote.pointer_graph`)."""
    client = run.client
    found = run.retrying("reading the published version", lambda: client.current(graph))
    if "previous" not in state.extra:  # what readers used so far: dropped after the switch
        state.extra["previous"] = found if found is not None else graph
        state.save(path)
    run.say(f"switching <{graph}> to <{state.staging}>")
    update = _switch_update(graph, state.staging, state.acknowledged, found is None)

    def landed() -> bool:
        return client.current(graph) == state.staging

    if not landed():
        run.retrying("the switch", lambda: client.update(update), landed)
    if not landed():
        raise QueryError(f"the store does not name <{state.staging}> as published after the switch")
    state.extra["switched"] = True
    state.save(path)


def _switch_update(graph: str, version: str, triples: int, first: bool) -> str:
    """One operation (applied at once by a store, unlike two): an ``INSERT`` when no version
    is named yet (``first``), else a ``DELETE``/``INSERT`` of the triples naming it.  (Virtuoso
    7 inserts nothing for a ``WHERE`` of an ``OPTIONAL`` that matches nothing, so the two
    cases are not one update.)"""
    pointer = pointer_graph(graph)
    now = (
        f"<{graph}> <{PUBLISHED_VERSION}> <{version}> . <{graph}> <{PUBLISHED_TRIPLES}> {triples} ."
    )
    insert = f"INSERT {{ GRAPH <{pointer}> {{ {now} }} }}"
    if first:
        return f"{insert} WHERE {{ }}"
    old = f"GRAPH <{pointer}> {{ <{graph}> ?p ?o }}"
    return f"DELETE {{ {old} }}\n{insert}\nWHERE {{ {old} }}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the checkpoint: two publishes to one target at once
    would mix their batches."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ConfigError(
                f"another publish to the same graph is running (it holds {lock})"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            lock.unlink(missing_ok=True)


def _resume_or_start(
    run: _Run, path: Path, target: dict[str, str], source: Source, restart: bool, size: int
) -> Checkpoint:
    """The checkpoint to go on from: the one at ``path`` if it is for this source and target
    and the store still holds what it says, else (``restart`` or none) a new one."""
    client = run.client
    if path.is_file():
        old = Checkpoint.load(path)
        if restart:
            published = run.retrying(
                "reading the published version", lambda: client.current(target["graph"])
            )
            if old.staging != published:  # never the data readers read
                run.say(f"dropping <{old.staging}> of the publish recorded in {path}")
                run.retrying("dropping", lambda: client.drop_in_chunks(old.staging, size))
            path.unlink()
        elif old.extra.get("switched") and old.source_sha256 != source.sha256:
            # that publish is done but for dropping what it replaced: drop it, then this one
            previous = str(old.extra.get("previous", ""))
            if old.target == target and previous and previous != old.staging:
                run.say(f"dropping <{previous}>, replaced by the publish recorded in {path}")
                run.retrying("dropping", lambda: client.drop_in_chunks(previous, size))
            path.unlink()
        elif old.target != target:
            raise ConfigError(
                f"{path} records a publish to <{old.target.get('graph')}> at "
                f"{old.target.get('endpoint')}, not to <{target['graph']}> at "
                f"{target['endpoint']}: give another --checkpoint, or --restart"
            )
        elif old.source_sha256 != source.sha256 or old.source_bytes != source.size:
            raise ConfigError(
                f"{source.path.parent} changed since the publish recorded in {path} was "
                f"interrupted (after batch {old.batch}): its staging graph <{old.staging}> "
                "holds part of the old build, which cannot be resumed with the new one. "
                "Run again with --restart to drop it and publish the new build from the start"
            )
        else:
            return _check_resume(run, path, old, source)
    state = Checkpoint(
        target,
        source.sha256,
        source.size,
        f"{target['graph']}/version/{source.sha256[:12]}-{secrets.token_hex(4)}",
        batch_size=size,
    )
    # first a harmless update: a store that takes none fails here, before any data is sent
    run.retrying("preparing the staging graph", lambda: client.drop(state.staging))
    state.save(path)
    return state


def _check_resume(run: _Run, path: Path, state: Checkpoint, source: Source) -> Checkpoint:
    client = run.client
    if state.extra.get("switched"):  # only the replaced data was left to drop
        return state
    held = run.retrying("counting the staging graph", lambda: client.count(state.staging))
    if held < state.acknowledged or (state.loaded and held != state.acknowledged):
        raise ConfigError(
            f"the staging graph <{state.staging}> holds {held} triples, but {path} records "
            f"{state.acknowledged} acknowledged: the store lost them (restarted without its "
            "data?). Run again with --restart to publish from the start"
        )
    return state


def _batches(source: Source, state: Checkpoint, size: int) -> Iterator[_Batch]:
    """The batches after those ``state`` records, in the same order on every run."""
    number = state.batch
    if state.group == 0:  # the stream of dataset.nt is not finished
        with source.path.open("rb") as data:
            data.seek(state.offset)
            offset, line = state.offset, state.line
            lines: list[bytes] = []
            used = 0
            first = line + 1
            for raw in data:
                start = offset
                offset += len(raw)
                line += 1
                content = _content(raw)
                if content is None or (b"_:" in content and _labels_of(content)):
                    continue
                if lines and (len(lines) >= size or used >= MAX_BATCH_BYTES):
                    # cut between subjects (lines that a canonical form may merge are together)
                    # unless one subject has far more lines than a batch
                    other = _subject(content) != _subject(lines[-1])
                    if other or len(lines) >= 4 * size or used >= 2 * MAX_BATCH_BYTES:
                        number += 1
                        where = f"{DATA_FILE} lines {first}–{line - 1}"
                        yield _Batch(number, canonical(lines), where, start, line - 1, None, False)
                        lines, used, first = [], 0, line
                lines.append(content)
                used += len(content)
            if lines:
                number += 1
                where = f"{DATA_FILE} lines {first}–{line}"
                yield _Batch(number, canonical(lines), where, offset, line, None, False)
    group = state.group
    while group < len(source.tail):
        lines = list(source.tail[group])
        where = source.tail_origin[group]
        group += 1
        while group < len(source.tail) and len(lines) + len(source.tail[group]) <= size:
            lines += source.tail[group]
            group += 1
        number += 1
        yield _Batch(number, canonical(lines), f"the triples of {where}", None, 0, group, True)


def _subject(line: bytes) -> bytes:
    return line.split(b" ", 1)[0]


def _labels_of(line: bytes) -> bool:
    quad = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _send_all(run: _Run, source: Source, state: Checkpoint, path: Path, size: int) -> int:
    """Send every batch not yet acknowledged, saving ``state`` after each; returns how many."""
    total = source.triples
    sent = 0
    size = min(size, state.batch_size or size)
    for batch in _batches(source, state, size):
        started = time.monotonic()
        try:
            for part in run.send(batch, state):
                state.acknowledged += len(part)
        except QueryError as error:
            raise _BatchFailed(batch, error) from None
        if batch.offset is not None:
            state.offset, state.line = batch.offset, batch.line
        if batch.group is not None:
            state.group = batch.group
        state.batch = batch.number
        state.batch_size = run.size_limit or state.batch_size
        state.save(path)
        sent += 1
        run.say(
            f"batch {batch.number} sent ({len(batch.lines)} triples, {batch.where}; "
            f"{state.acknowledged}/{total} in, {time.monotonic() - started:.1f} s)"
        )
    return sent


class _Run:
    """One publish's requests: each retried on transient failures (see :meth:`retrying`)."""

    def __init__(
        self,
        client: _Client,
        say: Callable[[str], None],
        retries: int,
        backoff: float,
        gsp_endpoint: str | None,
        method: Method,
    ) -> None:
        self.client = client
        self.say = say
        self.retries = retries
        self.backoff = backoff
        self.gsp_endpoint = gsp_endpoint
        self.method = method
        self.size_limit = 0  # the largest INSERT the store took after refusing a larger one

    def retrying(
        self, what: str, action: Callable[[], T], check: Callable[[], bool] | None = None
    ) -> T:
        """``action()``; after a transient failure, again (at most ``retries`` times) after a
        pause doubling each time.  ``check`` (for a request that is not idempotent) says,
        before a retry, whether the failed attempt did reach the store after all."""
        delay = self.backoff
        attempt = 0
        while True:
            try:
                return action()
            except QueryError as error:
                if not _transient(error) or attempt >= self.retries:
                    raise
                attempt += 1
                self.say(f"{what}: {error}; trying again in {delay:g} s ({attempt}/{self.retries})")
                time.sleep(delay)
                delay = min(delay * 2, 60.0)
                if check is not None and check():
                    return None  # type: ignore[return-value]

    def send(self, batch: _Batch, state: Checkpoint) -> Iterator[list[bytes]]:
        """Send ``batch``; yields the parts the store acknowledged (an ``INSERT DATA`` the
        store refuses as too large is split)."""
        check = self._landed(batch, state) if batch.blank else None
        what = f"batch {batch.number}"
        if self.method == "gsp":
            assert self.gsp_endpoint is not None
            gsp = self.gsp_endpoint
            body = b"".join(batch.lines)
            self.retrying(what, lambda: self.client.post_graph(gsp, state.staging, body), check)
            yield batch.lines
            return
        pending = [batch.lines]
        while pending:
            part = pending.pop()
            limit = self.size_limit or len(part)
            if len(part) > limit and not batch.blank:
                pending += [part[limit:], part[:limit]]
                continue
            text = b"".join(part).decode()
            update = f"INSERT DATA {{ GRAPH <{state.staging}> {{\n{text}}} }}"
            try:
                self.retrying(what, functools.partial(self.client.update, update), check)
            except StoreRefused as error:
                if len(part) < 2 or batch.blank or error.status not in SIZE_REFUSALS:
                    raise
                half = max(1, len(part) // 2)
                self.size_limit = half
                self.say(
                    f"the store refused {len(part)} triples in one update; sending at most {half}"
                )
                pending += [part[half:], part[:half]]
                continue
            yield part

    def _landed(self, batch: _Batch, state: Checkpoint) -> Callable[[], bool]:
        """For a batch with blank nodes (sent twice it would add them twice): whether the
        staging graph shows that the failed attempt was applied after all."""

        def landed() -> bool:
            held = self.retrying("counting", lambda: self.client.count(state.staging))
            if held == state.acknowledged + len(batch.lines):
                return True
            if held == state.acknowledged:
                return False
            raise PublishFailed(
                f"batch {batch.number} ({batch.where}) was partly applied by the store "
                f"({held - state.acknowledged} of {len(batch.lines)} triples)"
            )

        return landed


def _transient(error: QueryError) -> bool:
    if isinstance(error, StoreRefused):
        return error.status in TRANSIENT
    return True  # no connection, reset, timeout: the store may be back in a moment


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
            if isinstance(error, QueryTimeout):
                raise QueryTimeout(message) from None
            raise QueryError(message) from None

    def drop(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def post_graph(self, gsp_endpoint: str, graph: str, data: bytes) -> None:
        """Add N-Triples ``data`` to ``graph`` (Graph Store Protocol ``POST``: a merge)."""
        url = f"{gsp_endpoint}?{urllib.parse.urlencode({'graph': graph})}"
        headers = {"Content-Type": FORMATS["nt"].media_type}
        with self.http.open(
            url, method="POST", data=data, headers=headers, timeout=self.timeout
        ) as response:
            response.read()

    def _rows(self, query: str, graph: str | None = None) -> list[ox.QuerySolution]:
        fields = {"query": query, **({"default-graph-uri": graph} if graph else {})}
        params = urllib.parse.urlencode(fields)
        headers = {"Accept": RESULT_TYPES["json"].media_type}
        with self.http.open(
            f"{self.endpoint}?{params}", headers=headers, timeout=self.timeout
        ) as response:
            answer = ox.parse_query_results(response.read(), format=ox.QueryResultsFormat.JSON)
        if isinstance(answer, ox.QueryBoolean):
            raise PublishFailed("the store answered a SELECT with a boolean")
        return list(answer)

    def count(self, graph: str) -> int:
        for solution in self._rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", graph):
            term = solution["n"]
            if isinstance(term, ox.Literal):
                return int(term.value)
        return 0

    def drop_quietly(self, graph: str, chunk: int = 50_000) -> None:
        """Drop ``graph`` if the store can still be reached (errors are ignored)."""
        with contextlib.suppress(TalkgraphError):
            self.drop_in_chunks(graph, chunk)

    def drop_in_chunks(self, graph: str, chunk: int) -> None:
        """Delete ``graph``'s triples ``chunk`` at a time, then drop it: a store's ``DROP`` of
        millions of triples is one transaction, whose memory grows with it (Oxigraph server
        held 1.4 GB more to move 500,000 triples).  Readers never read a graph dropped so."""
        pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        select = f"SELECT ?s ?p ?o WHERE {{ {pattern} }}"
        while self._rows(f"{select} OFFSET {chunk} LIMIT 1"):  # more than a chunk left
            self.update(f"DELETE {{ {pattern} }} WHERE {{ {select} LIMIT {chunk} }}")
        self.drop(graph)

    def current(self, graph: str) -> str | None:
        """The published version of ``graph`` recorded in the store, if any."""
        found = read_pointer(self.http, self.endpoint, graph, self.timeout)
        return found[0] if found is not None else None
