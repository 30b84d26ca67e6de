"""The publishing pipeline: programmes → resolved model → RDF → SHACL → published files.

``build()`` is what ``talkgraph build`` runs.  Stages are timed; a SHACL Violation raises
:class:`ValidationFailed` before anything is published, and the previous release stays.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from . import __version__
from .description import Distribution, describe
from .errors import ValidationFailed
from .formats import FORMATS
from .ingest import load_programme
from .iris import Minter
from .model import KnowledgeModel, Programme
from .publish import staged_release
from .rdf import serialise, to_graph
from .registry import Registry
from .resolve import resolve
from .topics import assign, assignments_graph, load_vocabulary, vocabulary_graph
from .validation import Report, load_shapes, validate
from .vocab import bind_prefixes

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROGRAMME = PROJECT_ROOT / "data" / "workshop-programme.txt"
DEFAULT_OUT = Path("build")
DUMP_FORMATS = ("nt", "turtle", "jsonld", "xml")
DATASET_STEM = "dataset"

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    out: Path
    graph: Graph
    model: KnowledgeModel
    report: Report
    manifest: dict[str, object]
    timings: dict[str, float] = field(default_factory=dict)


def _silent(_: str) -> None:
    return None


class _Timer:
    def __init__(self, progress: Progress) -> None:
        self.timings: dict[str, float] = {}
        self.progress = progress

    def __call__(self, stage: str) -> _Stage:
        return _Stage(self, stage)


class _Stage:
    def __init__(self, timer: _Timer, name: str) -> None:
        self.timer, self.name = timer, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()
        self.timer.progress(f"{self.name}…")

    def __exit__(self, *exc: object) -> None:
        took = time.perf_counter() - self.start
        self.timer.timings[self.name] = round(took, 4)
        if exc[0] is None:
            self.timer.progress(f"{self.name} done in {took:.2f} s")


def ingest(programmes: Sequence[Path], event: Path | None = None) -> list[Programme]:
    """Load each programme; ``event`` (a sidecar) applies when there is one programme."""
    loaded = []
    for path in programmes:
        sidecar = event if event is not None and len(programmes) == 1 else _sidecar_for(path)
        loaded.append(load_programme(path, event=sidecar))
    return loaded


def _sidecar_for(path: Path) -> Path | None:
    for suffix in (".event.yaml", ".event.yml", ".event.json"):
        candidate = path.with_name(path.stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def make_graph(model: KnowledgeModel, minter: Minter, topics_path: Path | None = None) -> Graph:
    """The dataset's RDF graph: entities, the topic scheme and topic assignments."""
    graph = to_graph(model, minter)
    vocabulary = load_vocabulary(topics_path)
    assignments = assign(model.talks.values(), vocabulary)
    graph += vocabulary_graph(vocabulary, minter)
    graph += assignments_graph(assignments, list(model.talks.values()), minter)
    return bind_prefixes(graph)


def build(
    programmes: Sequence[Path] | None = None,
    *,
    out: Path = DEFAULT_OUT,
    event: Path | None = None,
    base_iri: str | None = None,
    registry_path: Path | None = None,
    topics_path: Path | None = None,
    shapes_paths: Sequence[Path] | None = None,
    licence: str | None = None,
    progress: Progress = _silent,
) -> BuildResult:
    """Run the whole pipeline and publish ``out`` atomically.

    Raises :class:`InputError` for unreadable input and :class:`ValidationFailed` when the graph
    has SHACL violations; in both cases ``out`` is left exactly as it was.
    """
    programmes = list(programmes or [DEFAULT_PROGRAMME])
    minter = Minter(base_iri) if base_iri else Minter()
    timer = _Timer(progress)
    with timer("ingest"):
        parsed = ingest(programmes, event)
        model = resolve(parsed, Registry.load(registry_path))
    with timer("mapping"):
        graph = make_graph(model, minter, topics_path)
    with timer("validation"):
        shapes = load_shapes(shapes_paths)
        report = validate(graph, shapes)
    if not report.conforms:
        raise ValidationFailed(
            f"the graph has {report.violations} SHACL violation(s); nothing was published\n"
            + report.text()
        )
    licence = licence or next((p.event.licence for p in parsed if p.event.licence), None)
    with timer("serialisation"), staged_release(out) as release:
        manifest = _write_release(
            release, graph, model, report, shapes, minter, programmes, licence, timer.timings
        )
    progress(f"published {out} ({manifest['triples']} triples)")
    return BuildResult(out, graph, model, report, manifest, timer.timings)


def _write_release(
    release: Path,
    graph: Graph,
    model: KnowledgeModel,
    report: Report,
    shapes: Graph,
    minter: Minter,
    programmes: Sequence[Path],
    licence: str | None,
    timings: dict[str, float],
) -> dict[str, object]:
    files: dict[str, dict[str, object]] = {}

    def write(name: str, data: bytes, media_type: str) -> Path:
        path = release / name
        path.write_bytes(data)
        files[name] = {
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "media_type": media_type,
        }
        return path

    distributions = []
    for fmt in DUMP_FORMATS:
        spec = FORMATS[fmt]
        data = serialise(graph, fmt)
        name = f"{DATASET_STEM}{spec.suffix}"
        write(name, data, spec.media_type)
        distributions.append(Distribution(fmt, name, len(data), hashlib.sha256(data).hexdigest()))
    class_counts = Counter(o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef))
    created = datetime.now(UTC).replace(microsecond=0)
    examples = [minter.event(e.key) for e in model.events]
    examples += [minter.talk(k) for k in list(model.talks)[:1]]
    examples += [minter.person(k) for k in list(model.people)[:1]]
    title = next((e.info.name for e in model.events if e.info.name), None)
    description = describe(
        minter,
        title=title or "talkgraph dataset: " + ", ".join(p.name for p in programmes),
        source_files=[p.name for p in programmes],
        created=created,
        triples=len(graph),
        class_counts=dict(class_counts),
        distributions=distributions,
        licence=licence,
        example_resources=examples,
        version=__version__,
    )
    write("void.ttl", bind_prefixes(description).serialize(format="turtle").encode(), "text/turtle")
    write("shapes.ttl", shapes.serialize(format="turtle").encode(), "text/turtle")
    write("validation-report.ttl", report.graph.serialize(format="turtle").encode(), "text/turtle")
    write("validation-report.txt", report.text().encode("utf-8"), "text/plain; charset=utf-8")
    manifest: dict[str, object] = {
        "version": __version__,
        "created": created.isoformat(),
        "base_iri": minter.base,
        "sources": [p.name for p in programmes],
        "triples": len(graph),
        "counts": {graph.namespace_manager.normalizeUri(k): v for k, v in class_counts.items()},
        "conforms": report.conforms,
        "violations": report.violations,
        "warnings": report.warnings,
        "model_warnings": list(model.warnings),
        "timings": timings,
        "files": files,
    }
    (release / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def read_manifest(out: Path) -> dict[str, object]:
    """The manifest of the release published at ``out``."""
    from .errors import InputError

    path = out / "manifest.json"
    try:
        data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no build found at {out} (run `talkgraph build` first)") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not a talkgraph manifest ({exc})") from None
    return data
