"""One exception hierarchy for talkgraph.

Every error a user can cause (bad input, failed validation, bad query) derives from
:class:`TalkgraphError`.  The CLI turns these into a clean message and an exit code; the web
layer turns them into one JSON/HTML error shape.  Anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """Where in an input something is: a file, optionally a line, column and field."""

    file: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.field:
            text += f" ({self.field})"
        return text


class TalkgraphError(Exception):
    """Base class of every error talkgraph reports to a user."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str, place: Place | None = None) -> None:
        self.message = message
        self.place = place
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"error": type(self).__name__, "message": self.message}
        if self.place is not None:
            data["place"] = str(self.place)
        return data


class InputError(TalkgraphError):
    """A programme, sidecar or registry file cannot be read or parsed."""


class ValidationFailed(TalkgraphError):
    """The built graph has SHACL violations; nothing was published."""

    exit_code = 1
    http_status = 422


class ConfigError(TalkgraphError):
    """A command-line option or setting is invalid."""


class QueryError(TalkgraphError):
    """A SPARQL query is malformed or not allowed."""


class QueryRefused(QueryError):
    """A SPARQL request asks for something the read-only endpoint never does."""

    http_status = 403


class QueryTimeout(QueryError):
    """A SPARQL query ran past the configured time limit and was stopped."""

    http_status = 503


class ResultTooLarge(QueryError):
    """A SPARQL result exceeded the configured row or byte limit."""

    http_status = 413


class NotFound(TalkgraphError):
    """A requested resource does not exist."""

    http_status = 404
