"""The machine-readable description of the non-SPARQL routes: ``/openapi.json``, ``/openapi.yaml``.

The document is ``openapi.yaml`` beside this module (OpenAPI 3.0).  The SPARQL endpoint is
described by its SPARQL 1.1 Service Description (``GET /sparql``), not here.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from flask import Blueprint, Response

bp = Blueprint("openapi", __name__)


@cache
def _text() -> str:
    return files(__package__).joinpath("openapi.yaml").read_text(encoding="utf-8")


@cache
def document() -> dict[str, Any]:
    """The OpenAPI document as a dict (loaded once)."""
    data = yaml.safe_load(_text())
    assert isinstance(data, dict)
    return data


@bp.get("/openapi.json")
def as_json() -> Response:
    body = json.dumps(document(), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json")


@bp.get("/openapi.yaml")
def as_yaml() -> Response:
    return Response(_text(), mimetype="application/yaml")
