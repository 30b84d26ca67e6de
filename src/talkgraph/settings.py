"""Every setting of the served application and its default: the one table.

The web application's config (``create_app(data_dir, config={...})``), the waitress server and
``talkgraph serve`` take their defaults from :data:`SETTINGS` (through :data:`DEFAULTS`), and
``tests/test_settings.py`` checks that docs/settings.md (and the tables in
docs/limits-and-safety.md) show exactly these keys and defaults.  To add a setting: add a row
here and to docs/settings.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["seconds", "bytes", "count", "number", "flag", "text"]
MIB = 1024 * 1024


@dataclass(frozen=True)
class Setting:
    """One config key: its default, how the default reads in the docs, and what it means."""

    key: str
    default: float | int | bool | str | None
    kind: Kind
    meaning: str
    note: str = ""  # said after the default in the docs, e.g. what 0 means
    cli: str = "config only"

    def shown(self) -> str:
        """The default as the docs table shows it (``10 s``, ``64 MiB``, ``10,000``, ``off``)."""
        value = self.default
        if value is None:
            text = "none"
        elif self.kind == "flag":
            text = "on" if value else "off"
        elif self.kind == "seconds":
            assert isinstance(value, int | float)
            text = f"{value:g} s" if value else "0"
        elif self.kind == "bytes":
            assert isinstance(value, int)
            text = f"{value // MIB} MiB" if value % MIB == 0 else f"{value // 1024} KiB"
        elif self.kind == "count":  # thousands separated: 10,000
            assert isinstance(value, int)
            text = f"{value:,}"
        else:
            text = str(value)
        return f"{text} ({self.note})" if self.note else text


SETTINGS: tuple[Setting, ...] = (
    # the query limits (store/base.py Limits is built from these four)
    Setting("QUERY_TIMEOUT", 10.0, "seconds",
            "evaluation time per query; also the longest wait for a free worker",
            cli="`--query-timeout`"),
    Setting("MAX_ROWS", 10_000, "count",
            "rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per result", cli="`--max-rows`"),
    Setting("MAX_RESULT_BYTES", 64 * MIB, "bytes", "bytes of one serialised result"),
    Setting("MAX_QUERY_BYTES", 64 * 1024, "bytes",
            "bytes of a query text; request bodies may be 3× that (form encoding)"),
    # the store
    Setting("WORKERS", 0, "count",
            "query worker processes (forked, each holding the store copy-on-write); "
            "with a remote store, the queries sent to it at once",
            note="one per CPU and one more, at least 2"),
    Setting("WORKER_MEMORY_MB", 2048, "number",
            "memory a worker may have of its own: what it allocates after the fork "
            "(`RLIMIT_AS`) and the pages of the in-memory store it copies on write "
            "(measured while it runs and after each query)"),
    Setting("ANSWER_CACHE_BYTES", 64 * MIB, "bytes",
            "`/sparql` answers kept per dataset (0: none)"),
    Setting("STORE", None, "text",
            "where queries run: none (in memory), a directory (on-disk store) or the URL of "
            "a SPARQL endpoint holding the published dataset", note="in memory",
            cli="`--store`"),
    Setting("STORE_GRAPH", None, "text",
            "with a `STORE` URL: the named graph holding the dataset", note="the dataset IRI",
            cli="`--graph`"),
    # reloading
    Setting("RELOAD_INTERVAL", 0.0, "seconds",
            "seconds between checks of the build link's target; a new target is loaded and "
            "swapped in", note="off", cli="`--watch`"),
    Setting("RELOAD_ON_SIGHUP", False, "flag",
            "reload on `SIGHUP` (installed only when the app is created in the main thread)",
            note="on with `talkgraph serve`", cli="always on"),
    # the waitress server (web/server.py)
    Setting("SERVER_THREADS", 8, "count",
            "threads answering requests; a long query holds one thread and one worker",
            cli="`--threads`"),
    Setting("SERVER_REQUEST_TIMEOUT", 15.0, "seconds",
            "from a request's first byte to its last (headers and body)"),
    Setting("SERVER_IDLE_TIMEOUT", 30.0, "seconds",
            "a kept-alive connection waiting for its next request"),
    Setting("SERVER_CONNECTION_LIMIT", 1000, "number",
            "open connections (at most the open-file limit − 64)"),
    Setting("SERVER_CLEANUP_INTERVAL", 1.0, "seconds",
            "how often the two timeouts are checked"),
    Setting("TESTING", False, "flag", "Flask's testing mode (exceptions reach the test client)"),
)  # fmt: skip

#: Every default by key (what ``create_app`` starts its config from).
DEFAULTS: dict[str, float | int | bool | str | None] = {s.key: s.default for s in SETTINGS}


def default(key: str) -> float | int | bool | str | None:
    """The default of one setting (KeyError for a key that is not in :data:`SETTINGS`)."""
    return DEFAULTS[key]


def integer(key: str) -> int:
    """The default of a whole-number setting (a count, a size)."""
    value = DEFAULTS[key]
    assert isinstance(value, int) and not isinstance(value, bool), key
    return value


def seconds(key: str) -> float:
    """The default of a setting in seconds."""
    value = DEFAULTS[key]
    assert isinstance(value, int | float) and not isinstance(value, bool), key
    return float(value)
