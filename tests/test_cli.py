"""The command line, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from talkgraph.cli import main


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "build"
    result = CliRunner().invoke(main, ["build", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def test_build_reports_counts(built: Path) -> None:
    assert (built / "dataset.nt").is_file()
    assert (built / "validation-report.txt").is_file()


def test_build_unparseable_input_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "broken.txt"
    bad.write_text("Talk Details\nTitle: orphan title with no speaker\nAbstract\ntext\n")
    result = CliRunner().invoke(main, ["build", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "broken.txt:" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_build_missing_file_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "nope.txt" in result.output


def test_validate_exit_codes(built: Path, tmp_path: Path) -> None:
    ok = CliRunner().invoke(main, ["validate", str(built / "dataset.ttl")])
    assert ok.exit_code == 0, ok.output
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix schema: <https://schema.org/> .\n"
        "@prefix conf: <https://w3id.org/scholarlydata/ontology/conference-ontology.owl#> .\n"
        "<http://talkgraph.localhost/talk/x> a schema:Event, conf:Talk .\n"
    )
    bad = CliRunner().invoke(main, ["validate", str(broken)])
    assert bad.exit_code == 1
    assert "Violation" in bad.output
    garbage = tmp_path / "garbage.ttl"
    garbage.write_text("this is @@ not turtle")
    err = CliRunner().invoke(main, ["validate", str(garbage)])
    assert err.exit_code == 2
    assert "garbage.ttl" in err.output


def test_stats(built: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--data", str(built)])
    assert result.exit_code == 0, result.output
    assert "conf:Talk" in result.output
    assert "build time" in result.output


def test_convert_round_trip(tmp_path: Path, built: Path) -> None:
    from talkgraph.build import DEFAULT_PROGRAMME

    yaml_file = tmp_path / "programme.yaml"
    result = CliRunner().invoke(main, ["convert", str(DEFAULT_PROGRAMME), "-o", str(yaml_file)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "from-yaml"
    result = CliRunner().invoke(main, ["build", str(yaml_file), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    from rdflib import Graph
    from rdflib.compare import isomorphic
    from rdflib.namespace import SDO

    def core(path: Path) -> Graph:
        graph = Graph().parse(path / "dataset.nt")
        keep = Graph()
        for s, p, o in graph:
            if str(p).startswith(str(SDO)) and "#" not in str(s):
                keep.add((s, p, o))
        return keep

    assert isomorphic(core(built), core(out))


def test_topics_explain(built: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "topics",
            "explain",
            "qing-qu-understanding-deep-neural-networks-via-neural-collapse",
            "--data",
            str(built),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Neural collapse" in result.output or "neural collapse" in result.output.lower()
    missing = CliRunner().invoke(main, ["topics", "explain", "no-such-talk", "--data", str(built)])
    assert missing.exit_code != 0


def test_topics_suggest() -> None:
    result = CliRunner().invoke(main, ["topics", "suggest", "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert result.output.strip()


@pytest.mark.parametrize("fmt", ["json", "graphml", "gexf", "csv"])
def test_graph_exports(built: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"g.{fmt}"
    result = CliRunner().invoke(
        main,
        ["graph", "--data", str(built), "--kind", "speakers", "--format", fmt, "-o", str(target)],
    )
    assert result.exit_code == 0, result.output
    if fmt == "graphml":
        assert nx.read_graphml(target).number_of_nodes() >= 19
    elif fmt == "gexf":
        assert nx.read_gexf(target).number_of_nodes() >= 19
    elif fmt == "json":
        data = json.loads(target.read_text())
        assert len(data["nodes"]) >= 19
    else:
        assert target.read_text().splitlines()[0].lower().startswith("source")


def test_build_a_directory_of_programmes(tmp_path: Path) -> None:
    programmes = Path(__file__).parent / "fixtures" / "programmes"
    out = tmp_path / "many"
    result = CliRunner().invoke(main, ["build", str(programmes), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["programmes"]) == len(
        [p for p in programmes.iterdir() if ".event." not in p.name]
    )
