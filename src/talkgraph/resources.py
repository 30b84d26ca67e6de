"""The files talkgraph reads at run time, found with :mod:`importlib.resources`.

They ship inside the package, so an installed wheel finds them as well as a checkout does:

- ``talkgraph.shapes`` is the project's top-level ``shapes/`` (the SHACL shapes),
- ``talkgraph.data`` is the project's top-level ``data/`` (topic vocabulary, institution
  registry, the seed programme and the examples),
- ``openapi.yaml``, templates, canned queries and static files live beside their modules.

``pyproject.toml`` maps the two top-level folders into the package (``package-dir``), so they
stay the one source of truth in a checkout, an editable install and a wheel alike.
"""

from __future__ import annotations

import atexit
import contextlib
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

from .errors import InputError

SHAPES = "talkgraph.shapes"
DATA = "talkgraph.data"

_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def resource(package: str, *parts: str) -> Path:
    """The file (or folder) ``parts`` of ``package`` as a file-system path.

    An installed package is a folder, so this is the file itself; a package imported from an
    archive gets a temporary copy that lives as long as the process.
    """
    try:
        item: Traversable = files(package)
    except ModuleNotFoundError:
        raise InputError(
            f"talkgraph is installed without its data package {package} "
            "(reinstall it: pip install --force-reinstall talkgraph)"
        ) from None
    for part in parts:
        item = item.joinpath(part)
    if isinstance(item, Path):
        return item
    return _extracted.enter_context(as_file(item))


def shapes_dir() -> Path:
    """The folder of the SHACL shapes (``*.ttl``)."""
    return resource(SHAPES)


def data_file(name: str) -> Path:
    """A file of the data package: ``topics.ttl``, ``institutions.yaml``, the seed programme."""
    return resource(DATA, name)
