"""The ``talkgraph`` command line (the only module that imports click)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from . import __version__
from .errors import TalkgraphError

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn talkgraph's own errors into a clean message and exit code (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TalkgraphError as exc:
            click.echo(f"talkgraph: error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def _progress(verbose: bool) -> Callable[[str], None]:
    def show(message: str) -> None:
        if verbose:
            click.echo(f"  {message}", err=True)

    return show


@click.group()
@click.version_option(__version__, prog_name="talkgraph")
def main() -> None:
    """Publish scholarly event programmes as validated linked open data."""


OUT_OPTION = click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build"),
    show_default=True,
    help="Output directory (published atomically).",
)
DATA_OPTION = click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build"),
    show_default=True,
    help="A built dataset directory.",
)


@main.command()
@click.argument("programmes", nargs=-1, type=click.Path(path_type=Path))
@click.option("--event", type=click.Path(path_type=Path, dir_okay=False), help="Event sidecar.")
@click.option("--base-iri", help="Base of every minted IRI.")
@OUT_OPTION
@click.option("--licence", "--license", "licence", help="Licence IRI of the dataset.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@user_errors
def build(
    programmes: tuple[Path, ...],
    event: Path | None,
    base_iri: str | None,
    out: Path,
    licence: str | None,
    quiet: bool,
) -> None:
    """Build PROGRAMMES (default: the programme in data/) into a validated dataset."""
    from .build import build as run_build

    result = run_build(
        list(programmes) or None,
        out=out,
        event=event,
        base_iri=base_iri,
        licence=licence,
        progress=_progress(not quiet),
    )
    report = result.report
    click.echo(
        f"built {out}: {result.manifest['triples']} triples, "
        f"{len(result.model.talks)} talks, {len(result.model.people)} people; "
        f"SHACL conforms ({report.violations} violations, {report.warnings} warnings)"
    )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--shapes", "shapes", multiple=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...], shapes: tuple[Path, ...]) -> None:
    """Validate RDF FILES against the shapes: exit 0 conforms, 1 does not, 2 error."""
    from .rdf import read_graph
    from .validation import load_shapes
    from .validation import validate as run_validate

    try:
        graph = read_graph(list(files))
        report = run_validate(graph, load_shapes(list(shapes) or None))
    except TalkgraphError as exc:
        click.echo(f"talkgraph: error: {exc}", err=True)
        sys.exit(2)
    click.echo(report.text())
    sys.exit(0 if report.conforms else 1)


@main.command()
@DATA_OPTION
@user_errors
def stats(data: Path) -> None:
    """Counts per class, warnings, and what the last build took."""
    from .build import read_manifest

    manifest = read_manifest(data)
    click.echo(f"dataset {data} (built {manifest['created']}, talkgraph {manifest['version']})")
    sources = manifest.get("sources", [])
    assert isinstance(sources, list)
    click.echo(f"sources: {', '.join(str(s) for s in sources)}")
    click.echo(f"triples: {manifest['triples']}")
    click.echo("instances per class:")
    counts = manifest.get("counts", {})
    assert isinstance(counts, dict)
    for cls, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {n:6d}  {cls}")
    click.echo(
        f"SHACL: {'conforms' if manifest['conforms'] else 'does not conform'}, "
        f"{manifest['violations']} violations, {manifest['warnings']} warnings"
    )
    warnings = manifest.get("model_warnings", [])
    assert isinstance(warnings, list)
    for warning in warnings:
        click.echo(f"  warning: {warning}")
    timings = manifest.get("timings", {})
    assert isinstance(timings, dict)
    click.echo("build time: " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))


@main.command()
@click.argument("programme", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Structured file to write (.yaml, .yml or .json).",
)
@click.option("--event", type=click.Path(path_type=Path, dir_okay=False), help="Event sidecar.")
@user_errors
def convert(programme: Path, output: Path, event: Path | None) -> None:
    """Convert a PROGRAMME (text) to the structured format, for an organiser to keep."""
    from .ingest import load_programme, write_structured

    parsed = load_programme(programme, event=event)
    if not parsed.event.identifier and not parsed.event.name:
        # Keep the event IRI the text programme had (minted from its file name).
        from dataclasses import replace

        from .iris import slugify

        parsed = replace(parsed, event=replace(parsed.event, identifier=slugify(programme.stem)))
    write_structured(parsed, output)
    click.echo(f"wrote {output}: {len(parsed.roster)} roster entries, {len(parsed.talks)} talks")


@main.command()
@click.argument("programme")
@user_errors
def inspect(programme: str) -> None:
    """Show what talkgraph reads in PROGRAMME (a file or an http(s) URL): the talks as a table
    and every line it skipped or was unsure of, with its line number."""
    from .ingest.pages import inspect_report

    text, ok = inspect_report(programme)
    click.echo(text)
    if not ok:
        sys.exit(1)


@main.group()
def topics() -> None:
    """Research topics: suggest new ones, explain assignments."""


@topics.command("suggest")
@click.argument("programmes", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@user_errors
def topics_suggest(programmes: tuple[Path, ...], limit: int) -> None:
    """Candidate new topics: frequent keyphrases of PROGRAMMES that match no label."""
    from .build import DEFAULT_PROGRAMME, ingest
    from .registry import Registry
    from .resolve import resolve
    from .topics import load_vocabulary, suggest

    model = resolve(ingest(list(programmes) or [DEFAULT_PROGRAMME]), Registry.load())
    suggestions = suggest(list(model.talks.values()), load_vocabulary(), limit=limit)
    if not suggestions:
        click.echo("no candidate topics found")
    for item in suggestions:
        click.echo(f"{item.score:8.3f}  {item.phrase}  ({len(item.talk_keys)} talks)")
        for key in item.talk_keys:
            click.echo(f"            {key}")


@topics.command("explain")
@click.argument("talk")
@DATA_OPTION
@user_errors
def topics_explain(talk: str, data: Path) -> None:
    """The topics of TALK (IRI or slug) and the words behind each, read from the dataset."""
    from .build import read_manifest
    from .errors import NotFound
    from .iris import Minter
    from .rdf import read_graph
    from .topics import explain

    manifest = read_manifest(data)
    graph = read_graph([data / "dataset.nt"])
    minter = Minter(str(manifest["base_iri"]))
    iri = talk if "://" in talk else str(minter.talk(talk))
    from rdflib import URIRef

    rows = explain(graph, URIRef(iri))
    if not rows and (URIRef(iri), None, None) not in graph:
        raise NotFound(f"no talk {iri} in {data}")
    title = graph.value(URIRef(iri), URIRef("https://schema.org/name"))
    click.echo(f"{title} <{iri}>")
    if not rows:
        click.echo("  no topics")
    for label, where, exact in rows:
        click.echo(f"  {label}: {where} “{exact}”")


@main.command()
@DATA_OPTION
@click.option(
    "--kind",
    type=click.Choice(["topics", "speakers", "talks", "bipartite"]),
    default="topics",
    show_default=True,
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "graphml", "gexf", "csv", "nodes-csv"]),
    default="json",
    show_default=True,
)
@click.option("--min-weight", default=1, show_default=True, type=click.IntRange(1))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False))
@user_errors
def graph(data: Path, kind: str, fmt: str, min_weight: int, output: Path | None) -> None:
    """A co-topic graph of the dataset, with communities and centralities."""
    from .graphs import analyse, build_graph, export_graph, rows_from_graph
    from .graphs.build import CoTopicData, GraphKind
    from .rdf import read_graph

    rdf = read_graph([data / "dataset.nt"])
    g = analyse(
        build_graph(CoTopicData.from_rows(rows_from_graph(rdf)), cast(GraphKind, kind), min_weight)
    )
    payload = export_graph(g, fmt)
    if output is None:
        sys.stdout.buffer.write(payload)
    else:
        output.write_bytes(payload)
        click.echo(
            f"wrote {output}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges",
            err=True,
        )


@main.command()
@click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="A built dataset (default: build the programme in data/ into build/).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--query-timeout", default=None, type=float, help="Seconds per SPARQL query.")
@click.option("--max-rows", default=None, type=click.IntRange(1), help="Rows per result.")
@click.option(
    "--store",
    default=None,
    help="Where queries run: a directory (on-disk store, loaded once per build) or the URL "
    "of a SPARQL endpoint holding the published dataset (default: in memory).",
)
@click.option("--graph", default=None, help="With a --store URL: the dataset's named graph.")
@click.option(
    "--watch",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds between checks for a new build at --data (0: only on SIGHUP).",
)
@user_errors
def serve(
    data: Path | None,
    host: str,
    port: int,
    threads: int,
    query_timeout: float | None,
    max_rows: int | None,
    store: str | None = None,
    graph: str | None = None,
    watch: float = 0.0,
) -> None:
    """Serve a built dataset: SPARQL endpoint, pages, downloads (waitress).

    A new build published at --data is picked up without downtime on SIGHUP, or by polling
    with --watch: requests in flight finish on the dataset they started with.
    """
    from .build import build as run_build
    from .web import create_app
    from .web.server import serve as run_server

    if data is None:
        data = Path("build")
        result = run_build(out=data, progress=_progress(True))
        click.echo(f"built {data}: {result.manifest['triples']} triples", err=True)
    config: dict[str, object] = {"RELOAD_ON_SIGHUP": True, "RELOAD_INTERVAL": watch}
    if query_timeout is not None:
        config["QUERY_TIMEOUT"] = query_timeout
    if max_rows is not None:
        config["MAX_ROWS"] = max_rows
    if store is not None:
        config["STORE"] = store
    if graph is not None:
        config["STORE_GRAPH"] = graph
    app = create_app(data, config=config)
    click.echo(f"serving {data} on http://{host}:{port}/ (SPARQL at /sparql)", err=True)
    run_server(app, host=host, port=port, threads=threads)


@main.command()
@DATA_OPTION
@click.option("--to", "endpoint", required=True, help="SPARQL query endpoint of the store.")
@click.option("--graph", default=None, help="Named graph readers use (default: dataset IRI).")
@click.option(
    "--method",
    type=click.Choice(["gsp", "update"]),
    default="gsp",
    show_default=True,
    help="Load by Graph Store Protocol PUT or by batched SPARQL Update INSERT DATA.",
)
@click.option("--update-endpoint", default=None, help="SPARQL Update URL (default: --to).")
@click.option("--gsp-endpoint", default=None, help="Graph Store Protocol URL (for gsp).")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(1))
@click.option(
    "--user",
    default=None,
    help="User for HTTP basic/digest auth (password from $TALKGRAPH_STORE_PASSWORD).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@user_errors
def publish(
    data: Path,
    endpoint: str,
    graph: str | None,
    method: str,
    update_endpoint: str | None,
    gsp_endpoint: str | None,
    batch_size: int,
    user: str | None,
    quiet: bool,
) -> None:
    """Load a built dataset into a remote SPARQL store: into a new graph, then switched."""
    import os

    from .publish_remote import publish as run_publish

    auth = (user, os.environ.get("TALKGRAPH_STORE_PASSWORD", "")) if user else None
    done = run_publish(
        data,
        endpoint,
        graph,
        method="update" if method == "update" else "gsp",
        update_endpoint=update_endpoint,
        gsp_endpoint=gsp_endpoint,
        auth=auth,
        batch_size=batch_size,
        progress=_progress(not quiet),
    )
    click.echo(f"published {done.triples} triples to <{done.graph}> at {endpoint}")


if __name__ == "__main__":  # pragma: no cover
    main()
