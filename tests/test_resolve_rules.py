"""Resolution rules: merging people, name splitting, affiliations, keys, determinism."""

from __future__ import annotations

import pytest

from talkgraph.iris import Minter
from talkgraph.model import EventInfo, Mention, Programme, Span, SpeakerEntry, TalkEntry
from talkgraph.rdf import canonical_ntriples, to_graph
from talkgraph.registry import Registry
from talkgraph.resolve import resolve, split_name


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load()


def m(text: str, line: int = 1, file: str = "p.txt") -> Mention:
    return Mention(text, Span(file, line, 0, len(text)))


def speaker(name: str, inst: str | None = None, line: int = 1) -> SpeakerEntry:
    return SpeakerEntry(m(name, line), m(inst, line + 1) if inst else None)


def talk(name: str, title: str, inst: str | None = None, **kw: object) -> TalkEntry:
    return TalkEntry(speaker=speaker(name, inst), title=m(title), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "given", "family"),
    [
        ("Ada Lovelace", "Ada", "Lovelace"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Zoë van der Berg", "Zoë", "van der Berg"),
        ("Maria de la Cruz", "Maria", "de la Cruz"),
        ("Vincent Van Gogh", "Vincent Van", "Gogh"),
        ("Yu-Xiang Wang", "Yu-Xiang", "Wang"),
        ("Jean-Luc Martin-Dupont", "Jean-Luc", "Martin-Dupont"),
        ("John Ronald Reuel Tolkien", "John Ronald Reuel", "Tolkien"),
        ("Martin Luther King Jr.", "Martin Luther", "King"),
        ("Martin King, Jr.", "Martin", "King"),
        ("van Helsing", "van", "Helsing"),
        ("  Ada   Lovelace ", "Ada", "Lovelace"),
    ],
)
def test_split_name(name: str, given: str, family: str) -> None:
    assert split_name(name) == (given, family)


def test_single_token_name_is_not_split() -> None:
    assert split_name("Plato") == (None, None)


def test_diacritic_variants_merge_and_keep_the_accented_form(registry: Registry) -> None:
    prog = Programme(
        source="p.txt",
        roster=(speaker("Ivan Dokmanic", "University of Basel"),),
        talks=(talk("Ivan  Dokmanić", "Graphs"),),
    )
    model = resolve([prog], registry)
    assert list(model.people) == ["ivan-dokmanic"]
    assert model.people["ivan-dokmanic"].name == "Ivan Dokmanić"
    assert model.people["ivan-dokmanic"].family_name == "Dokmanić"


def test_first_form_wins_without_diacritics(registry: Registry) -> None:
    prog = Programme(source="p.txt", talks=(talk("ada lovelace", "A"), talk("Ada Lovelace", "B")))
    assert resolve([prog], registry).people["ada-lovelace"].name == "ada lovelace"


def test_coauthor_who_speaks_is_one_person(registry: Registry) -> None:
    prog = Programme(
        source="p.txt",
        roster=(speaker("Jason Doe", "Princeton"), speaker("Mahdi Roe", "USC")),
        talks=(
            talk("Jason Doe", "Features", "Princeton", coauthors=(m("Alex Poe"), m("Mahdi Roe"))),
            talk("Mahdi Roe", "Imaging", "USC", coauthors=(m("Mahdi Roe"),)),
        ),
    )
    model = resolve([prog], registry)
    assert list(model.people) == ["jason-doe", "mahdi-roe", "alex-poe"]
    first, second = model.talks.values()
    assert first.coauthors == ["alex-poe", "mahdi-roe"]
    assert second.coauthors == []  # a speaker is not their own co-author
    assert model.people["alex-poe"].affiliation is None
    assert not model.people["alex-poe"].on_roster


def test_roster_affiliation_wins_with_a_warning(registry: Registry) -> None:
    prog = Programme(
        source="p.txt",
        roster=(speaker("Ada Lovelace", "UCLA", line=3),),
        talks=(TalkEntry(speaker=speaker("Ada Lovelace", "Stanford", line=10), title=m("T", 12)),),
    )
    model = resolve([prog], registry)
    person = model.people["ada-lovelace"]
    assert model.institutions[person.affiliation or ""].name == (
        "University of California, Los Angeles"
    )
    assert list(model.institutions) == ["university-of-california-los-angeles"]
    (warning,) = model.warnings
    assert "Ada Lovelace" in warning and "Stanford" in warning and "p.txt:11" in warning


def test_talk_details_give_the_affiliation_when_the_roster_has_none(registry: Registry) -> None:
    prog = Programme(
        source="p.txt", roster=(speaker("Ada Lovelace"),), talks=(talk("Ada Lovelace", "T", "MIT"),)
    )
    model = resolve([prog], registry)
    assert model.people["ada-lovelace"].affiliation == "massachusetts-institute-of-technology"
    assert model.warnings == []


