"""One settings table: the code's defaults come from support.web import running_app
from talkgraph.settings, and the docs show
exactly those keys and defaults."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.web import running_app
from talkgraph.settings import DEFAULTS, SETTINGS
from talkgraph.store import Limits

DOCS = Path(__file__).resolve().parents[1] / "docs"
ROW = re.compile(r"^\| `([A-Z_]+)` \| ([^|]+) \|([^|]+)\|(?:([^|]+)\|)?\s*$", re.M)


def _rows(name: str) -> dict[str, list[str]]:
    text = (DOCS / name).read_text(encoding="utf-8")
    return {m[1]: [c.strip() for c in m.groups()[1:] if c] for m in ROW.finditer(text)}


def test_settings_md_is_the_table() -> None:
    rows = _rows("settings.md")
    assert list(rows) == [s.key for s in SETTINGS]
    for setting in SETTINGS:
        shown, meaning, cli = rows[setting.key]
        assert (shown, meaning, cli) == (setting.shown(), setting.meaning, setting.cli)


@pytest.mark.parametrize("name", ["limits-and-safety.md"])
def test_other_docs_show_the_same_defaults(name: str) -> None:
    rows = _rows(name)
    assert rows, f"no settings table in docs/{name}"
    by_key = {s.key: s for s in SETTINGS}
    for key, cells in rows.items():
        assert key in by_key, f"docs/{name} documents {key}, which is no setting"
        assert cells[0] == by_key[key].shown(), key


def test_the_code_takes_its_defaults_from_the_table(mini_dir: Path) -> None:
    from talkgraph.cli import serve

    with running_app(mini_dir, TESTING=True) as app:
        assert {k: app.config[k] for k in DEFAULTS} == {**DEFAULTS, "TESTING": True}
    threads = next(p for p in serve.params if p.name == "threads")
    assert threads.default == DEFAULTS["SERVER_THREADS"]
    limits = Limits()  # the store's own defaults (used without the web app) agree too
    assert limits.timeout == DEFAULTS["QUERY_TIMEOUT"]
    assert limits.max_rows == DEFAULTS["MAX_ROWS"]
    assert limits.max_result_bytes == DEFAULTS["MAX_RESULT_BYTES"]
    assert limits.max_query_bytes == DEFAULTS["MAX_QUERY_BYTES"]
