"""The README's command table says what the commands accept: every option it shows exists."""

from __future__ import annotations

import re
from pathlib import Path

import click

from talkgraph.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `talkgraph [a-z]")


def _command(path: str) -> click.Command:
    command: click.Command = main
    for name in path.split():
        assert isinstance(command, click.Group), path
        command = command.commands[name]
    return command


def _rows() -> list[tuple[str, str]]:
    """(command path, usage) of each table row: the words naming a command, then the rest."""
    rows = []
    for line in README.splitlines():
        if ROW.match(line):
            usage = line.split("`")[1]
            command: click.Command = main
            path = []
            for word in usage.split()[1:]:
                if not isinstance(command, click.Group) or word not in command.commands:
                    break
                command = command.commands[word]
                path.append(word)
            rows.append((" ".join(path), usage))
    return rows


def test_table_covers_every_command() -> None:
    shown = {name for name, _ in _rows()}
    listed = {
        f"{name} {sub}" if isinstance(cmd, click.Group) else name
        for name, cmd in main.commands.items()
        for sub in (cmd.commands if isinstance(cmd, click.Group) else [""])
    }
    assert {n.strip() for n in listed} <= shown


def test_every_option_in_the_table_exists() -> None:
    for name, usage in _rows():
        command = _command(name)
        known = {opt for p in command.params for opt in [*p.opts, *p.secondary_opts]}
        shown = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", usage))
        assert shown <= known, (name, sorted(shown - known))


def test_the_table_shows_every_option() -> None:
    for name, usage in _rows():
        shown = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", usage))
        hidden = [
            p.opts[0]
            for p in _command(name).params
            if isinstance(p, click.Option) and not set(p.opts) & shown and p.name != "help"
        ]
        assert hidden == [], (name, hidden)


def test_serve_script_passes_options_on() -> None:
    script = (Path(__file__).resolve().parents[1] / "scripts" / "serve.sh").read_text("utf-8")
    assert 'talkgraph serve "$@"' in script
    assert "scripts/serve.sh --port" in README
