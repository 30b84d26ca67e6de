"""The linked-data pages in a real headless chromium (Playwright) against waitress on 127.0.0.1.

HTML is served with a strict ``Content-Security-Policy`` added by the test (an inline script
would be a console error); failed requests, responses >= 400, console errors and page errors are
recorded and must not happen.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from support.browser import ARTIFACTS, BROWSER_MARKS, Watched, chromium
from support.builds import seed_build
from support.web import serving

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(seed_build()) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context.new_page())
    yield watched.page, watched.problems
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
