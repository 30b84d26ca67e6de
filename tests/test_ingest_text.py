"""The plain-text programme parser: the seed page and crafted variations."""

from __future__ import annotations

from pathlib import Path

import pytest

from talkgraph.errors import InputError
from talkgraph.ingest import load_programme, parse_text
from talkgraph.model import Programme, Span

SEED = Path(__file__).resolve().parents[1] / "data" / "workshop-programme.txt"


@pytest.fixture(scope="module")
def seed() -> Programme:
    return load_programme(SEED)


def _at(span: Span | None) -> str:
    """The text a span points at in the seed file."""
    assert span is not None
    line = SEED.read_text(encoding="utf-8").split("\n")[span.line - 1]
    return line[span.start : span.end]


def _talk(p: Programme, name: str):  # type: ignore[no-untyped-def]
    return next(t for t in p.talks if t.speaker.name.text == name)


# --------------------------------------------------------------------------- the seed


def test_seed_counts_and_heading(seed: Programme) -> None:
    assert seed.source == "workshop-programme.txt"
    assert seed.roster_heading == "Confirmed Speakers"
    assert len(seed.roster) == 18
    assert len(seed.talks) == 20


def test_seed_roster_pairs(seed: Programme) -> None:
    pairs = {s.name.text: s.institution.text if s.institution else None for s in seed.roster}
    assert pairs["Misha Belkin"] == "UC San Diego"
    assert pairs["Beidi Chen"] == "Meta"
    assert pairs["Simon Du"] == "University of Washington"
    assert pairs["Jason Lee"] == "Princeton"
    assert pairs["Rina Panigrahy"] is None
    assert pairs["Qing Qu"] == "UMich"  # right after the speaker without institution
    assert pairs["René Vidal"] == "Johns Hopkins"
    assert pairs["Yu-Xiang Wang"] == "UCSB"
    assert pairs["Fanny Yang"] == "ETH Zurich"
    assert "Tomaso Poggio" not in pairs and "Mahdi Soltanolkotabi" not in pairs
    assert not any(n.startswith("Clicking") for n in pairs)


def test_seed_talk_speakers_only_in_details(seed: Programme) -> None:
    poggio = _talk(seed, "Tomaso Poggio")
    assert poggio.speaker.institution is not None and poggio.speaker.institution.text == "MIT"
    mahdi = _talk(seed, "Mahdi Soltanolkotabi")
    assert mahdi.speaker.institution is not None and mahdi.speaker.institution.text == "USC"
    assert _talk(seed, "Rina Panigrahy").speaker.institution is None


def test_seed_titles_exact(seed: Programme) -> None:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    expected = [ln[len("Title: ") :].strip() for ln in lines if ln.startswith("Title: ")]
    assert [t.title.text for t in seed.talks] == expected
    assert seed.talks[0].title.text == "Why do neural models need so many parameters?"
    assert _talk(seed, "Rina Panigrahy").title.text == "How to learn a Table of Concepts?"
    assert not any(t.placeholder for t in seed.talks)


def test_seed_spans_point_at_their_text(seed: Programme) -> None:
    for entry in seed.roster:
        assert _at(entry.name.span) == entry.name.text
        if entry.institution:
            assert _at(entry.institution.span) == entry.institution.text
    for talk in seed.talks:
        assert _at(talk.title.span) == talk.title.text
        assert _at(talk.speaker.name.span) == talk.speaker.name.text
        assert talk.abstract is not None
        assert talk.abstract.text.startswith(_at(talk.abstract.span))
    assert seed.talks[0].title.span == Span("workshop-programme.txt", 41, 7, 52)
    assert seed.roster[0].name.span == Span("workshop-programme.txt", 3, 0, 12)


def test_seed_coauthors(seed: Programme) -> None:
    names = {t.speaker.name.text: [c.text for c in t.coauthors] for t in seed.talks}
    assert names["Ivan Dokmanić"] == ["Cheng Shi", "Liming Pan", "Hong Hu"]
    assert names["Jason Lee"] == ["Alex Damian", "Mahdi Soltanolkotabi"]
    assert names["Weijie Su"] == ["Cong Fang", "Hangfeng He", "Qi Long", "Hangfeng He"]
    assert sum(bool(v) for v in names.values()) == 3  # Papyan, Han, Donoho are only cited
    for talk in seed.talks:
        for c in talk.coauthors:
            assert _at(c.span) == c.text


def test_seed_arxiv(seed: Programme) -> None:
    refs = [(r.arxiv_id, r.version) for t in seed.talks for r in t.citations]
    assert refs == [("2101.12699", None), ("2210.17020", None)]
    for ref in _talk(seed, "Weijie Su").citations:
        assert _at(ref.span) == ref.arxiv_id


# --------------------------------------------------------------------------- variations

