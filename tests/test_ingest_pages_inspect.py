"""``talkgraph inspect``: what was understood, and the lines skipped or unsure of."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from talkgraph.cli import main
from talkgraph.ingest.pages import inspect_report

PAGES = Path(__file__).parent / "data" / "real" / "pages"


def test_inspect_table_and_notes() -> None:
    result = CliRunner().invoke(main, ["inspect", str(PAGES / "cypress-seminar-2022-23.md")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "8 talks, read as rows" in out
    assert "Farzaneh Derakhshan" in out and "CMU" in out and "Neural Termination Analysis" in out
    # a seminar row with a speaker and no topic is listed with its line, not made a talk
    assert "line 17: '2023-02-16 Parisa Fathololumi' — a slot for Parisa Fathololumi" in out


def test_inspect_abstract_lengths_and_coauthors() -> None:
    result = CliRunner().invoke(main, ["inspect", str(PAGES / "optazur-seminar.md")])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "Wellington de Oliveira" in line)
    assert " ch " in row and "Daniel Mimouni, Paul Malisani, Jiamin Zhu" in row


def test_inspect_nothing_recognised_exit_1(tmp_path: Path) -> None:
    page = tmp_path / "odd.txt"
    page.write_text("Welcome!\n\n10:00 - 10:45 something odd happens\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["inspect", str(page)])
    assert result.exit_code == 1
    assert "0 talks" in result.output and "Layouts talkgraph reads" in result.output
    assert "line 3: '10:00 - 10:45 something odd happens'" in result.output


def test_inspect_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["inspect", str(tmp_path / "nope.md")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "nope.md" in result.output


def test_inspect_reads_a_conference_tools_export(tmp_path: Path) -> None:
    """An export is shown as its importer read it: every speaker, and the rows left out."""
    csv = tmp_path / "seminars.csv"
    csv.write_text(
        "date,time,speaker,affiliation,title\n"
        "2024-01-10,14:00,Ada Lovelace & Alan Turing,UCL & Manchester,Engines that compute\n"
        "2024-01-17,14:00,,,Coffee break\n",
        encoding="utf-8",
    )
    text, ok = inspect_report(str(csv))
    assert ok
    assert "seminars.csv (csv): 1 talks" in text
    assert "Ada Lovelace; Alan Turing" in text
    assert "Entries skipped or unsure (1):" in text and "Coffee break" in text
