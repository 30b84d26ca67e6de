"""Importers of conference tools' exports: the real samples against their hand-written expected
results, detection by content then suffix, ``fmt`` forcing a format, and clear errors."""

from __future__ import annotations

import html
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from talkgraph.errors import InputError
from talkgraph.ingest import load_programme
from talkgraph.ingest.importers import detect
from talkgraph.ingest.importers.common import is_break, split_affiliation, split_people
from talkgraph.model import Programme

EXPORTS = Path(__file__).parent / "data" / "real" / "exports"
SAMPLES = sorted(p for p in EXPORTS.iterdir() if (EXPORTS / f"{p.name}.expected.yaml").exists())
FORMATS = {".xml": "frab", ".json": "c3voc", ".ics": "ical", ".csv": "csv", ".xlsx": "xlsx"}


def expected(path: Path) -> list[dict[str, Any]]:
    talks: list[dict[str, Any]] = yaml.safe_load(
        (EXPORTS / f"{path.name}.expected.yaml").read_text(encoding="utf-8")
    )["talks"]
    return talks


@pytest.fixture(scope="module", params=SAMPLES, ids=[p.name for p in SAMPLES])
def sample(request: pytest.FixtureRequest) -> tuple[Path, Programme]:
    path: Path = request.param
    return path, load_programme(path)


def test_there_is_a_real_sample_per_format() -> None:
    assert {p.suffix for p in SAMPLES} == set(FORMATS)


def test_every_talk_title_and_speaker_is_read(sample: tuple[Path, Programme]) -> None:
    path, programme = sample
    want = [(t["title"], t["speakers"]) for t in expected(path)]
    got = [(t.title.text, [s.name.text for s in t.speakers]) for t in programme.talks]
    assert got == want


def test_times_rooms_and_tracks_are_kept(sample: tuple[Path, Programme]) -> None:
    path, programme = sample
    checked = 0
    for talk, want in zip(programme.talks, expected(path), strict=True):
        for key in ("start", "end", "room", "track"):
            if key in want:
                assert getattr(talk, key) == want[key], (talk.title.text, key)
                checked += 1
    assert checked


def test_arxiv_ids_in_abstracts_are_found(sample: tuple[Path, Programme]) -> None:
    path, programme = sample
    for talk, want in zip(programme.talks, expected(path), strict=True):
        assert [c.arxiv_id for c in talk.citations] == want.get("arxiv", [])


def test_no_person_the_file_does_not_name(sample: tuple[Path, Programme]) -> None:
    path, programme = sample
    raw = path.read_bytes()
    if path.suffix == ".xlsx":
        return  # a zip: its strings are compressed
    text = html.unescape(raw.decode("utf-8")).replace('\\"', '"')  # XML entities, JSON quotes
    for talk in programme.talks:
        for person in (*talk.speakers, *talk.authors):
            assert person.name.text in text
            if person.institution is not None:
                assert person.institution.text in text


def test_a_frab_export_keeps_ids_tracks_and_the_conference() -> None:
    programme = load_programme(EXPORTS / "31c3-schedule.xml")
    assert programme.event.name == "31. Chaos Communication Congress"
    assert (programme.event.start_date, programme.event.end_date) == ("2014-12-27", "2014-12-31")
    first = programme.talks[0]
    assert first.identifier == "29aecfd7-2e44-4f49-ab86-29b5e0877325"
    assert [s.identifier for s in first.speakers] == ["1544", "3874"]
    # an event after midnight, given with its full date
    assert programme.talks[10].start == "2014-12-28T00:00:00+01:00"


def test_a_c3voc_export_splits_the_affiliation_written_in_a_name() -> None:
    programme = load_programme(EXPORTS / "camp2019-schedule.json")
    talk = next(t for t in programme.talks if t.title.text.startswith("Reporting"))
    assert [(s.name.text, s.institution and s.institution.text) for s in talk.speakers] == [
        ("Chloé Berthélémy", "EDRi"),
        ("Andreea Belu", "EDRi"),
    ]
    assert all(s.identifier and s.identifier.isdigit() for s in talk.speakers)  # frab person ids