ROSTER_ONLY = """\
Invited Speakers:
Our speakers are listed in alphabetical order below.
Ada Lovelace
University of London
Grace Hopper
Alan Turing
Princeton
Sofia Kovalevskaya
KTH
Marie-Anne de la Cruz
Université Paris-Saclay
Ludwig van der Berg
TU Delft
Zoë O'Neil
University of California, Berkeley
"""


def test_roster_only_shapes() -> None:
    p = parse_text(ROSTER_ONLY, "roster.txt")
    assert p.talks == ()
    assert p.roster_heading == "Invited Speakers"
    pairs = [(s.name.text, s.institution.text if s.institution else None) for s in p.roster]
    assert pairs == [
        ("Ada Lovelace", "University of London"),
        ("Grace Hopper", None),
        ("Alan Turing", "Princeton"),
        ("Sofia Kovalevskaya", "KTH"),
        ("Marie-Anne de la Cruz", "Université Paris-Saclay"),
        ("Ludwig van der Berg", "TU Delft"),
        ("Zoë O'Neil", "University of California, Berkeley"),
    ]


def test_talk_details_disambiguate_roster() -> None:
    # "Bletchley Park" looks like a name; the talk details say it is Alan Turing's institution.
    text = """\
Speakers
Alan Turing
Bletchley Park
Ada Lovelace
Talk Details
Alan Turing
Bletchley Park
Title: Computable numbers
Abstract
On computable numbers.
Ada Lovelace
Title: The analytical engine
Abstract
Notes.
"""
    p = parse_text(text, "t.txt")
    assert [(s.name.text, s.institution and s.institution.text) for s in p.roster] == [
        ("Alan Turing", "Bletchley Park"),
        ("Ada Lovelace", None),
    ]
    assert p.talks[1].speaker.institution is None
    assert p.talks[0].abstract is not None and p.talks[0].abstract.text == "On computable numbers."


SMALL = """\
Keynote Speakers
Emmy Noether
Göttingen University
Kurt Gödel

Talks
Kurt Gödel
Title :  On formally undecidable propositions
Abstract: We show that any consistent system is incomplete.

A second paragraph
continues on a wrapped line.
Emmy Noether
Göttingen University
TITLE: TBA
abstract
TBA
Hermann Weyl
Institute for Advanced Study, Princeton
Title - Symmetry
"""


def test_small_programme_variations() -> None:
    p = parse_text(SMALL, "small.txt")
    assert [s.name.text for s in p.roster] == ["Emmy Noether", "Kurt Gödel"]
    assert len(p.talks) == 3
    godel, noether, weyl = p.talks
    assert godel.speaker.institution is None
    assert godel.title.text == "On formally undecidable propositions"
    assert godel.abstract is not None
    assert godel.abstract.text == (
        "We show that any consistent system is incomplete.\n\n"
        "A second paragraph continues on a wrapped line."
    )
    assert godel.abstract.span == Span("small.txt", 9, 10, 59)
    assert noether.placeholder and noether.title.text == "TBA"
    assert not godel.placeholder
    assert weyl.speaker.institution is not None
    assert weyl.speaker.institution.text == "Institute for Advanced Study, Princeton"
    assert weyl.title.text == "Symmetry" and weyl.abstract is None


@pytest.mark.parametrize("placeholder", ["TBA", "tbd", "To be announced", "TBC.", "(TBA)"])
def test_placeholder_abstracts(placeholder: str) -> None:
    p = parse_text(f"Jane Doe\nTitle: Something\nAbstract\n{placeholder}\n", "p.txt")
    assert p.talks[0].placeholder


def test_windows_endings_bom_nbsp_and_blank_runs() -> None:
    text = (
        "\ufeffConfirmed Speakers\r\n\r\n\r\nAda\u00a0Lovelace   \r\nUniversity of London\r\n"
        "\r\nTalk Details\r\nAda Lovelace\r\nUniversity\u00a0of London \r\n"
        "Title:\u00a0Notes on the engine  \r\nAbstract\r\n\r\n\r\n  Joint work with Charles "
        "Babbage.\r\n"
    )
    p = parse_text(text, "win.txt")
    assert p.roster[0].name.text == "Ada Lovelace"
    assert p.roster[0].name.span == Span("win.txt", 4, 0, 12)
    talk = p.talks[0]
    assert talk.speaker.institution is not None
    assert talk.speaker.institution.text == "University of London"
    assert talk.title.text == "Notes on the engine"
    assert talk.abstract is not None and talk.abstract.text == "Joint work with Charles Babbage."
    assert [(c.text, c.span) for c in talk.coauthors] == [
        ("Charles Babbage", Span("win.txt", 14, 18, 33))
    ]


