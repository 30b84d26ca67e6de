"""Resolution of a small crafted programme (also the input of the RDF golden test)."""

from __future__ import annotations

from talkgraph.model import (
    ArxivRef,
    EventInfo,
    KnowledgeModel,
    Mention,
    Programme,
    Span,
    SpeakerEntry,
    TalkEntry,
)
from talkgraph.registry import Registry
from talkgraph.resolve import resolve

SRC = "crafted.txt"


def m(text: str, line: int, start: int = 0) -> Mention:
    """A mention of ``text`` on ``line``, starting at column ``start``."""
    return Mention(text, Span(SRC, line, start, start + len(text)))


def crafted_programme() -> Programme:
    """Two roster speakers (one without institution), a talk-only speaker who is also a
    co-author, a TBA talk, an arXiv citation and an institution that is not in the registry.

    The roster writes ``Zoë``/``ETH Zürich``; the talk details ``Zoe``/``ETH Zurich``.
    """
    abstract = "We study graphs. Joint work with Mira Quant-Lee. See arXiv:2101.12699v2."
    return Programme(
        source=SRC,
        roster_heading="Speakers",
        roster=(
            SpeakerEntry(m("Zoë van der Berg", 2), m("ETH Zürich", 3)),
            SpeakerEntry(m("Jan Novák", 4)),
        ),
        talks=(
            TalkEntry(
                speaker=SpeakerEntry(m("Zoe van der Berg", 6), m("ETH Zurich", 7)),
                title=m("Learning on Graphs", 8, 7),
                abstract=m(abstract, 10),
                coauthors=(m("Mira Quant-Lee", 10, 33),),
                citations=(ArxivRef("2101.12699", "v2", Span(SRC, 10, 58, 72)),),
            ),
            TalkEntry(
                speaker=SpeakerEntry(m("Jan Novák", 11)),
                title=m("TBA", 12, 7),
                placeholder=True,
            ),
            TalkEntry(
                speaker=SpeakerEntry(
                    m("Mira Quant-Lee", 13), m("Institute of Imaginary Studies", 14)
                ),
                title=m("Sparse Recovery", 15, 7),
                abstract=m("Recovering sparse signals.", 17),
            ),
        ),
        event=EventInfo(
            name="Crafted Workshop",
            start_date="2024-05-02",
            url="https://example.org/crafted",
            licence="https://creativecommons.org/licenses/by/4.0/",
        ),
    )


def crafted_model() -> KnowledgeModel:
    return resolve([crafted_programme()], Registry.load())


def test_crafted_people_are_merged_and_split() -> None:
    model = crafted_model()
    assert list(model.people) == ["zoe-van-der-berg", "jan-novak", "mira-quant-lee"]
    zoe = model.people["zoe-van-der-berg"]
    assert zoe.name == "Zoë van der Berg"
    assert (zoe.given_name, zoe.family_name) == ("Zoë", "van der Berg")
    assert zoe.on_roster and zoe.affiliation == "eth-zurich"
    assert [s.line for s in zoe.spans] == [2, 6]
    mira = model.people["mira-quant-lee"]
    assert (mira.given_name, mira.family_name) == ("Mira", "Quant-Lee")
    assert not mira.on_roster
    assert mira.affiliation == "institute-of-imaginary-studies"
    assert model.people["jan-novak"].affiliation is None


def test_crafted_institutions_and_warnings() -> None:
    model = crafted_model()
    assert list(model.institutions) == ["eth-zurich", "institute-of-imaginary-studies"]
    eth = model.institutions["eth-zurich"]
    assert eth.in_registry and eth.country == "CH" and eth.kind == "university"
    assert eth.alternate_names == ["ETH Zürich"]
    unknown = model.institutions["institute-of-imaginary-studies"]
    assert not unknown.in_registry and unknown.kind == "organization" and unknown.country is None
    assert model.warnings == [
        "institution 'Institute of Imaginary Studies' is not in the registry (crafted.txt:14)"
    ]


def test_crafted_talks_and_event() -> None:
    model = crafted_model()
    assert list(model.talks) == [
        "zoe-van-der-berg-learning-on-graphs",
        "jan-novak-tba",
        "mira-quant-lee-sparse-recovery",
    ]
    first = model.talks["zoe-van-der-berg-learning-on-graphs"]
    assert first.coauthors == ["mira-quant-lee"]
    assert [c.arxiv_id for c in first.citations] == ["2101.12699"]
    assert [t.position for t in model.talks.values()] == [1, 2, 3]
    assert model.talks["jan-novak-tba"].placeholder
    (event,) = model.events
    assert event.key == "crafted-workshop"
    assert event.performers == ["zoe-van-der-berg", "jan-novak"]
    assert event.talks == list(model.talks)
