"""Many programmes in one dataset: finding them, and each programme's share of the resolved model.

Resolution runs over all programmes together (one node per speaker or institution); then each
programme gets its own *slice* of the model — its event and talks, the people it names and their
institutions, with only the source locations in its own file — which maps to its named graph
``{base}graph/{event}``.  The union of the slices' graphs is the graph of the whole model.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .cache import BuildCache, Entry
from .errors import InputError, Place
from .iris import Minter
from .model import Event, Institution, KnowledgeModel, Person, Span
from .rdf import Triple, canonical_ntriples, ntriples_text, to_triples
from .topics.annotate import programme_topics
from .topics.vocabulary import Vocabulary
from .validation import Report, Result, validate
from .vocab import SH, bind_prefixes

PROGRAMME_SUFFIXES = (
    *(".txt", ".md", ".markdown", ".html", ".htm"),  # pages
    *(".yaml", ".yml", ".json"),  # the structured format, C3VOC and Indico JSON
    *(".xml", ".ics", ".csv", ".tsv", ".xlsx"),  # conference tools' exports
)
SIDECAR_SUFFIXES = (".event.yaml", ".event.yml", ".event.json")
TOPICS_GRAPH = "topics"  # the slug of the vocabulary's named graph


@dataclass(frozen=True)
class Source:
    """A programme file and its event sidecar (if any)."""

    path: Path
    sidecar: Path | None = None


def is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(SIDECAR_SUFFIXES)


def sidecar_for(path: Path) -> Path | None:
    """``NAME.event.yaml`` (or ``.yml``/``.json``) beside ``NAME.txt``, when there is one."""
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_name(path.stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def discover(paths: Sequence[Path], event: Path | None = None) -> list[Source]:
    """The programmes named by ``paths``: files as given, directories expanded.

    A directory gives its files with a :data:`PROGRAMME_SUFFIXES` suffix in name order (not a
    ``README``); ``*.event.*`` sidecars are never programmes (given or found).  Each programme
    pairs with the sidecar of the same stem; ``event`` overrides that when there is exactly one
    programme.  A file named twice is taken once.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and p.suffix.lower() in PROGRAMME_SUFFIXES
                and not is_sidecar(p)
                and p.stem.upper() != "README"  # a folder's own description
            )
            if not found:
                raise InputError(
                    f"no programme files ({', '.join(PROGRAMME_SUFFIXES)})", Place(str(path))
                )
            files.extend(found)
        elif not is_sidecar(path):  # a sidecar named with its programme (``dir/*``) pairs
            files.append(path)
    if not files:
        raise InputError("no programme among the files given (only event sidecars)")
    unique = list(dict.fromkeys(files))
    seen: set[Path] = set()
    sources = []
    for path in unique:
        real = path.resolve()
        if real in seen:
            continue
        seen.add(real)
        sidecar = event if event is not None and len(unique) == 1 else sidecar_for(path)
        sources.append(Source(path, sidecar))
    return sources


# --------------------------------------------------------------------------- slices


def _spans(spans: Iterable[Span], own: str, others: set[str]) -> list[Span]:
    """The spans in ``own``'s file (and any from a file that is no programme's)."""
    return [s for s in spans if s.file == own or s.file not in others]


def programme_slice(model: KnowledgeModel, event: Event) -> KnowledgeModel:
    """``event``'s share of ``model``: what its named graph is made from."""
    sources = {e.source for e in model.events}
    talks = {key: model.talks[key] for key in event.talks}
    named: set[str] = set(event.performers)
    for talk in talks.values():
        named.update(talk.speakers)
        named.update(talk.coauthors)
    people: dict[str, Person] = {}
    for key, person in model.people.items():
        if key in named:
            spans = _spans(person.spans, event.source, sources)
            people[key] = dataclasses.replace(person, spans=spans)
    affiliations = {p.affiliation for p in people.values()}
    affiliations.update(k for p in people.values() for k in p.more_affiliations)
    institutions: dict[str, Institution] = {}
    for key, inst in model.institutions.items():
        if key in affiliations:
            spans = _spans(inst.spans, event.source, sources)
            institutions[key] = dataclasses.replace(inst, spans=spans)
    return KnowledgeModel(
        events=[event], people=people, institutions=institutions, talks=talks, warnings=[]
    )


