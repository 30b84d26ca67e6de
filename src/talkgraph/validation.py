"""SHACL validation of a talkgraph graph, with a report an organiser can read.

The only module that imports pyshacl.  Shapes live in the project's ``shapes/`` directory,
shipped as the package ``talkgraph.shapes`` (``dataset.ttl`` holds the shapes of the dataset
description, validated separately).
A graph *conforms* when it has no ``sh:Violation``; warnings and infos are gaps to fill.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, cast

import pyoxigraph
import pyshacl
from pyshacl.constraints.core import shape_based_constraints
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import NamespaceManager
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node, Variable

from .errors import InputError, Place
from .resources import shapes_dir
from .vocab import (
    CONF,
    DCAT,
    DCTERMS,
    OA,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SH,
    SKOS,
    VOID,
    XSD,
    bind_prefixes,
)

SHAPES_DIR = shapes_dir()
DATASET_SHAPES = SHAPES_DIR / "dataset.ttl"
TGSH = Namespace("https://w3id.org/talkgraph/shapes#")

SEVERITIES = ("Violation", "Warning", "Info")
_PLURAL = {"Violation": "violations", "Warning": "warnings", "Info": "infos"}
LABEL_LENGTH = 48
VALUE_LENGTH = 60

# What to call a focus node, by its most specific type (first match wins).
_KINDS: tuple[tuple[URIRef, str], ...] = (
    (CONF.Talk, "talk"),
    (CONF.Workshop, "event"),
    (SCHEMA.Person, "person"),
    (SCHEMA.Organization, "institution"),
    (SCHEMA.PostalAddress, "address"),
    (SCHEMA.ScholarlyArticle, "cited work"),
    (SKOS.ConceptScheme, "topic vocabulary"),
    (SKOS.Concept, "topic"),
    (OA.Annotation, "topic evidence"),
    (OA.SpecificResource, "quoted passage"),
    (OA.TextQuoteSelector, "quote"),
    (VOID.Dataset, "dataset"),
    (DCAT.Distribution, "distribution"),
    (PROV.Activity, "build"),
    (SCHEMA.Event, "event"),
)
_LABELS = (SCHEMA.name, SKOS.prefLabel, RDFS.label, DCTERMS.title)


@dataclass(frozen=True)
class Result:
    """One validation result, in terms an organiser can act on."""

    severity: str  # "Violation" | "Warning" | "Info"
    focus: str  # IRI of the node the result is about
    label: str  # its name or label in the data, else its IRI
    kind: str  # "talk", "person", "event"... or "node"
    path: str | None  # compact property path, e.g. "schema:affiliation"
    value: str | None  # the offending value (N3), when there is one
    message: str
    shape: str  # the source shape, compact (e.g. "tgsh:Talk-title-missing")
    graphs: tuple[str, ...] = ()  # where the focus node's statements are (named graph IRIs)

    def sort_key(self) -> tuple[int, str, str, str, str, str, str]:
        return (
            SEVERITIES.index(self.severity),
            self.kind,
            self.focus,
            self.path or "",
            self.message,
            self.value or "",
            self.shape,
        )

    def line(self) -> str:
        """``Violation: talk 'Why do…' <iri> — schema:name: This talk has no title…``"""
        name = "" if self.label == self.focus else f"'{_shorten(self.label, LABEL_LENGTH)}' "
        where = f"{self.path}: " if self.path else ""
        shown = f" [value: {self.value}]" if self.value and self.value != f"<{self.focus}>" else ""
        place = f" (in {', '.join(_graph_text(g) for g in self.graphs)})" if self.graphs else ""
        text = f"{self.severity}: {self.kind} {name}<{self.focus}> — {where}{self.message}{shown}"
        return text + place


@dataclass(frozen=True)
class Report:
    """The outcome of validating a graph: our results plus pyshacl's report graph."""

    results: list[Result]
    graph: Graph

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")

    @property
    def infos(self) -> int:
        return self.count("Info")

    @property
    def conforms(self) -> bool:
        """True when nothing is broken (warnings and infos allowed)."""
        return self.violations == 0

    def text(self) -> str:
        """A readable report: a summary line, then results grouped by severity."""
        state = "conforms" if self.conforms else "does not conform"
        counts = ", ".join(_counted(self.count(s), _PLURAL[s]) for s in SEVERITIES)
        lines = [f"SHACL validation: {state} — {counts}"]
        graphs = sorted({g for r in self.results for g in r.graphs})
        if len(graphs) > 1 or graphs and graphs != [DEFAULT_GRAPH]:
            for graph in graphs:
                here = [r for r in self.results if graph in r.graphs]
                per = ", ".join(
                    _counted(sum(1 for r in here if r.severity == s), _PLURAL[s])
                    for s in SEVERITIES
                )
                lines.append(f"  in {_graph_text(graph)}: {per}")
        for severity in SEVERITIES:
            group = [r for r in self.results if r.severity == severity]
            if group:
                lines.append("")
                lines.append(f"{_PLURAL[severity].capitalize()} ({len(group)}):")
                lines.extend(f"  {r.line()}" for r in group)
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, object]:
        return {
            "conforms": self.conforms,
            "violations": self.violations,
            "warnings": self.warnings,
            "infos": self.infos,
            "results": [asdict(r) for r in self.results],
        }


