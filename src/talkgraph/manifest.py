"""The build manifest (``manifest.json`` of a release): what the release holds and how it was
made.  It is written (:meth:`Manifest.write`) and read (:func:`read_manifest`) here only; the
build, the CLI and the web application all use the typed :class:`Manifest`.

Fields a hand-written or older manifest may lack have defaults (``triples`` falls back to
``counts["triples"]``: :attr:`Manifest.triple_count`); a field of the wrong type is a
:class:`~talkgraph.errors.ConfigError` naming the file and the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .errors import ConfigError, Place

NAME = "manifest.json"
T = TypeVar("T")


@dataclass(frozen=True)
class FileEntry:
    """A file of the release: its size, SHA-256, media type and (schedules) URL path."""

    bytes: int = 0
    sha256: str = ""
    media_type: str = ""  # "" in a hand-written manifest: the web layer goes by the suffix
    path: str | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "bytes": self.bytes,
            "sha256": self.sha256,
            "media_type": self.media_type,
        }
        if self.path is not None:
            data["path"] = self.path
        return data


@dataclass(frozen=True)
class ProgrammeEntry:
    """One programme of the build: its source file, that file's SHA-256, its named graph,
    whether its parse came from the cache, and its triple count."""

    source: str
    sha256: str
    graph: str
    reused: bool
    triples: int

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "graph": self.graph,
            "reused": self.reused,
            "triples": self.triples,
        }


@dataclass
class Manifest:
    """What a release holds (see the module docstring)."""

    base_iri: str
    version: str = ""
    created: str | None = None
    sources: list[str] = field(default_factory=list)
    programmes: dict[str, ProgrammeEntry] = field(default_factory=dict)
    triples: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    conforms: bool | None = None
    violations: int = 0
    warnings: int = 0
    model_warnings: list[str] = field(default_factory=list)
    files: dict[str, FileEntry] = field(default_factory=dict)
    schedules: dict[str, FileEntry] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def triple_count(self) -> int | None:
        """The number of triples (``triples``, else ``counts["triples"]``, else ``None``)."""
        return self.triples if self.triples is not None else self.counts.get("triples")

    def sha256(self, name: str) -> str:
        """The SHA-256 the manifest records for file ``name`` ("" if it lists no such file)."""
        entry = self.files.get(name)
        return entry.sha256 if entry is not None else ""

    def to_json(self) -> dict[str, object]:
        """The manifest as JSON data (the build writes every field)."""
        return {
            "version": self.version,
            "created": self.created,
            "base_iri": self.base_iri,
            "sources": list(self.sources),
            "programmes": {k: v.to_json() for k, v in self.programmes.items()},
            "triples": self.triples,
            "counts": dict(self.counts),
            "conforms": self.conforms,
            "violations": self.violations,
            "warnings": self.warnings,
            "model_warnings": list(self.model_warnings),
            "files": {k: v.to_json() for k, v in self.files.items()},
            "schedules": {k: v.to_json() for k, v in self.schedules.items()},
            "timings": dict(self.timings),
        }

    def write(self, directory: Path) -> None:
        """Write ``manifest.json`` into ``directory`` (keys sorted, two-space indent)."""
        text = json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"
        (directory / NAME).write_text(text, encoding="utf-8")

    @classmethod
    def from_json(cls, data: object, where: str = NAME) -> Manifest:
        """A manifest from JSON data; ConfigError naming ``where`` and the field if malformed."""
        if not isinstance(data, dict):
            raise ConfigError("not a talkgraph manifest (not a JSON object)", Place(where))
        read = _Reader(data, where)
        return cls(
            base_iri=read.field("base_iri", str, required=True),
            version=read.field("version", str, ""),
            created=read.field("created", str, None),
            sources=read.list_of("sources", str),
            programmes=read.mapping("programmes", lambda k, v: _programme(v, f"{where}", k)),
            triples=read.field("triples", int, None),
            counts=read.mapping("counts", lambda k, v: _typed(v, int, where, f"counts.{k}")),
            conforms=read.field("conforms", bool, None),
            violations=read.field("violations", int, 0),
            warnings=read.field("warnings", int, 0),
            model_warnings=read.list_of("model_warnings", str),
            files=read.mapping("files", lambda k, v: _file(v, where, f"files.{k}")),
            schedules=read.mapping("schedules", lambda k, v: _file(v, where, f"schedules.{k}")),
            timings=read.mapping(
                "timings", lambda k, v: float(_typed(v, (int, float), where, f"timings.{k}"))
            ),
        )


def read_manifest(directory: Path) -> Manifest:
    """The manifest of the build (release or build link) at ``directory``; ConfigError when
    it is not a build directory or its manifest cannot be read."""
    path = directory / NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{directory} is not a build directory (no {NAME}; run `talkgraph build` first)"
        ) from None
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read: {error}", Place(str(path))) from None
    return Manifest.from_json(data, str(path))


def _typed(value: object, kind: type[T] | tuple[type, ...], where: str, name: str) -> T:
    # bool is an int in Python: a count or size must not be true/false
    wrong = isinstance(value, bool) and kind is not bool
    if wrong or not isinstance(value, kind):
        raise ConfigError(f"malformed manifest field {value!r}", Place(where, field=name))
    return value  # type: ignore[return-value]


class _Reader:
    """Typed fields of one JSON object of the manifest (``prefix``: its path, for errors)."""

    def __init__(self, data: Mapping[str, Any], where: str, prefix: str = "") -> None:
        self.data, self.where, self.prefix = data, where, prefix

    def field(self, name: str, kind: type[T], default: Any = None, required: bool = False) -> Any:
        if self.data.get(name) is None:
            if required:
                place = Place(self.where, field=self.prefix + name)
                raise ConfigError("no such field in the manifest", place)
            return default
        return _typed(self.data[name], kind, self.where, self.prefix + name)

    def list_of(self, name: str, kind: type[T]) -> list[T]:
        items = _typed(self.data.get(name) or [], list, self.where, name)
        return [_typed(v, kind, self.where, f"{name}[{i}]") for i, v in enumerate(items)]

    def mapping(self, name: str, convert: Callable[[str, object], T]) -> dict[str, T]:
        values = _typed(self.data.get(name) or {}, dict, self.where, name)
        return {str(k): convert(str(k), v) for k, v in values.items()}


def _file(value: object, where: str, name: str) -> FileEntry:
    read = _Reader(_typed(value, dict, where, name), where, f"{name}.")
    return FileEntry(
        bytes=read.field("bytes", int, 0),
        sha256=read.field("sha256", str, ""),
        media_type=read.field("media_type", str, ""),
        path=read.field("path", str, None),
    )


def _programme(value: object, where: str, key: str) -> ProgrammeEntry:
    name = f"programmes.{key}"
    data = _typed(value, dict, where, name)
    return ProgrammeEntry(
        source=_typed(data.get("source"), str, where, f"{name}.source"),
        sha256=_typed(data.get("sha256"), str, where, f"{name}.sha256"),
        graph=_typed(data.get("graph"), str, where, f"{name}.graph"),
        reused=_typed(data.get("reused"), bool, where, f"{name}.reused"),
        triples=_typed(data.get("triples"), int, where, f"{name}.triples"),
    )
