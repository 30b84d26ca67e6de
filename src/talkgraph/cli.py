"""The ``talkgraph`` command line (the only module that imports click)."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, NoReturn, cast

import click

from . import __version__
from .errors import ConfigError, TalkgraphError
from .settings import default

#: Exit status of a failure that is talkgraph's fault, not the user's (a bug: please report it).
INTERNAL_ERROR = 3
SERVER_THREADS = int(str(default("SERVER_THREADS")))


def os_error_text(exc: OSError) -> str:
    """``PATH: reason`` for a failed file operation (``reason`` alone when no path is known)."""
    reason = exc.strerror or str(exc)
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"talkgraph: error: {message}", err=True)
    raise click.exceptions.Exit(code)


class TalkgraphGroup(click.Group):
    """The command group: the one place a failure becomes the documented error shape.

    Every command runs inside :meth:`invoke`: a :class:`TalkgraphError` prints
    ``talkgraph: error: PLACE: message`` and exits with its code (2 for bad input, 1 for SHACL
    violations), an :class:`OSError` names the path and exits 2, and anything else (a bug) is
    one line and exit 3 — never a traceback (``TALKGRAPH_DEBUG=1`` shows it).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TalkgraphError as exc:
            _fail(str(exc), exc.exit_code)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # output closed early (`| head`): click's business
                raise
            _fail(os_error_text(exc), 2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("TALKGRAPH_DEBUG"):
                raise
            _fail(
                f"internal error: {type(exc).__name__}: {exc} "
                "(a bug in talkgraph; TALKGRAPH_DEBUG=1 shows the traceback)",
                INTERNAL_ERROR,
            )


def _progress(verbose: bool) -> Callable[[str], None]:
    def show(message: str) -> None:
        if verbose:
            click.echo(f"  {message}", err=True)

    return show


@click.group(cls=TalkgraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="talkgraph")
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


# The input formats --format may force (talkgraph.ingest.FORMAT_NAMES; detected when not given).
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(
        ["text", "structured", "frab", "c3voc", "indico", "ical", "csv", "tsv", "xlsx"]
    ),
    default=None,
    help="Read the programme(s) as this format instead of detecting it.",
)


@main.command()
@click.argument("programmes", nargs=-1, type=click.Path(path_type=Path))
@click.option("--event", type=click.Path(path_type=Path, dir_okay=False), help="Event sidecar.")
@click.option("--base-iri", help="Base of every minted IRI.")
@OUT_OPTION
@click.option("--licence", "--license", "licence", help="Licence IRI of the dataset.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@FORMAT_OPTION
def build(
    programmes: tuple[Path, ...],
    event: Path | None,
    base_iri: str | None,
    out: Path,
    licence: str | None,
    quiet: bool,
    fmt: str | None,
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
        fmt=fmt,
    )
    report = result.report
    click.echo(
        f"built {out}: {result.manifest.triples} triples, "
        f"{len(result.model.talks)} talks, {len(result.model.people)} people; "
        f"SHACL conforms ({report.violations} violations, {report.warnings} warnings)"
    )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--shapes",
    "shapes",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A SHACL shapes file (Turtle) to use instead of the shapes talkgraph ships; "
    "repeat for several.",
)
def validate(files: tuple[Path, ...], shapes: tuple[Path, ...]) -> None:
    """Validate RDF FILES against the shapes: exit 0 conforms, 1 does not, 2 error.

    FILES may be in any syntax a build writes (.nt, .ttl, .jsonld, .rdf, .nq, .trig); the union
    of all their graphs is validated and each result says which named graph it is in.  An
    empty or unreadable file is an error.
    """
    from .rdf import read_store
    from .validation import load_shapes
    from .validation import validate as run_validate

    store = read_store(list(files))
    report = run_validate(store, load_shapes(list(shapes) or None), by_graph=True)
    click.echo(report.text())
    sys.exit(0 if report.conforms else 1)