def load_shapes(paths: Sequence[Path] | None = None) -> Graph:
    """Parse shape files (default: every ``.ttl`` in the project's ``shapes/``) into one graph.

    A missing, unreadable or malformed shapes file is an :class:`InputError` naming it.
    """
    files = sorted(SHAPES_DIR.glob("*.ttl")) if paths is None else list(paths)
    shapes = Graph()
    for path in files:
        try:
            shapes.parse(path, format="turtle")
        except OSError as exc:
            raise InputError(
                f"cannot read shapes: {exc.strerror or exc}", Place(str(path))
            ) from None
        except Exception as exc:  # rdflib's Turtle parser raises many kinds of errors
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise InputError(f"not valid Turtle shapes: {first}", Place(str(path))) from None
    return shapes


def validate(
    data: Graph | pyoxigraph.Store,
    shapes: Graph | None = None,
    *,
    by_graph: bool = False,
    ntriples: str | None = None,
) -> Report:
    """Validate ``data`` (an rdflib graph or a pyoxigraph store) against ``shapes``.

    A store is validated as the union of its graphs; with ``by_graph``, each result of a store
    with named graphs says which graphs hold its focus node (:attr:`Result.graphs`).

    ``ntriples``, the same triples as ``data`` in N-Triples (as talkgraph's mapping writes
    them), lets the shapes' SPARQL targets (``sh:SPARQLTarget``, which find the few nodes
    breaking a check that relates several of them) be answered by pyoxigraph over a copy of
    the data instead of by rdflib's SPARQL engine (most of the validation time of a programme).
    pyshacl still checks every focus node they find, over ``data``.
    """
    graph = _as_graph(data)
    shapes_graph = load_shapes() if shapes is None else shapes
    _prepare_queries_once()
    _batch_property_shapes_once()
    # (Not with SHACL rules: they would add to the graph what the copy does not have.)
    rules = (None, SH.rule, None) in shapes_graph
    twin = _twin(ntriples) if ntriples is not None and not rules else None
    if twin is not None:
        _TWINS[id(graph)] = (twin, _target_texts(shapes_graph))
    try:
        _conforms, report_graph, _text = pyshacl.validate(
            graph,
            shacl_graph=shapes_graph,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            advanced=True,  # SHACL-AF SPARQL targets (shapes/talkgraph.ttl)
            inplace=True,  # no copy of the data graph: nothing is inferred into it (no rules)
        )
    finally:
        _TWINS.pop(id(graph), None)
    if not isinstance(report_graph, Graph):  # pyshacl returns a graph unless told otherwise
        raise TypeError(f"unexpected pyshacl report {type(report_graph).__name__}")
    bind_prefixes(report_graph)
    report_graph.bind("tgsh", TGSH)
    names = bind_prefixes(Graph()).namespace_manager
    names.bind("tgsh", TGSH)
    results = [_result(report_graph, graph, node, names) for node in _result_nodes(report_graph)]
    if by_graph and isinstance(data, pyoxigraph.Store) and any(True for _ in data.named_graphs()):
        results = [replace(r, graphs=_graphs_of(data, r.focus)) for r in results]
    results.sort(key=Result.sort_key)
    return Report(results=results, graph=report_graph)


