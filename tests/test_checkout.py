"""A checkout stays clean after the main job: `git status` shows nothing the job wrote."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_build_link_and_its_folders_are_ignored(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    release = repo / ".build.releases" / "20260101T000000Z-abc"
    release.mkdir(parents=True)
    (release / "dataset.nt").write_text("", encoding="utf-8")
    (repo / ".build.cache").mkdir()
    (repo / ".build.cache" / "x.pickle").write_bytes(b"")
    (repo / "build").symlink_to(release.relative_to(repo), target_is_directory=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status.splitlines() == ["?? .gitignore"]