def test_a_spreadsheet_row_with_two_presenters_pairs_their_institutions() -> None:
    programme = load_programme(EXPORTS / "macsi-ay25-26-sem1.csv")
    talk = programme.talks[0]
    assert [(s.name.text, s.institution and s.institution.text) for s in talk.speakers] == [
        ("Hlib Husarov", "Mary Immaculate Secondary School, Lisdoonvarna"),
        ("Eberhard Mayerhofer", "University of Limerick"),
    ]
    assert talk.title.span is not None and talk.title.span.line == 2


def test_an_xlsx_header_below_a_note_row_is_found() -> None:
    programme = load_programme(EXPORTS / "macsi-ay23-24-sem2.xlsx")
    assert programme.talks[0].start == "2024-01-26T12:00:00"
    assert programme.talks[1].coauthors[0].text == "Zhaonan Dong"


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_detection_by_content_ignores_a_misleading_name(path: Path, tmp_path: Path) -> None:
    data = path.read_bytes()
    assert detect(data, path.name) == FORMATS[path.suffix]
    renamed = tmp_path / "programme.txt"
    shutil.copy(path, renamed)
    if path.suffix != ".csv":  # a CSV is recognised by its header row too: see below
        assert detect(data, "programme.txt") == FORMATS[path.suffix]
    assert len(load_programme(renamed).talks) == len(expected(path))


def test_a_csv_header_row_is_recognised_without_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "talks.txt"
    path.write_text(
        "Speaker\tAffiliation\tTitle\tRoom\tStart\tEnd\n"
        "Ada Lovelace\tUniversity of London\tOn engines\tHall A\t2024-05-06T10:00:00+02:00\t"
        "2024-05-06T10:30:00+02:00\n"
        "\t\tCoffee break\tHall A\t2024-05-06T10:30:00+02:00\t\n",
        encoding="utf-8",
    )
    programme = load_programme(path)
    (talk,) = programme.talks
    assert (talk.room, talk.start, talk.end) == (
        "Hall A",
        "2024-05-06T10:00:00+02:00",
        "2024-05-06T10:30:00+02:00",
    )
    assert programme.notes == (
        "talks.txt:3: skipped 'Coffee break': a break or social slot, not a talk",
    )


def test_format_forces_a_reader(tmp_path: Path) -> None:
    path = tmp_path / "odd.dat"
    shutil.copy(EXPORTS / "31c3-schedule.xml", path)
    assert len(load_programme(path, fmt="frab").talks) == 19
    with pytest.raises(InputError, match=r"odd\.dat:1: not valid JSON"):
        load_programme(path, fmt="c3voc")
    (tmp_path / "other.json").write_text('{"schedule": []}', encoding="utf-8")
    with pytest.raises(InputError, match="not a C3VOC schedule"):
        load_programme(tmp_path / "other.json", fmt="c3voc")
    with pytest.raises(InputError, match="unknown format 'pdf'"):
        load_programme(path, fmt="pdf")


def test_the_seed_text_and_structured_files_are_not_exports() -> None:
    seed = Path(__file__).parents[1] / "data" / "workshop-programme.txt"
    assert detect(seed.read_bytes(), seed.name) is None
    assert load_programme(seed).talks


