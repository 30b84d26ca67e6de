"""The linked-data pages in a real headless chromium (Playwright) against waitress on 127.0.0.1.

HTML is served with a strict ``Content-Security-Policy`` added by the test (an inline script
would be a console error); failed requests, responses >= 400, console errors and page errors are
recorded and must not happen.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, Route, sync_playwright

from conftest_pages import seed_build
from talkgraph.web import create_app
from talkgraph.web.server import make_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CSP = "default-src 'self'; script-src 'self'; object-src 'none'"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"), reason="no /usr/bin/chromium"
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(seed_build(tmp_path_factory), config={"TESTING": True})
    srv = make_server(app, "127.0.0.1", 0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()
    thread.join(5)
    app.extensions["talkgraph"].close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _with_csp(route: Route) -> None:
    response = route.fetch()
    headers = dict(response.headers)
    if headers.get("content-type", "").startswith("text/html"):
        headers["content-security-policy"] = CSP
    route.fulfill(response=response, headers=headers)


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(f"{server}/**", _with_csp)
    found = context.new_page()
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    def response(answer: Response) -> None:
        if answer.status >= 400:
            problems.append(f"{answer.status} {answer.url}")

    found.on("console", console)
    found.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    found.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    found.on("response", response)
    yield found, problems
    context.close()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"pages-{name}.png"), full_page=True)


def test_home_to_talk_to_speaker(page: tuple[Page, list[str]], server: str) -> None:
    tab, problems = page
    tab.goto(f"{server}/")
    assert tab.locator("h1").inner_text()
    assert "conforms" in tab.inner_text(".ld-status")
    _shot(tab, "home")
    talk = tab.locator(".ld-talks a[href^='/talk/']").first
    title, href = talk.inner_text(), talk.get_attribute("href")
    with tab.expect_navigation():
        talk.click()
    assert tab.url == f"{server}{href}"
    assert tab.locator("h1").inner_text() == title
    assert tab.locator("script[type='application/ld+json']").count() == 1
    _shot(tab, "talk")
    speaker = tab.locator(".ld-speaker a[href^='/person/']").first
    name, href = speaker.inner_text(), speaker.get_attribute("href")
    with tab.expect_navigation():
        speaker.click()
    assert tab.url == f"{server}{href}"
    assert tab.locator("h1").inner_text() == name
    assert tab.locator(f".ld-talks a:has-text({title!r})").count() >= 1
    tab.wait_for_load_state("networkidle")
    _shot(tab, "speaker")
    assert problems == []


def test_topic_and_downloads_pages(page: tuple[Page, list[str]], server: str) -> None:
    tab, problems = page
    tab.goto(f"{server}/")
    topic = tab.locator(".ld-topics a[href^='/topic/']").first
    with tab.expect_navigation():
        topic.click()
    assert tab.locator(".ld-talks li").count() >= 1
    tab.wait_for_load_state("networkidle")
    _shot(tab, "topic")
    tab.goto(f"{server}/downloads")
    assert tab.locator("a[href='/download/dataset.ttl']").count() == 1
    tab.goto(f"{server}/dataset")
    assert tab.locator(".ld-distributions tbody tr").count() >= 4
    _shot(tab, "dataset")
    assert problems == []
