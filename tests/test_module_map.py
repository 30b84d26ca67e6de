"""The package's layering (CONTRIBUTING.md): no module imports "up" the pipeline, the heavy
frameworks stay in their one home, and CONTRIBUTING.md's module map names every module."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "talkgraph"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"

#: Layers, earliest first: a module may import its own layer or an earlier one.  The first
#: prefix that matches a module's dotted name (without "talkgraph.") places it.
LAYERS: list[tuple[str, ...]] = [
    (
        "errors",
        "resources",
        "settings",
        "iris",
        "vocab",
        "formats",
        "manifest",
        "release",
        "registry",
        "",
    ),  # fmt: skip
    ("model",),
    ("ingest", "resolve", "topics"),
    ("rdf", "validation", "graphs", "void", "exports", "cache", "parts"),
    ("build",),
    ("store", "publish_remote"),
    ("web", "cli"),
]
#: Third-party packages only one part of the package may import.
HOMES = {
    "flask": "web",
    "werkzeug": "web",
    "waitress": "web",
    "jinja2": "web",
    "click": "cli",
    "pyshacl": "validation",
}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(name: str) -> int:
    """The layer of a module name relative to the package ("" is the package itself)."""
    head = name.split(".")[0]
    for number, names in enumerate(LAYERS):
        if head in names:
            return number
    raise AssertionError(f"talkgraph.{name} is in no layer of tests/test_module_map.py")


def imports(path: Path) -> Iterator[tuple[str, int, bool]]:
    """(imported name, line, is ours) for every import in ``path``, at any depth."""
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)]
            yield ".".join([*base, *([node.module] if node.module else [])]), node.lineno, True
        elif isinstance(node, ast.ImportFrom) and node.module:
            ours = node.module == "talkgraph" or node.module.startswith("talkgraph.")
            yield node.module.removeprefix("talkgraph").lstrip("."), node.lineno, ours
        elif isinstance(node, ast.Import):
            for alias in node.names:
                ours = alias.name.startswith("talkgraph")
                yield alias.name.removeprefix("talkgraph").lstrip("."), node.lineno, ours


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_goes_up_the_pipeline(path: Path) -> None:
    own = layer(_name(path))
    for target, line, ours in imports(path):
        place = f"{path.relative_to(ROOT)}:{line}"
        if ours:
            assert layer(target) <= own, f"{place} imports talkgraph.{target} (a later layer)"
            continue
        home = HOMES.get(target.split(".")[0])
        assert home is None or _name(path).split(".")[0] == home, f"{place} imports {target}"


def test_the_map_names_every_module() -> None:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    text = text[text.index("## Module map") : text.index("## Recipes")]
    named = set(re.findall(r"`([\w/]+\.py)`", text))
    # a package's modules may be listed together: `ingest/importers/` (`frab`, `c3voc`, ...)
    for folder, listed in re.findall(r"`([\w/]+/)` \(([^)]*)\)", text):
        named |= {f"{folder}{m}.py" for m in re.findall(r"`(\w+)`", listed)}
    files = {str(p.relative_to(PACKAGE)) for p in MODULES}
    assert sorted(files - named) == [], "modules missing from CONTRIBUTING.md's map"
    assert sorted(named - files) == [], "CONTRIBUTING.md's map names modules that are gone"
