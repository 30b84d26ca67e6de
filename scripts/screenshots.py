"""Regenerate docs/screenshots/topic-map.png and speaker-map.png from the seed programme.

Builds data/ into a temporary directory, serves it with waitress on 127.0.0.1 and photographs
the maps in headless chromium (Debian's /usr/bin/chromium, driven by Playwright)::

    python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from talkgraph.build import build
from talkgraph.web import create_app
from talkgraph.web.server import make_server, stop

ROOT = Path(__file__).resolve().parent.parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = {"topics": "topic-map.png", "speakers": "speaker-map.png"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "build"
        build(None, out=data)
        app = create_app(data)
        server = make_server(app, "127.0.0.1", 0, threads=4)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.effective_port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                for kind, name in SHOTS.items():
                    page.goto(f"{base}/graphs/{kind}")
                    page.wait_for_selector("#graphview[data-layout=done]", timeout=60_000)
                    page.wait_for_timeout(300)
                    page.locator("#graphview").screenshot(path=str(args.out / name))
                    print(f"wrote {args.out / name}")
                browser.close()
        finally:
            stop(server)
            thread.join(10)
            app.extensions["talkgraph"].close()


if __name__ == "__main__":
    main()
