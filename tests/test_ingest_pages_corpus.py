"""The real-page corpus (tests/data/real/pages) read by talkgraph against the hand-written
expected results: the issue's targets must hold, and no person or institution is invented."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "data" / "real" / "pages"
HELDOUT = ROOT / "tests" / "data" / "real" / "heldout"


def _evaluator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ingest_eval", ROOT / "bench" / "ingest_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ingest_eval"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results() -> tuple[ModuleType, list[object]]:
    ev = _evaluator()
    registry = ev.Registry.load()
    return ev, [ev.evaluate(path, registry) for path in ev.inputs([PAGES, HELDOUT])]


def test_corpus_is_large_and_varied(results: tuple[ModuleType, list[object]]) -> None:
    _, res = results
    paths = [r.path for r in res]  # type: ignore[attr-defined]
    events = {p.name.split(".")[0] for p in paths if p.parent == PAGES}
    assert len(events) >= 12
    assert {p.suffix for p in paths} >= {".md", ".html", ".txt"}


def test_targets_over_the_corpus(results: tuple[ModuleType, list[object]]) -> None:
    ev, res = results
    total = {f: ev.Counts() for f in ev.FIELDS}
    for r in res:
        assert r.error is None, r.error  # type: ignore[attr-defined]
        for name in ev.FIELDS:
            total[name].add(r.counts[name])  # type: ignore[attr-defined]
    for name in ("talks", "titles", "speakers"):
        assert total[name].precision >= 0.95 and total[name].recall >= 0.95, name
    assert total["institutions"].precision >= 0.95
    assert total["coauthors"].precision == 1.0 and total["coauthors"].recall >= 0.85
    assert sum(len(r.invented) for r in res) == 0  # type: ignore[attr-defined]


def test_evaluator_counts_misses(results: tuple[ModuleType, list[object]]) -> None:
    """The evaluator is a real check: a wrong reading is counted as such."""
    ev, _ = results
    expected = [ev.Talk("a title", ["ada lovelace"], ["ucl"], ["charles babbage"], [])]
    parsed = [ev.Talk("another title", ["ada lovelace"], ["mit"], [], ["2101.12699"])]
    res = ev.FileResult(Path("x"))
    ev.compare(expected, parsed, res)
    c = res.counts
    assert (c["talks"].tp, c["titles"].tp, c["titles"].fn) == (0, 0, 1)
    assert (c["institutions"].fp, c["coauthors"].fn, c["arxiv"].fp) == (1, 1, 1)
