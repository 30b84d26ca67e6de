"""A programme page read from an http(s) URL: a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from talkgraph.errors import InputError
from talkgraph.ingest import load_programme
from talkgraph.ingest.fetch import as_url, fetch_text

PAGE = (Path(__file__).parent / "data" / "real" / "pages" / "optazur-seminar.md").read_bytes()
ROUTES: dict[str, tuple[int, str, bytes, dict[str, str]]] = {
    "/seminar.md": (200, "text/markdown; charset=utf-8", PAGE, {}),
    "/page": (
        200,
        "text/html; charset=utf-8",
        b"<table><tr><th>Speaker</th><th>Title</th></tr>"
        b"<tr><td>Ada Lovelace</td><td>Engines</td></tr></table>",
        {},
    ),
    "/latin": (
        200,
        "text/plain; charset=iso-8859-1",
        "René Vidal: Subspaces\n".encode("latin-1"),
        {},
    ),
    "/image.png": (200, "image/png", b"\x89PNG....", {}),
    "/big": (200, "text/plain", b"x" * 5000, {}),
    "/to-file": (302, "text/plain", b"", {"Location": "file:///etc/passwd"}),
    "/to-page": (302, "text/plain", b"", {"Location": "/page"}),
    "/empty": (200, "text/plain", b"   ", {}),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/slow":
            time.sleep(2)
        status, ctype, body, headers = ROUTES.get(self.path, (404, "text/plain", b"no", {}))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        # the reader may stop at its size cap or timeout: what the tests check
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_build_input_from_url(base: str) -> None:
    programme = load_programme(f"{base}/seminar.md")
    assert programme.source == "seminar.md" and len(programme.talks) == 15
    html = load_programme(f"{base}/page")
    assert [(t.speaker.name.text, t.title.text) for t in html.talks] == [
        ("Ada Lovelace", "Engines")
    ]


def test_a_path_that_lost_a_slash_is_a_url_again(base: str) -> None:
    assert as_url(Path(f"{base}/page")) == f"{base}/page"  # Path() collapses "//"
    assert as_url(Path("programme.txt")) is None
    with pytest.raises(InputError, match="only http and https"):
        as_url("ftp://example.org/x")


def test_declared_charset_is_used(base: str) -> None:
    text, name = fetch_text(f"{base}/latin")
    assert text == "René Vidal: Subspaces\n" and name == "latin"


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/missing", "HTTP 404"),
        ("/image.png", "not a text page"),
        ("/to-file", "cannot fetch"),
        ("/empty", "empty"),
    ],
)
def test_refused_pages_name_the_url(base: str, path: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        fetch_text(f"{base}{path}")
    assert words in info.value.message
    assert info.value.place is not None and info.value.place.file == f"{base}{path}"


def test_size_cap_timeout_and_redirect(base: str) -> None:
    with pytest.raises(InputError, match="larger than"):
        fetch_text(f"{base}/big", max_bytes=1000)
    with pytest.raises(InputError, match="cannot fetch"):
        fetch_text(f"{base}/slow", timeout=0.3)
    text, name = fetch_text(f"{base}/to-page")
    assert name == "page.html" and "Ada Lovelace" in text
