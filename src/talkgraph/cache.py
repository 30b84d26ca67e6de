"""The incremental build cache: what a build did for each programme, to reuse next time.

It lives beside the output, ``.{out}.cache/`` (``build`` → ``.build.cache/``), one file per
programme named by its *input key*: the SHA-256 of the programme file and its sidecar (bytes
and name), the registry, the topic vocabulary, the shapes, the talkgraph version and the base
IRI.  An entry holds the parsed :class:`Programme`, the programme's topic assignments, its named
graph as N-Quads and its validation results, together with the digest of the programme's slice
of the resolved model (see :mod:`talkgraph.parts`).  A build reuses the parse when the input key
matches, and the rest only when the slice digest matches too — so a speaker whose institution
changed in another programme is remapped everywhere.

Entries are pickled: the cache is a private, local directory written only by talkgraph (never
load one from elsewhere).  A missing, unreadable or stale entry is simply rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .model import Programme
from .release import write_bytes_atomic
from .topics import Assignment
from .validation import Result

FORMAT = "talkgraph-build-cache-2"  # 2: themes of a programme (topics.themes)
SUFFIX = ".pickle"


def cache_dir(out: Path) -> Path:
    """``.{name}.cache`` beside the output ``out``."""
    out = Path(os.path.abspath(out))
    return out.parent / f".{out.name}.cache"


def file_digest(path: Path | None) -> str:
    """SHA-256 of a file's bytes ("" for no file)."""
    if path is None:
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _digest_or_missing(path: Path) -> str:
    try:
        return file_digest(path)
    except OSError:
        return "missing"  # its loader reports the problem


def shared_key(*, version: str, base_iri: str, files: Iterable[Path]) -> str:
    """The part of every input key that all programmes share."""
    digest = hashlib.sha256(f"{FORMAT}\n{version}\n{base_iri}\n".encode())
    for path in files:
        digest.update(f"{path.name}\n{_digest_or_missing(path)}\n".encode())
    return digest.hexdigest()


def input_key(shared: str, programme: Path, sidecar: Path | None) -> str:
    """The key of one programme's cache entry."""
    parts = [shared, programme.name, file_digest(programme)]
    parts += [sidecar.name, file_digest(sidecar)] if sidecar is not None else ["", ""]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


@dataclass
class Entry:
    """What a build computed for one programme."""

    input_key: str
    programme: Programme
    slice_digest: str = ""  # of the programme's slice of the resolved model
    assignments: dict[str, list[Assignment]] | None = None
    quads: list[str] | None = None  # sorted N-Quads lines of its named graph
    results: list[Result] | None = None  # validation results of its graph + the vocabulary
    report_nt: str = ""  # pyshacl's report graph as N-Triples

    @property
    def complete(self) -> bool:
        return self.assignments is not None and self.quads is not None and self.results is not None


class BuildCache:
    """Entries in a directory, by input key; ``None`` for a directory disables caching."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.used: set[str] = set()

    def load(self, key: str) -> Entry | None:
        self.used.add(key)
        if self.root is None:
            return None
        try:
            data = (self.root / f"{key}{SUFFIX}").read_bytes()
            fmt, entry = pickle.loads(data)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            return None
        except Exception:  # an entry written by another version: rebuild it
            return None
        if fmt != FORMAT or not isinstance(entry, Entry) or entry.input_key != key:
            return None
        return entry

    def store(self, entry: Entry) -> None:
        self.used.add(entry.input_key)
        if self.root is None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps((FORMAT, entry), protocol=pickle.HIGHEST_PROTOCOL)
        # Atomic (a reader sees the old entry or the new one) but not synced to disk: an entry
        # lost or torn by a crash is unreadable, and simply rebuilt (see load).
        write_bytes_atomic(self.root / f"{entry.input_key}{SUFFIX}", data, sync=False)

    def prune(self) -> None:
        """Remove the entries this build did not use."""
        if self.root is None or not self.root.is_dir():
            return
        for path in self.root.glob(f"*{SUFFIX}"):
            if path.name[: -len(SUFFIX)] not in self.used:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