def test_wrapped_abstract_facts_keep_their_line() -> None:
    text = (
        "Jane Doe\nACME Labs\nTitle: T\nAbstract\nFirst line here.\nThis is joint work with\n"
        "John Roe and Ann Poe (arXiv:2301.00001v3).\n"
    )
    talk = parse_text(text, "w.txt").talks[0]
    assert [c.text for c in talk.coauthors] == ["John Roe", "Ann Poe"]
    assert talk.coauthors[0].span == Span("w.txt", 7, 0, 8)
    assert [(r.arxiv_id, r.version, r.span) for r in talk.citations] == [
        ("2301.00001", "v3", Span("w.txt", 7, 28, 40))
    ]


def test_speaker_without_institution_then_speaker_with() -> None:
    text = (
        "Talks\nJane Doe\nTitle: A\nJohn Roe\nMIT\nTitle: B\nJin Li\nTitle: C\nAbstract\nX y z.\n"
    )
    p = parse_text(text, "x.txt")
    got = [
        (t.speaker.name.text, t.speaker.institution and t.speaker.institution.text) for t in p.talks
    ]
    assert got == [("Jane Doe", None), ("John Roe", "MIT"), ("Jin Li", None)]


# --------------------------------------------------------------------------- errors


def _error(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        parse_text(text, "bad.txt")
    return info.value


def test_title_without_speaker() -> None:
    err = _error("Talk Details\nTitle: Orphan\nAbstract\nText.\n")
    assert err.place is not None and err.place.file == "bad.txt" and err.place.line == 2
    assert "speaker" in err.message
    assert _error("Title: First line orphan\n").place.line == 1  # type: ignore[union-attr]


def test_nothing_found() -> None:
    err = _error("Just some prose here.\nAnd more of it, with no structure.\n")
    assert "no speaker roster" in err.message and err.place is not None
    assert _error("   \n\n").message == "input is empty"


def test_file_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"Speakers\nAda\x00\x01\x02")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Speakers\nRené Vidal\n".encode("latin-1"))
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (5 * 1024 * 1024 + 1))
    cases = {empty: (None, "empty"), binary: (2, "binary"), latin: (2, "UTF-8"), big: (None, "MB")}
    for path, (line, words) in cases.items():
        with pytest.raises(InputError) as info:
            load_programme(path)
        assert info.value.place is not None and info.value.place.file == path.name
        assert info.value.place.line == line
        assert words in info.value.message
    with pytest.raises(InputError):
        load_programme(tmp_path / "missing.txt")


def test_source_is_file_name(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text("Speakers\nAda Lovelace\n", encoding="utf-8")
    p = load_programme(str(path))
    assert p.source == "page.md" and p.roster[0].name.span == Span("page.md", 2, 0, 12)


@pytest.mark.parametrize(
    ("roster_heading", "talks_heading"),
    [
        ("Confirmed Speakers", "Talk Details"),
        ("invited speakers:", "Talks:"),
        ("KEYNOTE SPEAKERS", "Abstracts"),
        ("Plenary Speakers", "Titles and Abstracts"),
        ("Keynotes", "Schedule"),
        ("Speakers:", "Programme"),
    ],
)
def test_heading_variants(roster_heading: str, talks_heading: str) -> None:
    text = (
        f"{roster_heading}\nAda Lovelace\nMeta\nAlan Turing\n{talks_heading}\n"
        "Alan Turing\nTitle: On numbers\nAbstract\nText.\n"
    )
    p = parse_text(text, "h.txt")
    assert p.roster_heading == roster_heading.rstrip(":")
    assert [(s.name.text, s.institution is not None) for s in p.roster] == [
        ("Ada Lovelace", True),
        ("Alan Turing", False),
    ]
    assert [t.title.text for t in p.talks] == ["On numbers"]


def test_bare_markers_take_the_next_line() -> None:
    text = (
        "Talks\nJane Doe\nACME Research\nTitle:\nA Title On Its Own Line\nJin Li\nTitle: B\n"
        "Abstract\nShort Capitalised Line\nPlato\nTitle: Republic\n"
    )
    p = parse_text(text, "m.txt")
    got = [(t.speaker.name.text, t.title.text) for t in p.talks]
    assert got == [("Jane Doe", "A Title On Its Own Line"), ("Jin Li", "B"), ("Plato", "Republic")]
    assert p.talks[0].title.span == Span("m.txt", 5, 0, 23)
    assert p.talks[0].abstract is None
    assert p.talks[1].abstract is not None
    assert p.talks[1].abstract.text == "Short Capitalised Line"
    assert p.talks[1].speaker.institution is None and p.talks[2].speaker.institution is None


def test_title_without_title() -> None:
    err = _error("Jane Doe\nTitle:\nAbstract\nText.\n")
    assert err.place is not None and err.place.line == 2 and "no title" in err.message
