"""Defects a new user met: every command with bad arguments gives one line and an exit code.

No traceback anywhere: a failure is ``talkgraph: error: …`` on stderr with exit 2 (bad input)
or 1 (SHACL violations), checked before any work where it can be.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from talkgraph.build import check_output
from talkgraph.cli import main
from talkgraph.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
SEED = ROOT / "data" / "workshop-programme.txt"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_clean_failure(result: Result, code: int = 2) -> None:
    """Exit ``code``, one ``talkgraph: error:`` or usage line, and no exception escaped."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{result.output}"
    )
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    assert "talkgraph: error:" in result.output or "Error:" in result.output, result.output


@pytest.fixture
def file_(tmp_path: Path) -> Path:
    path = tmp_path / "FILE"
    path.write_text("x", encoding="utf-8")
    return path


def bad_invocations(tmp: Path, file_: Path, busy_port: int) -> dict[str, list[list[str]]]:
    """Per command (its path in the command tree), invocations that must fail cleanly."""
    empty = tmp / "empty.ttl"
    empty.write_text("", encoding="utf-8")
    broken_manifest = tmp / "broken-build"
    broken_manifest.mkdir()
    (broken_manifest / "manifest.json").write_text("{not json", encoding="utf-8")
    no_programmes = tmp / "nothing-here"
    no_programmes.mkdir()
    missing = str(tmp / "missing.txt")
    return {
        "build": [
            [missing, "-q", "-o", str(tmp / "b1")],
            [str(no_programmes), "-q", "-o", str(tmp / "b2")],
            [str(SEED), "-q", "-o", str(tmp / "b3"), "--licence", "not a licence"],
            [str(SEED), "-q", "-o", str(tmp / "b4"), "--base-iri", "not an iri"],
            [str(SEED), "-q", "-o", str(tmp / "b5"), "--event", missing],
            [str(SEED), "-q", "-o", "/dev/null"],
            [str(SEED), "-q", "-o", "/proc/talkgraph-cannot-be-here"],
            [str(SEED), "-q", "-o", str(file_ / "sub")],
        ],
        "validate": [
            [],
            [missing],
            [str(empty)],
            [str(tmp)],
            ["--shapes", missing, str(MINI / "dataset.nt")],
        ],
        "stats": [["--data", str(tmp / "nowhere")], ["--data", str(broken_manifest)]],
        "convert": [
            [missing, "-o", str(tmp / "c.yaml")],
            [str(SEED), "-o", str(file_ / "c.yaml")],
            [str(SEED), "-o", "/proc/talkgraph-cannot-be-here.yaml"],
            [str(SEED), "-o", str(tmp / "c.txt")],
        ],
        "inspect": [[missing], [str(empty)], ["http://127.0.0.1:9/programme.html"]],
        "topics suggest": [[missing], ["--limit", "0"]],
        "topics explain": [
            ["talk/nobody", "--data", str(MINI)],
            ["Not A Title Of Any Talk", "--data", str(MINI)],
            ["talk/x", "--data", str(tmp / "nowhere")],
        ],
        "graph": [
            ["--data", str(tmp / "nowhere")],
            ["--data", str(MINI), "--format", "bogus"],
            ["--data", str(MINI), "-o", str(file_ / "g.json")],
            ["--data", str(MINI), "-o", "/proc/talkgraph-cannot-be-here.json"],
        ],
        "serve": [
            ["--data", str(tmp / "nowhere"), "--port", "0"],
            ["--data", str(MINI), "--port", str(busy_port)],
            ["--data", str(MINI), "--host", "no-such-host.invalid", "--port", "0"],
            ["--data", str(MINI), "--port", "70000"],
        ],
        "publish": [
            ["--data", str(tmp / "nowhere"), "--to", "http://127.0.0.1:9/query"],
            ["--data", str(MINI), "--to", "http://127.0.0.1:9/query", "-q"],
            ["--data", str(MINI)],
        ],
    }


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            names.extend(_commands(command, f"{prefix}{name} "))
        else:
            names.append(f"{prefix}{name}")
    return names


