"""Incremental builds: a programme whose inputs and resolved entities are unchanged is reused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal

from talkgraph.build import build
from talkgraph.cache import cache_dir
from talkgraph.iris import Minter
from talkgraph.vocab import SCHEMA

PROGRAMMES = Path(__file__).parent / "fixtures" / "programmes"
M = Minter()


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "programmes"
    folder.mkdir()
    for name in ("workshop-a.txt", "workshop-a.event.yaml", "workshop-b.yaml"):
        shutil.copy(PROGRAMMES / name, folder / name)
    return folder


def _reused(out: Path) -> dict[str, bool]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {name: entry["reused"] for name, entry in manifest["programmes"].items()}


def _same_as_clean_build(source: Path, out: Path, tmp_path: Path) -> None:
    clean = build([source], out=tmp_path / "clean", use_cache=False)
    for name in ("dataset.nt", "dataset.nq", "dataset.trig", "validation-report.txt"):
        assert (out / name).read_bytes() == (clean.out / name).read_bytes(), name


def test_rebuild_redoes_only_the_changed_programme(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    messages: list[str] = []
    build([inputs], out=out, progress=messages.append)
    assert {"workshop-a: rebuilt", "workshop-b: rebuilt"} <= set(messages)
    assert _reused(out) == {"workshop-a": False, "workshop-b": False}
    build([inputs], out=out)
    assert _reused(out) == {"workshop-a": True, "workshop-b": True}
    _same_as_clean_build(inputs, out, tmp_path)

    b = inputs / "workshop-b.yaml"
    b.write_text(b.read_text().replace("Robustness of", "Robustness in"), encoding="utf-8")
    messages.clear()
    result = build([inputs], out=out, progress=messages.append)
    assert {"workshop-a: reused", "workshop-b: rebuilt"} <= set(messages)
    assert _reused(out) == {"workshop-a": True, "workshop-b": False}
    titles = {str(o) for o in result.graph.objects(None, SCHEMA.name)}
    assert "Robustness in reinforcement learning agents" in titles
    assert "Robustness of reinforcement learning agents" not in titles
    _same_as_clean_build(inputs, out, tmp_path)


def test_change_to_a_shared_person_rebuilds_both(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build([inputs], out=out)
    # workshop-b now spells the shared speaker with a diacritic, which the resolved name keeps:
    # workshop-a's own file is unchanged, but its graph must show the new name.
    b = inputs / "workshop-b.yaml"
    b.write_text(b.read_text().replace("- name: Ada Quill", "- name: Ada Quíll"), encoding="utf-8")
    result = build([inputs], out=out)
    assert _reused(out) == {"workshop-a": False, "workshop-b": False}
    assert (M.person("ada-quill"), SCHEMA.name, Literal("Ada Quíll")) in result.graph
    _same_as_clean_build(inputs, out, tmp_path)


def test_unrelated_change_elsewhere_keeps_the_reuse(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build([inputs], out=out)
    b = inputs / "workshop-b.yaml"  # B's own lines move; A's share of the model does not change
    b.write_text("# a new comment line\n" + b.read_text(), encoding="utf-8")
    build([inputs], out=out)
    assert _reused(out) == {"workshop-a": True, "workshop-b": False}
    nq = Graph().parse(out / "dataset.nt")
    locations = {str(o) for o in nq.objects(M.person("ada-quill"), None) if "yaml:" in str(o)}
    assert locations and all(loc.startswith("workshop-b.yaml:") for loc in locations)
    _same_as_clean_build(inputs, out, tmp_path)


def test_other_inputs_invalidate_the_cache(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build([inputs], out=out)
    build([inputs], out=out, base_iri="http://example.org/data/")
    assert _reused(out) == {"workshop-a": False, "workshop-b": False}
    assert (out / "dataset.nt").read_text().count("http://example.org/data/") > 0
    sidecar = inputs / "workshop-a.event.yaml"
    sidecar.write_text(sidecar.read_text() + "location: Room 1\n", encoding="utf-8")
    build([inputs], out=out, base_iri="http://example.org/data/")
    assert _reused(out) == {"workshop-a": False, "workshop-b": True}


def test_broken_cache_is_rebuilt(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build([inputs], out=out)
    entries = sorted(cache_dir(out).iterdir())
    assert len(entries) == 2
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    build([inputs], out=out)
    assert _reused(out) == {"workshop-a": False, "workshop-b": False}
    _same_as_clean_build(inputs, out, tmp_path)


def test_cache_keeps_only_what_the_last_build_used(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build([inputs], out=out)
    build([inputs / "workshop-a.txt"], out=out)
    assert len(list(cache_dir(out).iterdir())) == 1
    # alone, workshop-a's share of the model is what it was beside workshop-b
    assert _reused(out) == {"workshop-a": True}
    _same_as_clean_build(inputs / "workshop-a.txt", out, tmp_path)
