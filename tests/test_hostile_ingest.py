"""Hostile programme files: limits refused before work, linear cost, a dataset that grows
linearly with its input."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from talkgraph.errors import InputError
from talkgraph.ingest import load_programme
from talkgraph.ingest.document import (
    MAX_ABSTRACT_CHARS,
    MAX_LINE_CHARS,
    MAX_LINES,
    MAX_TITLE_CHARS,
)
from talkgraph.iris import Minter
from talkgraph.model import Talk
from talkgraph.topics.annotate import assignments_graph
from talkgraph.topics.matcher import MAX_EVIDENCE, Matcher
from talkgraph.topics.vocabulary import load_vocabulary

HEAD = "Confirmed Speakers\nAda Lovelace\nUniversity of London\nTalk Details\nAda Lovelace\n"


def _refused(path: Path) -> tuple[InputError, float]:
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        load_programme(path)
    return info.value, time.monotonic() - started


def test_too_many_lines_are_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(HEAD + "Title: x\n" * MAX_LINES, encoding="utf-8")
    error, took = _refused(path)
    assert "lines" in error.message and str(MAX_LINES) in error.message
    assert error.place is not None and error.place.line == MAX_LINES + 1
    assert took < 2.0


def test_a_huge_one_line_abstract_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(HEAD + "Title: A talk\nAbstract\n" + "word " * 900_000 + "\n", "utf-8")
    error, took = _refused(path)  # 4.5 MB on one line
    assert error.place is not None and error.place.file == "huge.txt" and error.place.line == 8
    assert f"limit is {MAX_LINE_CHARS}" in error.message
    assert took < 2.0


def test_a_long_abstract_over_several_lines_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "multi.txt"
    chunk = "Deep networks learn features from data. " * 200  # 8 KB lines, joined into one
    path.write_text(HEAD + "Title: A talk\nAbstract\n" + (chunk + "\n") * 3, "utf-8")
    error, _ = _refused(path)
    assert "abstract" in error.message and f"limit is {MAX_ABSTRACT_CHARS}" in error.message
    assert error.place is not None and error.place.line == 8


def test_structured_limits_name_the_field_and_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "talks:\n- speaker: Ada Lovelace\n  title: T\n  abstract: "
        + "a" * (MAX_ABSTRACT_CHARS + 1)
        + "\n- speaker: Ada Lovelace\n  title: "
        + "t" * (MAX_TITLE_CHARS + 1)
        + "\n",
        encoding="utf-8",
    )
    error, _ = _refused(path)
    assert error.place is not None and error.place.line in (4, 6)
    assert error.place.field in ("talks[0].abstract", "talks[1].title")
    assert "at most" in error.message


def _abstract(repeats: int) -> str:
    return "Deep learning and sparse coding for image restoration. " * repeats


def _steps(matcher: Matcher, text: str) -> int:
    """Python calls (generator resumptions included) made matching ``text``: a count, not a
    time, so the test does not depend on the machine's load."""
    count = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        matcher.talk(Talk(key="k", title="t", speaker="s", abstract=text))
    finally:
        sys.setprofile(None)
    return count


def test_topic_matching_is_linear_in_the_abstract() -> None:
    matcher = Matcher(load_vocabulary())
    small, large = _abstract(80), _abstract(640)  # ~4.4 KB and ~35 KB
    ratio = _steps(matcher, large) / _steps(matcher, small)
    # linear: 8.0x; the quadratic containment check (a generator over every kept match) was 50x
    assert ratio < 12, f"{ratio:.1f}x the steps for 8x the text"


def test_evidence_is_capped_so_the_dataset_grows_linearly() -> None:
    matcher = Matcher(load_vocabulary())
    minter = Minter("http://example.org/")
    sizes = []
    for repeats in (1, 16, 128):  # 16 repetitions already reach the cap
        talk = Talk(key="k", title="Deep learning", speaker="s", abstract=_abstract(repeats))
        found = matcher.talk(talk)
        per_topic: dict[tuple[str, str], int] = {}
        for item in found:
            per_topic[(item.topic, item.field)] = per_topic.get((item.topic, item.field), 0) + 1
        assert found and max(per_topic.values()) <= MAX_EVIDENCE
        sizes.append(len(assignments_graph({"k": found}, [talk], minter)))
    assert sizes[0] < sizes[1] == sizes[2]  # capped: not 8x more for 8x the text
