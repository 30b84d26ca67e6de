"""Shared parts of the real-browser tests: Debian's chromium, driven by Playwright, against the
app served by waitress on 127.0.0.1 (``support.web.serving``).  The app sends its own strict
Content-Security-Policy, so any inline script would show up as a console error, which every test
treats as a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, sync_playwright

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

#: ``pytestmark`` of every browser test module: skipped only off CI on a machine without chromium.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"), reason="no /usr/bin/chromium"
    ),
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless (never a browser downloaded by Playwright)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Watched:
    """A page whose problems are recorded: failed requests, responses >= 400, console errors
    and uncaught page errors."""

    prefix = "page"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _failed(self, request: Request) -> None:
        # net::ERR_ABORTED: the browser itself cancelled the load (the page navigated away
        # while, say, its favicon was still loading) — not a failure of the server
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} ({request.failure})")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def shot(self, name: str) -> None:
        """Keep a screenshot as a test artifact (test-artifacts/, ignored by git)."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{self.prefix}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
