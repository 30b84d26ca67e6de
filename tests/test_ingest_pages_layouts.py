"""The page reader on each layout real programme pages use (small pages written in those shapes).

Every test reads a page through ``parse_text`` (what ``talkgraph build`` does for a page) and
checks the talks, speakers, institutions, abstracts and bios it gives -- and what it must not
give: section headings as people, breaks as talks, link texts in titles, bios in abstracts.
"""

from __future__ import annotations

import pytest

from talkgraph.errors import InputError
from talkgraph.ingest import parse_text
from talkgraph.ingest.pages import understand
from talkgraph.model import Programme


def rows(p: Programme) -> list[tuple[str, str | None, str]]:
    return [
        (
            t.speaker.name.text,
            t.speaker.institution.text if t.speaker.institution else None,
            t.title.text,
        )
        for t in p.talks
    ]


# --------------------------------------------------------------------------- tables

MARKDOWN_TABLE = """\
# Seminar

| Date       | Speaker                 | Title |
| ---------- | ----------------------- | ----- |
| 2024-01-10 | Ada Lovelace (UCL) | [Notes on the Engine](https://arxiv.org/abs/2101.12699) |
| 2024-01-17 | **no seminar**          | |
| 2024-01-24 | Grace Hopper            | TBC |
| 2024-01-31 | Alan Turing             | in-person (room 3.14): Computable numbers |
| 2024-02-07 | Emmy Noether            | |
"""


def test_markdown_table_rows_with_breaks_placeholders_and_empty_titles() -> None:
    p = parse_text(MARKDOWN_TABLE, "seminar.md")
    assert rows(p) == [
        ("Ada Lovelace", "UCL", "Notes on the Engine"),
        ("Grace Hopper", None, "TBC"),
        ("Alan Turing", None, "Computable numbers"),
    ]
    assert p.talks[1].placeholder
    # the arXiv link target of the title is a citation; its line is the row's
    (ref,) = p.talks[0].citations
    assert ref.arxiv_id == "2101.12699" and ref.span is not None and ref.span.line == 5
    notes = understand(MARKDOWN_TABLE, "seminar.md").notes
    assert any(n.line == 9 and "Emmy Noether" in n.reason for n in notes)


COPIED_TABLE = (
    "Spring seminar\n"
    "Date\tSpeaker\tTitle\tLinks\n"
    "3 March\tMarie Curie (Sorbonne)\tRadioactive substances\tSlides Video\n"
    "10 March\tSpring break\t\t\n"
    "17 March\tLise Meitner\tNuclear fission\tSlides\n"
)


def test_tab_separated_rows_copied_from_a_browser() -> None:
    p = parse_text(COPIED_TABLE, "copied.txt")
    assert rows(p) == [
        ("Marie Curie", "Sorbonne", "Radioactive substances"),
        ("Lise Meitner", None, "Nuclear fission"),
    ]


HTML_TABLE = """<html><body>
<h2>Program</h2>
<table>
<tr><th>Time</th><th>Agenda item</th><th>Speaker</th><th>Material</th></tr>
<tr><td>9:00-9:15</td><td>Welcome and introduction</td><td>Ada Lovelace</td><td></td></tr>
<tr><td>9:15-9:45</td><td><details><summary>Presentation T1 - Difference engines</summary>
<b>Abstract:</b> We revisit the engine. This is joint work with Charles Babbage.</details></td>
<td>Ada Lovelace<br><span>University of London</span></td><td><a href="s.pdf">Slides</a></td></tr>
<tr><td>9:45-10:00</td><td>Coffee break</td><td></td><td></td></tr>
<tr><td>10:00-10:15</td><td>Round table discussion</td><td>Ada Lovelace</td><td></td></tr>
</table></body></html>"""


def test_html_table_with_details_abstract_and_affiliation_line() -> None:
    p = parse_text(HTML_TABLE, "program.html")
    assert rows(p) == [("Ada Lovelace", "University of London", "Difference engines")]
    talk = p.talks[0]
    assert talk.abstract is not None and talk.abstract.text.startswith("We revisit")
    assert [c.text for c in talk.coauthors] == ["Charles Babbage"]
    assert talk.title.span is not None and talk.title.span.line == 6


GRID = """\
|             | Monday                      | Tuesday |
|-------------|-----------------------------|---------|
| 9:00-10:30 | Yves Bertot (<a href="s1.pdf">Slides</a>) | Emily Riehl: Category theory *(online)* |
| *Coffee*    |
| 11:00-12:00 | *Introductions* | Jannis Limperg: A Taste of Lean (<a href="x">Material</a>) |
"""


def test_weekday_grid_cells() -> None:
    u = understand(GRID, "school.md")
    assert rows(u.programme) == [
        ("Emily Riehl", None, "Category theory"),
        ("Jannis Limperg", None, "A Taste of Lean"),
    ]
    assert any("Yves Bertot" in n.reason for n in u.notes)  # a lecture with no title


# --------------------------------------------------------------------------- one line per talk

