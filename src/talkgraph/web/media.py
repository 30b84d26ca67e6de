"""The one negotiator and the one way to send a typed body.

:func:`best` is werkzeug's ``accept_mimetypes.best_match`` with the rule every route follows:
no ``Accept`` means the first offer; ties go to the earlier offer.  :func:`typed` sends bytes
with the media type from :mod:`talkgraph.formats` and the charset rule of
:func:`talkgraph.formats.with_charset`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from flask import Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import parse_accept_header

from ..formats import with_charset

#: ``Accept`` values up to this length have their choices remembered (clients send a few).
_REMEMBERED_ACCEPT = 512


def best(offers: Sequence[str]) -> str | None:
    """The offered media type the request's ``Accept`` prefers: the first offer without
    ``Accept``, ``None`` when it allows none of them."""
    return best_for(request.environ.get("HTTP_ACCEPT"), offers)


def best_for(accept: str | None, offers: Sequence[str]) -> str | None:
    """:func:`best` for the ``Accept`` value ``accept``."""
    if not accept:
        return offers[0]
    if len(accept) > _REMEMBERED_ACCEPT:
        return _best(accept, tuple(offers))
    return _remembered(accept, tuple(offers))


def _best(accept: str, offers: tuple[str, ...]) -> str | None:
    parsed = parse_accept_header(accept, MIMEAccept)
    if not parsed:
        return offers[0]
    return parsed.best_match(offers)


_remembered = lru_cache(maxsize=1024)(_best)  # parsing Accept was a tenth of a cheap query


def pick(offers: Sequence[tuple[str, str]], what: str) -> str:
    """The name (the second item) of the ``(media type, name)`` offer ``Accept`` prefers;
    406 naming ``what`` (the media types answered with) when it allows none."""
    return pick_for(request.environ.get("HTTP_ACCEPT"), offers, what)


def pick_for(accept: str | None, offers: Sequence[tuple[str, str]], what: str) -> str:
    """:func:`pick` for the ``Accept`` value ``accept``."""
    found = best_for(accept, [media for media, _ in offers])
    if found is None:
        raise NotAcceptable(what)
    return next(name for media, name in offers if media == found)


def offers_of(items: Iterable[tuple[str, str, Sequence[str]]]) -> list[tuple[str, str]]:
    """``(media type, name)`` offers from ``(name, media type, aliases)``: each media type then
    its aliases, in order."""
    return [(media, name) for name, main, aliases in items for media in (main, *aliases)]


def typed(data: bytes | str, media_type: str, status: int = 200) -> Response:
    """A response with ``data`` as ``media_type`` (charset added to text types)."""
    return Response(data, status=status, content_type=with_charset(media_type))