def test_institution_variants_are_one_with_alternate_names(registry: Registry) -> None:
    prog = Programme(
        source="p.txt",
        roster=(speaker("A One", "ETH Zürich", 1), speaker("B Two", "ETH Zurich", 3)),
        talks=(TalkEntry(speaker=speaker("C Three", "ETH  Zürich", 5), title=m("T", 7)),),
    )
    model = resolve([prog], registry)
    assert list(model.institutions) == ["eth-zurich"]
    eth = model.institutions["eth-zurich"]
    assert eth.alternate_names == ["ETH Zürich"]
    assert len(eth.spans) == 3
    assert {p.affiliation for p in model.people.values()} == {"eth-zurich"}


def test_unknown_institution_is_kept_and_warned_once(registry: Registry) -> None:
    prog = Programme(
        source="p.txt",
        roster=(speaker("A One", "Acme Labs", line=5), speaker("B Two", "ACME Labs", line=7)),
    )
    model = resolve([prog], registry)
    acme = model.institutions["acme-labs"]
    assert (acme.name, acme.kind, acme.in_registry, acme.country) == (
        "Acme Labs",
        "organization",
        False,
        None,
    )
    assert acme.alternate_names == ["ACME Labs"]
    assert model.warnings == ["institution 'Acme Labs' is not in the registry (p.txt:6)"]


def test_talk_key_collisions_get_suffixes(registry: Registry) -> None:
    prog = Programme(
        source="p.txt",
        talks=(talk("Ada Lovelace", "TBA", placeholder=True),) * 3
        + (talk("Ada Lovelace", "Engines"),),
    )
    model = resolve([prog], registry)
    assert list(model.talks) == [
        "ada-lovelace-tba",
        "ada-lovelace-tba-2",
        "ada-lovelace-tba-3",
        "ada-lovelace-engines",
    ]
    assert [t.position for t in model.talks.values()] == [1, 2, 3, 4]


def test_long_titles_are_truncated_in_keys(registry: Registry) -> None:
    title = "A very long title about many things " * 5
    model = resolve([Programme(source="p.txt", talks=(talk("Ada Lovelace", title),))], registry)
    (key,) = model.talks
    assert key.startswith("ada-lovelace-a-very-long-title")
    assert len(key) <= len("ada-lovelace-") + 64


def test_event_keys(registry: Registry) -> None:
    progs = [
        Programme(source="data/spring-ws.txt"),
        Programme(source="x.txt", event=EventInfo(name="Deep Theory Workshop")),
        Programme(source="y.txt", event=EventInfo(name="N", identifier="dtw-2023")),
        Programme(source="other/spring-ws.md"),
    ]
    model = resolve(progs, registry)
    assert [e.key for e in model.events] == [
        "spring-ws",
        "deep-theory-workshop",
        "dtw-2023",
        "spring-ws-2",
    ]


def test_performers_are_roster_people_in_roster_order(registry: Registry) -> None:
    prog = Programme(
        source="p.txt",
        roster=(speaker("B Two"), speaker("A One")),
        talks=(talk("A One", "x"), talk("C Three", "y"), talk("B Two", "z")),
    )
    model = resolve([prog], registry)
    (event,) = model.events
    assert event.performers == ["b-two", "a-one"]
    assert not model.people["c-three"].on_roster
    assert event.talks == list(model.talks)


def test_people_merge_across_programmes(registry: Registry) -> None:
    one = Programme(source="a.txt", roster=(speaker("René Vidal", "Johns Hopkins"),))
    two = Programme(source="b.txt", talks=(talk("Rene Vidal", "Subspaces", "JHU"),))
    model = resolve([one, two], registry)
    assert list(model.people) == ["rene-vidal"]
    assert model.people["rene-vidal"].affiliation == "johns-hopkins-university"
    assert model.institutions["johns-hopkins-university"].alternate_names == [
        "Johns Hopkins",
        "JHU",
    ]
    assert model.warnings == []


def test_determinism(registry: Registry) -> None:
    prog = Programme(
        source="p.txt",
        roster=(speaker("Zoë Berg", "ETH Zürich"), speaker("Al Bo", "Nowhere Inc")),
        talks=(
            talk("Zoe Berg", "Graphs", "ETH Zurich", coauthors=(m("Al Bo"), m("Cy Do"))),
            talk("Al Bo", "TBA", placeholder=True),
            talk("Al Bo", "TBA", placeholder=True),
        ),
        event=EventInfo(name="W", start_date="2023-01-05T09:00:00"),
    )
    texts = {canonical_ntriples(to_graph(resolve([prog], registry), Minter())) for _ in range(2)}
    assert len(texts) == 1
    assert '"2023-01-05T09:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>' in texts.pop()