ENTRIES = """\
## Invited talks

- **Julie Bergner**, [*Discreteness and completeness conditions*](/a.pdf) [[slides](/s.pdf)]
- **Mathieu Anel** and Jonathan Weinberger, [*Dependent type theories*](/b.pdf)
- Ingo Blechschmidt, **Felix Cherubini** and David Wärn, [*Čech Cohomology*](/c.pdf)

## Contributed talks

- [[Thomas Streicher]], _Various ways of splitting_ ([slides](http://x/y.pdf))
- 14:00-15:30: Mini-course "Optimal Transport in Machine Learning" by [Elsa Cazelles](http://e)
- May 14, 2020, 5pm: **Giulio Tiozzo** (University of Toronto, Canada), ***Central limits***
"""


def test_one_line_entries_with_emphasis_authors_and_stamps() -> None:
    p = parse_text(ENTRIES, "hott.md")
    assert rows(p) == [
        ("Julie Bergner", None, "Discreteness and completeness conditions"),
        ("Mathieu Anel", None, "Dependent type theories"),
        ("Felix Cherubini", None, "Čech Cohomology"),
        ("Thomas Streicher", None, "Various ways of splitting"),
        ("Elsa Cazelles", None, "Optimal Transport in Machine Learning"),
        ("Giulio Tiozzo", "University of Toronto, Canada", "Central limits"),
    ]
    assert [c.text for c in p.talks[1].coauthors] == ["Jonathan Weinberger"]
    assert [c.text for c in p.talks[2].coauthors] == ["Ingo Blechschmidt", "David Wärn"]
    # section headings are never people
    assert all("talks" not in t.speaker.name.text.lower() for t in p.talks)


SCHEDULE_LINES = """\
Monday, June 24
08:30 - 08:45 Intro
08:45 - 09:30 Sparse recovery beyond RIP Jane Smith, University of Oslo
09:30 - 10:00 Coffee
10:00 - 10:45 Learning to sample John Doe, ETH Zurich
"""


def test_schedule_lines_title_first_speaker_last() -> None:
    p = parse_text(SCHEDULE_LINES, "day.txt")
    assert rows(p) == [
        ("Jane Smith", "University of Oslo", "Sparse recovery beyond RIP"),
        ("John Doe", "ETH Zurich", "Learning to sample"),
    ]


# --------------------------------------------------------------------------- per-talk blocks

BLOCKS = """\
# Plenary Talks

Day 1

09:30-10:30: Ada (Countess) Lovelace (University of London)

**Notes on the Analytical Engine** [slides]

Abstract: The engine weaves algebraic patterns. Joint work with Charles Babbage.

Bio: Ada Lovelace is a mathematician.

Slides | Video

14h - Alan Turing (Princeton)

**On computable numbers**

We define computable numbers.
"""


def test_per_talk_blocks_with_bio_links_and_nickname() -> None:
    p = parse_text(BLOCKS, "plenary.md")
    assert rows(p) == [
        ("Ada (Countess) Lovelace", "University of London", "Notes on the Analytical Engine"),
        ("Alan Turing", "Princeton", "On computable numbers"),
    ]
    ada = p.talks[0]
    assert ada.abstract is not None and "mathematician" not in ada.abstract.text
    assert (
        ada.speaker.bio is not None and ada.speaker.bio.text == "Ada Lovelace is a mathematician."
    )
    assert [c.text for c in ada.coauthors] == ["Charles Babbage"]
    assert p.talks[1].abstract is not None
    assert p.talks[1].abstract.text == "We define computable numbers."


LABELS = """<ul>
<li><b>Speaker:</b> Joachim Bona-Pellissier</li>
<li><b>Where:</b> Microsoft Teams</li>
<li><b>Title:</b> Physics-informed kernel methods</li>
</ul>
<h3>Abstract:</h3>
<p>Kernel methods can learn with constraints.</p>
<h3>Bio of the speaker:</h3>
<p>He completed a PhD in Toulouse.</p>"""


def test_labelled_fields_and_bio_heading() -> None:
    p = parse_text(LABELS, "seminar.html")
    assert rows(p) == [("Joachim Bona-Pellissier", None, "Physics-informed kernel methods")]
    talk = p.talks[0]
    assert (
        talk.abstract is not None
        and talk.abstract.text == "Kernel methods can learn with constraints."
    )
    assert talk.speaker.bio is not None and "Toulouse" in talk.speaker.bio.text


def test_speakers_page_plenary_heading_is_not_a_person_and_slides_leave_titles() -> None:
    text = (
        "Plenary Talks\n"
        "Jane Doe\n"
        "University of Oslo\n"
        "Title: Sparse recovery [slides]\n"
        "Abstract: We recover signals.\n"
        "Bio: Jane works in Oslo.\n"
        "John Roe\n"
        "Title: Dense recovery (video)\n"
        "Abstract\n"
        "Dense things.\n"
    )
    p = parse_text(text, "plenary.txt")
    assert rows(p) == [
        ("Jane Doe", "University of Oslo", "Sparse recovery"),
        ("John Roe", None, "Dense recovery"),
    ]
    jane = p.talks[0]
    assert jane.abstract is not None and jane.abstract.text == "We recover signals."
    assert jane.speaker.bio is not None and jane.speaker.bio.text == "Jane works in Oslo."


