"""The programme as schedules calendars and conference apps read (see :mod:`talkgraph.exports`).

* ``/event/{slug}/schedule.ics`` — the event's talks as an iCalendar feed;
* ``/event/{slug}/schedule.xml`` — a frab/pentabarf ``schedule.xml`` (Giggity, ConfClerk);
* ``/event/{slug}/schedule.json`` — a C3VOC ``schedule.json``;
* ``/person/{slug}/talks.ics`` — one speaker's talks as an iCalendar feed.

Each is a file of the build (``schedule-…``, listed in the manifest's ``schedules`` with its
SHA-256, which is the ``ETag``); only names listed there are served, so no path can leave the
build.
"""

from __future__ import annotations

import re

from flask import Blueprint, send_file
from werkzeug.wrappers import Response as BaseResponse

from ..errors import NotFound
from . import state
from .downloads import created

bp = Blueprint("schedules", __name__)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _serve(name: str, what: str) -> BaseResponse:
    entry = state().manifest.schedules.get(name)
    path = state().data_dir / name
    if entry is None or not path.is_file():
        raise NotFound(f"no {what} in this build")
    return send_file(
        path,
        mimetype=entry.media_type or "application/octet-stream",
        conditional=True,
        etag=entry.sha256,
        last_modified=created(),
        max_age=0,
    )


@bp.get("/event/<slug>/schedule.<ext>")
def event_schedule(slug: str, ext: str) -> BaseResponse:
    """An event's schedule as iCalendar (``ics``), frab XML (``xml``) or C3VOC JSON (``json``)."""
    if not _SLUG.match(slug) or ext not in ("ics", "xml", "json"):
        raise NotFound("no such schedule (use schedule.ics, schedule.xml or schedule.json)")
    return _serve(f"schedule-event-{slug}.{ext}", f"schedule for event {slug!r}")


@bp.get("/person/<slug>/talks.ics")
def person_talks(slug: str) -> BaseResponse:
    """A speaker's scheduled talks as an iCalendar feed."""
    if not _SLUG.match(slug):
        raise NotFound("no such person")
    return _serve(f"schedule-person-{slug}.ics", f"scheduled talks of {slug!r}")
