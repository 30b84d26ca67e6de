"""The benchmark generator: deterministic by seed, and its output builds (correctness only)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import URIRef

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import generate  # noqa: E402

from talkgraph.build import build  # noqa: E402
from talkgraph.ingest import load_programme  # noqa: E402

SMALLEST = generate.SCALES["10k"]


def _contents(paths: list[Path]) -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in paths]


@pytest.fixture(scope="module")
def programmes(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate.generate(SMALLEST, 7, tmp_path_factory.mktemp("gen-a"))


def test_same_seed_same_files(
    programmes: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    again = generate.generate(SMALLEST, 7, tmp_path_factory.mktemp("gen-b"))
    assert _contents(programmes) == _contents(again)


def test_other_seed_other_files(
    programmes: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = generate.generate(SMALLEST, 8, tmp_path_factory.mktemp("gen-c"))
    assert _contents(programmes) != _contents(other)


def test_programmes_have_the_realistic_shapes(programmes: list[Path]) -> None:
    parsed = [load_programme(p) for p in programmes]
    talks = [t for prog in parsed for t in prog.talks]
    assert len(parsed) >= 2
    assert any(t.coauthors for t in talks), "co-author sentences are extracted"
    assert any(t.citations for t in talks), "arXiv ids are extracted"
    speakers = [t.speaker.name.text for t in talks]
    assert max(speakers.count(s) for s in set(speakers)) >= 3, "some speakers recur"
    across = {t.speaker.name.text for t in parsed[0].talks} & {
        t.speaker.name.text for prog in parsed[1:] for t in prog.talks
    }
    assert across, "speakers appear in more than one event"


def test_smallest_scale_builds(programmes: list[Path], tmp_path: Path) -> None:
    result = build(programmes, out=tmp_path / "build")
    assert result.report.conforms
    triples = int(str(result.manifest.triples))
    assert SMALLEST * 0.5 <= triples <= SMALLEST * 2, triples
    about = URIRef("https://schema.org/about")
    assert sum(1 for _ in result.graph.triples((None, about, None))) >= len(result.model.talks)
    assert (tmp_path / "build" / "dataset.nt").stat().st_size > 0


def test_parse_triples() -> None:
    assert generate.parse_triples("100k") == 100_000
    assert generate.parse_triples("1M") == 1_000_000
    assert generate.parse_triples("2500") == 2500
