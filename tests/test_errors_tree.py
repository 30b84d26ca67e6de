"""One exception module: every exception talkgraph raises is defined in talkgraph.errors,
derives from TalkgraphError, and appears in the tree its docstring draws."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import talkgraph.errors as errors
from talkgraph.errors import TalkgraphError

PACKAGE = Path(errors.__file__).parent
#: Modules whose exceptions have not moved yet (named in the errors docstring).
PENDING: set[str] = set()


def _exception_classes(module_name: str) -> list[str]:
    """The public exception classes defined (not imported) in a module."""
    module = importlib.import_module(module_name)
    return [
        name
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and value.__module__ == module_name
        and not name.startswith("_")
    ]


def _modules() -> dict[str, str]:
    """Every module of the package: path relative to the package → dotted name."""
    found = {}
    for info in pkgutil.walk_packages([str(PACKAGE)], "talkgraph."):
        parts = info.name.split(".")[1:]
        found["/".join(parts) + ("/__init__.py" if info.ispkg else ".py")] = info.name
    return found


def test_every_public_exception_is_in_the_errors_module() -> None:
    elsewhere = {
        f"{path}: {name}"
        for path, module in _modules().items()
        if path != "errors.py" and path not in PENDING
        for name in _exception_classes(module)
    }
    assert sorted(elsewhere) == []


def test_the_docstring_draws_every_exception() -> None:
    doc = errors.__doc__ or ""
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, TalkgraphError)
    ]
    pending = [n for p in PENDING for n in _exception_classes(_modules()[p])]
    assert len(classes) > 5
    for name in [c.__name__ for c in classes] + pending:
        assert f"─ {name} " in doc or f"{name}\n" in doc, name
