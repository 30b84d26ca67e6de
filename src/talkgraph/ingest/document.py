"""Reading input files safely, and YAML/JSON documents with the line of every value."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import jsonschema
import yaml

from ..errors import InputError, Place
from ..model import Programme

#: Input limits, checked before any parsing (see docs/limits-and-safety.md).  Building costs
#: time and memory in proportion to the input (about 15 ms and 150 KB per line of a programme
#: page full of talks), so these bound a build at a few minutes and a couple of GB.
MAX_BYTES = 5 * 1024 * 1024  # per input file
MAX_LINES = 10_000  # per input file
MAX_LINE_CHARS = 20_000  # per line of a text programme (an abstract is one line there)
MAX_ABSTRACT_CHARS = 20_000  # per abstract, in any format (also in programme.schema.json)
MAX_TITLE_CHARS = 1_000  # per title, in any format (also in programme.schema.json)

# A path into a document: keys and list indices, e.g. ("talks", 3, "title").
PathKey = tuple[str | int, ...]
# path -> (1-based line, 0-based start column, end column on that line) of the value
Marks = dict[PathKey, tuple[int, int, int]]


def field_name(path: PathKey) -> str:
    """``("talks", 3, "title")`` → ``talks[3].title``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_bytes(path: Path | str) -> tuple[bytes, str]:
    """The bytes of a file and its name; InputError when unreadable or over :data:`MAX_BYTES`
    (read no further than that)."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", Place(p.name)) from exc
    if len(data) > MAX_BYTES:
        raise InputError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB", Place(p.name))
    return data, p.name


def read_text(path: Path | str) -> tuple[str, str]:
    """The UTF-8 text of a file and its name; InputError when it cannot be a text file."""
    data, name = read_bytes(path)
    return decode_text(data, name), name


def decode_text(data: bytes, name: str) -> str:
    """``data`` as UTF-8 text (a BOM dropped) within the line limits; InputError naming the
    line when it is empty, binary or not UTF-8."""
    if not data.strip():
        raise InputError("file is empty", Place(name))
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError("file is binary (contains NUL bytes), not text", Place(name, line))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})", Place(name, line)
        ) from exc
    check_lines(text, name)
    return text


def check_lines(text: str, name: str, max_line_chars: int | None = None) -> None:
    """InputError when ``text`` has more than :data:`MAX_LINES` lines, or (with
    ``max_line_chars``) a line longer than that; linear, before any parsing."""
    count = text.count("\n") + (not text.endswith("\n"))
    if count > MAX_LINES:
        raise InputError(
            f"file has {count} lines; the limit is {MAX_LINES} (split the programme into "
            "several files)",
            Place(name, MAX_LINES + 1),
        )
    if max_line_chars is None:
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > max_line_chars:
            raise InputError(
                f"line is {len(line)} characters long; the limit is {max_line_chars} "
                "(an abstract may have at most "
                f"{MAX_ABSTRACT_CHARS} characters)",
                Place(name, number),
            )


def check_text_input(text: str, name: str) -> None:
    """The limits of a text programme (size, lines, line length), before it is parsed."""
    if len(text) > MAX_BYTES:
        raise InputError(f"input is larger than {MAX_BYTES // (1024 * 1024)} MB", Place(name))
    check_lines(text, name, MAX_LINE_CHARS)


def check_talk_texts(programme: Programme) -> None:
    """InputError for a title or abstract over :data:`MAX_TITLE_CHARS` /
    :data:`MAX_ABSTRACT_CHARS`, at its place (an abstract may span lines)."""
    for talk in programme.talks:
        for what, mention, limit in (
            ("title", talk.title, MAX_TITLE_CHARS),
            ("abstract", talk.abstract, MAX_ABSTRACT_CHARS),
        ):
            if mention is not None and len(mention.text) > limit:
                span = mention.span
                raise InputError(
                    f"the {what} is {len(mention.text)} characters long; the limit is {limit}",
                    Place(span.file, span.line, None, what) if span else Place(programme.source),
                )


class _Loader(yaml.SafeLoader):
    """Safe YAML where every plain scalar is a string except true/false/null.

    Unquoted ``2210.17020`` stays the arXiv id it is (not the float 2210.1702), ``2023-06-05``
    stays a date string and a title ``On`` stays text (YAML 1.1 would read it as a boolean).
    """


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


def _mark(node: yaml.Node, lines: list[str]) -> tuple[int, int, int]:
    start, end = node.start_mark, node.end_mark
    line_end = len(lines[start.line]) if start.line < len(lines) else start.column
    return start.line + 1, start.column, end.column if end.line == start.line else line_end


def _walk(node: yaml.Node, path: PathKey, marks: Marks, lines: list[str], seen: set[int]) -> None:
    if id(node) in seen:  # an alias: refuse rather than expand (no "billion laughs")
        line = node.start_mark.line + 1
        raise InputError("YAML anchors and aliases are not supported", Place("", line))
    seen.add(id(node))
    marks[path] = _mark(node, lines)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                _walk(value, (*path, key.value), marks, lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), marks, lines, seen)


def parse_document(text: str, name: str, *, json_only: bool = False) -> tuple[Any, Marks]:
    """Parse YAML (or JSON) text; return the data and the line/column of every value."""
    if json_only:
        try:
            return json.loads(text), {}
        except json.JSONDecodeError as exc:
            place = Place(name, exc.lineno, exc.colno)
            raise InputError(f"invalid JSON: {exc.msg}", place) from exc
        except RecursionError as exc:
            raise InputError("JSON is nested too deeply", Place(name)) from exc
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        marks: Marks = {}
        if node is not None:
            try:
                _walk(node, (), marks, text.split("\n"), set())
            except InputError as exc:
                raise InputError(
                    exc.message, Place(name, exc.place.line if exc.place else None)
                ) from exc
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "syntax error"
        raise InputError(f"invalid YAML: {problem}", Place(name, line, column)) from exc
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise InputError(f"invalid YAML: {exc}", Place(name)) from exc
    finally:
        if loader is not None:
            loader.dispose()
    return data, marks


def load_document(path: Path | str) -> tuple[Any, Marks, str]:
    """Read a ``.yaml``/``.yml``/``.json`` file: data, marks and the file name."""
    text, name = read_text(path)
    data, marks = parse_document(text, name, json_only=Path(path).suffix.lower() == ".json")
    return data, marks, name


@cache
def _schema() -> dict[str, Any]:
    raw = resources.files("talkgraph.ingest").joinpath("programme.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(raw)
    return schema


def _error_path(error: jsonschema.ValidationError) -> PathKey:
    path: PathKey = tuple(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, Mapping):
        missing = [k for k in error.validator_value if k not in instance]
        if missing:
            return (*path, str(missing[0]))
    if error.validator == "additionalProperties" and isinstance(instance, Mapping):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(str(k) for k in instance if k not in allowed)
        if extra:
            return (*path, extra[0])
    return path


def validate(data: Any, definition: str, name: str, marks: Marks, prefix: PathKey = ()) -> None:
    """Check ``data`` against ``#/$defs/{definition}``; InputError naming the field and line."""
    schema = _schema()
    root = {"$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    validator = jsonschema.Draft202012Validator(root)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    path = (*prefix, *_error_path(error))
    raise_at(name, marks, path, _message(error, path))


def _message(error: jsonschema.ValidationError, path: PathKey) -> str:
    if error.validator == "additionalProperties":
        return f"unknown field {path[-1]!r}" if path else "unknown field"
    if error.validator == "required":
        return f"missing required field {path[-1]!r}" if path else "missing required field"
    if error.validator == "type":
        return f"must be of type {error.validator_value}, got {type(error.instance).__name__}"
    custom = error.schema.get("x-message") if isinstance(error.schema, Mapping) else None
    if custom:
        return str(custom)
    return str(error.message)


def raise_at(name: str, marks: Marks, path: PathKey, message: str) -> NoReturn:
    """Raise an InputError at the line of ``path`` (or of its nearest ancestor) in a document."""
    probe = path
    while probe and probe not in marks:
        probe = probe[:-1]
    if probe in marks:
        line, column, _end = marks[probe]
        raise InputError(message, Place(name, line, column + 1, field_name(path) or None))
    raise InputError(message, Place(name, None, None, field_name(path) or None))
