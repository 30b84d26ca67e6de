"""Make the "as copied from a browser" text form of a corpus page.

Markdown sources are rendered to HTML with markdown-it-py (CommonMark + tables, raw HTML kept;
YAML/TOML front matter and Liquid/Hugo tags are dropped as a site build would), then the HTML is
loaded in headless chromium and ``document.body.innerText`` is taken -- what select-all + copy
gives (table cells TAB-separated, closed ``<details>`` bodies left out).

    .venv/bin/python bench/render_page_text.py pages/X.md pages/X.txt
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from markdown_it import MarkdownIt
from playwright.sync_api import sync_playwright

_FRONT = re.compile(r"\A(?:---\n.*?\n---|\+\+\+\n.*?\n\+\+\+)\n", re.S)
_TAGS = re.compile(r"\{%.*?%\}|\{\{<.*?>\}\}|\{\{.*?\}\}", re.S)


def to_html(path: Path) -> str:
    text = _TAGS.sub("", _FRONT.sub("", path.read_text("utf-8")))
    if path.suffix.lower() in (".md", ".markdown"):
        text = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    return f"<!doctype html><html><head><meta charset='utf-8'></head><body>{text}</body></html>"


def inner_text(html: str) -> str:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(java_script_enabled=True)
            page.route("**/*", lambda route: route.abort())  # no network: text only
            page.set_content(html, wait_until="domcontentloaded")
            text: str = page.evaluate("document.body.innerText")
        finally:
            browser.close()
    return text


def main() -> None:
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    dst.write_text(inner_text(to_html(src)).rstrip() + "\n", "utf-8")


if __name__ == "__main__":
    main()
