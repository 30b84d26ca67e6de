"""The programme given back as iCalendar, frab XML and C3VOC JSON: a round trip through the
importers keeps every talk, speaker, time and room; the files are in the build, in VoID, served
by the web app and linked from the event page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Namespace, URIRef

from support.web import running_app
from talkgraph.build import build
from talkgraph.exports import schedule_files
from talkgraph.ingest import load_programme
from talkgraph.iris import Minter
from talkgraph.model import KnowledgeModel, Programme
from talkgraph.registry import Registry
from talkgraph.resolve import resolve

EXPORTS = Path(__file__).parent / "data" / "real" / "exports"
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SOURCES = ["31c3-schedule.xml", "camp2019-schedule.json", "macsi-ay25-26-sem1.csv"]

Key = tuple[str, frozenset[str], float | None, float | None, str | None]


def model_of(name: str) -> tuple[Programme, KnowledgeModel]:
    programme = load_programme(EXPORTS / name)
    return programme, resolve([programme], Registry.load(None))


def instant(value: str | None) -> float | None:
    return datetime.fromisoformat(value).timestamp() if value else None


def keys(programme: Programme) -> list[Key]:
    return sorted(
        (
            t.title.text,
            frozenset(s.name.text for s in t.speakers),
            instant(t.start),
            instant(t.end),
            t.room,
        )
        for t in programme.talks
    )


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("suffix", [".ics", ".xml", ".json"])
def test_a_round_trip_keeps_every_talk_speaker_time_and_room(
    source: str, suffix: str, tmp_path: Path
) -> None:
    programme, model = model_of(source)
    (event,) = model.events
    (file,) = [f for f in schedule_files(model, Minter(), STAMP) if f.name.endswith(suffix)
               and f.about == event.key]  # fmt: skip
    path = tmp_path / f"back{suffix}"
    path.write_bytes(file.data)
    again = load_programme(path)
    assert keys(again) == keys(programme)
    assert len(again.talks) == len(programme.talks) > 10


def test_the_c3voc_export_is_valid_against_the_published_schema() -> None:
    schema = json.loads((EXPORTS / "c3voc-schema.json").read_text(encoding="utf-8"))
    for source in SOURCES:
        _, model = model_of(source)
        (file,) = [f for f in schedule_files(model, Minter(), STAMP) if f.kind == "c3voc"]
        jsonschema.Draft6Validator(schema).validate(json.loads(file.data))


def test_the_frab_export_has_days_rooms_and_events() -> None:
    _, model = model_of("31c3-schedule.xml")
    (file,) = [f for f in schedule_files(model, Minter(), STAMP) if f.kind == "frab"]
    root = ET.fromstring(file.data)
    assert root.findtext("conference/acronym") == "31c3"
    assert root.findtext("conference/title") == "31. Chaos Communication Congress"
    days = root.findall("day")
    assert [d.get("date") for d in days] == ["2014-12-27", "2014-12-28"]  # Citizenfour at 00:00
    assert {r.get("name") for r in root.findall("day/room")} == {"Saal 1", "Saal 2"}
    assert len(root.findall(".//event")) == 19
    crypto = next(
        e for e in root.iter("event") if e.findtext("title") == "Crypto Tales from the Trenches"
    )
    assert [p.text for p in crypto.iter("person")] == [
        "Nadia Heninger", "Julia Angwin", "Laura Poitras", "Jack Gillum"
    ]  # fmt: skip
    assert (crypto.findtext("start"), crypto.findtext("duration")) == ("23:00", "01:00")


def test_each_speaker_gets_a_feed_of_their_own_talks() -> None:
    _, model = model_of("31c3-schedule.xml")
    files = {f.name: f for f in schedule_files(model, Minter(), STAMP)}
    laura = files["schedule-person-laura-poitras.ics"].data.decode()
    assert laura.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Citizenfour" in laura
    assert len([n for n in files if n.startswith("schedule-person-")]) == len(model.people)


def test_the_same_model_gives_the_same_bytes() -> None:
    _, model = model_of("camp2019-schedule.json")
    first = [f.data for f in schedule_files(model, Minter(), STAMP)]
    assert first == [f.data for f in schedule_files(model, Minter(), STAMP)]


def test_talks_without_times_give_empty_schedules_not_invented_times() -> None:
    seed = Path(__file__).parents[1] / "data" / "workshop-programme.txt"
    model = resolve([load_programme(seed)], Registry.load(None))
    files = schedule_files(model, Minter(), STAMP)
    assert {f.kind for f in files} == {"ical", "frab", "c3voc"}
    assert not [f for f in files if f.name.startswith("schedule-person-")]
    ics = next(f for f in files if f.kind == "ical").data.decode()
    assert "BEGIN:VEVENT" not in ics


# ------------------------------------------------------------------------------ build and web


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("schedules") / "build"
    build([EXPORTS / "31c3-schedule.xml"], out=out, use_cache=False)
    return out


@pytest.fixture(scope="module")
def app(built: Path) -> Iterator[Flask]:
    with running_app(built, TESTING=True, WORKERS=1) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_build_writes_and_lists_the_schedules(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    schedules = manifest["schedules"]
    for name in ("schedule-event-31c3.ics", "schedule-event-31c3.xml", "schedule-event-31c3.json"):
        assert (built / name).stat().st_size == schedules[name]["bytes"]
    assert "schedule-person-tanja-lange.ics" in schedules
    void = Graph().parse(built / "void.ttl")
    dataset = URIRef("http://talkgraph.localhost/dataset")
    urls = {str(void.value(d, DCAT.downloadURL)) for d in void.objects(dataset, DCAT.distribution)}
    assert {
        "http://talkgraph.localhost/event/31c3/schedule.ics",
        "http://talkgraph.localhost/event/31c3/schedule.xml",
        "http://talkgraph.localhost/event/31c3/schedule.json",
        "http://talkgraph.localhost/person/tanja-lange/talks.ics",
    } <= urls


def test_the_web_app_serves_the_schedules(client: FlaskClient, built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    for path, media in (
        ("/event/31c3/schedule.ics", "text/calendar"),
        ("/event/31c3/schedule.xml", "application/xml"),
        ("/event/31c3/schedule.json", "application/json"),
        ("/person/tanja-lange/talks.ics", "text/calendar"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == media
        name = "schedule-" + path.strip("/").replace("/schedule.", ".").replace("/talks.", ".")
        name = name.replace("/", "-")
        assert response.headers["ETag"] == f'"{manifest["schedules"][name]["sha256"]}"'
    etag = client.get("/event/31c3/schedule.ics").headers["ETag"]
    assert (
        client.get("/event/31c3/schedule.ics", headers={"If-None-Match": etag}).status_code == 304
    )


@pytest.mark.parametrize(
    "path",
    [
        "/event/nope/schedule.ics",
        "/event/31c3/schedule.pdf",
        "/event/..%2Fmanifest/schedule.json",
        "/person/nobody/talks.ics",
        "/person/Tanja_Lange/talks.ics",
    ],
)
def test_unknown_schedules_are_404(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_event_page_links_its_schedules(client: FlaskClient) -> None:
    html = client.get("/event/31c3", headers={"Accept": "text/html"}).get_data(as_text=True)
    for suffix in ("ics", "xml", "json"):
        assert f'href="/event/31c3/schedule.{suffix}"' in html


def test_the_event_page_shows_a_talk_with_two_speakers_once(client: FlaskClient) -> None:
    html = client.get("/event/31c3", headers={"Accept": "text/html"}).get_data(as_text=True)
    programme = html.split('class="ld-programme"', 1)[1].split("</section>", 1)[0]
    rows = [row for row in programme.split("<tr>") if ">ECCHacks<" in row]
    assert len(rows) == 1
    assert 'href="/person/djb"' in rows[0] and 'href="/person/tanja-lange"' in rows[0]