@main.command()
@DATA_OPTION
def stats(data: Path) -> None:
    """Counts per class, warnings, and what the last build took."""
    from .manifest import read_manifest

    manifest = read_manifest(data)
    click.echo(f"dataset {data} (built {manifest.created}, talkgraph {manifest.version})")
    click.echo(f"sources: {', '.join(manifest.sources)}")
    click.echo(f"triples: {manifest.triple_count}")
    click.echo("instances per class:")
    for cls, n in sorted(manifest.counts.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {n:6d}  {cls}")
    click.echo(
        f"SHACL: {'conforms' if manifest.conforms else 'does not conform'}, "
        f"{manifest.violations} violations, {manifest.warnings} warnings"
    )
    for warning in manifest.model_warnings:
        click.echo(f"  warning: {warning}")
    timings = manifest.timings
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
@FORMAT_OPTION
def convert(programme: Path, output: Path, event: Path | None, fmt: str | None) -> None:
    """Convert a PROGRAMME (text) to the structured format, for an organiser to keep."""
    from .ingest import load_programme, write_structured

    parsed = load_programme(programme, event=event, fmt=fmt)
    if not parsed.event.identifier and not parsed.event.name:
        # Keep the event IRI the text programme had (minted from its file name).
        from dataclasses import replace

        from .iris import slugify

        parsed = replace(parsed, event=replace(parsed.event, identifier=slugify(programme.stem)))
    write_structured(parsed, output)
    click.echo(f"wrote {output}: {len(parsed.roster)} roster entries, {len(parsed.talks)} talks")


@main.command()
@click.argument("programme")
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
def topics_suggest(programmes: tuple[Path, ...], limit: int) -> None:
    """Candidate new topics: frequent keyphrases of PROGRAMMES that match no label."""
    from .build import DEFAULT_PROGRAMME, ingest
    from .registry import Registry
    from .resolve import resolve
    from .topics import load_vocabulary, suggest

    model = resolve(ingest(list(programmes) or [DEFAULT_PROGRAMME]), Registry.load())
    vocabulary = load_vocabulary()
    suggestions = suggest(list(model.talks.values()), vocabulary, limit=limit)
    if not suggestions:
        click.echo("no candidate topics found")
    for item in suggestions:
        n = len(item.talk_keys)
        click.echo(f"{item.score:8.3f}  {item.phrase}  ({n} talk{'' if n == 1 else 's'})")
        for key in item.talk_keys:
            click.echo(f"            {key}")
    from .topics import assign
    from .topics.suggest import curation
    from .topics.themes import lift_programmes

    by_event = {e.key: [model.talks[k] for k in e.talks] for e in model.events}
    themed = lift_programmes(by_event, assign(model.talks.values(), vocabulary), vocabulary)
    assignments = {k: v for done in themed.values() for k, v in done.assignments.items()}
    for proposal in curation(model.talks.values(), vocabulary, assignments):
        phrase = proposal.phrase or "(no keyphrase found)"
        click.echo(f"needs curation: {proposal.talk_key}: add {phrase!r} under {proposal.broader}")


@topics.command("explain")
@click.argument("talk")
@DATA_OPTION
def topics_explain(talk: str, data: Path) -> None:
    """The topics of TALK and the words behind each, read from the dataset.

    TALK is the talk's IRI, its path (talk/SLUG or /talk/SLUG), its slug, or its title.
    """
    from .manifest import read_manifest
    from .rdf import read_graph
    from .topics import explain, find_talk

    manifest = read_manifest(data)
    graph = read_graph([data / "dataset.nt"])
    iri, title = find_talk(graph, manifest.base_iri, talk, where=str(data))
    rows = explain(graph, iri)
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
@click.option(
    "--min-weight",
    default=None,
    type=click.IntRange(1),
    help="leave out lighter edges; talks/speakers: similarity in percent (default 10), "
    "topics: shared talks (default 1)",
)
@click.option(
    "--top-k",
    default=None,
    type=click.IntRange(0),
    help="talks/speakers: keep each node's k strongest links (default 5; 0 keeps all)",
)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False))
def graph(
    data: Path, kind: str, fmt: str, min_weight: int | None, top_k: int | None, output: Path | None
) -> None:
    """A co-topic graph of the dataset, with communities and centralities."""
    import networkx as nx

    from .graphs import analyse, build_graph, data_from_graph, export_graph
    from .graphs.build import GraphKind
    from .rdf import read_graph

    rdf = read_graph([data / "dataset.nt"])
    k: int | None | Literal["default"] = "default" if top_k is None else (top_k or None)
    g = analyse(build_graph(data_from_graph(rdf), cast(GraphKind, kind), min_weight, k))
    payload = export_graph(g, fmt)
    if output is None:
        sys.stdout.buffer.write(payload)
    else:
        output.write_bytes(payload)
        click.echo(
            f"wrote {output}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges "
            f"(density {nx.density(g):.3f})",
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
@click.option(
    "--threads",
    default=SERVER_THREADS,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Threads answering requests (SERVER_THREADS).",
)
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
@click.option(
    "--allow-no-network-namespace",
    is_flag=True,
    help="Run query workers even where they cannot be put in an empty network namespace.",
)
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
    allow_no_network_namespace: bool = False,
) -> None:
    """Serve a built dataset: SPARQL endpoint, pages, downloads (waitress).

    A new build published at --data is picked up without downtime on SIGHUP, or by polling
    with --watch: requests in flight finish on the dataset they started with.
    """
    from .build import build as run_build
    from .web import create_app
    from .web.server import make_server
    from .web.server import serve as run_server

    check_port(host, port)  # before building or loading anything
    if allow_no_network_namespace:  # read by the query worker pool (store/pool.py)
        os.environ["TALKGRAPH_ALLOW_NO_NETNS"] = "1"
    if data is None:
        data = Path("build")
        result = run_build(out=data, progress=_progress(True))
        click.echo(f"built {data}: {result.manifest.triples} triples", err=True)
    config: dict[str, object] = {"RELOAD_ON_SIGHUP": True, "RELOAD_INTERVAL": watch}
    if query_timeout is not None:
        config["QUERY_TIMEOUT"] = query_timeout
    if max_rows is not None:
        config["MAX_ROWS"] = max_rows
    config["SERVER_THREADS"] = threads
    if store is not None:
        config["STORE"] = store
    if graph is not None:
        config["STORE_GRAPH"] = graph
    app = create_app(data, config=config)
    try:
        server = make_server(app, host, port, threads)
    except OSError as exc:
        app.extensions["talkgraph"].close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound = getattr(server, "effective_port", port)
    click.echo(f"serving {data} on http://{host}:{bound}/ (SPARQL at /sparql)", err=True)
    import signal

    # SIGTERM (a service manager, `kill`) stops as Ctrl-C does: the query workers are ended.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run_server(app, server=server)


