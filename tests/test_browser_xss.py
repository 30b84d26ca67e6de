# ruff: noqa: E501 - payload lines are data
"""A programme full of HTML/JS renders inert in every page, graph view and attribute, in the
real browser: no dialog, no payload script runs, no ``javascript:`` link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page

from support.browser import BROWSER_MARKS, chromium
from support.web import serving
from talkgraph.build import build
from talkgraph.errors import InputError

PROGRAMME = """Confirmed Speakers
Eve <script>alert(1)</script> Hacker
UC San Diego
Talk Details
Eve <script>alert(1)</script> Hacker
UC San Diego
Title: Graphs "><img src=x onerror=window.__xss=3;alert(3)> and 'quotes' </script><script>window.__xss=4</script>
Abstract
An "><img src=x onerror="window.__xss=2"> abstract.
Sparse recovery <svg onload="window.__xss=5">neural networks</svg> and javascript:window.__xss=6 text.
"""
SIDECAR = """name: Workshop <script>window.__xss=7</script>
url: "javascript:window.__xss=8;alert(8)"
description: '"><img src=x onerror=window.__xss=9>'
"""

_LINKS = "Array.from(document.querySelectorAll('a[href^=\"/\"]'), a => a.getAttribute('href'))"

pytestmark = BROWSER_MARKS


def _build(root: Path) -> Path:
    source = root / "programme.txt"
    source.write_text(PROGRAMME, encoding="utf-8")
    sidecar = root / "programme.event.yaml"
    sidecar.write_text(SIDECAR, encoding="utf-8")
    shapes = root / "no-shapes.ttl"
    shapes.write_text("", encoding="utf-8")
    try:
        return build([source], event=sidecar, out=root / "build", shapes_paths=[shapes]).out
    except InputError:  # the sidecar's javascript: URL refused at ingest: also inert
        sidecar.write_text(SIDECAR.replace("url:", "# url:"), encoding="utf-8")
        return build([source], event=sidecar, out=root / "build", shapes_paths=[shapes]).out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(_build(tmp_path_factory.mktemp("xss"))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found


def _visit(page: Page, url: str, dialogs: list[str]) -> None:
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(150)
    assert page.evaluate("typeof window.__xss") == "undefined", url
    assert not dialogs, (url, dialogs)
    bad = page.evaluate(
        "Array.from(document.querySelectorAll('[href],[src],[action],[formaction]'))"
        ".map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action')"
        " || e.getAttribute('formaction') || '')"
        ".filter(v => /^\\s*(javascript|vbscript|data:text\\/html)/i.test(v))"
    )
    assert bad == [], (url, bad)
    assert page.locator("script:not([src]):not([type='application/ld+json'])").count() == 0, url


def test_payloads_stay_inert_everywhere(browser: Browser, server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    _visit(page, server + "/", dialogs)
    links = page.evaluate(
        "Array.from(document.querySelectorAll('a[href^=\"/\"]'), a => a.getAttribute('href'))"
    )
    entities = sorted(
        {h for h in links if h.split("/")[1] in ("talk", "person", "institution", "event", "topic")}
    )
    assert any(h.startswith("/talk/") for h in entities) and any(
        h.startswith("/person/") for h in entities
    )
    pages = ["/dataset", "/downloads", "/query/canned", "/graphs/topics", "/graphs/speakers",
             "/graphs/talks", "/graphs/speakers/table", "/graphs/talks/table",
             "/query?query=SELECT%20%3Fs%20%3Fo%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%2050",
             *entities]  # fmt: skip
    institutions: set[str] = set()
    for path in pages:
        _visit(page, server + path, dialogs)
        hrefs = page.evaluate(_LINKS)
        institutions |= {h for h in hrefs if h.startswith("/institution/")}
    for path in sorted(institutions):
        _visit(page, server + path, dialogs)
    # the query page runs its query in the browser and shows the payload strings as text
    page.goto(server + pages[8], wait_until="networkidle")
    if page.locator("#run").count():
        page.click("#run")
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__xss") == "undefined" and not dialogs
    context.close()
