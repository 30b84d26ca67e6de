"""Downloads: the files of the build, and the dataset description at ``/.well-known/void``.

* ``/downloads`` lists every file the manifest lists (size, media type, SHA-256);
* ``/download/<filename>`` serves one of them — only names the manifest lists, so no path can
  escape the build directory — as an attachment with its media type, ``Content-Length``, the
  SHA-256 as a strong ``ETag``, ``Last-Modified`` (the build time) and 304 answers to
  ``If-None-Match``/``If-Modified-Since``.  With ``Accept-Encoding: gzip`` the body is gzip
  (compressed in memory once, cached; its own ``ETag``); both vary on ``Accept-Encoding``;
* ``/.well-known/void``: the VoID/DCAT description, Turtle by default, JSON-LD, N-Triples or
  RDF/XML by ``Accept`` or ``?format=``; a browser is sent to the ``/dataset`` page.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Response, redirect, render_template, request, send_file
from flask import url_for as flask_url_for
from werkzeug.wrappers import Response as BaseResponse

from ..errors import NotFound
from ..formats import TRIPLE_FORMATS, by_suffix
from . import state
from .errors import error_response
from .negotiate import choose, rdf_response
from .pagedata import licences

log = logging.getLogger(__name__)
bp = Blueprint("downloads", __name__)

#: Files larger than this are never compressed in memory (served as they are).
MAX_GZIP_BYTES = 64 * 1024 * 1024
_WHAT = {
    "void.ttl": "dataset description (VoID/DCAT)",
    "shapes.ttl": "SHACL shapes the dataset is validated against",
    "validation-report.ttl": "last SHACL validation report (RDF)",
    "validation-report.txt": "last SHACL validation report (text)",
}


@dataclass(frozen=True)
class FileInfo:
    """One downloadable file, as the manifest lists it."""

    name: str
    media_type: str
    bytes: int
    sha256: str

    @property
    def what(self) -> str:
        if self.name in _WHAT:
            return _WHAT[self.name]
        fmt = by_suffix(Path(self.name).suffix)
        if self.name.startswith("dataset.") and fmt is not None:
            return f"the dataset in {fmt.label}"
        return ""


def files() -> list[FileInfo]:
    """Every file the manifest lists, by name."""
    found = []
    for name, entry in sorted(state().manifest.files.items()):
        if "/" in name or "\\" in name or name.startswith("."):
            continue
        fmt = by_suffix(Path(name).suffix)
        default = fmt.media_type if fmt is not None else "application/octet-stream"
        found.append(FileInfo(name, entry.media_type or default, entry.bytes, entry.sha256))
    return found


def created() -> datetime | None:
    """When the build was made (the manifest's ``created``)."""
    text = state().manifest.created
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


@bp.get("/downloads")
def listing() -> str:
    return render_template(
        "downloads.html",
        files=files(),
        created=state().manifest.created,
        licences=licences(),
    )


class _GzipCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data: dict[str, bytes] = {}


def _gzipped(info: FileInfo, path: Path) -> bytes | None:
    """The gzip bytes of a file (cached), ``None`` if its content is not the manifest's."""
    cache = state().cache("gzip", _GzipCache)
    with cache.lock:
        if info.name not in cache.data:
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != info.sha256:
                return None
            cache.data[info.name] = gzip.compress(data, compresslevel=6, mtime=0)
        return cache.data[info.name]


def _mismatch(info: FileInfo) -> Response:
    log.error("%s does not match its manifest entry", info.name)
    return error_response(
        "InternalServerError", f"{info.name} on the server does not match the build manifest", 500
    )


@bp.get("/download/<filename>")
def download(filename: str) -> BaseResponse:
    """One file the manifest lists; 404 for any other name."""
    info = next((f for f in files() if f.name == filename), None)
    path = state().data_dir / filename
    if info is None or not path.is_file():
        raise NotFound(f"no file {filename!r} in this build (see /downloads)")
    if path.stat().st_size != info.bytes:
        return _mismatch(info)
    modified = created()
    wants_gzip = request.accept_encodings["gzip"] > 0 and info.bytes <= MAX_GZIP_BYTES
    if wants_gzip:
        data = _gzipped(info, path)
        if data is None:
            return _mismatch(info)
        response: BaseResponse = Response(data, mimetype=info.media_type)
        response.headers["Content-Encoding"] = "gzip"
        response.headers.set("Content-Disposition", "attachment", filename=info.name)
        response.set_etag(f"{info.sha256}-gzip")
        if modified is not None:
            response.last_modified = modified
        response = response.make_conditional(request)
    else:
        response = send_file(
            path,
            mimetype=info.media_type,
            as_attachment=True,
            download_name=info.name,
            conditional=True,
            etag=info.sha256,
            last_modified=modified,
        )
    response.vary.add("Accept-Encoding")
    return response


@bp.get("/.well-known/void")
def void() -> BaseResponse:
    """The dataset description: Turtle unless another RDF format (or HTML) is preferred."""
    choice = choose(html_first=False)
    if choice.is_html:
        response = redirect(flask_url_for("pages.dataset"), 303)
        response.vary.add("Accept")
        return response
    graph = str(state().minter.download("void.ttl"))
    if graph not in state().store.named_graphs:
        raise NotFound("this build has no dataset description (void.ttl)")
    result = state().store.query(
        "CONSTRUCT WHERE { ?s ?p ?o }", default_graph_uris=[graph], result_format=choice.name
    )
    base = request.script_root + request.path
    links = [(f"{base}?format={f.name}", f.media_type) for f in TRIPLE_FORMATS]
    location = f"{base}?format={choice.name}" if choice.negotiated else None
    return rdf_response(result.serialize(choice.name), choice, links=links, location=location)
