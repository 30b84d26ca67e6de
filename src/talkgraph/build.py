"""The publishing pipeline: programmes → resolved model → RDF → SHACL → published files.

``build()`` is what ``talkgraph build`` runs.  Any number of programmes go into one dataset:
people and institutions are resolved across all of them, and each programme's facts form the
named graph ``{base}graph/{event}`` (the topic vocabulary is ``{base}graph/topics``).  Each
programme's graph is validated with the vocabulary; what did not change since the last build is
reused from the cache (:mod:`talkgraph.cache`).  Stages are timed; a SHACL Violation raises
:class:`ValidationFailed` before anything is published, and the previous release stays.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from . import __version__
from .cache import BuildCache, Entry, cache_dir, file_digest, input_key, shared_key
from .errors import ConfigError, InputError, Place, ValidationFailed
from .exports import schedule_distribution, write_schedules
from .formats import FORMATS
from .graphs.rdf import cotopic_graph_iri, related_talks_graph
from .ingest import load_programme
from .iris import Minter
from .manifest import FileEntry, Manifest, ProgrammeEntry
from .model import KnowledgeModel, Programme
from .parts import (
    TOPICS_GRAPH,
    Part,
    Source,
    Validation,
    combine_reports,
    discover,
    map_part,
    programme_slice,
    programme_summary,
    quad_lines,
    start_validation,
    trig_pieces,
    triple_line,
    violations_text,
)
from .rdf import ntriples_file_to
from .registry import DEFAULT_PATH as DEFAULT_REGISTRY
from .registry import Registry
from .release import staged_release
from .resolve import resolve
from .resources import data_file
from .topics import Vocabulary, load_vocabulary, vocabulary_graph
from .topics.links import talk_similarity
from .topics.vocabulary import DEFAULT_PATH as DEFAULT_TOPICS
from .validation import SHAPES_DIR, Report, load_shapes, validate
from .vocab import bind_prefixes
from .void import Distribution, describe

DEFAULT_PROGRAMME = data_file("workshop-programme.txt")  # the seed, shipped in the package
DEFAULT_OUT = Path("build")
DUMP_FORMATS = ("nt", "turtle", "jsonld", "xml", "nquads", "trig")  # nquads, trig: named graphs
DATASET_STEM = "dataset"
#: Programmes mapped together, then validated in forked processes while the next batch is
#: mapped (their triples are held until validated).
BATCH = 8

Progress = Callable[[str], None]
RELATED_TITLE = "Co-topic links between talks (topic similarity, with the topics explaining each)"


@dataclass
class BuildResult:
    out: Path
    model: KnowledgeModel
    report: Report
    manifest: Manifest
    timings: dict[str, float] = field(default_factory=dict)
    _graph: Graph | None = field(default=None, repr=False)

    @property
    def graph(self) -> Graph:
        """The union of all named graphs, read from the published ``dataset.nt`` on first use
        (the build itself never holds the union in rdflib)."""
        if self._graph is None:
            self._graph = bind_prefixes(Graph()).parse(self.out / "dataset.nt", format="nt")
        return self._graph


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
        spent = self.timer.timings.get(self.name, 0.0)  # a stage may run in several batches
        self.timer.timings[self.name] = round(spent + took, 4)
        if exc[0] is None:
            self.timer.progress(f"{self.name} done in {took:.2f} s")


def ingest(programmes: Sequence[Path], event: Path | None = None) -> list[Programme]:
    """Load each programme (directories expanded); ``event`` applies when there is one."""
    return [load_programme(s.path, event=s.sidecar) for s in discover(programmes, event)]


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
    use_cache: bool = True,
    fmt: str | None = None,
) -> BuildResult:
    """Run the whole pipeline and publish ``out`` atomically.

    ``programmes`` are files or directories (see :func:`talkgraph.parts.discover`).  Raises
    :class:`InputError` for unreadable input and :class:`ValidationFailed` when a programme's
    graph has SHACL violations; in both cases ``out`` is left exactly as it was.  ``fmt``
    forces the input format of every programme (see :data:`talkgraph.ingest.FORMAT_NAMES`).
    """
    check_licence(licence)
    check_output(out)
    minter = Minter(base_iri) if base_iri else Minter()
    timer = _Timer(progress)
    cache = BuildCache(cache_dir(out) if use_cache else None)
    shape_files = sorted(SHAPES_DIR.glob("*.ttl")) if shapes_paths is None else list(shapes_paths)
    with timer("ingest"):
        sources = discover(list(programmes or [DEFAULT_PROGRAMME]), event)
        inputs = [registry_path or DEFAULT_REGISTRY, topics_path or DEFAULT_TOPICS, *shape_files]
        version = f"{__version__}+{fmt}" if fmt else __version__
        shared = shared_key(version=version, base_iri=minter.base, files=inputs)
        parts = [Part(s, _ingest_one(s, shared, cache, fmt)) for s in sources]
        model = resolve([p.entry.programme for p in parts], Registry.load(registry_path))
    for part, ev in zip(parts, model.events, strict=True):
        part.name = ev.key
        if ev.key == TOPICS_GRAPH:
            raise InputError(
                f"an event cannot be called {TOPICS_GRAPH!r} (that graph holds the topic "
                "vocabulary); give it an `identifier` in its event sidecar",
                Place(str(part.source.path)),
            )
    vocabulary = load_vocabulary(topics_path)
    topics = bind_prefixes(vocabulary_graph(vocabulary, minter))
    shapes: Graph | None = None
    checked: Report | None = None  # the vocabulary's own report, made once when needed
    # Mapped BATCH programmes at a time; each batch is validated in forked processes while
    # the next one is mapped here (only two batches' triples are held).
    pending: tuple[list[Part], Validation] | None = None
    paired = list(zip(parts, model.events, strict=True))
    try:
        for start in range(0, len(paired), BATCH):
            batch = paired[start : start + BATCH]
            with timer("mapping"):
                for part, ev in batch:
                    map_part(part, programme_slice(model, ev), vocabulary, topics, minter)
                    progress(f"{part.name}: {'reused' if part.reused else 'rebuilt'}")
            with timer("validation"):
                shapes = load_shapes(shapes_paths) if shapes is None else shapes
                if checked is None and any(p.data is not None for p, _ in batch):
                    checked = validate(topics, shapes)
                _finish(pending)
                mapped = [p for p, _ in batch]
                pending = mapped, start_validation(mapped, shapes, cache, vocabulary=checked)
        with timer("validation"):
            _finish(pending)
    except BaseException:
        if pending is not None:
            pending[1].cancel()  # no validator left running behind an error
        raise
    finally:
        gc.unfreeze()  # start_validation froze what the validators inherited
    shapes = load_shapes(shapes_paths) if shapes is None else shapes
    named = [(p.name, p.report) for p in parts if p.report is not None]
    report = combine_reports(named)
    if not report.conforms:
        raise ValidationFailed(_failure(named, report))
    events = [p.entry.programme.event for p in parts]
    licence = licence or next((e.licence for e in events if e.licence), None)
    with timer("related talks"):
        related = _related_talks(parts, vocabulary, minter)
    with timer("serialisation"), staged_release(out) as release:
        manifest = _write_release(
            release, (topics, related), model, (report, named, shapes), minter, parts, licence
        )
        manifest.timings = timer.timings
        manifest.write(release)
    cache.prune()
    progress(f"published {out} ({manifest.triples} triples)")
    return BuildResult(out, model, report, manifest, timer.timings)


def _finish(pending: tuple[list[Part], Validation] | None) -> None:
    """Wait for a batch's validation; then only its N-Quads lines are kept."""
    if pending is not None:
        done, validation = pending
        validation.wait()
        for part in done:
            part.data, part.ntriples = None, ""


