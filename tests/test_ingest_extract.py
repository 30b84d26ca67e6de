"""Co-author and arXiv extraction from abstracts."""

from __future__ import annotations

import pytest

from talkgraph.ingest.extract import find_arxiv_ids, find_coauthors


def names(text: str) -> list[str]:
    found = find_coauthors(text)
    for name, start, end in found:
        assert text[start:end] == name
    return [m.name for m in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Joint work with Cheng Shi, Liming Pan, and Hong Hu.",
            ["Cheng Shi", "Liming Pan", "Hong Hu"],
        ),
        (
            "Joint work with Cheng Shi, Liming Pan and Hong Hu.",
            ["Cheng Shi", "Liming Pan", "Hong Hu"],
        ),
        (
            "This is joint work with Alex Damian and Mahdi Soltanolkotabi.",
            ["Alex Damian", "Mahdi Soltanolkotabi"],
        ),
        (
            "This is based on joint work with Cong Fang, Hangfeng He, and Qi Long "
            "(arXiv:2101.12699). The law",
            ["Cong Fang", "Hangfeng He", "Qi Long"],
        ),
        ("Done in collaboration with Ana de la Cruz; more later.", ["Ana de la Cruz"]),
        (
            "We study X together with Jean-Paul Sartre & Zoë O'Neil.",
            ["Jean-Paul Sartre", "Zoë O'Neil"],
        ),
        (
            "Joint with Michael I. Jordan and J. R. Smith. Then we go on.",
            ["Michael I. Jordan", "J. R. Smith"],
        ),
        ("Joint work with my students Li Wei and Bo Li at Stanford.", ["Li Wei", "Bo Li"]),
        (
            "based on joint work with Ludwig van Beethoven, Johann Sebastian Bach, and others.",
            ["Ludwig van Beethoven", "Johann Sebastian Bach"],
        ),
    ],
)
def test_coauthors_found(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We use the model to explain the neural collapse phenomenon of Papyan, Han, and Donoho.",
        "Following Papyan, Han and Donoho, we study collapse.",
        "We train it together with the loss function.",
        "This is joint work with colleagues at several universities.",
        "",
    ],
)
def test_cited_people_are_not_coauthors(text: str) -> None:
    assert names(text) == []


def test_two_collaboration_sentences() -> None:
    text = (
        "Based on joint work with Cong Fang, Hangfeng He, and Qi Long (arXiv:2101.12699). "
        "Also joint work with Hangfeng He (arXiv:2210.17020)."
    )
    assert names(text) == ["Cong Fang", "Hangfeng He", "Qi Long", "Hangfeng He"]


def ids(text: str) -> list[tuple[str, str | None]]:
    found = find_arxiv_ids(text)
    for arxiv_id, version, start, end in found:
        assert text[start:end] == arxiv_id + (version or "")
    return [(m.arxiv_id, m.version) for m in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(arXiv:2101.12699)", [("2101.12699", None)]),
        ("see arXiv: 2210.17020v2.", [("2210.17020", "v2")]),
        ("ArXiv 1501.00001", [("1501.00001", None)]),
        (
            "https://arxiv.org/abs/2301.12345v1 and arxiv.org/pdf/0704.0001.pdf",
            [("2301.12345", "v1"), ("0704.0001", None)],
        ),
        (
            "old: math/0601001, hep-th/9901001v1 and arXiv:cs.LG/0501001",
            [("math/0601001", None), ("hep-th/9901001", "v1"), ("cs.LG/0501001", None)],
        ),
        ("http://arxiv.org/abs/cond-mat/0211034", [("cond-mat/0211034", None)]),
    ],
)
def test_arxiv_found(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert ids(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "They train up to 2.5x faster; GPT2-1.5B and version 2101.12699 (no prefix).",
        "arXiv:2113.12345 has no month 13",
        "an index 1234.5678 or a path foo/math/0601001x",
        "arXiv:2101.123",
        "mathematics/0601001 is not an archive",
    ],
)
def test_arxiv_not_found(text: str) -> None:
    assert ids(text) == []