def test_broken_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "schedule.xml"
    path.write_text("<schedule>\n<day>\n<room name='A'>\n</day>\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"schedule\.xml:4: not well-formed schedule XML"):
        load_programme(path)


def test_an_xml_file_that_is_no_schedule_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text("<rss><channel/></rss>", encoding="utf-8")
    with pytest.raises(InputError, match="root element is <rss>"):
        load_programme(path)


def test_a_schedule_of_breaks_only_says_what_it_left_out(tmp_path: Path) -> None:
    path = tmp_path / "schedule.xml"
    path.write_text(
        "<schedule><conference><title>W</title></conference><day date='2024-05-06'>"
        "<room name='A'><event id='1'><start>10:00</start><duration>00:30</duration>"
        "<title>Coffee Break</title><persons/></event>"
        "<event id='2'><start>11:00</start><duration>00:30</duration>"
        "<title>Welcome</title><persons/></event></room></day></schedule>",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_programme(path)
    message = str(caught.value)
    assert "has no talks" in message
    assert "'Coffee Break': a break or social slot" in message
    assert "'Welcome': no speaker given" in message


def test_a_spreadsheet_without_a_header_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "talks.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"talks\.csv:1: no header row with a title column"):
        load_programme(path)


def test_an_ical_event_without_a_speaker_is_listed_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "cal.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        "BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20240101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20240506T100000\r\nDTEND;TZID=Europe/Berlin:20240506T110000\r\n"
        "SUMMARY:Jane Doe (ETH Zürich): Sparse recovery\r\nLOCATION:HG F 3\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:2\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240507T100000Z\r\n"
        "SUMMARY:Department meeting\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:3\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240508T100000Z\r\n"
        "SUMMARY:Colloquium\r\nDESCRIPTION:Speaker: John Roe\\nAffiliation: MIT\\n"
        "Title: Graphs\\nAbstract: We study graphs.\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n",
        encoding="utf-8",
    )
    programme = load_programme(path)
    first, second = programme.talks
    assert (first.title.text, first.speaker.name.text) == ("Sparse recovery", "Jane Doe")
    assert first.speaker.institution is not None
    assert first.speaker.institution.text == "ETH Zürich"
    assert (first.start, first.room) == ("2024-05-06T10:00:00+02:00", "HG F 3")
    assert (second.title.text, second.speaker.name.text) == ("Graphs", "John Roe")
    assert second.speaker.institution is not None and second.speaker.institution.text == "MIT"
    assert second.abstract is not None and second.abstract.text == "We study graphs."
    assert programme.notes == (
        "cal.ics (VEVENT 2): skipped 'Department meeting': no speaker given",
    )


@pytest.mark.parametrize(
    ("text", "name", "institution"),
    [
        ("Jane Doe (MIT)", "Jane Doe", "MIT"),
        ("Jane Doe [University of Oxford]", "Jane Doe", "University of Oxford"),
        ("Firstname (Nick) Lastname", "Firstname (Nick) Lastname", None),
        ("Alex Roe (they/them)", "Alex Roe", None),
        ("Martin Haase (maha)", "Martin Haase", None),
        ("Jane Doe", "Jane Doe", None),
    ],
)
def test_split_affiliation(text: str, name: str, institution: str | None) -> None:
    assert split_affiliation(text) == (name, institution)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Hlib Husarov & Eberhard Mayerhofer", ["Hlib Husarov", "Eberhard Mayerhofer"]),
        ("A. One; B. Two", ["A. One", "B. Two"]),
        ("Ann Lee, Bob Ray, Cy Young", ["Ann Lee", "Bob Ray", "Cy Young"]),
        ("Doe, Jane", ["Doe, Jane"]),
        ("Jane Doe (X Research, Y University)", ["Jane Doe (X Research, Y University)"]),
    ],
)
def test_split_people(text: str, names: list[str]) -> None:
    assert split_people(text) == names


@pytest.mark.parametrize(
    ("title", "slot"),
    [
        ("Coffee Break", True),
        ("Lunch", True),
        ("Welcome reception", True),
        ("Poster session", True),
        ("No seminar", True),
        ("Breaking the curse of dimensionality", False),
        ("Lunch-time talk: coffee extraction", False),
    ],
)
def test_breaks_are_not_talks(title: str, slot: bool) -> None:
    assert is_break(title) is slot


def test_a_frab_file_without_full_dates_places_times_on_their_day(tmp_path: Path) -> None:
    # the pentabarf layout FOSDEM used: day date + start time, the zone from the conference
    path = tmp_path / "fosdem.xml"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<schedule><conference><title>FOSDEM 2018</title>"
        "<start>2018-02-03</start><end>2018-02-04</end><time_zone_name>Europe/Brussels"
        "</time_zone_name></conference>\n<day index='1' date='2018-02-03'><room name='Janson'>"
        "<event id='6245'><start>10:00</start><duration>00:50</duration><room>Janson</room>"
        "<title>Consensus as a Service</title><track>Keynotes</track>"
        "<abstract>&lt;p&gt;Twenty years of OSI.&lt;/p&gt;</abstract><persons>"
        "<person id='228'>Simon Phipps</person><person id='312'>Italo Vignoli</person>"
        "</persons></event></room></day></schedule>\n",
        encoding="utf-8",
    )
    (talk,) = load_programme(path).talks
    assert (talk.start, talk.end) == ("2018-02-03T10:00:00+01:00", "2018-02-03T10:50:00+01:00")
    assert [s.name.text for s in talk.speakers] == ["Simon Phipps", "Italo Vignoli"]
    assert talk.abstract is not None and talk.abstract.text == "Twenty years of OSI."
    assert (talk.identifier, talk.track) == ("6245", "Keynotes")


