"""Atomic publication of a build directory.

A build is written to a fresh release directory beside the output, then the output path (a
symbolic link) is switched to it with one ``rename(2)``: readers see the old release or the new
one, never a half-written mix.  A failed build removes its release and leaves the link alone.

    build            -> .build.releases/20261127T004512Z-1a2b3c
    .build.releases/ (the last ``keep`` releases)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from .errors import ConfigError


def releases_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.releases"


@contextlib.contextmanager
def staged_release(out: Path, keep: int = 3) -> Iterator[Path]:
    """Yield a fresh directory to write a release into; publish it as ``out`` on success.

    If the body raises, the staged directory is removed and ``out`` is untouched.
    """
    out = Path(os.path.abspath(out))
    if out.exists() and not out.is_symlink() and not out.is_dir():
        raise ConfigError(f"output path {out} exists and is not a directory")
    root = releases_dir(out)
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    staging = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=root))
    try:
        yield staging
        _fsync_tree(staging)
        _switch(out, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(out, root, keep)


def _fsync_tree(path: Path) -> None:
    for file in sorted(path.rglob("*")):
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())


def _switch(out: Path, release: Path) -> None:
    target = os.path.relpath(release, out.parent)
    if out.exists() and not out.is_symlink():
        # An earlier plain directory: keep it as a release, then link.
        legacy = releases_dir(out) / f"legacy-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
        out.rename(legacy)
    tmp_link = out.parent / f".{out.name}.link-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    tmp_link.symlink_to(target, target_is_directory=True)
    os.replace(tmp_link, out)  # atomic: readers see the old or the new release


def _prune(out: Path, root: Path, keep: int) -> None:
    current = out.resolve()
    releases = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name)
    for old in releases[: max(0, len(releases) - keep)]:
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)


def write_bytes_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write a single file atomically (temp file in the same directory, then rename);
    ``sync`` waits for its bytes to reach the disk before the rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
