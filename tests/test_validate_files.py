"""`talkgraph validate` reads every syntax a build writes and never passes what it did not read."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from talkgraph.cli import main

MINI = Path(__file__).parent / "fixtures" / "mini" / "dataset.nt"
G = "http://talkgraph.localhost/graph/"
# A talk with no title and no speaker (nor event): Violations, in the named graph graph/broken.
# (The mini build has Violations of its own: it lacks the topic vocabulary.)
BROKEN_TRIG = f"""
@prefix schema: <https://schema.org/> .
@prefix conf: <https://w3id.org/scholarlydata/ontology/conference-ontology.owl#> .
<{G}broken> {{
  <http://talkgraph.localhost/talk/nobody-nothing> a schema:Event , conf:Talk .
}}
"""
SUFFIXES = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def summary(result: Result) -> str:
    return result.output.splitlines()[0]


def _store_with_broken_talk() -> ox.Store:
    """The mini build in the named graph graph/mini, plus graph/broken."""
    store = ox.Store()
    mini = ox.NamedNode(f"{G}mini")
    store.extend(ox.Quad(q.subject, q.predicate, q.object, mini) for q in ox.parse(path=MINI))
    store.extend(ox.parse(BROKEN_TRIG.encode(), format=ox.RdfFormat.TRIG))
    return store


@pytest.mark.parametrize("suffix", [".trig", ".nq"])
def test_violation_in_a_named_graph_is_found_and_placed(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"dataset{suffix}"
    path.write_bytes(_store_with_broken_talk().dump(format=SUFFIXES[suffix]) or b"")
    result = run(str(path))
    assert result.exit_code == 1, result.output
    assert "does not conform — 6 violations" in summary(result)
    assert f"in graph <{G}broken>: 4 violations, 2 warnings" in result.output
    assert f"in graph <{G}mini>: 2 violations, 3 warnings, 1 info" in result.output
    broken = [line for line in result.output.splitlines() if "nobody-nothing" in line]
    assert len(broken) == 6 and all(line.endswith(f"(in graph <{G}broken>)") for line in broken)
    assert any("This talk has no title" in line for line in broken)
    assert any("This talk has no speaker" in line for line in broken)


def test_every_syntax_gives_the_same_report(tmp_path: Path) -> None:
    store = _store_with_broken_talk()
    summaries = set()
    for suffix, fmt in SUFFIXES.items():
        path = tmp_path / f"dataset{suffix}"
        graph = None if fmt.supports_datasets else ox.DefaultGraph()
        if graph is not None:  # a triple syntax holds the union of the graphs
            union = ox.Store()
            union.extend(ox.Quad(q.subject, q.predicate, q.object) for q in store)
            path.write_bytes(union.dump(format=fmt, from_graph=graph) or b"")
        else:
            path.write_bytes(store.dump(format=fmt) or b"")
        result = run(str(path))
        assert result.exit_code == 1, (suffix, result.output)
        summaries.add(summary(result))
    assert len(summaries) == 1, summaries


def test_union_of_several_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.trig"
    broken.write_text(BROKEN_TRIG, encoding="utf-8")
    alone = run(str(MINI))
    assert "(in " not in alone.output  # a triple file: no graphs to tell apart
    result = run(str(MINI), str(broken))
    assert result.exit_code == 1
    assert "does not conform — 6 violations" in summary(result)
    assert f"(in graph <{G}broken>)" in result.output
    assert "in the default graph: 2 violations" in result.output


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.ttl", "", "no RDF triples"),
        ("prefixes.ttl", "@prefix schema: <https://schema.org/> .\n", "no RDF triples"),
        ("empty.trig", "", "no RDF triples"),
        ("bad.ttl", "<a> <b> <c .\n", "bad.ttl:1: not valid turtle"),
        ("bad.nq", "<http://a> <http://b> .\n", "not valid nquads"),
        ("data.csv", "a,b\n", "unknown RDF file type"),
    ],
)
def test_empty_or_unreadable_file_is_an_error(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 2, result.output
    assert "conforms" not in result.output
    assert expected in result.output and name in result.output


def test_missing_file_or_directory_is_an_error(tmp_path: Path) -> None:
    for path in (tmp_path / "nope.nt", tmp_path):
        result = run(str(path))
        assert result.exit_code == 2
        assert str(path) in result.output and "conforms" not in result.output


def test_shapes_option_has_help_and_checks_its_file(tmp_path: Path) -> None:
    help_text = CliRunner().invoke(main, ["validate", "--help"]).output
    assert "--shapes" in help_text and "SHACL shapes file" in help_text
    bad = tmp_path / "shapes.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    result = run("--shapes", str(bad), str(MINI))
    assert result.exit_code == 2 and "shapes.ttl" in result.output
