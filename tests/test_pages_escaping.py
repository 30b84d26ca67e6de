"""Markup in the data is shown as text: HTML escaping and the JSON-LD script element."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask

from support.builds import crafted_build
from support.pages import BROWSER_ACCEPT, Page
from support.web import running_app

PROGRAMME = """Confirmed Speakers
Eve <script>alert(1)</script> Hacker
Example University
Talk Details
Eve <script>alert(1)</script> Hacker
Example University
Title: Escaping </script><script>alert(2)</script> in graphs
Abstract
First paragraph with <img src=x onerror=alert(3)> and "quotes" & ampersands.

Second paragraph about neural collapse.
"""


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    out = crafted_build(tmp_path_factory.mktemp("crafted"), PROGRAMME)
    with running_app(out) as application:
        yield application


def _pages(app: Flask) -> dict[str, str]:
    client = app.test_client()
    home = Page(client.get("/").get_data(as_text=True))
    paths = {h for hs in home.links.values() for h in hs if h.startswith(("/talk/", "/person/"))}
    paths |= {"/", "/event/programme", "/dataset"}
    return {p: client.get(p, headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
            for p in sorted(paths)}  # fmt: skip


def test_markup_in_names_and_titles_is_escaped(crafted: Flask) -> None:
    pages = _pages(crafted)
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in html for html in pages.values())
    assert any("&lt;img src=x onerror=alert(3)&gt;" in html for html in pages.values())
    for path, html in pages.items():
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        page = Page(html)
        # no inline code: script elements are JSON-LD data blocks or load a file
        assert all(s.get("type") == "application/ld+json" or s.get("src") for s in page.scripts)
        for script in page.jsonld:
            assert "</" not in script and "<" not in script, path
            json.loads(script)


def test_jsonld_keeps_the_text(crafted: Flask) -> None:
    pages = _pages(crafted)
    names = [json.loads(s).get("name", "") for html in pages.values() for s in Page(html).jsonld]
    assert "Escaping </script><script>alert(2)</script> in graphs" in names
    assert any("<script>alert(1)</script>" in n for n in names)
