"""A programme page given as a URL: fetched once, with a timeout and a size cap, http(s) only.

``talkgraph build https://example.org/workshop/programme`` reads the page as if it were a saved
file: the name is the URL's last path segment (its suffix, if any, says HTML/Markdown/text;
otherwise the content does), the text is decoded with the charset the server declares (UTF-8
otherwise). Redirects are followed only to http(s) URLs, at most five times.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPMessage
from typing import IO, Any

from ..errors import InputError, Place
from .document import MAX_BYTES

TIMEOUT = 20.0  # seconds, for connecting and for each read
MAX_REDIRECTS = 5
_URL = re.compile(r"^https?://", re.IGNORECASE)
_TEXT_TYPES = (
    "text/",
    "application/xhtml+xml",
    "application/xml",
    "application/json",
    "application/ld+json",
)


def as_url(value: object) -> str | None:
    """``value`` as an http(s) URL, or ``None`` for a file path; InputError for another URL
    scheme (``ftp:``, ``file:``). A ``Path`` built from a URL lost one slash (``https:/host/x``);
    it is given back."""
    text = str(value)
    if _URL.match(text):
        return text
    scheme = re.match(r"^([a-z][a-z0-9+.-]{1,15}):/", text, re.IGNORECASE)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        raise InputError("only http and https URLs can be read", Place(text))
    m = re.match(r"^(https?):/(?!/)(.+)$", text, re.IGNORECASE)
    if m and "." in m.group(2).split("/", 1)[0]:
        return f"{m.group(1)}://{m.group(2)}"
    return None


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not _URL.match(newurl):
            raise urllib.error.HTTPError(newurl, code, "redirect to a non-http(s) URL", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _name(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    segment = parsed.path.rstrip("/").rsplit("/", 1)[-1]
    return urllib.parse.unquote(segment) or parsed.hostname or "page"


def fetch_text(
    url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES
) -> tuple[str, str]:
    """The text of the page at ``url`` and a file name for it; InputError naming the URL."""
    if not _URL.match(url):
        raise InputError("only http and https URLs can be read", Place(url))
    opener = urllib.request.build_opener(_HttpOnlyRedirects())
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": "talkgraph (programme reader)",
            "Accept": "text/html, text/*;q=0.9, */*;q=0.1",
        },
    )
    try:
        response: Any = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()  # an error answer holds its connection open until its body is closed
        raise InputError(f"cannot fetch: HTTP {exc.code} {exc.reason}", Place(url)) from exc
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"cannot fetch: {reason}", Place(url)) from exc
    with response:
        ctype = response.headers.get_content_type() if response.headers else "text/plain"
        if not ctype.startswith(_TEXT_TYPES):
            raise InputError(f"not a text page (Content-Type {ctype})", Place(url))
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise InputError(f"page is larger than {max_bytes // (1024 * 1024)} MB", Place(url))
        try:
            data = response.read(max_bytes + 1)
        except (TimeoutError, OSError) as exc:
            raise InputError(f"cannot fetch: {exc}", Place(url)) from exc
        charset = response.headers.get_content_charset() or "utf-8"
        final = response.geturl() or url
    if len(data) > max_bytes:
        raise InputError(f"page is larger than {max_bytes // (1024 * 1024)} MB", Place(url))
    if not data.strip():
        raise InputError("page is empty", Place(url))
    try:
        text = data.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise InputError(f"page is not valid {charset} text", Place(url)) from exc
    name = _name(final)
    if "." not in name:  # the server's type says how to read a page named without a suffix
        name += {
            "text/html": ".html",
            "application/xhtml+xml": ".html",
            "text/markdown": ".md",
        }.get(ctype, "")
    return text.removeprefix("\ufeff"), name
