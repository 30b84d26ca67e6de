"""Validation in parallel processes, with the slice of the vocabulary each programme uses:
the same reports as validating each programme in this process with the whole vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from talkgraph.build import build
from talkgraph.cache import BuildCache
from talkgraph.iris import Minter
from talkgraph.parts import (
    Part,
    data_graph,
    map_part,
    programme_slice,
    validate_parts,
    vocabulary_slice,
)
from talkgraph.registry import Registry
from talkgraph.resolve import resolve
from talkgraph.topics import load_vocabulary, vocabulary_graph
from talkgraph.validation import load_shapes, validate
from talkgraph.vocab import bind_prefixes

PROGRAMMES = Path(__file__).parent / "fixtures" / "programmes"


def _parts() -> tuple[list[Part], Graph]:
    from talkgraph.build import _ingest_one
    from talkgraph.parts import discover

    minter = Minter()
    cache = BuildCache(None)
    parts = [Part(s, _ingest_one(s, "", cache)) for s in discover([PROGRAMMES])]
    model = resolve([p.entry.programme for p in parts], Registry.load(None))
    vocabulary = load_vocabulary(None)
    topics = bind_prefixes(vocabulary_graph(vocabulary, minter))
    for part, event in zip(parts, model.events, strict=True):
        part.name = event.key
        map_part(part, programme_slice(model, event), vocabulary, topics, minter)
    return parts, topics


def test_slice_holds_used_concepts_and_what_is_above_them() -> None:
    parts, topics = _parts()
    assert parts[0].data is not None
    data = data_graph(parts[0].data)
    used = {o for o in data.objects(None, URIRef("https://schema.org/about"))}
    assert used, "the fixture's talks have topics"
    for concept in used:
        assert (concept, SKOS.prefLabel, None) in data
        for above in topics.transitive_objects(concept, SKOS.broader):
            assert (above, RDF.type, SKOS.Concept) in data
    assert 0 < len(vocabulary_slice(topics, data)) < len(topics)


def test_parallel_slices_report_what_whole_vocabulary_reports() -> None:
    parts, topics = _parts()
    shapes = load_shapes()
    expected = {}
    for part in parts:
        assert part.data is not None
        graph = Graph()
        graph += part.data
        graph += topics  # the whole vocabulary, as before
        expected[part.name] = set(validate(graph, shapes).results)
    validate_parts(parts, shapes, BuildCache(None), vocabulary=topics, processes=2)
    for part in parts:
        assert part.report is not None
        assert set(part.report.results) == expected[part.name], part.name
        assert part.entry.results == part.report.results


def test_build_result_graph_is_read_on_demand(tmp_path: Path) -> None:
    result = build([PROGRAMMES], out=tmp_path / "build", use_cache=False)
    graph = result.graph
    assert len(graph) == result.manifest.triples
    types = result.manifest.counts
    assert isinstance(types, dict) and types.get("conf:Talk", 0) > 0


def test_batches_build_what_one_batch_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import talkgraph.build as pipeline

    whole = build([PROGRAMMES], out=tmp_path / "whole", use_cache=False)
    monkeypatch.setattr(pipeline, "BATCH", 1)  # one programme mapped and validated at a time
    batched = build([PROGRAMMES], out=tmp_path / "batched", use_cache=False)
    for name in ("dataset.nt", "dataset.nq", "validation-report.txt"):
        assert (tmp_path / "whole" / name).read_bytes() == (
            tmp_path / "batched" / name
        ).read_bytes()
    assert set(batched.report.results) == set(whole.report.results)
    assert batched.timings["mapping"] > 0 and batched.timings["validation"] > 0
