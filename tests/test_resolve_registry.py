"""The institution registry: loading, variant lookup, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from talkgraph.errors import InputError
from talkgraph.registry import DEFAULT_PATH, Registry, match_key


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load()


def test_default_file_is_the_projects(registry: Registry) -> None:
    assert Path(__file__).resolve().parents[1] / "data" / "institutions.yaml" == DEFAULT_PATH
    assert 60 <= len(registry) <= 150


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("ETH Zurich", "ETH Zurich"),
        ("ETH Zürich", "ETH Zurich"),
        ("eth  zürich", "ETH Zurich"),
        ("TUM", "Technical University of Munich"),
        ("Technische Universität München", "Technical University of Munich"),
        ("Technische Universitat Munchen", "Technical University of Munich"),
        ("UCSB", "University of California, Santa Barbara"),
        ("UC Santa Barbara", "University of California, Santa Barbara"),
        ("NTU", "Nanyang Technological University"),
        ("Meta AI", "Meta"),
        ("FAIR", "Meta"),
        ("DeepMind", "Google DeepMind"),
        ("Google Research", "Google"),
        ("MPI-IS", "Max Planck Institute for Intelligent Systems"),
        ("Hebrew University", "The Hebrew University of Jerusalem"),
        ("Hebrew University of Jerusalem", "The Hebrew University of Jerusalem"),
        ("Technion - Israel Institute of Technology", "Technion – Israel Institute of Technology"),
    ],
)
def test_lookup_variants(registry: Registry, raw: str, canonical: str) -> None:
    entry = registry.lookup(raw)
    assert entry is not None and entry.name == canonical


def test_unknown_and_kinds(registry: Registry) -> None:
    assert registry.lookup("Institute of Imaginary Studies") is None
    assert registry.lookup("") is None
    eth = registry.lookup("ETH")
    assert eth is not None and (eth.kind, eth.country) == ("university", "CH")
    meta = registry.lookup("Meta")
    assert meta is not None and (meta.kind, meta.country) == ("company", "US")


def test_every_entry_is_complete(registry: Registry) -> None:
    for entry in registry.entries:
        assert entry.kind in {"university", "company", "institute", "organization"}
        assert entry.country is not None and len(entry.country) == 2
        assert registry.lookup(entry.name) is entry


def test_match_key() -> None:
    assert match_key("  The  ETH-Zürich ") == "eth zurich"
    assert match_key("U.C. Berkeley") == "u c berkeley"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reg.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("institutions: [\n  {name: A\n", "invalid YAML"),
        ("- name: A\n", "expected a mapping"),
        ("institutions:\n  - name: A\n    kind: club\n", "entry 1 (A)"),
        ("institutions:\n  - kind: university\n", "entry 1"),
        ("institutions:\n  - {name: A, kind: university, country: usa}\n", "'country'"),
        ("institutions:\n  - {name: A, kind: university, wikidata: 'xyz'}\n", "'wikidata'"),
        ("institutions:\n  - {name: A, kind: university, colour: red}\n", "colour"),
        ("institutions:\n  - {name: A, kind: university, alternates: B}\n", "'alternates'"),
        (
            "institutions:\n  - {name: A, kind: university, alternates: [X]}\n"
            "  - {name: B, kind: company, alternates: [x]}\n",
            "already a form of 'A'",
        ),
    ],
)
def test_bad_registry_files(tmp_path: Path, text: str, needle: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        Registry.load(path)
    assert needle in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        Registry.load(tmp_path / "nope.yaml")


def test_explicit_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "institutions:\n  - name: Example University\n    kind: university\n"
        "    country: NL\n    alternates: [EU, Ex-U]\n",
    )
    registry = Registry.load(path)
    entry = registry.lookup("ex u")
    assert entry is not None and entry.name == "Example University" and entry.country == "NL"