def test_every_command_fails_cleanly_on_bad_arguments(tmp_path: Path, file_: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        cases = bad_invocations(tmp_path, file_, port)
        assert sorted(cases) == _commands(main), "every command needs bad-argument cases"
        for command, invocations in cases.items():
            for args in invocations:
                result = invoke(*command.split(), *args)
                assert "serving" not in result.output
                try:
                    assert_clean_failure(result)
                except AssertionError as exc:
                    raise AssertionError(f"talkgraph {command} {' '.join(args)}: {exc}") from None


def test_no_traceback_in_a_real_process(tmp_path: Path, file_: Path) -> None:
    """The installed entry point, as a user runs it: stderr has one line, no traceback."""
    code = "import sys; from talkgraph.cli import main; sys.exit(main())"
    for args in (
        ["build", str(SEED), "-q", "-o", str(file_ / "sub")],
        ["graph", "--data", str(MINI), "-o", str(file_ / "g.json")],
        ["validate", str(tmp_path)],
    ):
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr.startswith("talkgraph: error: ") and done.stderr.count("\n") == 1


def test_busy_port_is_refused_before_serving() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = invoke("serve", "--data", str(MINI), "--port", str(port))
    assert_clean_failure(result)
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "serving" not in result.output


def test_bad_licence_is_refused_before_the_build(tmp_path: Path) -> None:
    result = invoke("build", str(SEED), "-o", str(tmp_path / "out"), "--licence", "CC BY 4.0")
    assert_clean_failure(result)
    assert "not an absolute IRI" in result.output
    assert "ingest" not in result.output  # nothing was started
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("out", ["/dev/null", "/proc/talkgraph-x", "FILE/sub"])
def test_impossible_out_is_refused_before_work(tmp_path: Path, file_: Path, out: str) -> None:
    target = str(file_ / "sub") if out == "FILE/sub" else out
    result = invoke("build", str(SEED), "-o", target)
    assert_clean_failure(result)
    assert "ingest" not in result.output  # refused before the first stage
    assert f"output path {target}" in result.output


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_read_only_directory_is_refused(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(ConfigError, match="cannot write"):
            check_output(ro / "build")
        result = invoke("graph", "--data", str(MINI), "-o", str(ro / "g.json"))
        assert_clean_failure(result)
        assert "Permission denied" in result.output
    finally:
        ro.chmod(0o755)


def test_check_output_accepts_new_and_existing_directories(tmp_path: Path) -> None:
    check_output(tmp_path / "new" / "deeper" / "build")
    check_output(tmp_path)
    assert not list((tmp_path / "new" / "deeper").iterdir())  # the probe left nothing


def test_version_flags() -> None:
    for flag in ("-V", "--version"):
        result = invoke(flag)
        assert result.exit_code == 0 and "talkgraph, version" in result.output


def test_build_examples_directory(tmp_path: Path) -> None:
    """README: `talkgraph build data/examples` (the sidecar is NAME.event.yaml)."""
    out = tmp_path / "build"
    result = invoke("build", str(ROOT / "data" / "examples"), "-q", "-o", str(out))
    assert result.exit_code == 0, result.output
    void = (out / "void.ttl").read_text(encoding="utf-8")
    assert "Example Workshop on Learning Theory" in void  # the sidecar was paired


def test_topics_explain_accepts_path_slug_iri_and_title() -> None:
    slug = "bo-sample-sparql-in-practice"
    iri = f"http://talkgraph.localhost/talk/{slug}"
    for given in (f"talk/{slug}", f"/talk/{slug}", slug, iri, "SPARQL in Practice"):
        result = CliRunner().invoke(main, ["topics", "explain", given, "--data", str(MINI)])
        assert result.exit_code == 0, (given, result.output, result.stderr)
        assert result.stdout.startswith(f"SPARQL in Practice <{iri}>")
        assert result.stderr == ""  # no rdflib warnings


def test_topics_explain_unknown_talk_hints_at_slugs() -> None:
    result = invoke("topics", "explain", "SPARQL in Practise", "--data", str(MINI))
    assert_clean_failure(result)
    assert "did you mean talk/bo-sample-sparql-in-practice" in result.output
    assert "slug" in result.output


def test_topics_explain_title_prints_no_rdflib_warning() -> None:
    code = (
        "import sys; from talkgraph.cli import main; "
        f"sys.exit(main(['topics', 'explain', 'SPARQL in Practice', '--data', {str(MINI)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_topics_suggest_counts_talks_in_singular_and_plural() -> None:
    result = invoke("topics", "suggest", str(SEED), "--limit", "40")
    assert result.exit_code == 0, result.output
    assert "(1 talks)" not in result.output
    assert "(1 talk)" in result.output


def test_internal_errors_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug is still no traceback: one line, exit 3, and TALKGRAPH_DEBUG shows it."""
    import talkgraph.manifest

    def broken(_: Path) -> object:
        raise KeyError("boom")

    monkeypatch.setattr(talkgraph.manifest, "read_manifest", broken)
    result = invoke("stats", "--data", str(MINI))
    assert result.exit_code == 3
    assert "internal error: KeyError" in result.output
    monkeypatch.setenv("TALKGRAPH_DEBUG", "1")
    assert isinstance(invoke("stats", "--data", str(MINI)).exception, KeyError)


def test_serve_prints_the_bound_port_and_stops_on_sigterm() -> None:
    """`--port 0` takes a free port and says which; SIGTERM stops the server and its workers."""
    import re
    import signal
    import time
    import urllib.request

    code = "import sys; from talkgraph.cli import main; sys.exit(main())"
    args = ["serve", "--data", str(MINI), "--port", "0"]
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args], stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.match(r"serving .* on http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        port = int(match.group(1))
        assert port != 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            assert response.status == 200
        children = [
            p.parent.name
            for p in Path("/proc").glob("[0-9]*/stat")
            if p.exists() and _ppid(p) == process.pid
        ]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        time.sleep(0.2)
        assert [pid for pid in children if Path(f"/proc/{pid}").exists()] == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _ppid(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None