def _related_talks(parts: Sequence[Part], vocabulary: Vocabulary, minter: Minter) -> Graph:
    """The named graph of co-topic links between the talks of every programme
    (:func:`talkgraph.topics.links.talk_similarity`, default threshold and top-k)."""
    assignments = {k: v for p in parts for k, v in (p.entry.assignments or {}).items()}
    links = talk_similarity(assignments, vocabulary).links()
    return related_talks_graph(links, minter, cotopic_graph_iri(minter, "talks"))


# An absolute IRI (RFC 3987): a scheme, then no space, control character or <>"{}|\\^`.
_ABSOLUTE_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|\\^`\x7f]+')


def check_licence(licence: str | None) -> None:
    """Refuse a licence that is not an absolute IRI, before any work is done."""
    if licence is not None and not _ABSOLUTE_IRI.fullmatch(licence):
        raise ConfigError(
            f"--licence {licence!r} is not an absolute IRI "
            "(e.g. https://creativecommons.org/licenses/by/4.0/)"
        )


def check_output(out: Path) -> None:
    """Refuse an output path the build could not publish to, before any work is done.

    ``out`` must be a directory (or the link to a release) or not exist yet, and its parent
    must take the releases and cache folders written beside it.
    """
    path = Path(os.path.abspath(out))
    if path.exists() and not path.is_dir():
        raise ConfigError(f"output path {out} exists and is not a directory")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ConfigError(f"output path {out}: {ancestor} is not a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f".{path.name}.probe-", dir=path.parent):
            pass
    except OSError as exc:
        raise ConfigError(
            f"output path {out}: cannot write in {path.parent} ({exc.strerror or exc})"
        ) from None


def _source_digest(path: Path) -> str:
    """SHA-256 of a programme file; "" for a page read from a URL (no local file)."""
    try:
        return file_digest(path)
    except OSError:
        return ""


def _ingest_one(source: Source, shared: str, cache: BuildCache, fmt: str | None = None) -> Entry:
    """The cached parse of a programme when its inputs are unchanged, else a fresh one."""
    try:
        key = input_key(shared, source.path, source.sidecar)
    except OSError:
        key = ""  # load_programme names the problem
    entry = cache.load(key) if key else None
    if entry is None:
        entry = Entry(key, load_programme(source.path, event=source.sidecar, fmt=fmt))
    return entry


def _failure(named: list[tuple[str, Report]], report: Report) -> str:
    if len(named) == 1:
        return (
            f"the graph has {report.violations} SHACL violation(s); nothing was published\n"
            + report.text()
        )
    failing = ", ".join(name for name, r in named if not r.conforms)
    return (
        f"{report.violations} SHACL violation(s) in programme(s) {failing}; "
        f"nothing was published\n{violations_text(named)}\n"
    )


_Validation = tuple[Report, list[tuple[str, Report]], Graph]


def _class_counts(ntriples: Iterable[bytes]) -> Counter[URIRef]:
    """How many subjects each class has: ``rdf:type`` lines of sorted, distinct N-Triples."""
    counts: Counter[URIRef] = Counter()
    for line in ntriples:
        if _TYPE in line:
            _subject, predicate, rest = line.split(b" ", 2)
            if predicate == _TYPE and rest.startswith(b"<"):
                counts[URIRef(rest[1 : rest.index(b">")].decode("utf-8"))] += 1
    return counts


_TYPE = f"<{RDF.type}>".encode()


def _chunks(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[bytes]:
    """UTF-8 of ``pieces``, ``size`` pieces at a time (the bytes of the joined text)."""
    rest = iter(pieces)
    while batch := list(islice(rest, size)):
        yield "".join(batch).encode("utf-8")


def _write_release(
    release: Path,
    extra: tuple[Graph, Graph],  # the topic vocabulary, the related-talks links
    model: KnowledgeModel,
    validation: _Validation,
    minter: Minter,
    parts: Sequence[Part],
    licence: str | None,
) -> Manifest:
    report, named, shapes = validation
    topics, related = extra
    files: dict[str, FileEntry] = {}

    def write(name: str, data: bytes, media_type: str) -> None:
        (release / name).write_bytes(data)
        files[name] = FileEntry(len(data), hashlib.sha256(data).hexdigest(), media_type)

    def write_text(name: str, pieces: Iterable[str], media_type: str) -> tuple[int, str]:
        """Write text given in pieces, encoded a chunk at a time (never joined whole)."""
        digest, size = hashlib.sha256(), 0
        with (release / name).open("wb") as handle:
            for chunk in _chunks(pieces):
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        files[name] = FileEntry(size, digest.hexdigest(), media_type)
        return size, digest.hexdigest()

    def record(name: str, media_type: str) -> tuple[int, str]:
        """Record a file written in the release by someone else."""
        digest = hashlib.sha256()
        with (release / name).open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        size, sha = (release / name).stat().st_size, digest.hexdigest()
        files[name] = FileEntry(size, sha, media_type)
        return size, sha

    quads = {line for p in parts for line in p.entry.quads or []}
    quads.update(quad_lines(topics, minter.graph(TOPICS_GRAPH)))
    quads.update(quad_lines(related, cotopic_graph_iri(minter, "talks")))
    nt_name = f"{DATASET_STEM}{FORMATS['nt'].suffix}"
    triples = 0
    distributions = []
    # Sorted lines (byte-identical for the same graphs), each dump streamed to its file; Turtle,
    # RDF/XML and JSON-LD are written by pyoxigraph from the N-Triples file, never from rdflib.
    for fmt in DUMP_FORMATS:
        spec = FORMATS[fmt]
        name = f"{DATASET_STEM}{spec.suffix}"
        if fmt == "nt":
            lines = sorted({triple_line(q) for q in quads})
            triples = len(lines)
            size, sha = write_text(name, lines, spec.media_type)
            del lines
        elif fmt == "nquads":
            size, sha = write_text(name, sorted(quads), spec.media_type)
        elif fmt == "trig":
            size, sha = write_text(name, trig_pieces(quads), spec.media_type)
        else:
            ntriples_file_to(release / nt_name, fmt, release / name)
            size, sha = record(name, spec.media_type)
        distributions.append(Distribution(fmt, name, size, sha))
    del quads
    with (release / nt_name).open("rb") as handle:
        class_counts = _class_counts(handle)
    names_of = bind_prefixes(Graph()).namespace_manager
    created = datetime.now(UTC).replace(microsecond=0)
    schedules = write_schedules(release, model, minter, created)  # iCalendar, frab, C3VOC
    examples = [minter.event(e.key) for e in model.events]
    examples += [minter.talk(k) for k in list(model.talks)[:1]]
    examples += [minter.person(k) for k in list(model.people)[:1]]
    names = [e.info.name for e in model.events if e.info.name]
    sources = [p.source.path.name for p in parts]
    title = names[0] if len(model.events) == 1 and names else None
    description = describe(
        minter,
        title=title or "talkgraph dataset: " + ", ".join(names or sources),
        source_files=sources,
        created=created,
        triples=triples,
        class_counts=dict(class_counts),
        distributions=distributions,
        licence=licence,
        example_resources=examples,
        version=__version__,
        files=[schedule_distribution(f, minter) for f in schedules.values()],
        subsets=[(cotopic_graph_iri(minter, "talks"), len(related), RELATED_TITLE)],
    )
    write("void.ttl", bind_prefixes(description).serialize(format="turtle").encode(), "text/turtle")
    write("shapes.ttl", shapes.serialize(format="turtle").encode(), "text/turtle")
    write("validation-report.ttl", report.graph.serialize(format="turtle").encode(), "text/turtle")
    text = report.text() if len(named) == 1 else programme_summary(named) + "\n" + report.text()
    write("validation-report.txt", text.encode("utf-8"), "text/plain; charset=utf-8")
    return Manifest(
        version=__version__,
        created=created.isoformat(),
        base_iri=minter.base,
        sources=sources,
        programmes={
            p.name: ProgrammeEntry(
                source=p.source.path.name,
                sha256=_source_digest(p.source.path),
                graph=str(minter.graph(p.name)),
                reused=p.reused,
                triples=len(p.entry.quads or []),
            )
            for p in parts
        },
        triples=triples,
        counts={names_of.normalizeUri(k): v for k, v in class_counts.items()},
        conforms=report.conforms,
        violations=report.violations,
        warnings=report.warnings,
        model_warnings=list(model.warnings),
        files=files,
        schedules={name: f.manifest_entry() for name, f in schedules.items()},
    )