# --------------------------------------------------------------------------- speed


_PREPARED: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Query] = {}
_PREPARED_KEPT = 512
_prepared_lock = threading.Lock()


def _prepare_queries_once() -> None:
    """Make rdflib parse and translate each SPARQL text once per process.

    pyshacl hands rdflib the text of every SPARQL target and constraint of the shapes each time
    it validates a graph, and rdflib parses it again each time (pyparsing: a fifth of the
    validation of a programme).  rdflib evaluates a translated query as often as asked (what
    ``prepareQuery`` is for), so the translation is kept, by text, base and namespaces.
    """
    with _prepared_lock:
        if getattr(SPARQLProcessor.query, "_talkgraph_prepared", False):
            return
        original = SPARQLProcessor.query

        def query(
            self: SPARQLProcessor,
            strOrQuery: str | Query,  # noqa: N803 - rdflib's parameter names
            initBindings: Mapping[str, Any] | None = None,  # noqa: N803
            initNs: Mapping[str, Any] | None = None,  # noqa: N803
            base: str | None = None,
            DEBUG: bool = False,  # noqa: N803
        ) -> Mapping[str, Any]:
            twin = _TWINS.get(id(self.graph)) if not initBindings else None
            if twin is not None and isinstance(strOrQuery, str):
                answer = _twin_select(twin, strOrQuery)
                if answer is not None:
                    return answer
            if isinstance(strOrQuery, str):
                names = tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items()))
                key = (strOrQuery, base, names)
                prepared = _PREPARED.get(key)
                if prepared is None:
                    prepared = translateQuery(parseQuery(strOrQuery), base, initNs)
                    if len(_PREPARED) < _PREPARED_KEPT:
                        _PREPARED[key] = prepared
                strOrQuery = prepared
            return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

        query._talkgraph_prepared = True  # type: ignore[attr-defined]
        SPARQLProcessor.query = query  # type: ignore[method-assign]


#: The pyoxigraph copy of a data graph being validated (by ``id``), with the target texts.
_TWINS: dict[int, tuple[pyoxigraph.Store, frozenset[str]]] = {}
_TARGET_TEXTS: list[tuple[Graph, int, frozenset[str]]] = []  # the last shapes graph's


def _twin(ntriples: str) -> pyoxigraph.Store | None:
    """A pyoxigraph store of N-Triples text; None when pyoxigraph refuses it (rdflib then
    answers the targets, as without a copy)."""
    store = pyoxigraph.Store()
    try:
        store.load(ntriples.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError, UnicodeError):
        return None
    return store


def _target_texts(shapes: Graph) -> frozenset[str]:
    """The ``sh:select`` texts of the shapes' SPARQL targets (kept for the last shapes graph)."""
    if _TARGET_TEXTS and _TARGET_TEXTS[0][0] is shapes and _TARGET_TEXTS[0][1] == len(shapes):
        return _TARGET_TEXTS[0][2]
    texts = frozenset(
        str(text)
        for target in shapes.subjects(RDF.type, SH.SPARQLTarget)
        for text in shapes.objects(target, SH.select)
    )
    _TARGET_TEXTS[:] = [(shapes, len(shapes), texts)]
    return texts


