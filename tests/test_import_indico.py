"""The Indico event export (``/export/event/ID.json?detail=contributions|sessions``).

No real Indico export with people was found in public repositories, so these exports are built
here in the shape of Indico's HTTP API documentation (event 137346, "Export Test") with people
in the shape Indico gives them (``first_name``, ``last_name``, ``fullName`` as "Last, First",
``affiliation``, ``id``, ``person_id``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from talkgraph.errors import InputError
from talkgraph.ingest import load_programme
from talkgraph.ingest.importers import detect


def when(day: str, clock: str) -> dict[str, str]:
    return {"date": day, "time": clock, "tz": "Europe/Zurich"}


def person(first: str, last: str, affiliation: str, ident: int) -> dict[str, Any]:
    return {
        "_type": "ContributionParticipation",
        "_fossil": "contributionParticipationMetadata",
        "first_name": first,
        "last_name": last,
        "fullName": f"{last}, {first}",
        "id": str(ident),
        "affiliation": affiliation,
        "person_id": ident + 1000,
    }


def contribution(ident: str, title: str, start: str, end: str, **people: Any) -> dict[str, Any]:
    return {
        "_type": "Contribution",
        "_fossil": "contributionMetadata",
        "id": ident,
        "title": title,
        "startDate": when("2011-06-23", start),
        "endDate": when("2011-06-23", end),
        "description": people.pop("description", ""),
        "track": people.pop("track", None),
        "session": people.pop("session", None),
        "location": "CERN",
        "room": people.pop("room", None),
        "speakers": people.get("speakers", []),
        "primaryauthors": people.get("primaryauthors", []),
        "coauthors": people.get("coauthors", []),
    }


ALICE = person("Alice", "Speaker", "Uni A", 1)
BOB = person("Bob", "Author", "Uni B", 2)
CAROL = person("Carol", "Coauthor", "Uni C", 3)


def export(contributions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "count": 1,
        "_type": "HTTPAPIResult",
        "complete": True,
        "url": "https://indico.server/export/event/137346.json?detail=contributions",
        "results": [
            {
                "_type": "Conference",
                "_fossil": "conferenceMetadataWithContribs",
                "id": "137346",
                "title": "Export Test",
                "startDate": when("2011-06-23", "08:00:00"),
                "endDate": when("2011-06-24", "18:00:00"),
                "timezone": "Europe/Zurich",
                "location": "CERN",
                "room": None,
                "url": "http://indico.server/conferenceDisplay.py?confId=137346",
                "contributions": contributions,
                **extra,
            }
        ],
    }


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "137346.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_speakers_authors_times_room_and_session(tmp_path: Path) -> None:
    talk = contribution(
        "1",
        "A co-authored paper",
        "11:00:00",
        "11:20:00",
        speakers=[ALICE],
        primaryauthors=[ALICE, BOB],
        coauthors=[CAROL],
        room="500-1-001",
        track="Theory",
        session="Morning",
        description="<p>We show &amp; prove.</p>",
    )
    path = write(tmp_path, export([talk]))
    assert detect(path.read_bytes(), path.name) == "indico"
    programme = load_programme(path)
    assert programme.event.name == "Export Test"
    assert programme.event.start_date == "2011-06-23"
    assert programme.event.location == "CERN"
    (entry,) = programme.talks
    assert [
        (s.name.text, s.institution and s.institution.text, s.identifier) for s in entry.speakers
    ] == [("Alice Speaker", "Uni A", "1001")]
    assert [(a.name.text, a.institution and a.institution.text) for a in entry.authors] == [
        ("Bob Author", "Uni B"),
        ("Carol Coauthor", "Uni C"),
    ]
    assert (entry.start, entry.end) == ("2011-06-23T11:00:00+02:00", "2011-06-23T11:20:00+02:00")
    assert (entry.room, entry.track, entry.session, entry.identifier) == (
        "500-1-001",
        "Theory",
        "Morning",
        "1",
    )
    assert entry.abstract is not None and entry.abstract.text == "We show & prove."


def test_primary_authors_speak_when_no_speaker_is_named(tmp_path: Path) -> None:
    talk = contribution(
        "2", "Presented by its author", "09:00:00", "09:30:00", primaryauthors=[BOB]
    )
    (entry,) = load_programme(write(tmp_path, export([talk]))).talks
    assert [s.name.text for s in entry.speakers] == ["Bob Author"]
    assert entry.authors == ()


def test_full_name_in_indico_order_is_turned_round(tmp_path: Path) -> None:
    only_full = {"fullName": "Couprie, Marie-Emmanuelle", "affiliation": "Synchrotron Soleil"}
    talk = contribution("3", "Light sources", "10:00:00", "10:30:00", speakers=[only_full])
    (entry,) = load_programme(write(tmp_path, export([talk]))).talks
    assert entry.speaker.name.text == "Marie-Emmanuelle Couprie"


def test_contributions_inside_sessions_are_read_in_time_order(tmp_path: Path) -> None:
    late = contribution("4", "Late talk", "14:00:00", "14:20:00", speakers=[CAROL])
    early = contribution("5", "Early talk", "08:00:00", "08:20:00", speakers=[ALICE])
    data = export(
        [late], sessions=[{"_type": "Session", "title": "d2s1", "contributions": [early]}]
    )
    programme = load_programme(write(tmp_path, data))
    assert [(t.title.text, t.session) for t in programme.talks] == [
        ("Early talk", "d2s1"),
        ("Late talk", None),
    ]


def test_contributions_without_people_are_listed_and_refused(tmp_path: Path) -> None:
    # the documented example: four contributions (d1c1, d1c2, d2c1, d2s1c1), nobody named
    data = export([contribution(str(n), f"d1c{n}", "08:00:00", "08:20:00") for n in (1, 2)])
    with pytest.raises(InputError) as caught:
        load_programme(write(tmp_path, data))
    assert "this Indico export file has no talks" in str(caught.value)
    assert "'d1c1': no speaker given" in str(caught.value)
