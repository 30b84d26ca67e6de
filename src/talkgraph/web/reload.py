"""Switching to a newly built dataset without downtime.

Each request pins the :class:`~talkgraph.web.AppState` current when it starts (``g``), so it
sees one dataset from start to end.  :func:`reload` loads the build directory's current target
into a new state (store loaded, workers forked) while the old one keeps serving, then swaps
``app.extensions["talkgraph"]`` in one assignment.  The old state is closed once the last
request pinned to it has finished (a reference count).  Triggers: :func:`reload` itself,
``SIGHUP`` (:func:`install_sighup`) and a poll of the build symlink's target every
``RELOAD_INTERVAL`` seconds (:class:`Watcher`).

``/.well-known/talkgraph`` (also ``/version``) says which build is served, and every response
carries ``X-Dataset-Version`` (a prefix of ``dataset.nt``'s SHA-256).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify

from .. import __version__
from . import AppState, open_state, state

log = logging.getLogger(__name__)
bp = Blueprint("reload", __name__)

_KEY = "talkgraph.reload"  # the Tracker (caches live on each AppState, see AppState.cache)
_G_STATE = "talkgraph_state"
VERSION_CHARS = 16


def dataset_sha256(st: AppState) -> str:
    """The SHA-256 of the served ``dataset.nt`` as the manifest records it ("" if absent)."""
    return st.manifest.sha256("dataset.nt")


def dataset_version(st: AppState) -> str:
    return dataset_sha256(st)[:VERSION_CHARS] or "unknown"


class Tracker:
    """In-flight requests per state; retired states are closed when their count drops to 0."""

    def __init__(self, target: str) -> None:
        self.lock = threading.Lock()
        self.reloading = threading.Lock()
        self.counts: dict[int, int] = {}
        self.retired: dict[int, AppState] = {}
        self.target = target  # the resolved build directory being served
        self.loaded_at = datetime.now(UTC).replace(microsecond=0).isoformat()
        self.swaps = 0
        self.failed: str | None = None  # a target that could not be loaded

    def acquire(self, st: AppState) -> None:
        with self.lock:
            self.counts[id(st)] = self.counts.get(id(st), 0) + 1

    def release(self, st: AppState) -> None:
        with self.lock:
            left = self.counts.get(id(st), 1) - 1
            if left > 0:
                self.counts[id(st)] = left
                return
            self.counts.pop(id(st), None)
            done = self.retired.pop(id(st), None)
        if done is not None:
            done.close()
            log.info("closed the previous dataset %s", dataset_version(done))

    def retire(self, app: Flask, st: AppState) -> None:
        with self.lock:
            busy = self.counts.get(id(st), 0) > 0
            if busy:
                self.retired[id(st)] = st
        if not busy:
            st.close()


def tracker(app: Flask) -> Tracker:
    found = app.extensions.get(_KEY)
    if not isinstance(found, Tracker):
        st = app.extensions["talkgraph"]
        found = app.extensions.setdefault(_KEY, Tracker(os.path.realpath(st.data_dir)))
    assert isinstance(found, Tracker)
    return found


def pin(app: Flask) -> AppState:
    """The state ``app`` serves now, counted as in use until :meth:`Tracker.release`."""
    track = tracker(app)
    with track.lock:  # read and count under the lock, so a swap cannot close it in between
        st = app.extensions["talkgraph"]
        track.counts[id(st)] = track.counts.get(id(st), 0) + 1
    assert isinstance(st, AppState)
    return st


def _pin() -> None:
    setattr(g, _G_STATE, pin(current_app._get_current_object()))  # type: ignore[attr-defined]


def _unpin(_: BaseException | None) -> None:
    st = g.pop(_G_STATE, None)
    if isinstance(st, AppState):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        tracker(app).release(st)


def _version_header(response: Response) -> Response:
    st = g.get(_G_STATE)
    if isinstance(st, AppState):
        response.headers["X-Dataset-Version"] = dataset_version(st)
    return response


def swap(app: Flask, new: AppState) -> AppState:
    """Serve ``new`` from now on; the old state is closed when its requests are done."""
    track = tracker(app)
    with track.lock:
        old = app.extensions["talkgraph"]
        app.extensions["talkgraph"] = new
        track.target = os.path.realpath(new.data_dir)
        track.loaded_at = datetime.now(UTC).replace(microsecond=0).isoformat()
        track.swaps += 1
    assert isinstance(old, AppState)
    track.retire(app, old)
    log.info("now serving dataset %s (was %s)", dataset_version(new), dataset_version(old))
    return old


def reload(app: Flask, data_dir: Path | None = None, *, force: bool = False) -> bool:
    """Load ``data_dir`` (default: the served path, re-resolved) and swap it in.

    Returns ``False`` when the resolved directory is the one already served (unless
    ``force``) or a reload is already running.  A directory that cannot be loaded raises
    and leaves the current dataset in place.
    """
    track = tracker(app)
    if not track.reloading.acquire(blocking=False):
        return False
    try:
        current = app.extensions["talkgraph"]
        source = Path(data_dir) if data_dir is not None else current.source
        target = os.path.realpath(source)
        if target in (track.target, track.failed) and not force:
            return False
        try:
            new = open_state(Path(target), app.config, source=source)
        except Exception:
            track.failed = target  # not retried until the link changes again
            raise
        track.failed = None
        swap(app, new)
        return True
    finally:
        track.reloading.release()


def _reload_logged(app: Flask) -> None:
    try:
        reload(app)
    except Exception:  # noqa: BLE001 - a bad build must not stop the server
        log.exception("reload failed; still serving the previous dataset")


class Watcher(threading.Thread):
    """Polls the served path's target every ``interval`` seconds and reloads on change."""

    def __init__(self, app: Flask, interval: float) -> None:
        super().__init__(name="talkgraph-reload", daemon=True)
        self.app, self.interval = app, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            _reload_logged(self.app)

    def stop(self) -> None:
        self.stopped.set()


