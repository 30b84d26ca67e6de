"""The query page in a real headless chromium (Playwright) against waitress on 127.0.0.1.

The app serves its strict ``Content-Security-Policy`` (any inline script would be a console
error), and every failed request, response >= 400, console error and page error is recorded and
must not happen (except the 400 a test provokes).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from support.browser import BROWSER_MARKS, Watched, chromium
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
def watched(browser: Browser, server: str) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    found = Watched(context.new_page())
    found.prefix = "query"
    yield found
    context.close()


def test_run_canned_query_and_follow_a_speaker(watched: Watched, server: str) -> None:
    page = watched.page
    page.goto(f"{server}/query")
    assert "PREFIX schema: <https://schema.org/>" in page.input_value("#query-text")
    page.click(".canned-load[data-name=talks-speakers]")
    page.wait_for_selector("#results-table tbody tr")
    assert "conf:Talk" in page.input_value("#query-text")
    assert page.locator("#results-table tbody tr").count() > 0
    assert "/query?query=" in page.url  # the permalink of what ran
    watched.shot("canned-results")
    link = page.locator("#results-table a[href^='/person/']").first
    name = link.inner_text()
    href = link.get_attribute("href")
    assert name and href
    with page.expect_navigation():
        link.click()
    assert page.url == f"{server}{href}"
    assert name in page.inner_text("body")
    watched.shot("speaker-page")
    assert watched.problems == []


def test_permalink_ask_construct_and_downloads(watched: Watched, server: str) -> None:
    page = watched.page
    page.goto(f"{server}/query?query=ASK%20%7B%20%3Fs%20a%20%3Fo%20%7D")
    assert page.input_value("#query-text") == "ASK { ?s a ?o }"
    page.click("#run-query")
    page.wait_for_selector("#ask-answer")
    assert page.inner_text("#ask-answer") == "true"
    page.fill("#query-text", "CONSTRUCT WHERE { ?t a <https://schema.org/Person> } LIMIT 3")
    page.click("#run-query")
    page.wait_for_selector("#graph-result")
    assert "a schema:Person" in page.inner_text("#graph-result")
    page.fill("#query-text", "SELECT ?s WHERE { ?s a ?c } LIMIT 2")
    page.click("#run-query")
    page.wait_for_selector("#results-table")
    with page.expect_download() as info:
        page.click("#download-buttons button[data-format=csv]")
    path = info.value.path()
    assert path.read_text(encoding="utf-8").splitlines()[0] == "s"
    assert watched.problems == []


def test_syntax_error_is_shown(watched: Watched, server: str) -> None:
    page = watched.page
    page.goto(f"{server}/query")
    page.fill("#query-text", "SELECT ?s WHERE {\n  ?s ?p \n")
    page.click("#run-query")
    page.wait_for_selector("#query-error:not([hidden])")
    text = page.inner_text("#query-error")
    assert "400" in text and "line" in text
    watched.shot("syntax-error")
    # the provoked 400 (and the browser's console line about it) are the only problems
    assert watched.problems and all("400" in p for p in watched.problems)


def test_canned_page_form_changes_results(watched: Watched, server: str) -> None:
    page = watched.page
    page.goto(f"{server}/query/canned/talks-on-topic")
    options = page.locator("select[name=topic] option")
    values = [v for v in options.evaluate_all("os => os.map(o => o.value)") if v]
    assert len(values) > 1
    first = page.inner_text("#result-count")
    page.select_option("select[name=topic]", values[-1])
    with page.expect_navigation():
        page.click(".canned-params button[type=submit]")
    assert "topic=" in page.url
    assert page.input_value("select[name=topic]") == values[-1]
    assert page.locator("table.results tbody tr").count() >= 1 or "No results" in page.content()
    watched.shot("canned-page")
    assert first  # the default topic's result count was shown
    assert watched.problems == []
