"""The web application: ``create_app(data_dir)`` serves one build directory.

State lives in ``app.extensions["talkgraph"]`` (an :class:`AppState`; use :func:`state` inside a
request); what blueprints derive from the dataset is cached on it (:meth:`AppState.cache`), so a
reload, which swaps in a new state, starts with empty caches.  Blueprints are registered from
the list in :func:`_blueprints`.  Serve it with :func:`talkgraph.web.server.serve` (waitress),
never with Flask's development server.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app, g

from ..iris import Minter
from ..manifest import Manifest, read_manifest
from ..settings import DEFAULTS
from ..store import Backend, Limits, open_store
from .errors import register_errors

T = TypeVar("T")


@dataclass
class AppState:
    """What the blueprints share: the build directory, its store, manifest and minter."""

    data_dir: Path
    store: Backend
    manifest: Manifest
    minter: Minter
    limits: Limits
    closed: bool = field(default=False)
    source: Path | None = None  # the path as configured (the build link), re-resolved on reload
    caches: dict[str, object] = field(default_factory=dict)  # per dataset, see cache()
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cache(self, name: str, kind: type[T], make: Callable[[], T] | None = None) -> T:
        """This dataset's cache called ``name`` (a ``kind``, made by ``make`` or ``kind()`` on
        first use); it lives and dies with the state, so a reload never serves stale data."""
        with self._lock:
            found = self.caches.get(name)
            if not isinstance(found, kind):
                found = (make or kind)()
                self.caches[name] = found
            return found

    def close(self) -> None:
        """Stop the store's worker processes (also done at interpreter exit)."""
        if not self.closed:
            self.closed = True
            self.store.close()


def state() -> AppState:
    """The :class:`AppState` of the current application."""
    found = g.get("talkgraph_state") or current_app.extensions["talkgraph"]  # pinned: reload.py
    assert isinstance(found, AppState)
    return found


def _blueprints() -> list[Blueprint]:
    """Every blueprint of the application, in registration order."""
    from .downloads import bp as downloads
    from .graphs import bp as graphs
    from .openapi import bp as openapi
    from .pages import bp as pages
    from .query import bp as query
    from .reload import bp as reload
    from .schedules import bp as schedules
    from .sparql import bp as sparql

    return [sparql, graphs, query, pages, downloads, openapi, reload, schedules]


def open_state(
    data_dir: Path, config: Mapping[str, Any], *, source: Path | None = None
) -> AppState:
    """Load the build in ``data_dir`` (resolved) into a new :class:`AppState`."""
    source = Path(source if source is not None else data_dir)
    data_dir = Path(os.path.realpath(data_dir))
    manifest = read_manifest(data_dir)
    limits = Limits(
        timeout=float(config["QUERY_TIMEOUT"]),
        max_rows=int(config["MAX_ROWS"]),
        max_result_bytes=int(config["MAX_RESULT_BYTES"]),
        max_query_bytes=int(config["MAX_QUERY_BYTES"]),
    )
    store = open_store(
        data_dir,
        manifest.base_iri,
        limits=limits,
        workers=int(config["WORKERS"]),
        worker_memory_mb=int(config["WORKER_MEMORY_MB"]),
        store=config.get("STORE"),  # None: in memory; a directory: on disk; a URL: remote
        graph=config.get("STORE_GRAPH"),  # remote: the named graph (default: dataset IRI)
    )
    return AppState(
        data_dir=data_dir,
        store=store,
        manifest=manifest,
        minter=Minter(manifest.base_iri),
        limits=limits,
        source=source,
    )


def setup_logging(level: int = logging.INFO) -> None:
    """Log to stderr, one line per record with request text escaped (see
    :class:`talkgraph.web.security.EscapingFormatter`), unless logging is configured already;
    the access log (``talkgraph.web.access``) has one line per request."""
    from .security import EscapingFormatter

    root = logging.getLogger()
    if root.handlers:
        for handler in root.handlers:  # keep their destinations, make their lines safe
            if type(handler.formatter) in (logging.Formatter, type(None)):
                handler.setFormatter(EscapingFormatter(_LOG_FORMAT))
        return
    handler = logging.StreamHandler()
    handler.setFormatter(EscapingFormatter(_LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)


_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def create_app(data_dir: Path, *, config: Mapping[str, Any] | None = None) -> Flask:
    """A Flask application serving the build in ``data_dir`` (its config starts from
    :data:`talkgraph.settings.DEFAULTS`; ``config`` overrides)."""
    from . import fastpath, reload, security

    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.from_mapping(config)
    app.extensions["talkgraph"] = open_state(Path(data_dir), app.config)
    security.install(app)
    register_errors(app)
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    reload.install(app)
    fastpath.install(app)  # plain query GETs on /sparql without Flask's dispatch
    return app