def slice_digest(part: KnowledgeModel) -> str:
    """SHA-256 of everything in a slice (its graph is a function of this and the inputs)."""
    text = json.dumps(dataclasses.asdict(part), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- quads


def quad_lines(graph: Graph | Iterable[Triple], name: URIRef) -> list[str]:
    """``graph`` (an rdflib graph or any triples) as sorted N-Quads lines in the graph ``name``
    (one line per distinct triple)."""
    return _quads(canonical_ntriples(graph), name)


def _quads(ntriples: str, name: URIRef) -> list[str]:
    suffix = f" <{name}> .\n"
    return [line[:-3] + suffix for line in ntriples.splitlines(keepends=True)]


def triple_line(quad: str) -> str:
    """The N-Triples line of an N-Quads line written by :func:`quad_lines`."""
    return quad[: quad.rindex(" <")] + " .\n"


# --------------------------------------------------------------------------- per programme


@dataclass
class Part:
    """One programme during a build: its cache entry and what this build made of it."""

    source: Source
    entry: Entry
    name: str = ""  # the event's slug, also the slug of its named graph
    reused: bool = False
    #: its triples plus the vocabulary's it uses, when mapped in this build (the rdflib graph
    #: is made from them where it is validated, see :func:`data_graph`)
    data: list[Triple] | None = None
    ntriples: str = ""  # ``data`` as N-Triples (lets pyoxigraph answer the SPARQL targets)
    report: Report | None = None


def vocabulary_slice(topics: Graph, graph: Graph | Iterable[Triple]) -> list[Triple]:
    """The part of the topic vocabulary ``graph`` uses: every concept it names with the
    concepts above it (``skos:broader``, transitively) and the schemes, with all their triples.

    A programme is validated with this slice, and the vocabulary once on its own (see
    :func:`validate_parts`): what the shapes say about a concept is then said with the
    concept's own triples, without validating the whole vocabulary once per programme.
    """
    by_subject = _vocabulary_index(topics)[0]
    return [triple for node in _slice_nodes(topics, graph) for triple in by_subject[node]]


def _slice_nodes(topics: Graph, graph: Graph | Iterable[Triple]) -> set[Node]:
    """The subjects of :func:`vocabulary_slice`."""
    by_subject, broader, schemes, _texts = _vocabulary_index(topics)
    wanted: set[Node] = {o for _, _, o in graph if o in by_subject}
    wanted.update(schemes)
    todo = list(wanted)
    while todo:
        for above in broader.get(todo.pop(), ()):
            if above not in wanted:
                wanted.add(above)
                todo.append(above)
    return wanted


def _slice_text(topics: Graph, nodes: Iterable[Node]) -> str:
    """N-Triples of the vocabulary's triples about ``nodes`` (each subject's made once)."""
    by_subject, _broader, _schemes, texts = _vocabulary_index(topics)
    pieces = []
    for node in nodes:
        text = texts.get(node)
        if text is None:
            text = texts[node] = ntriples_text(by_subject[node])
        pieces.append(text)
    return "".join(pieces)


_VocabularyIndex = tuple[
    dict[Node, list[tuple[Node, Node, Node]]], dict[Node, list[Node]], list[Node], dict[Node, str]
]
_INDEXED: list[tuple[Graph, int, _VocabularyIndex]] = []  # the last vocabulary indexed


def _vocabulary_index(topics: Graph) -> _VocabularyIndex:
    """The vocabulary's triples by subject, ``skos:broader`` by concept, its schemes and the
    N-Triples of each subject, filled as used (kept for the last vocabulary graph seen while
    its size is unchanged)."""
    if _INDEXED and _INDEXED[0][0] is topics and _INDEXED[0][1] == len(topics):
        return _INDEXED[0][2]
    by_subject: dict[Node, list[tuple[Node, Node, Node]]] = {}
    broader: dict[Node, list[Node]] = {}
    for triple in topics:
        by_subject.setdefault(triple[0], []).append(triple)
        if triple[1] == _BROADER:
            broader.setdefault(triple[0], []).append(triple[2])
    schemes = list(topics.subjects(RDF.type, _SCHEME))
    index: _VocabularyIndex = (by_subject, broader, schemes, {})
    _INDEXED[:] = [(topics, len(topics), index)]
    return index


_SKOS = "http://www.w3.org/2004/02/skos/core#"
_BROADER = URIRef(_SKOS + "broader")
_SCHEME = URIRef(_SKOS + "ConceptScheme")


def map_part(
    part: Part, piece: KnowledgeModel, vocabulary: Vocabulary, topics: Graph, minter: Minter
) -> None:
    """Map a programme's slice to its named graph, unless the cached graph still holds."""
    digest = slice_digest(piece)
    entry = part.entry
    part.reused = entry.complete and entry.slice_digest == digest
    if part.reused:
        return
    talks = list(piece.talks.values())  # in programme order
    assignments, topics_triples = programme_topics(piece.events[0].key, talks, vocabulary, minter)
    # Plain triples, not an rdflib graph: its store costs more than the mapping itself.
    triples = set(to_triples(piece, minter))
    triples.update(topics_triples)
    entry.slice_digest = digest
    entry.assignments = assignments
    text = canonical_ntriples(triples)
    entry.quads = _quads(text, minter.graph(part.name))
    entry.results = None
    by_subject = _vocabulary_index(topics)[0]
    used = _slice_nodes(topics, triples)  # the vocabulary_slice, with its lines made once
    part.data = [*triples, *(triple for node in used for triple in by_subject[node])]
    part.ntriples = text + _slice_text(topics, used)


def data_graph(triples: Iterable[Triple]) -> Graph:
    """The rdflib graph a programme is validated as (what :func:`map_part` left in ``data``)."""
    graph = bind_prefixes(Graph())
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def validate_part(part: Part, shapes: Graph, cache: BuildCache) -> None:
    """Validate a programme's graph with the vocabulary, or take the cached results."""
    entry = part.entry
    if part.reused and entry.results is not None:
        report_graph = bind_prefixes(Graph().parse(data=entry.report_nt, format="nt"))
        part.report = Report(results=list(entry.results), graph=report_graph)
        return
    if part.data is None:
        raise RuntimeError(f"{part.name}: validated before it was mapped")
    part.report = validate(data_graph(part.data), shapes, ntriples=part.ntriples or None)
    entry.results = list(part.report.results)
    entry.report_nt = part.report.graph.serialize(format="nt")
    if entry.input_key:
        cache.store(entry)


def _store_report(part: Part, report: Report, report_nt: str, cache: BuildCache) -> None:
    entry = part.entry
    part.report = report
    entry.results = list(report.results)
    entry.report_nt = report_nt
    if entry.input_key:
        cache.store(entry)


def merge_reports(main: Report, extra: Report | None) -> Report:
    """``main`` with the results of ``extra`` added (under ``main``'s report node)."""
    if extra is None or not extra.results:
        return main
    graph = bind_prefixes(Graph())
    graph += main.graph
    node = next(iter(main.graph.subjects(RDF.type, SH.ValidationReport)), None)
    reports = set(extra.graph.subjects(RDF.type, SH.ValidationReport))
    for subject, predicate, obj in extra.graph:
        if subject in reports:
            if predicate == SH.result and node is not None:
                graph.add((node, SH.result, obj))
            continue
        graph.add((subject, predicate, obj))
    if node is not None and not extra.conforms:
        graph.set((node, SH.conforms, Literal(False)))
    results = sorted(set(main.results) | set(extra.results), key=Result.sort_key)
    return Report(results=results, graph=graph)


#: What the forked validation processes read: set just before they are forked, never pickled.
_FORK_SHARED: tuple[Sequence[Part], Graph, Report | None] | None = None


def _validate_forked(index: int) -> tuple[int, list[Result], str]:
    """In a forked process: validate part ``index`` (its graph came with the fork)."""
    assert _FORK_SHARED is not None
    parts, shapes, vocabulary = _FORK_SHARED
    part = parts[index]
    assert part.data is not None
    checked = validate(data_graph(part.data), shapes, ntriples=part.ntriples or None)
    report = merge_reports(checked, vocabulary)
    return index, list(report.results), report.graph.serialize(format="nt")


def cpu_count() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def validate_parts(
    parts: Sequence[Part],
    shapes: Graph,
    cache: BuildCache,
    vocabulary: Graph | Report | None = None,
    processes: int | None = None,
) -> None:
    """Validate every part that needs it (see :func:`validate_part`), in parallel processes.

    What the cache already proved is taken from it.  ``vocabulary`` (the topic vocabulary) is
    validated once, on its own (or given as its :class:`Report`), and its results are added to
    each programme's report (each programme is validated with the slice of the vocabulary it
    uses, see :func:`vocabulary_slice`), so a report says what it said when every programme
    was validated with the whole vocabulary.  The programmes are validated by a pool of
    ``processes`` (default: one per CPU) forked from this process, so each programme's graph
    reaches its process with the fork instead of being pickled; each sends back its results and
    pyshacl's report graph as N-Triples.  One part, or one CPU, validates in this process.
    """
    try:
        start_validation(parts, shapes, cache, vocabulary, processes).wait()
    finally:
        gc.unfreeze()


class Validation:
    """The validation of some parts, under way in forked processes (:func:`start_validation`)
    while this process does something else; :meth:`wait` takes the reports."""

    def __init__(
        self,
        todo: Sequence[Part] = (),
        cache: BuildCache | None = None,
        pool: Any = None,
        answers: Iterator[tuple[int, list[Result], str]] | None = None,
    ) -> None:
        self.todo, self.cache, self.pool, self.answers = todo, cache, pool, answers

    def wait(self) -> None:
        """Take each part's report as it comes (and store it in the cache); then the pool
        is closed."""
        if self.pool is None or self.answers is None or self.cache is None:
            return
        try:
            for index, results, report_nt in self.answers:
                graph = bind_prefixes(Graph().parse(data=report_nt, format="nt"))
                report = Report(results=results, graph=graph)
                _store_report(self.todo[index], report, report_nt, self.cache)
            self.pool.close()
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the processes (their work is lost); nothing when there are none."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = self.answers = None


def start_validation(
    parts: Sequence[Part],
    shapes: Graph,
    cache: BuildCache,
    vocabulary: Graph | Report | None = None,
    processes: int | None = None,
) -> Validation:
    """:func:`validate_parts`, returning as soon as the parts are given to the processes
    (a build maps the next programmes meanwhile); the parts must stay as they are until
    :meth:`Validation.wait` returns.  Cached and in-process validations are done on return."""
    todo = []
    for part in parts:
        if part.reused and part.entry.results is not None:
            validate_part(part, shapes, cache)  # from the cache
        else:
            todo.append(part)
    if not todo:
        return Validation()
    for part in todo:
        if part.data is None:
            raise RuntimeError(f"{part.name}: validated before it was mapped")
    extra = validate(vocabulary, shapes) if isinstance(vocabulary, Graph) else vocabulary
    workers = min(processes or cpu_count(), len(todo))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for part in todo:
            assert part.data is not None
            checked = validate(data_graph(part.data), shapes, ntriples=part.ntriples or None)
            report = merge_reports(checked, extra)
            _store_report(part, report, report.graph.serialize(format="nt"), cache)
        return Validation()
    global _FORK_SHARED
    _FORK_SHARED = (todo, shapes, extra)  # read by the workers forked just below
    # What the workers inherit is never scanned by their collector (no page copies in them,
    # nor here while they run).  It stays frozen here too: unfrozen after each batch, the
    # whole heap would be scanned again soon after (seconds at 1M triples); the caller
    # unfreezes it (``gc.unfreeze()``) when it has validated everything.
    gc.freeze()
    try:
        pool = multiprocessing.get_context("fork").Pool(workers)
    finally:
        _FORK_SHARED = None
    return Validation(todo, cache, pool, pool.imap_unordered(_validate_forked, range(len(todo))))


def trig_text(quads: Iterable[str]) -> str:
    """TriG of N-Quads lines: one block per graph, in name order, triples as N-Triples lines."""
    return "".join(trig_pieces(quads))


def trig_pieces(quads: Iterable[str]) -> Iterator[str]:
    """:func:`trig_text` in pieces (a graph's opening, its lines, its end), to be written as
    they come rather than joined into one text."""
    graphs: dict[str, list[str]] = {}
    for quad in quads:
        cut = quad.rindex(" <")
        graphs.setdefault(quad[cut + 1 : -3], []).append(quad[:cut] + " .\n")
    for index, name in enumerate(sorted(graphs)):
        yield ("\n" if index else "") + f"{name} {{\n"
        lines = graphs.pop(name)
        lines.sort()
        yield from lines
        yield "}\n"


# --------------------------------------------------------------------------- reports


def combine_reports(parts: Sequence[tuple[str, Report]]) -> Report:
    """One report of many: results without repeats (a shared speaker is checked in each)."""
    if len(parts) == 1:
        return parts[0][1]
    results: set[Result] = set()
    graph = Graph()
    for _, report in parts:
        results.update(report.results)
        graph += report.graph
    for prefix, namespace in parts[0][1].graph.namespaces():
        graph.bind(prefix, namespace, override=False)
    return Report(results=sorted(results, key=Result.sort_key), graph=graph)


def programme_summary(parts: Sequence[tuple[str, Report]]) -> str:
    """A line per programme: ``workshop-b: does not conform — 2 violations, 1 warning``."""
    lines = []
    for name, report in parts:
        state = "conforms" if report.conforms else "does not conform"
        lines.append(
            f"{name}: {state} — {report.violations} violation(s), {report.warnings} warning(s)"
        )
    return "\n".join(lines) + "\n"


def violations_text(parts: Sequence[tuple[str, Report]]) -> str:
    """The violations of each failing programme, under its name."""
    blocks = []
    for name, report in parts:
        broken = [r for r in report.results if r.severity == "Violation"]
        if broken:
            lines = [f"programme {name}: {len(broken)} SHACL violation(s)"]
            lines += [f"  {r.line()}" for r in broken]
            blocks.append("\n".join(lines))
    return "\n".join(blocks)
