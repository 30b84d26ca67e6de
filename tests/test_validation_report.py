"""The validation report: conformance, counts, readable text, inputs and shape loading."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef

from talkgraph.validation import SHAPES_DIR, load_shapes, validate
from talkgraph.vocab import SH
from test_shapes_constraints import (
    ADA,
    EVENT,
    PREFIXES,
    TALK,
    UNI,
    base_graph,
    drop,
    replace,
)

PERFORMER = URIRef("https://schema.org/performer")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def broken(*mutations: object) -> Graph:
    graph = base_graph()
    for mutate in mutations:
        mutate(graph)  # type: ignore[operator]
    return graph


def test_a_valid_graph_conforms_with_no_results(shapes: Graph) -> None:
    report = validate(base_graph(), shapes)
    assert report.conforms
    assert (report.violations, report.warnings, report.infos) == (0, 0, 0)
    assert report.text().startswith("SHACL validation: conforms — 0 violations, 0 warnings")


def test_warnings_and_infos_alone_still_conform(shapes: Graph) -> None:
    graph = broken(
        drop(ADA, "schema:affiliation"),
        drop(EVENT, "schema:location"),
        replace(UNI, "tg:inRegistry", "false"),
    )
    report = validate(graph, shapes)
    assert report.conforms
    assert (report.violations, report.warnings, report.infos) == (0, 2, 1)


def test_a_dangling_speaker_link_fails(shapes: Graph) -> None:
    graph = broken(replace(TALK, "schema:performer", "<person/nobody>"))
    report = validate(graph, shapes)
    assert not report.conforms
    dangling = [r for r in report.results if r.path == "schema:performer" and r.focus == TALK]
    assert [r.severity for r in dangling] == ["Violation"]
    assert dangling[0].value == "<http://talkgraph.localhost/person/nobody>"
    assert "dangling link" in dangling[0].message


def test_the_text_names_nodes_by_their_label(shapes: Graph) -> None:
    report = validate(broken(drop(ADA, "schema:affiliation")), shapes)
    assert report.text().splitlines()[-1] == (
        f"  Warning: person 'Ada Example' <{ADA}> — schema:affiliation: This speaker has no "
        "institution. Add the speaker's institution on the line after their name in the "
        "programme."
    )


def test_a_node_without_a_label_is_named_by_its_iri(shapes: Graph) -> None:
    report = validate(broken(drop(TALK, "schema:name")), shapes)
    (line,) = [ln for ln in report.text().splitlines() if "schema:name" in ln]
    assert line == (
        f"  Violation: talk <{TALK}> — schema:name: This talk has no title. Add a 'Title:' "
        "line under the speaker in the programme."
    )


def test_long_labels_are_shortened_and_values_shown(shapes: Graph) -> None:
    title = "Why do neural models need so many parameters and what can we learn from it"
    graph = broken(replace(TALK, "schema:name", f'"{title}"'), replace(TALK, "tg:position", "-1"))
    (result,) = validate(graph, shapes).results
    assert result.label == title
    line = result.line()
    assert "talk 'Why do neural models need so many parameters…' <" in line
    assert line.endswith('[value: "-1"^^xsd:integer]')


def test_results_are_grouped_by_severity_and_counted(shapes: Graph) -> None:
    graph = broken(
        drop(ADA, "schema:affiliation"),
        drop(TALK, "schema:name"),
        replace(UNI, "tg:inRegistry", "false"),
        drop(EVENT, "schema:startDate"),
    )
    report = validate(graph, shapes)
    lines = report.text().splitlines()
    assert lines[0] == "SHACL validation: does not conform — 1 violation, 2 warnings, 1 info"
    headings = [ln for ln in lines if ln and not ln.startswith(("  ", "SHACL"))]
    assert headings == ["Violations (1):", "Warnings (2):", "Infos (1):"]
    severities = [r.severity for r in report.results]
    assert severities == ["Violation", "Warning", "Warning", "Info"]
    # events sort before persons
    assert [r.kind for r in report.results if r.severity == "Warning"] == ["event", "person"]


def test_the_report_is_deterministic(shapes: Graph) -> None:
    graph = broken(drop(ADA, "schema:affiliation"), drop(TALK, "schema:description"))
    assert validate(graph, shapes).text() == validate(graph, shapes).text()


def test_the_report_graph_is_pyshacl_report(shapes: Graph) -> None:
    report = validate(broken(drop(TALK, "schema:name")), shapes)
    assert (None, SH.conforms, Literal(False)) in report.graph
    assert len(list(report.graph.subjects(SH.focusNode, URIRef(TALK)))) == 1
    assert "sh:ValidationReport" in report.graph.serialize(format="turtle")


def test_to_dict_lists_results(shapes: Graph) -> None:
    data = validate(broken(drop(ADA, "schema:affiliation")), shapes).to_dict()
    assert data["conforms"] is True and data["warnings"] == 1
    (result,) = data["results"]  # type: ignore[misc]
    assert result["path"] == "schema:affiliation"
    assert result["shape"] == "tgsh:Speaker-affiliation-missing"
    assert result["label"] == "Ada Example" and result["kind"] == "person"


def test_a_pyoxigraph_store_is_validated_like_a_graph(shapes: Graph) -> None:
    graph = broken(drop(ADA, "schema:affiliation"))
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    named = pyoxigraph.NamedNode("http://talkgraph.localhost/graph/extra")
    store.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(TALK),
            pyoxigraph.NamedNode(str(PERFORMER)),
            pyoxigraph.NamedNode("http://talkgraph.localhost/person/nobody"),
            named,
        )
    )
    report = validate(store, shapes)
    graph.add((URIRef(TALK), PERFORMER, URIRef("http://talkgraph.localhost/person/nobody")))
    assert report.results == validate(graph, shapes).results
    assert not report.conforms


def test_anything_else_is_refused() -> None:
    with pytest.raises(TypeError):
        validate("not a graph")  # type: ignore[arg-type]


def test_default_shapes_are_every_file_in_the_shapes_directory(shapes: Graph) -> None:
    assert sorted(p.name for p in SHAPES_DIR.glob("*.ttl")) == [
        "dataset.ttl",
        "talkgraph.ttl",
        "topics.ttl",
    ]
    assert len(validate(base_graph()).results) == 0  # default shapes
    only_topics = load_shapes([SHAPES_DIR / "topics.ttl"])
    report = validate(broken(drop(TALK, "schema:name")), only_topics)
    assert report.results == []


def test_complex_paths_are_written_like_sparql_paths() -> None:
    shapes = Graph().parse(
        data=PREFIXES
        + """
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        <shape> a sh:NodeShape ; sh:targetClass schema:Person ;
            sh:property [ sh:path [ sh:inversePath schema:performer ] ; sh:minCount 3 ;
                          sh:message "two talks"@en ] ,
                        [ sh:path ( schema:affiliation schema:name ) ; sh:maxCount 0 ;
                          sh:message "no institution name"@en ] ,
                        [ sh:path [ sh:alternativePath ( schema:givenName schema:familyName ) ] ;
                          sh:maxCount 1 ; sh:message "one part"@en ] .
        """,
        format="turtle",
    )
    report = validate(base_graph(), shapes)
    paths = {r.path for r in report.results if r.focus == ADA}
    assert paths == {
        "^schema:performer",
        "schema:affiliation/schema:name",
        "(schema:givenName|schema:familyName)",
    }
    assert all(r.shape == "(anonymous shape)" for r in report.results)