def check_port(host: str, port: int) -> None:
    """Refuse a host and port the server could not listen on (busy, unknown, not ours)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _name, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            if os.name == "posix":  # as waitress does: a port in TIME_WAIT is free
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


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
@click.option(
    "--update-endpoint",
    default=None,
    help="SPARQL Update URL (default: --to). Oxigraph: .../update, Fuseki: .../DATASET/update, "
    "Virtuoso: .../sparql-auth.",
)
@click.option(
    "--gsp-endpoint",
    default=None,
    help="Graph Store Protocol URL, needed by --method gsp. Oxigraph: .../store, "
    "Fuseki: .../DATASET/data, Virtuoso: .../sparql-graph-crud-auth.",
)
@click.option(
    "--batch-size",
    default=None,
    type=click.IntRange(1),
    help="Triples per request (default: 50000 with gsp, 5000 with update).",
)
@click.option(
    "--checkpoint",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Progress file, to resume an interrupted publish "
    "(default: .DIR.publish-KEY.json beside the build directory).",
)
@click.option(
    "--restart",
    is_flag=True,
    help="Drop the staging graph of an interrupted publish and start again.",
)
@click.option(
    "--retries",
    default=5,
    show_default=True,
    type=click.IntRange(0),
    help="Retries of a request after a transient failure (pauses of 2, 4, 8... s).",
)
@click.option(
    "--grace",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds the replaced data stays for queries still reading it, before it is dropped.",
)
@click.option(
    "--user",
    default=None,
    help="User for HTTP basic/digest auth (password from $TALKGRAPH_STORE_PASSWORD).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
def publish(
    data: Path,
    endpoint: str,
    graph: str | None,
    method: str,
    update_endpoint: str | None,
    gsp_endpoint: str | None,
    batch_size: int | None,
    checkpoint: Path | None,
    restart: bool,
    retries: int,
    grace: float,
    user: str | None,
    quiet: bool,
) -> None:
    """Load a built dataset into a remote SPARQL store: batches into a staging graph (resumed
    after an interruption), then one switch."""
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
        checkpoint=checkpoint,
        restart=restart,
        retries=retries,
        grace=grace,
    )
    resumed = f", resumed after batch {done.resumed_from}" if done.resumed_from else ""
    click.echo(
        f"published {done.triples} triples to <{done.graph}> at {endpoint} "
        f"({done.batches} batches sent{resumed})"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