def install_sighup(app: Flask) -> Callable[[], None]:
    """Reload on ``SIGHUP`` (call from the main thread); returns a function undoing it."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        threading.Thread(target=_reload_logged, args=(app,), daemon=True).start()

    previous = signal.signal(signal.SIGHUP, handler)

    def undo() -> None:
        signal.signal(signal.SIGHUP, previous)

    return undo


def install(app: Flask) -> Watcher | None:
    """Pin states per request; start a :class:`Watcher` when ``RELOAD_INTERVAL`` > 0 and
    handle ``SIGHUP`` when ``RELOAD_ON_SIGHUP`` is set (main thread only)."""
    tracker(app)
    app.before_request(_pin)
    app.after_request(_version_header)
    app.teardown_request(_unpin)
    if app.config.get("RELOAD_ON_SIGHUP") and threading.current_thread() is threading.main_thread():
        install_sighup(app)
    interval = float(app.config.get("RELOAD_INTERVAL") or 0)
    if interval <= 0:
        return None
    watcher = Watcher(app, interval)
    app.extensions["talkgraph.reload.watcher"] = watcher
    watcher.start()
    return watcher


def describe(st: AppState) -> dict[str, Any]:
    track = tracker(current_app._get_current_object())  # type: ignore[attr-defined]
    return {
        "dataset_version": dataset_version(st),
        "dataset_sha256": dataset_sha256(st),
        "created": st.manifest.created,
        "triples": st.manifest.triple_count,
        "build_version": st.manifest.version or None,
        "release": Path(os.path.realpath(st.data_dir)).name,
        "loaded_at": track.loaded_at,
        "reloads": track.swaps,
        "software_version": __version__,
    }


@bp.get("/.well-known/talkgraph")
@bp.get("/version")
def version() -> Response:
    """Which build this server answers from."""
    response = jsonify(describe(state()))
    response.headers["Cache-Control"] = "no-cache"
    return response
