"""The structured programme format, its schema, and the event sidecar."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from talkgraph.errors import ConfigError, InputError
from talkgraph.ingest import (
    load_event,
    load_programme,
    parse_structured,
    parse_text,
    to_structured,
    without_spans,
    write_structured,
)
from talkgraph.model import EventInfo, Mention, Programme, SpeakerEntry, TalkEntry

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "workshop-programme.txt"


def same(a: Programme, b: Programme) -> bool:
    """Equal except for spans and the source file name."""
    return without_spans(dataclasses.replace(a, source="")) == without_spans(
        dataclasses.replace(b, source="")
    )


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    text = load_programme(SEED)
    path = tmp_path / f"programme{suffix}"
    write_structured(text, path)
    back = load_programme(path)
    assert back.source == path.name
    assert same(text, back)
    assert back.talks[15].citations[1].arxiv_id == "2210.17020"  # not the float 2210.1702


def test_yaml_spans_are_line_based(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    write_structured(load_programme(SEED), path)
    back = load_programme(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    title = back.talks[0].title
    assert title.span is not None and title.span.file == "p.yaml"
    assert lines[title.span.line - 1][title.span.start : title.span.end] == title.text


def test_json_has_no_spans(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    write_structured(load_programme(SEED), path)
    assert load_programme(path).talks[0].title.span is None
    assert json.loads(path.read_text(encoding="utf-8"))["talks"][0]["speaker"] == "Misha Belkin"


def test_to_structured_shape() -> None:
    data = to_structured(load_programme(SEED))
    assert set(data) == {"roster_heading", "roster", "talks"}
    assert data["roster"][9] == {"name": "Rina Panigrahy"}
    su = next(t for t in data["talks"] if t["speaker"] == "Weijie Su")
    assert su["arxiv"] == ["2101.12699", "2210.17020"]
    assert su["coauthors"][:3] == ["Cong Fang", "Hangfeng He", "Qi Long"]


def test_absent_facts_are_extracted_and_placeholder_computed() -> None:
    data = {
        "talks": [
            {
                "speaker": "Jane Doe",
                "title": "TBA",
                "abstract": "Joint work with John Roe (arXiv:2301.00001v2).",
            },
            {"speaker": "Jin Li", "title": "Given", "abstract": "With John Roe.", "coauthors": []},
            {"speaker": "Ann Poe", "title": "T", "arxiv": ["arXiv:math/0601001v1", "2101.12699"]},
        ]
    }
    p = parse_structured(data, "d.yaml")
    first, second, third = p.talks
    assert [c.text for c in first.coauthors] == ["John Roe"]
    assert [(r.arxiv_id, r.version) for r in first.citations] == [("2301.00001", "v2")]
    assert first.placeholder and not second.placeholder
    assert second.coauthors == ()
    assert [(r.arxiv_id, r.version) for r in third.citations] == [
        ("math/0601001", "v1"),
        ("2101.12699", None),
    ]
    assert p.roster == () and p.event == EventInfo()


def test_unquoted_yaml_values_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "event:\n  start_date: 2023-06-05\n"
        "talks:\n- speaker: Jane Doe\n  title: On\n  arxiv: [2210.17020]\n",
        encoding="utf-8",
    )
    p = load_programme(path)
    assert p.talks[0].title.text == "On"
    assert p.talks[0].citations[0].arxiv_id == "2210.17020"
    assert p.event.start_date == "2023-06-05"


def _yaml_error(tmp_path: Path, text: str, name: str = "p.yaml") -> InputError:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_programme(path)
    return info.value


def test_schema_errors_name_field_and_line(tmp_path: Path) -> None:
    body = "roster:\n- name: Ada\ntalks:\n- speaker: A\n  title: T\n- speaker: B\n  abstract: x\n"
    err = _yaml_error(tmp_path, body)
    assert err.place is not None
    assert (err.place.file, err.place.field, err.place.line) == ("p.yaml", "talks[1].title", 6)
    assert "title" in err.message
    err = _yaml_error(tmp_path, "talks:\n- speaker: A\n  title: T\n  sponsor: X\n")
    assert err.place is not None and err.place.field == "talks[0].sponsor"
    assert err.place.line == 4 and "unknown field" in err.message
    err = _yaml_error(tmp_path, "talks:\n- speaker: A\n  title: [1, 2]\n")
    assert err.place is not None and err.place.field == "talks[0].title"
    err = _yaml_error(tmp_path, "talks:\n- speaker: A\n  title: T\n  arxiv: [2.5x]\n")
    assert err.place is not None and err.place.field == "talks[0].arxiv[0]"
    err = _yaml_error(tmp_path, "- just a list\n")
    assert err.place is not None and err.place.line == 1


def test_syntax_errors(tmp_path: Path) -> None:
    err = _yaml_error(tmp_path, "talks:\n- speaker: A\n  title: [unclosed\n")
    assert err.place is not None and err.place.line is not None and "invalid YAML" in err.message
    err = _yaml_error(tmp_path, '{"talks": [}', name="p.json")
    assert err.place is not None and err.place.line == 1 and "invalid JSON" in err.message
    err = _yaml_error(tmp_path, "a: &x [1]\nb: *x\n")
    assert "aliases" in err.message
    err = _yaml_error(tmp_path, "")
    assert "empty" in err.message


def test_json_errors_name_field(tmp_path: Path) -> None:
    doc = {"talks": [{"speaker": "A", "title": ""}]}
    err = _yaml_error(tmp_path, json.dumps(doc), name="p.json")
    assert err.place is not None and err.place.field == "talks[0].title"


def test_parse_structured_rejects_non_mappings() -> None:
    for bad in (None, [], "text", {"talks": "x"}, {}, {"talks": [], "roster": []}):
        with pytest.raises(InputError):
            parse_structured(bad, "x.json")


def test_write_rejects_unknown_suffix(tmp_path: Path) -> None:
    p = Programme("x", talks=(TalkEntry(SpeakerEntry(Mention("A B")), Mention("T")),))
    with pytest.raises(ConfigError):
        write_structured(p, tmp_path / "p.toml")


def test_examples_load() -> None:
    p = load_programme(
        ROOT / "data/examples/programme.yaml", ROOT / "data/examples/programme.event.yaml"
    )
    assert p.event.identifier == "example-workshop"
    assert any(t.coauthors for t in p.talks)
    assert load_event(ROOT / "data/examples/programme.event.yaml").organisers


# --------------------------------------------------------------------------- event sidecar


def _sidecar(tmp_path: Path, data: dict[str, Any], suffix: str = ".yaml") -> Path:
    path = tmp_path / f"event{suffix}"
    text = json.dumps(data) if suffix == ".json" else yaml.safe_dump(data)
    path.write_text(text, encoding="utf-8")
    return path


def test_event_valid(tmp_path: Path) -> None:
    data = {
        "name": "W",
        "start_date": "2023-06-05",
        "end_date": "2023-06-07T17:00:00+02:00",
        "organisers": ["A B"],
        "licence": "https://creativecommons.org/licenses/by/4.0/",
        "identifier": "w-2023",
    }
    for suffix in (".yaml", ".json"):
        info = load_event(_sidecar(tmp_path, data, suffix))
        assert info == EventInfo(
            name="W",
            start_date="2023-06-05",
            end_date="2023-06-07T17:00:00+02:00",
            organisers=("A B",),
            licence="https://creativecommons.org/licenses/by/4.0/",
            identifier="w-2023",
        )


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"start_date": "2023-02-30"}, "start_date", "ISO 8601"),
        ({"start_date": "5 June 2023"}, "start_date", ""),
        ({"start_date": "2023-06-05", "end_date": "2023-06-01"}, "end_date", "before"),
        ({"name": "W", "venue": "X"}, "venue", "unknown field"),
        ({"licence": "CC BY"}, "licence", ""),
        ({"identifier": "Not A Slug"}, "identifier", ""),
        ({"organisers": "A B"}, "organisers", ""),
    ],
)
def test_event_invalid(tmp_path: Path, data: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        load_event(_sidecar(tmp_path, data))
    place = info.value.place
    assert place is not None and place.file == "event.yaml" and place.field == field
    assert words in info.value.message


def test_sidecar_overrides_programme_event(tmp_path: Path) -> None:
    programme = tmp_path / "p.yaml"
    programme.write_text(
        "event:\n  name: Old\n  location: Here\ntalks:\n- speaker: A B\n  title: T\n",
        encoding="utf-8",
    )
    sidecar = _sidecar(tmp_path, {"name": "New"})
    p = load_programme(programme, event=sidecar)
    assert (p.event.name, p.event.location) == ("New", "Here")
    text = load_programme(SEED, event=sidecar)
    assert text.event.name == "New" and len(text.talks) == 20


def test_multi_paragraph_round_trip(tmp_path: Path) -> None:
    text = (
        "Speakers\nEmmy Noether\nUniversität Göttingen\nKurt Gödel\n"
        "Talks\nKurt Gödel\nTitle :  Undecidable\nAbstract: First paragraph.\n\n"
        "Second paragraph,\nwrapped.\n\n\nThird, with Abstract: inside.\n"
        "Emmy Noether\nTitle: TBA\n"
    )
    original = parse_text(text, "p.txt")
    assert original.talks[0].abstract is not None
    assert original.talks[0].abstract.text.count("\n\n") == 2
    for name in ("p.yaml", "p.json"):
        write_structured(original, tmp_path / name)
        assert same(original, load_programme(tmp_path / name))