def test_the_command_line_takes_a_format(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from talkgraph.cli import main

    out = tmp_path / "programme.yaml"
    source = str(EXPORTS / "31c3-schedule.xml")
    result = CliRunner().invoke(main, ["convert", source, "-o", str(out), "--format", "frab"])
    assert result.exit_code == 0, result.output
    assert "19 talks" in result.output
    result = CliRunner().invoke(main, ["convert", source, "-o", str(out), "--format", "ical"])
    assert result.exit_code == 2
    assert "31c3-schedule.xml" in result.output and "Traceback" not in result.output


def test_a_row_with_a_speaker_but_no_title_is_listed_not_given_a_title(tmp_path: Path) -> None:
    path = tmp_path / "seminars.csv"
    path.write_text(
        "Date,Speaker,Affiliation,Title\n"
        "2024-05-06,Ada Lovelace,University of London,On engines\n"
        "2024-05-13,Charles Babbage,,\n",
        encoding="utf-8",
    )
    programme = load_programme(path)
    assert [t.title.text for t in programme.talks] == ["On engines"]
    assert programme.notes == (
        "seminars.csv:3: skipped: no title given (speaker 'Charles Babbage')",
    )


_PREFIXES = [
    b"",
    b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:",
    b"<schedule><day date='2024-01-01'><room name='A'><event><title>",
    b'{"schedule": {"conference": {"days": [{"rooms": {"A": [{"title": ',
    b'{"results": [{"contributions": [{"title": ',
    b"title,speaker,date,time\n",
    b"PK\x03\x04",
]


@settings(max_examples=60, deadline=None)
@given(prefix=st.sampled_from(_PREFIXES), data=st.binary(max_size=200))
def test_any_bytes_in_any_export_format_give_a_result_or_an_input_error(
    prefix: bytes, data: bytes
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, fmt in [
            ("p.xml", None), ("p.ics", None), ("p.csv", None), ("p.xlsx", None),
            ("p.json", None), ("p.dat", "frab"), ("p.dat", "c3voc"), ("p.dat", "indico"),
            ("p.dat", "ical"), ("p.dat", "tsv"), ("p.dat", "xlsx"),
        ]:  # fmt: skip
            path = Path(tmp) / name
            path.write_bytes(prefix + data)
            try:
                load_programme(path, fmt=fmt)
            except InputError as error:
                assert error.place is not None and error.place.file == name


def test_ical_labels_floating_times_and_durations(tmp_path: Path) -> None:
    # the DESCRIPTION layout seminar sites generate: Speaker / Affiliation / Track / Abstract
    path = tmp_path / "cls.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-TIMEZONE:Europe/London\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260612T093000\r\n"
        "DURATION:PT45M\r\nSUMMARY:Designing cities\\, for everyone\r\n"
        "DESCRIPTION:Speaker: Ana Gómez\\nAffiliation: UCL\\nTrack: Urban\\n"
        "Abstract: Streets\\, squares.\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    (talk,) = load_programme(path).talks
    assert (talk.title.text, talk.speaker.name.text) == (
        "Designing cities, for everyone",
        "Ana Gómez",
    )
    assert talk.speaker.institution is not None and talk.speaker.institution.text == "UCL"
    assert (talk.start, talk.end) == ("2026-06-12T09:30:00+01:00", "2026-06-12T10:15:00+01:00")
    assert talk.track == "Urban"
    assert talk.abstract is not None and talk.abstract.text == "Streets, squares."