def _twin_select(
    twin: tuple[pyoxigraph.Store, frozenset[str]], text: str
) -> Mapping[str, Any] | None:
    """rdflib's answer to a SPARQL target's SELECT (pyshacl's text: ``PREFIX`` lines, then
    the shape's ``sh:select``), computed by pyoxigraph; None for any other query."""
    store, targets = twin
    if not any(text.endswith(target) for target in targets):
        return None
    solutions = store.query(text)
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        return None
    names = [v.value for v in solutions.variables]
    variables = [Variable(name) for name in names]
    bindings = [
        {
            var: _from_ox(row[name])
            for var, name in zip(variables, names, strict=True)
            if row[name] is not None
        }
        for row in solutions
    ]
    return {"type_": "SELECT", "vars_": variables, "bindings": bindings}


def _batch_property_shapes_once() -> None:
    """Make pyshacl check a property shape once for all its focus nodes, not once per node.

    pyshacl validates ``sh:property`` by calling the property shape's ``validate`` for each
    value node of the shape that names it, and each call finds the shape's constraint
    parameters in the shapes graph and builds its constraint components again (half of the
    validation of a programme: 25 property shapes of a talk, times every talk).  A property
    shape's ``validate`` takes a list of focus nodes and checks each of them as it would alone,
    so it is given them all at once: the same results, the components built once per shape.
    A shape pyshacl would refuse or warn about (missing, not a property shape, recursive) still
    goes the original way.
    """
    with _batch_lock:
        component = shape_based_constraints.PropertyConstraintComponent
        original: Any = getattr(component, "_evaluate_property_shape", None)
        if original is None or getattr(original, "_talkgraph_batched", False):
            return  # already done, or a pyshacl without this method: its own way, unchanged

        def evaluate(
            self: Any,
            executor: Any,
            prop_shape: Any,
            target_graph: Any,
            focus_value_nodes: Mapping[Any, Any],
            potentially_recursive: Any,
            _evaluation_path: list[Any],
        ) -> tuple[bool, list[Any]]:
            found = self.shape.get_other_shape(prop_shape)
            if (
                not found
                or not found.is_property_shape
                or (potentially_recursive and found in potentially_recursive)
            ):
                return cast(
                    tuple[bool, list[Any]],
                    original(  # pyshacl's own way, one focus node at a time
                        self,
                        executor,
                        prop_shape,
                        target_graph,
                        focus_value_nodes,
                        potentially_recursive,
                        _evaluation_path,
                    ),
                )
            values = [v for nodes in focus_value_nodes.values() for v in nodes]
            if not values:
                return False, []
            conforms, reports = found.validate(
                executor, target_graph, focus=values, _evaluation_path=_evaluation_path[:]
            )
            return (not conforms), list(reports)

        evaluate._talkgraph_batched = True  # type: ignore[attr-defined]
        evaluate._talkgraph_original = original  # type: ignore[attr-defined]
        component._evaluate_property_shape = evaluate  # type: ignore[method-assign]


_batch_lock = threading.Lock()


# --------------------------------------------------------------------------- helpers


DEFAULT_GRAPH = ""  # the default graph, in :attr:`Result.graphs`


def _graph_text(graph: str) -> str:
    return f"graph <{graph}>" if graph else "the default graph"


def _graphs_of(store: pyoxigraph.Store, focus: str) -> tuple[str, ...]:
    """The graphs holding statements about ``focus`` (as subject, else as object)."""
    node: pyoxigraph.NamedNode | pyoxigraph.BlankNode
    try:
        node = pyoxigraph.BlankNode(focus) if ":" not in focus else pyoxigraph.NamedNode(focus)
    except ValueError:
        return ()
    found = {_graph_name(q.graph_name) for q in store.quads_for_pattern(node, None, None, None)}
    if not found:
        found = {_graph_name(q.graph_name) for q in store.quads_for_pattern(None, None, node, None)}
    return tuple(sorted(found))


