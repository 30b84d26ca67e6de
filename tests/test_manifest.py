"""The typed build manifest: written and read back unchanged; malformed fields are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from talkgraph.errors import ConfigError
from talkgraph.manifest import FileEntry, Manifest, ProgrammeEntry, read_manifest

MINI = Path(__file__).parent / "fixtures" / "mini"


def test_round_trip(tmp_path: Path) -> None:
    manifest = Manifest(
        base_iri="http://talkgraph.localhost/",
        version="0.1.0",
        created="2026-01-01T00:00:00+00:00",
        sources=["a.txt"],
        programmes={"a": ProgrammeEntry("a.txt", "ab" * 32, "urn:g", False, 12)},
        triples=12,
        counts={"schema:Event": 1},
        conforms=True,
        files={"dataset.nt": FileEntry(10, "cd" * 32, "application/n-triples")},
        schedules={"s.ics": FileEntry(5, "ef" * 32, "text/calendar", "event/a/schedule.ics")},
        timings={"parse": 0.5},
    )
    manifest.write(tmp_path)
    data = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert "path" not in data["files"]["dataset.nt"]
    assert data["schedules"]["s.ics"]["path"] == "event/a/schedule.ics"
    assert read_manifest(tmp_path) == manifest


def test_hand_written_manifest_falls_back() -> None:
    manifest = read_manifest(MINI)
    assert manifest.triples is None and manifest.triple_count == manifest.counts["triples"]
    assert manifest.sha256("dataset.nt") == manifest.files["dataset.nt"].sha256
    assert manifest.sha256("absent.nt") == ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "base_iri"),
        ({"base_iri": 5}, "base_iri"),
        ({"base_iri": "http://x/", "triples": "many"}, "triples"),
        ({"base_iri": "http://x/", "triples": True}, "triples"),
        ({"base_iri": "http://x/", "files": {"a.nt": {"bytes": "1"}}}, "files.a.nt.bytes"),
        ({"base_iri": "http://x/", "sources": ["a", 1]}, "sources[1]"),
    ],
)
def test_malformed_fields_are_named(tmp_path: Path, data: object, field: str) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        read_manifest(tmp_path)
    assert raised.value.place is not None and raised.value.place.field == field
    assert raised.value.place.file == str(tmp_path / "manifest.json")


def test_not_a_build_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a build directory"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a JSON object"):
        read_manifest(tmp_path)
