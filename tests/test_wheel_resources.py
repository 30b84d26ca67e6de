"""Every file talkgraph reads at run time ships in the package and is found by importlib.resources.

The slow end-to-end check (build a wheel, install it outside the checkout, build, validate and
serve the seed from it) is ``scripts/wheel-smoke.sh``, run by ``.ci/run``.
"""

from __future__ import annotations

import ast
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


@pytest.mark.parametrize(
    ("package", "name"),
    [
        ("talkgraph.shapes", "talkgraph.ttl"),
        ("talkgraph.shapes", "topics.ttl"),
        ("talkgraph.shapes", "dataset.ttl"),
        ("talkgraph.data", "topics.ttl"),
        ("talkgraph.data", "institutions.yaml"),
        ("talkgraph.data", "workshop-programme.txt"),
        ("talkgraph.data", "examples/programme.yaml"),
        ("talkgraph.data", "examples/programme.event.yaml"),
        ("talkgraph.web", "openapi.yaml"),
        ("talkgraph.web", "static/favicon.svg"),
        ("talkgraph.web", "queries/canned/talks-topics.rq"),
        ("talkgraph.ingest", "programme.schema.json"),
    ],
)
def test_importlib_resources_finds_runtime_file(package: str, name: str) -> None:
    item = files(package).joinpath(name)
    assert item.is_file(), f"{package}/{name}"
    assert item.read_bytes()


def test_modules_use_the_packaged_files() -> None:
    from talkgraph import build, registry, validation
    from talkgraph.topics import vocabulary

    packaged = {
        validation.SHAPES_DIR: files("talkgraph.shapes"),
        registry.DEFAULT_PATH: files("talkgraph.data").joinpath("institutions.yaml"),
        vocabulary.DEFAULT_PATH: files("talkgraph.data").joinpath("topics.ttl"),
        build.DEFAULT_PROGRAMME: files("talkgraph.data").joinpath("workshop-programme.txt"),
    }
    for path, resource in packaged.items():
        assert Path(str(path)) == Path(str(resource))


def test_no_module_finds_files_relative_to_the_source_tree() -> None:
    """``Path(__file__).parents[…]`` finds nothing in an installed wheel."""
    offenders = []
    for module in sorted((ROOT / "src" / "talkgraph").rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "__file__":
                offenders.append(f"{module.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def _package_dir(package: str) -> Path:
    mapping: dict[str, str] = SETUPTOOLS["package-dir"]
    if package in mapping:
        return ROOT / mapping[package]
    parent, _, child = package.rpartition(".")
    if parent:
        return _package_dir(parent) / child
    return ROOT / mapping[""] / package


def test_every_folder_is_listed() -> None:
    """setuptools skips (and warns about) a folder of the package that is not listed."""
    mapping: dict[str, str] = SETUPTOOLS["package-dir"]
    roots = {"talkgraph": ROOT / "src" / "talkgraph"} | {
        name: ROOT / folder for name, folder in mapping.items() if name
    }
    found = {
        ".".join([name, *folder.relative_to(root).parts])
        for name, root in roots.items()
        for folder in [root, *root.rglob("*")]
        if folder.is_dir() and "__pycache__" not in folder.parts
    }
    listed = set(SETUPTOOLS["packages"])
    assert sorted(found - listed) == [], "add to [tool.setuptools] packages"
    assert sorted(listed - found) == []
    for package in listed:
        assert _package_dir(package).is_dir(), package


def test_package_data_globs_cover_every_data_file() -> None:
    """A file beside the modules that no package-data pattern names is missing from the wheel."""
    package_data: dict[str, list[str]] = SETUPTOOLS["package-data"]
    covered = {
        path
        for key, patterns in package_data.items()
        for pattern in patterns
        for path in _package_dir(key).glob(pattern)
        if path.is_file()
    }
    roots = {ROOT / "src" / "talkgraph", *(ROOT / d for d in SETUPTOOLS["package-dir"].values())}
    shipped = {
        file
        for root in roots - {ROOT / "src"}
        for file in root.rglob("*")
        if file.is_file() and file.suffix not in {".py", ".pyc"} and "__pycache__" not in file.parts
    }
    assert sorted(str(f.relative_to(ROOT)) for f in shipped - covered) == []
