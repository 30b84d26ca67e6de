"""A build that fails — bad input, SHACL violations, a full disk, a kill during serialisation —
leaves the published dataset exactly as it was, and the server keeps serving whole files."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.web import running_app
from talkgraph.build import DEFAULT_PROGRAMME, build
from talkgraph.errors import InputError, TalkgraphError, ValidationFailed

Snapshot = tuple[str, dict[str, bytes]]


def _snapshot(link: Path) -> Snapshot:
    target = os.readlink(link)
    files = {p.name: p.read_bytes() for p in sorted(link.resolve().iterdir()) if p.is_file()}
    return target, files


def _whole(link: Path) -> None:
    """Every file the manifest lists is there with its size and SHA-256."""
    manifest = json.loads((link / "manifest.json").read_text())
    for name, info in manifest["files"].items():
        data = (link / name).read_bytes()
        assert len(data) == info["bytes"] and hashlib.sha256(data).hexdigest() == info["sha256"]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(out=tmp_path_factory.mktemp("pub") / "build").out


def test_bad_input_leaves_the_release(published: Path, tmp_path: Path) -> None:
    before = _snapshot(published)
    bad = tmp_path / "bad.json"
    bad.write_text('{"talks": [{"title": 5}]', encoding="utf-8")
    for programmes in ([tmp_path / "missing.txt"], [bad]):
        with pytest.raises(TalkgraphError):
            build(programmes, out=published)
    assert _snapshot(published) == before


def test_shacl_violation_leaves_the_release(published: Path, tmp_path: Path) -> None:
    before = _snapshot(published)
    shapes = tmp_path / "strict.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix s: <https://schema.org/> .\n"
        "[] a sh:NodeShape ; sh:targetClass s:Event ;\n"
        "   sh:property [ sh:path s:name ; sh:minCount 5 ] .\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed):
        build(out=published, shapes_paths=[shapes])
    assert _snapshot(published) == before


def test_disk_full_midway_leaves_the_release(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(published)
    real = Path.write_bytes
    calls = []

    def full(self: Path, data: bytes) -> int:
        calls.append(self.name)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError) as raised:
        build(out=published)
    assert raised.value.errno == errno.ENOSPC and len(calls) == 3
    monkeypatch.undo()
    assert _snapshot(published) == before
    staging = [p for p in published.parent.glob(".build.releases/*") if p.is_dir()]
    assert published.resolve() in staging  # the failed stage was removed, the release kept
    assert len(staging) <= 3


def _build_command(out: Path) -> list[str]:
    code = "import sys; from talkgraph.cli import main; sys.argv[0] = 'talkgraph'; main()"
    return [sys.executable, "-c", code, "build", str(DEFAULT_PROGRAMME), "--out", str(out)]


def test_killed_during_serialisation_leaves_a_whole_release(published: Path) -> None:
    """SIGKILL at several moments after serialisation starts: the link shows the old release,
    or (if the kill came after the switch) a complete new one; never a mix."""
    unchanged = 0
    for delay in (0.0, 0.02, 0.05, 0.1, 0.2):
        before = _snapshot(published)
        process = subprocess.Popen(
            _build_command(published), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
        )
        assert process.stderr is not None
        for line in process.stderr:
            if b"serialisation" in line:
                break
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        process.stderr.close()
        after = _snapshot(published)
        if after == before:
            unchanged += 1
        _whole(published)
        # what the link shows now serves whole (older releases may have been pruned)
        with running_app(published, TESTING=True, WORKERS=1) as app:
            served = app.test_client().get("/download/dataset.nt")
            expected = app.extensions["talkgraph"].manifest.files["dataset.nt"].sha256
            assert served.status_code == 200
            assert hashlib.sha256(served.data).hexdigest() == expected
    assert unchanged >= 1  # at least one kill landed before publication


def test_input_error_type_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        build([tmp_path / "nope.txt"], out=tmp_path / "build")
    assert not (tmp_path / "build").exists()
