"""Property tests: any input gives a Programme or an InputError, never another exception."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talkgraph.errors import InputError
from talkgraph.ingest import (
    load_programme,
    parse_structured,
    parse_text,
    to_structured,
    without_spans,
)
from talkgraph.ingest.document import parse_document
from talkgraph.model import Programme

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_word = st.text(alphabet=st.characters(categories=["Lu", "Ll"]), min_size=1, max_size=8)
_name = st.lists(_word, min_size=1, max_size=4).map(" ".join)
_line = st.one_of(
    _name,
    st.sampled_from(
        [
            "Confirmed Speakers",
            "Talk Details",
            "Title: A talk",
            "Title :",
            "Abstract",
            "Abstract: TBA",
            "University of Somewhere",
            "MIT",
            "Joint work with Ann Poe and Bo Li.",
            "See arXiv:2101.12699v2 and math/0601001.",
            "",
            "  ",
            "\u00a0",
            "TBA",
        ]
    ),
    st.text(max_size=40),
)


def _check(make: Any) -> Programme | None:
    start = time.perf_counter()
    try:
        result: Programme | None = make()
    except InputError as exc:
        assert exc.place is not None and exc.message
        result = None
    assert time.perf_counter() - start < 2.0
    return result


@SETTINGS
@given(st.text())
def test_any_text(text: str) -> None:
    _check(lambda: parse_text(text, "f.txt"))


@SETTINGS
@given(st.lists(_line, max_size=40), st.sampled_from(["\n", "\r\n", "\r"]))
def test_programme_like_text(lines: list[str], newline: str) -> None:
    p = _check(lambda: parse_text(newline.join(lines), "f.txt"))
    if p is not None:
        assert p.talks or p.roster
        for talk in p.talks:
            assert talk.title.text and talk.title.span is not None
        # anything the text parser reads survives the structured format
        back = parse_structured(to_structured(p), "f.txt")
        assert without_spans(back) == without_spans(p)


_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
_json = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
_talk = st.fixed_dictionaries(
    {"speaker": _name, "title": st.text(max_size=30)},
    optional={
        "institution": st.text(max_size=20),
        "abstract": st.text(max_size=80),
        "placeholder": _scalar,
        "coauthors": st.lists(st.text(max_size=15), max_size=3),
        "arxiv": st.lists(st.sampled_from(["2101.12699", "math/0601001v2", "1.5", ""]), max_size=2),
        "extra": _scalar,
    },
)
_programme = st.fixed_dictionaries(
    {},
    optional={
        "talks": st.lists(_talk, max_size=4),
        "roster": st.lists(st.fixed_dictionaries({"name": _name}), max_size=4),
        "event": st.dictionaries(
            st.sampled_from(["name", "start_date", "end_date", "identifier", "bogus"]),
            st.one_of(_scalar, st.sampled_from(["2023-06-05", "2023-02-30", "w-1"])),
            max_size=3,
        ),
    },
)


@SETTINGS
@given(st.one_of(_programme, _json))
def test_any_structured_data(data: Any) -> None:
    _check(lambda: parse_structured(data, "f.json"))


@SETTINGS
@given(st.text(max_size=200))
def test_any_yaml_text(text: str) -> None:
    def parse() -> Programme:
        data, marks = parse_document(text, "f.yaml")
        return parse_structured(data, "f.yaml", marks)

    _check(parse)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=300))
def test_any_file_bytes(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name in ("p.txt", "p.yaml", "p.json"):
            path = Path(tmp) / name
            path.write_bytes(data)
            _check(lambda path=path: load_programme(path))  # type: ignore[misc]
