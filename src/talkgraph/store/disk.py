"""The on-disk pyoxigraph backend: a store directory loaded once per build, reused on restart.

Layout of a store directory ``DIR``::

    DIR/talkgraph-store.json   the marker: which build is loaded, in which subdirectory
    DIR/db-<key>/              a pyoxigraph (RocksDB) store holding that build
    DIR/.lock                  held while a build is being loaded

A build is identified by the sha256 of its ``dataset.nt``, ``dataset.nq`` and ``void.ttl``
(from its manifest) and its base IRI; it is loaded as :class:`~.memory.MemoryStore` loads it
(the programmes' named graphs, the description's, and their union as the default graph).
When the marker names another build, the new one is bulk-loaded
into a fresh subdirectory and the marker is then replaced atomically; the directory being
served is never written.  Queries run in forked workers (:class:`~.pool.WorkerPool`), each
opening the store read-only after the fork, with the same limits as the in-memory backend.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import ConfigError, QueryError
from ..manifest import Manifest, read_manifest
from ..settings import integer
from ..vocab import PREFIXES
from .base import Limits
from .memory import DATA_FILES, MemoryStore, load_plan
from .oxigraph import Executor, LoadStep, load_files
from .pool import WorkerPool, pool_size

log = logging.getLogger(__name__)
MARKER = "talkgraph-store.json"
#: Changes when the layout of a loaded store changes, so old stores are reloaded.
LAYOUT_VERSION = 2


@dataclass(frozen=True)
class Loaded:
    """What the marker records about the loaded build."""

    key: str
    directory: str
    triple_count: int
    named_graphs: tuple[str, ...]


def build_key(data_dir: Path, base_iri: str) -> str:
    """The identity of a build's data: sha256 of its data files (manifest) and base IRI."""
    try:
        manifest: Manifest | None = read_manifest(data_dir)
    except ConfigError:
        manifest = None  # every file's digest is computed
    digest = hashlib.sha256(f"talkgraph-store/{LAYOUT_VERSION}\n{base_iri}\n".encode())
    for name in DATA_FILES:
        path = data_dir / name
        if not path.is_file():
            continue
        sha = manifest.sha256(name) if manifest is not None else ""
        if not sha:
            sha = _file_sha256(path)
        digest.update(f"{name} {sha}\n".encode())
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_marker(store_dir: Path) -> Loaded | None:
    """The build recorded in ``store_dir`` (``None`` if none or unreadable)."""
    try:
        data: Any = json.loads((store_dir / MARKER).read_text(encoding="utf-8"))
        loaded = Loaded(
            str(data["key"]),
            str(data["directory"]),
            int(data["triple_count"]),
            tuple(str(g) for g in data["named_graphs"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if "/" in loaded.directory or not (store_dir / loaded.directory).is_dir():
        return None
    return loaded


@contextlib.contextmanager
def _locked(store_dir: Path) -> Iterator[None]:
    """Hold ``store_dir/.lock`` (processes starting at once load a build only once)."""
    with (store_dir / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_loaded(store_dir: Path, data_dir: Path, base_iri: str) -> tuple[Loaded, bool]:
    """The build of ``data_dir`` in ``store_dir``, loading it if the marker names another.

    Returns the marker's record and whether a load happened.
    """
    files = load_plan(data_dir, base_iri)
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"{store_dir}: cannot create the store directory: {error}") from None
    key = build_key(data_dir, base_iri)
    with _locked(store_dir):
        current = read_marker(store_dir)
        if current is not None and current.key == key:
            return current, False
        loaded = _load(store_dir, key, files)
        _write_marker(store_dir, loaded)
        _remove_old(store_dir, keep={loaded.directory, current.directory if current else ""})
        log.info("loaded %s into %s (%d triples)", data_dir, store_dir, loaded.triple_count)
        return loaded, True


def _load(store_dir: Path, key: str, files: Sequence[LoadStep]) -> Loaded:
    """Bulk-load ``files`` into a fresh subdirectory (as the in-memory backend does)."""
    name = f"db-{key[:16]}"
    staging = store_dir / f".loading-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        store = ox.Store(str(staging))
        load_files(store, files)
        store.flush()
        executor = Executor(store)
        loaded = Loaded(key, name, executor.default_graph_size(), tuple(executor.named_graphs()))
        del executor, store  # closes the database before it is moved
        target = store_dir / name
        if target.exists():  # left by an interrupted load: never the one being served
            shutil.rmtree(target)
        staging.rename(target)
    except (OSError, SyntaxError, ValueError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise QueryError(f"cannot load the build into {store_dir}: {error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return loaded


def _write_marker(store_dir: Path, loaded: Loaded) -> None:
    data = {
        "key": loaded.key,
        "directory": loaded.directory,
        "triple_count": loaded.triple_count,
        "named_graphs": list(loaded.named_graphs),
    }
    temp = store_dir / f".{MARKER}.{os.getpid()}"
    temp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, store_dir / MARKER)


def _remove_old(store_dir: Path, keep: set[str]) -> None:
    """Remove loaded builds but the new one and the previous one (still open elsewhere)."""
    for child in store_dir.iterdir():
        if child.name.startswith("db-") and child.name not in keep and child.is_dir():
            shutil.rmtree(child, ignore_errors=True)


class ReadOnlyExecutor(Executor):
    """An :class:`Executor` that opens the on-disk store read-only on first use, so each
    forked worker opens its own handle after the fork (no database handle crosses it)."""

    def __init__(
        self, path: Path, prefixes: Mapping[str, str] | None = None, base_iri: str | None = None
    ) -> None:
        self.path = path
        self.prefixes = dict(prefixes or {})
        self.base_iri = base_iri
        self._store: ox.Store | None = None

    @property
    def store(self) -> ox.Store:
        if self._store is None:
            try:
                self._store = ox.Store.read_only(str(self.path))
            except OSError as error:
                raise QueryError(f"cannot open the store {self.path}: {error}") from None
        return self._store

    @store.setter
    def store(self, value: ox.Store) -> None:
        self._store = value


class DiskStore(MemoryStore):
    """A pyoxigraph on-disk store queried through a :class:`WorkerPool` (see module doc);
    queries run exactly as in :class:`MemoryStore`."""

    def __init__(
        self,
        store_dir: Path,
        data_dir: Path,
        base_iri: str,
        *,
        limits: Limits | None = None,
        workers: int = 2,
        worker_memory_mb: int = integer("WORKER_MEMORY_MB"),
    ) -> None:  # not super(): MemoryStore would open the store here
        self.limits = limits or Limits()
        self.store_dir = Path(store_dir)
        loaded, self.reloaded = ensure_loaded(self.store_dir, Path(data_dir), base_iri)
        self.triple_count = loaded.triple_count
        self.named_graphs: Sequence[str] = list(loaded.named_graphs)
        prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
        executor = ReadOnlyExecutor(self.store_dir / loaded.directory, prefixes, base_iri)
        self._pool = WorkerPool(executor, size=pool_size(workers), memory_mb=worker_memory_mb)
