"""The build's faster validation says what pyshacl says on its own: property shapes checked for
all their focus nodes at once, and SPARQL targets answered by pyoxigraph over an N-Triples copy.

Every broken graph of tests/test_shapes_constraints.py is validated three ways: pyshacl's own
(one focus node at a time, rdflib answering every query), with property shapes batched, and
batched with the copy; the results and the report graphs must be the same.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import talkgraph.validation as validation
from talkgraph.rdf import ntriples_text
from talkgraph.validation import Report, load_shapes, validate
from test_shapes_constraints import CASES, Case, base_graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture
def pyshacl_own() -> Iterator[None]:
    """pyshacl's own way for property shapes, while the fixture is active."""
    validate(Graph(), load_shapes())  # installs the batching
    component = validation.shape_based_constraints.PropertyConstraintComponent
    batched = component._evaluate_property_shape
    component._evaluate_property_shape = batched._talkgraph_original  # type: ignore[attr-defined]
    try:
        yield
    finally:
        component._evaluate_property_shape = batched  # type: ignore[method-assign]


def _broken(case: Case) -> Graph:
    graph = base_graph()
    case.mutate(graph)
    return graph


def _same(a: Report, b: Report) -> bool:
    return a.results == b.results and isomorphic(a.graph, b.graph)


# The cases where a SPARQL target finds something, and a few others.
TARGETED = [
    c
    for c in CASES
    if c.shape.startswith(("Talk-evidence", "Work-identifier-match", "Talk-abstract-missing"))
    or c.shape in ("Talk", "Talk-title-many", "Event-talks-consistent", "Topic-prefLabel")
]


@pytest.mark.parametrize("case", TARGETED, ids=[c.name for c in TARGETED])
def test_batched_and_copied_report_what_pyshacl_reports(
    case: Case, shapes: Graph, request: pytest.FixtureRequest
) -> None:
    fast = validate(_broken(case), shapes)
    graph = _broken(case)
    copied = validate(graph, shapes, ntriples=ntriples_text(graph))
    request.getfixturevalue("pyshacl_own")
    own = validate(_broken(case), shapes)
    assert own.results, "the broken graph has results"
    assert _same(own, fast), case.name
    assert _same(own, copied), case.name


def test_the_copy_answers_the_sparql_targets(
    shapes: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered: list[str] = []
    original = validation._twin_select

    def spy(twin: object, text: str) -> object:
        answer = original(twin, text)  # type: ignore[arg-type]
        if answer is not None:
            answered.append(text)
        return answer

    monkeypatch.setattr(validation, "_twin_select", spy)
    graph = base_graph()
    validate(graph, shapes, ntriples=ntriples_text(graph))
    targets = validation._target_texts(shapes)
    assert targets and len(answered) == len(targets)


def test_a_copy_pyoxigraph_cannot_read_leaves_the_targets_to_rdflib(shapes: Graph) -> None:
    graph = base_graph()
    report = validate(graph, shapes, ntriples="<not an iri> <x> <y> .\n")
    assert _same(report, validate(base_graph(), shapes))


def test_shapes_with_rules_leave_the_targets_to_rdflib(
    shapes: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SHACL rule adds triples to the data graph, which the copy would not have."""
    ruled = Graph()
    ruled += shapes
    ruled.parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:shape> a sh:NodeShape ; sh:targetNode <urn:x:n> ;
            sh:rule [ a sh:TripleRule ; sh:subject sh:this ;
                      sh:predicate <urn:x:p> ; sh:object <urn:x:o> ] .
        """,
        format="turtle",
    )
    calls: list[str] = []
    monkeypatch.setattr(validation, "_twin_select", lambda _twin, text: calls.append(text))
    graph = base_graph()
    report = validate(graph, ruled, ntriples=ntriples_text(graph))
    assert calls == [] and report.conforms
