"""The one negotiator and the one way to send a typed body.

:func:`best` is werkzeug's ``accept_mimetypes.best_match`` with the rule every route follows:
no ``Accept`` means the first offer; ties go to the earlier offer.  :func:`typed` sends bytes
with the media type from :mod:`talkgraph.formats` and the charset rule of
:func:`talkgraph.formats.with_charset`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import Response, request
from werkzeug.exceptions import NotAcceptable

from ..formats import with_charset


def best(offers: Sequence[str]) -> str | None:
    """The offered media type ``Accept`` prefers: the first offer without ``Accept``,
    ``None`` when it allows none of them."""
    accept = request.accept_mimetypes
    if not accept:
        return offers[0]
    return accept.best_match(offers)


def pick(offers: Sequence[tuple[str, str]], what: str) -> str:
    """The name (the second item) of the ``(media type, name)`` offer ``Accept`` prefers;
    406 naming ``what`` (the media types answered with) when it allows none."""
    found = best([media for media, _ in offers])
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