def _graph_name(name: object) -> str:
    return name.value if isinstance(name, pyoxigraph.NamedNode) else DEFAULT_GRAPH


def _as_graph(data: Graph | pyoxigraph.Store) -> Graph:
    """An rdflib graph of ``data``; a pyoxigraph store is read as the union of its graphs."""
    if isinstance(data, Graph):
        return data
    if isinstance(data, pyoxigraph.Store):
        graph = Graph()
        for quad in data.quads_for_pattern(None, None, None, None):
            graph.add((_from_ox(quad.subject), _from_ox(quad.predicate), _from_ox(quad.object)))
        return graph
    raise TypeError(f"cannot validate a {type(data).__name__}")


def _from_ox(term: object) -> Node:
    """A pyoxigraph term as an rdflib term (``xsd:string`` literals become plain literals)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else datatype)
    raise TypeError(f"cannot validate an RDF term {term!r}")


def _result_nodes(report: Graph) -> list[Node]:
    return list(report.subjects(RDF.type, SH.ValidationResult))


def _result(report: Graph, data: Graph, node: Node, names: NamespaceManager) -> Result:
    focus = report.value(node, SH.focusNode)
    severity = report.value(node, SH.resultSeverity)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    shape = report.value(node, SH.sourceShape)
    focus_text = str(focus)
    return Result(
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        focus=focus_text,
        label=_label(data, focus) or focus_text,
        kind=_kind(data, focus),
        path=_path_text(report, path, names) if path is not None else None,
        value=_value_text(value, names) if value is not None else None,
        message=_message(report, node),
        shape=_term_text(shape, names) if isinstance(shape, URIRef) else "(anonymous shape)",
    )


def _kind(data: Graph, node: Node | None) -> str:
    types = set(data.objects(node, RDF.type)) if node is not None else set()
    return next((word for cls, word in _KINDS if cls in types), "node")


def _label(data: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    for prop in _LABELS:
        labels = [o for o in data.objects(node, prop) if isinstance(o, Literal)]
        if labels:
            english = [o for o in labels if o.language in (None, "en")]
            return str(min(english or labels, key=lambda o: (str(o), o.language or "")))
    return None


def _message(report: Graph, node: Node) -> str:
    messages = [m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)]
    if not messages:
        return "(no message)"
    english = [m for m in messages if m.language in (None, "en")]
    return str(min(english or messages, key=str))


def _term_text(term: Node, names: NamespaceManager) -> str:
    if isinstance(term, URIRef):
        try:
            prefix, _ns, local = names.compute_qname(str(term), generate=False)
        except (KeyError, ValueError):
            return f"<{term}>"
        return f"{prefix}:{local}" if prefix else f"<{term}>"
    return str(term)


def _path_text(report: Graph, path: Node, names: NamespaceManager) -> str:
    """A SHACL property path in SPARQL-like syntax with prefixed names."""
    if isinstance(path, URIRef):
        return _term_text(path, names)
    for key, fmt in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = report.value(path, key)
        if inner is not None:
            return fmt.format(_path_text(report, inner, names))
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = [_path_text(report, p, names) for p in Collection(report, alternatives)]
        return "(" + "|".join(parts) + ")"
    if report.value(path, RDF.first) is not None:
        return "/".join(_path_text(report, p, names) for p in Collection(report, path))
    return str(path)


def _value_text(value: Node, names: NamespaceManager) -> str:
    if isinstance(value, URIRef):
        return f"<{value}>"
    if isinstance(value, Literal):
        text = _shorten(str(value), VALUE_LENGTH)
        if value.language:
            return f'"{text}"@{value.language}'
        if value.datatype is not None:
            return f'"{text}"^^{_term_text(value.datatype, names)}'
        return f'"{text}"'
    return str(value)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


def _counted(n: int, plural: str) -> str:
    return f"{n} {plural[:-1] if n == 1 else plural}"