def test_nothing_recognised_names_layouts_and_quotes_candidates() -> None:
    text = "Welcome to our workshop!\n\n10:00 - 10:45 something odd happens\n"
    with pytest.raises(InputError) as info:
        parse_text(text, "odd.txt")
    err = info.value
    assert err.place is not None and err.place.line == 3
    assert "Layouts talkgraph reads" in err.message and "line 3" in err.message
    assert "structured" in err.message


# --------------------------------------------------------------------------- schema.org data

JSON_LD = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Event", "name": "Workshop on Engines",
 "subEvent": [
  {"@type": "Event", "name": "Difference engines",
   "performer": {"@type": "Person", "name": "Ada Lovelace",
                 "affiliation": {"@type": "Organization", "name": "University of London"}},
   "description": "We revisit the engine. This is joint work with Charles Babbage."},
  {"@type": "EducationEvent", "name": "Computable numbers",
   "performer": [{"@type": "Person", "name": "Alan Turing"}]},
  {"@type": "Event", "name": "Coffee"}
 ]}
</script></head><body><p>The programme is loading…</p></body></html>"""

MICRODATA = """<div itemscope itemtype="https://schema.org/Event">
  <h3 itemprop="name">Radioactive substances</h3>
  <p itemprop="performer" itemscope itemtype="https://schema.org/Person">
    <span itemprop="name">Marie Curie</span>,
    <span itemprop="affiliation">Sorbonne</span></p>
  <p itemprop="description">Polonium and radium.</p>
</div>"""


def test_schema_org_json_ld_events() -> None:
    p = parse_text(JSON_LD, "engines.html")
    assert rows(p) == [
        ("Ada Lovelace", "University of London", "Difference engines"),
        ("Alan Turing", None, "Computable numbers"),
    ]
    assert [c.text for c in p.talks[0].coauthors] == ["Charles Babbage"]


def test_schema_org_microdata_events_not_doubled_by_the_visible_text() -> None:
    p = parse_text(MICRODATA, "curie.html")
    assert rows(p) == [("Marie Curie", "Sorbonne", "Radioactive substances")]
    assert p.talks[0].abstract is not None and p.talks[0].abstract.text == "Polonium and radium."


NEWTON = """\
- 0945-1000 Welcome
- 1000-1100 Anthony BLOCH, University of Michigan "Discrete computations and gradient flows"
- 1100-1130 Coffee
- 1130-1230 Mikhail GROMOV, IHES Paris Title to be announced

Abstracts

Discrete computations and gradient flows
We relate discrete algorithms to flows. This is joint work with Roger Brockett.
"""


def test_schedule_with_capitalised_surnames_quoted_titles_and_a_title_only_abstracts_section() -> (
    None
):
    p = parse_text(NEWTON, "newton.txt")
    assert rows(p) == [
        ("Anthony BLOCH", "University of Michigan", "Discrete computations and gradient flows"),
        ("Mikhail GROMOV", "IHES Paris", "Title to be announced"),
    ]
    assert p.talks[1].placeholder
    bloch = p.talks[0]
    assert bloch.abstract is not None and bloch.abstract.text.startswith("We relate")
    assert [c.text for c in bloch.coauthors] == ["Roger Brockett"]


def test_a_long_programme_reads_in_linear_time() -> None:
    """3000 rows of one speaker: every talk kept, no pairwise comparison of all talks."""
    import time

    rows_md = "".join(f"| 2024 | Grace Hopper | Talk {i} about compilers |\n" for i in range(3000))
    start = time.perf_counter()
    p = parse_text("| Date | Speaker | Title |\n|---|---|---|\n" + rows_md, "long.md")
    assert len(p.talks) == 3000
    assert time.perf_counter() - start < 30  # quadratic merging took minutes


# --------------------------------------------------------------------------- several speakers

TWO_SPEAKERS = """\
# Webinar series

| Date       | Speakers                                   | Title |
| ---------- | ------------------------------------------ | ----- |
| 2024-03-05 | Ada Lovelace (UCL) and Alan Turing (Manchester) | Engines that compute |
| 2024-03-12 | Grace Hopper (Navy)                        | Compilers for everyone |
"""


def test_a_talk_given_by_several_people_keeps_every_speaker() -> None:
    programme = parse_text(TWO_SPEAKERS, "webinar.md")
    talks = {t.title.text: t for t in programme.talks}
    joint = talks["Engines that compute"]
    assert [
        (s.name.text, s.institution.text if s.institution else None) for s in joint.speakers
    ] == [
        ("Ada Lovelace", "UCL"),
        ("Alan Turing", "Manchester"),
    ]
    assert [s.name.text for s in talks["Compilers for everyone"].speakers] == ["Grace Hopper"]
