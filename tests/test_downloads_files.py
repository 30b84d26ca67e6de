"""Downloads: media types, attachments, gzip, ETag/Last-Modified and 304s, traversal, VoID."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from rdflib import Namespace, URIRef
from rdflib.namespace import RDF
from werkzeug.http import http_date

from support.pages import BROWSER_ACCEPT, Page, parse_rdf

# the shared fixtures, under their own names

SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def manifest(seed_dir: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((seed_dir / "manifest.json").read_text())
    return found


def test_listing_names_every_file(seed_client: FlaskClient, manifest: dict[str, Any]) -> None:
    page = Page(seed_client.get("/downloads").get_data(as_text=True))
    for name, entry in manifest["files"].items():
        assert page.links[name] == [f"/download/{name}"]
        assert entry["sha256"] in page.visible
        assert entry["media_type"] in page.visible
        assert str(entry["bytes"]) in page.visible
    assert {"shapes.ttl", "validation-report.ttl", "validation-report.txt", "void.ttl"} <= set(
        manifest["files"]
    )


def test_every_file_downloads(
    seed_client: FlaskClient, seed_dir: Path, manifest: dict[str, Any]
) -> None:
    for name, entry in manifest["files"].items():
        response = seed_client.get(f"/download/{name}")
        assert response.status_code == 200
        assert response.mimetype == entry["media_type"].split(";")[0]
        assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
        assert int(response.headers["Content-Length"]) == entry["bytes"]
        assert response.headers["ETag"] == f'"{entry["sha256"]}"'
        assert "Accept-Encoding" in response.headers["Vary"]
        assert "Content-Encoding" not in response.headers
        assert hashlib.sha256(response.data).hexdigest() == entry["sha256"]
        assert response.data == (seed_dir / name).read_bytes()
        response.close()
        if name.startswith("dataset.") or name.endswith(".ttl"):
            assert len(parse_rdf(response.data, response.content_type)) > 0


def test_gzip(seed_client: FlaskClient, manifest: dict[str, Any]) -> None:
    for name in ("dataset.nt", "dataset.ttl", "validation-report.txt"):
        entry = manifest["files"][name]
        response = seed_client.get(f"/download/{name}", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert int(response.headers["Content-Length"]) == len(response.data) < entry["bytes"]
        assert response.headers["ETag"] not in ("", f'"{entry["sha256"]}"')
        assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
        body = gzip.decompress(response.data)
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        again = seed_client.get(f"/download/{name}", headers={"Accept-Encoding": "gzip"})
        assert again.data == response.data and again.headers["ETag"] == response.headers["ETag"]
    refused = seed_client.get("/download/dataset.nt", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


@pytest.mark.parametrize("encoding", [None, "gzip"])
def test_conditional_requests(
    seed_client: FlaskClient, manifest: dict[str, Any], encoding: str | None
) -> None:
    base = {"Accept-Encoding": encoding} if encoding else {}
    first = seed_client.get("/download/dataset.ttl", headers=base)
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    unchanged = seed_client.get("/download/dataset.ttl", headers={**base, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert unchanged.headers["ETag"] == etag
    changed = seed_client.get(
        "/download/dataset.ttl", headers={**base, "If-None-Match": '"something-else"'}
    )
    assert changed.status_code == 200 and changed.data
    since = seed_client.get(
        "/download/dataset.ttl",
        headers={**base, "If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert since.status_code == 304
    older = seed_client.get(
        "/download/dataset.ttl", headers={**base, "If-Modified-Since": http_date(0)}
    )
    assert older.status_code == 200 and older.data
    # the identity ETag does not validate the gzip variant, nor the other way round
    other = f'"{manifest["files"]["dataset.ttl"]["sha256"]}-gzip"' if not encoding else (
        f'"{manifest["files"]["dataset.ttl"]["sha256"]}"')  # fmt: skip
    crossed = seed_client.get("/download/dataset.ttl", headers={**base, "If-None-Match": other})
    assert crossed.status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/download/manifest.json", "/download/../manifest.json", "/download/..%2Fmanifest.json",
     "/download/%2e%2e%2fmanifest.json", "/download/..", "/download/dataset.nt/../void.ttl",
     "/download/%2Fetc%2Fpasswd", "/download/dataset.csv", "/download/"],
)  # fmt: skip
def test_only_listed_files(seed_client: FlaskClient, path: str) -> None:
    assert seed_client.get(path).status_code == 404


def test_well_known_void(seed_client: FlaskClient) -> None:
    default = seed_client.get("/.well-known/void")
    assert default.status_code == 200 and default.mimetype == "text/turtle"
    graph = parse_rdf(default.data, default.content_type)
    dataset = next(graph.subjects(RDF.type, VOID.Dataset))
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert distributions
    for distribution in distributions:
        assert graph.value(distribution, DCAT.downloadURL) is not None
        assert graph.value(distribution, SPDX.checksum) is not None
    for media_type in ("application/ld+json", "application/n-triples", "application/rdf+xml"):
        response = seed_client.get("/.well-known/void", headers={"Accept": media_type})
        assert response.mimetype == media_type and "Accept" in response.headers["Vary"]
        assert set(parse_rdf(response.data, media_type)) == set(graph)
    browser = seed_client.get("/.well-known/void", headers={"Accept": BROWSER_ACCEPT})
    assert browser.status_code == 303 and browser.headers["Location"].endswith("/dataset")
    assert seed_client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


def test_dataset_iri_is_negotiated(seed_client: FlaskClient) -> None:
    response = seed_client.get("/dataset", headers={"Accept": "text/turtle"})
    assert response.headers["Content-Location"] == "/dataset.ttl"
    graph = parse_rdf(response.data, response.content_type)
    dataset = URIRef("http://talkgraph.localhost/dataset")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    for distribution in graph.objects(dataset, DCAT.distribution):
        assert graph.value(distribution, DCAT.downloadURL) is not None  # hash nodes included
    html = seed_client.get("/dataset").get_data(as_text=True)
    assert "/download/dataset.nt" in html
