"""The dataset-description shapes (shapes/dataset.ttl), validated on their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from talkgraph.validation import DATASET_SHAPES, load_shapes, validate
from test_shapes_constraints import PREFIXES, SH, TGSH, Case, add, drop, rename, replace, update

B = "http://talkgraph.localhost/"
DATASET = f"{B}dataset"
TURTLE = f"{B}dataset#turtle"

BASE_TTL = """
<dataset> a void:Dataset, dcat:Dataset ;
    dcterms:title "Workshop on Engines" ;
    dcterms:source "programme.txt" ;
    dcterms:created "2024-05-02T10:30:00+00:00"^^xsd:dateTime ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    void:triples 93 ;
    void:entities 12 ;
    void:sparqlEndpoint <sparql> ;
    void:dataDump <download/talkgraph.ttl> ;
    dcat:distribution <dataset#turtle>, <dataset#jsonld> ;
    prov:wasGeneratedBy <dataset#build> .

<dataset#turtle> a dcat:Distribution ;
    dcat:downloadURL <download/talkgraph.ttl> ;
    dcat:mediaType <https://www.iana.org/assignments/media-types/text/turtle> ;
    dcat:byteSize "4242"^^xsd:nonNegativeInteger .

<dataset#jsonld> a dcat:Distribution ;
    dcat:downloadURL <download/talkgraph.jsonld> ;
    dcat:mediaType "application/ld+json" .

<dataset#build> a prov:Activity .
"""

V = "Violation"

# fmt: off
CASES = [
    Case("dataset-iri", rename(DATASET, f"{B}data"), V, f"{B}data", None, "Dataset"),
    Case("dataset-dcat-type", update(f"DELETE DATA {{ <{DATASET}> a dcat:Dataset }}"),
         V, DATASET, "rdf:type", "Dataset-type"),
    Case("title-missing", drop(DATASET, "dcterms:title"),
         V, DATASET, "dcterms:title", "Dataset-title"),
    Case("title-iri", replace(DATASET, "dcterms:title", "<title>"),
         V, DATASET, "dcterms:title", "Dataset-title"),
    Case("triples-missing", drop(DATASET, "void:triples"),
         V, DATASET, "void:triples", "Dataset-triples"),
    Case("triples-negative", replace(DATASET, "void:triples", "-1"),
         V, DATASET, "void:triples", "Dataset-triples"),
    Case("triples-text", replace(DATASET, "void:triples", '"93"'),
         V, DATASET, "void:triples", "Dataset-triples"),
    Case("triples-two", add("<dataset> void:triples 94 ."),
         V, DATASET, "void:triples", "Dataset-triples"),
    Case("entities-decimal", replace(DATASET, "void:entities", "1.5"),
         V, DATASET, "void:entities", "Dataset-entities"),
    Case("created-text", replace(DATASET, "dcterms:created", '"yesterday"'),
         V, DATASET, "dcterms:created", "Dataset-created"),
    Case("license-text", replace(DATASET, "dcterms:license", '"CC-BY"'),
         V, DATASET, "dcterms:license", "Dataset-license"),
    Case("distribution-dangling", add("<dataset> dcat:distribution <dataset#csv> ."),
         V, DATASET, "dcat:distribution", "Dataset-distribution"),
    Case("endpoint-text", replace(DATASET, "void:sparqlEndpoint", '"sparql"'),
         V, DATASET, "void:sparqlEndpoint", "Dataset-sparqlEndpoint"),
    Case("dump-text", replace(DATASET, "void:dataDump", '"talkgraph.ttl"'),
         V, DATASET, "void:dataDump", "Dataset-dataDump"),
    Case("build-dangling", replace(DATASET, "prov:wasGeneratedBy", "<dataset#other>"),
         V, DATASET, "prov:wasGeneratedBy", "Dataset-generatedBy"),
    Case("distribution-iri", rename(TURTLE, f"{B}turtle"), V, f"{B}turtle", None, "Distribution"),
    Case("download-missing", drop(TURTLE, "dcat:downloadURL"),
         V, TURTLE, "dcat:downloadURL", "Distribution-downloadURL"),
    Case("download-text", replace(TURTLE, "dcat:downloadURL", '"talkgraph.ttl"'),
         V, TURTLE, "dcat:downloadURL", "Distribution-downloadURL"),
    Case("media-type-missing", drop(TURTLE, "dcat:mediaType"),
         V, TURTLE, "dcat:mediaType", "Distribution-mediaType"),
    Case("media-type-bad", replace(TURTLE, "dcat:mediaType", '"turtle"'),
         V, TURTLE, "dcat:mediaType", "Distribution-mediaType"),
    Case("byte-size-negative", replace(TURTLE, "dcat:byteSize", "-5"),
         V, TURTLE, "dcat:byteSize", "Distribution-byteSize"),
    Case("byte-size-text", replace(TURTLE, "dcat:byteSize", '"4 kB"'),
         V, TURTLE, "dcat:byteSize", "Distribution-byteSize"),
]
# fmt: on


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes([DATASET_SHAPES])


def base_graph() -> Graph:
    return Graph().parse(data=PREFIXES + BASE_TTL, format="turtle")


def test_a_complete_description_passes(shapes: Graph) -> None:
    report = validate(base_graph(), shapes)
    assert report.results == [], report.text()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_broken_description_fails(case: Case, shapes: Graph) -> None:
    graph = base_graph()
    case.mutate(graph)
    report = validate(graph, shapes)
    assert not report.conforms
    expected = [
        r
        for r in report.results
        if r.shape == f"tgsh:{case.shape}" and r.focus == case.focus and r.path == case.path
    ]
    assert expected, report.text()
    assert expected[0].severity == case.severity
    assert len(expected[0].message) > 20


def test_every_dataset_shape_has_a_failing_case(shapes: Graph) -> None:
    named = {str(s)[len(str(TGSH)) :] for s in shapes.subjects(SH.message)}
    assert named - {c.shape for c in CASES} == set()


def test_the_golden_description_passes(shapes: Graph) -> None:
    golden = Path(__file__).parent / "golden" / "description.ttl"
    report = validate(Graph().parse(golden), shapes)
    assert report.results == [], report.text()
