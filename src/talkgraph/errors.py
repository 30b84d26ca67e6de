"""One exception hierarchy for talkgraph: every exception the package raises is here.

Every error a user can cause (bad input, failed validation, bad query) derives from
:class:`TalkgraphError`.  The CLI turns these into a clean message and an exit code
(``exit_code``); the web layer turns them into one JSON/HTML error shape (``http_status``).
Anything else is a bug.  The tree (exit code 2 and HTTP 400 unless shown)::

    TalkgraphError
    ├── InputError              a programme, sidecar or registry file cannot be read
    ├── ValidationFailed        SHACL violations, nothing published      (exit 1, HTTP 422)
    ├── ConfigError             an option, setting or build directory is wrong
    ├── NotFound                no such resource                                (HTTP 404)
    ├── PublishFailed           publishing to a remote store failed, nothing changed
    └── QueryError              a SPARQL request is malformed or not allowed
        ├── QueryRefused        asks for what the read-only endpoint never does (HTTP 403)
        ├── QueryTimeout        ran past the time limit                         (HTTP 503)
        ├── ResultTooLarge      past the row or byte limit                      (HTTP 413)
        ├── StoreRefused        a remote store answered an HTTP error (``status``)
        ├── QuerySyntaxError    the parser rejects it (``place``: line, column)
        ├── QueryTooLarge       a query text past the size limit                (HTTP 413)
        ├── QueryAborted        its worker died and was replaced                (HTTP 503)
        └── QueryBusy           every worker is taken: retry later   (HTTP 503, Retry-After)

``tests/test_errors_tree.py`` checks that every exception of the package is here and drawn.
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


class QuerySyntaxError(QueryError):
    """A query the SPARQL parser rejects; ``place`` holds its line and column."""

    def __init__(self, message: str, line: int, column: int, excerpt: str = "") -> None:
        self.excerpt = excerpt
        super().__init__(message, Place("query", line, column))

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        assert self.place is not None
        data.update(line=self.place.line, column=self.place.column, excerpt=self.excerpt)
        return data


class QueryTooLarge(QueryError):
    """A query text longer than :attr:`talkgraph.store.Limits.max_query_bytes`."""

    http_status = 413


class QueryAborted(QueryError):
    """The worker running a query died (it ran out of its memory limit) and was replaced."""

    http_status = 503


class QueryBusy(QueryError):
    """Every worker that could run the query is taken and its queue is full: try again later.

    ``retry_after`` (seconds) is sent as HTTP ``Retry-After``.
    """

    http_status = 503

    def __init__(self, message: str, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(message)

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["retry_after"] = self.retry_after
        return data


class StoreRefused(QueryError):
    """A remote store answered with an HTTP error status (``status``)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class PublishFailed(TalkgraphError):
    """Publishing failed; the published graph is as it was before."""


class NotFound(TalkgraphError):
    """A requested resource does not exist."""

    http_status = 404
