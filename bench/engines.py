"""The engines under test, each in its own process: ``python -m bench.engines KIND ARGS…``.

* ``talkgraph DATA_DIR PORT TIMEOUT [nocache] [store=DIR]`` — our app (waitress) on ``/sparql``,
  row limit raised; ``nocache`` turns the answer cache off (every request runs its query);
  ``store=DIR`` queries the on-disk store in ``DIR`` (loaded there first if it holds another
  build) instead of memory;
* ``disk-load DATA_DIR STORE_DIR`` — seconds to load a build into an on-disk store (as
  ``talkgraph serve --store DIR`` does on start);
* ``rdflib-endpoint NT PORT`` — rdflib-endpoint's ``SparqlEndpoint(graph=g)`` under uvicorn;
* ``rdflib-inprocess NT SPEC.json`` — rdflib's own ``Graph.query``, timed in process;
* ``loads NT WORKDIR`` — load times of pyoxigraph (memory, on disk) and ``rdflib.Graph.parse``.

The Oxigraph server is its own binary (``oxigraph serve-read-only``); :func:`oxigraph_commands`
gives its command lines.  Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def serve_talkgraph(
    data_dir: str, port: int, timeout: float, cache: bool = True, store: str | None = None
) -> None:
    from talkgraph.web import create_app
    from talkgraph.web.server import make_server

    config: dict[str, Any] = {
        "MAX_ROWS": 100_000_000,  # the full dump is part of the mix
        "MAX_RESULT_BYTES": 4 * 1024**3,
        "QUERY_TIMEOUT": timeout,
        "WORKER_MEMORY_MB": 8192,
        "ANSWER_CACHE_BYTES": 64 * 1024**2 if cache else 0,
    }
    if store is not None:
        config["STORE"] = store
    app = create_app(Path(data_dir), config=config)
    server = make_server(app, "127.0.0.1", port, threads=8)
    print("ready", flush=True)
    server.run()


def serve_rdflib_endpoint(nt_file: str, port: int) -> None:
    import uvicorn
    from rdflib import Graph
    from rdflib_endpoint import SparqlEndpoint

    graph = Graph()
    start = time.perf_counter()
    graph.parse(nt_file, format="nt")
    print(f"loaded {len(graph)} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    app = SparqlEndpoint(graph=graph, path="/sparql")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def rdflib_inprocess(nt_file: str, spec_file: str) -> dict[str, Any]:
    """Each query ``repeats`` times (fewer once one run takes over ``timeout``)."""
    from rdflib import Graph

    spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
    graph = Graph()
    start = time.perf_counter()
    graph.parse(nt_file, format="nt")
    load = time.perf_counter() - start
    results = []
    for item in spec["queries"]:
        spent = 0.0
        for _ in range(int(spec["repeats"])):
            start = time.perf_counter()
            result = graph.query(item["query"])
            if item["graph"]:
                result.serialize(format="nt")
            else:
                result.serialize(format="json")
            took = time.perf_counter() - start
            spent += took
            results.append({"name": item["name"], "seconds": took, "status": 200})
            if spent > float(spec["budget"]):
                break
    return {"load": load, "results": results}


def loads(nt_file: str, workdir: str) -> dict[str, float]:
    """Seconds to load the N-Triples file into each store (each once, the same file)."""
    import pyoxigraph as ox
    from rdflib import Graph

    out: dict[str, float] = {}
    start = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=nt_file, format=ox.RdfFormat.N_TRIPLES)
    out["pyoxigraph memory (bulk_load)"] = time.perf_counter() - start
    del store
    start = time.perf_counter()
    disk = ox.Store(str(Path(workdir) / "pyoxigraph-disk"))
    disk.bulk_load(path=nt_file, format=ox.RdfFormat.N_TRIPLES)
    disk.flush()
    out["pyoxigraph on disk (bulk_load)"] = time.perf_counter() - start
    del disk
    start = time.perf_counter()
    graph = Graph()
    graph.parse(nt_file, format="nt")
    out["rdflib Graph.parse (nt)"] = time.perf_counter() - start
    return out


def disk_load(data_dir: str, store_dir: str) -> dict[str, Any]:
    """Load a build into an on-disk store, as the server does when the store holds another."""
    from talkgraph.store.disk import ensure_loaded

    manifest = json.loads(Path(data_dir, "manifest.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    loaded, fresh = ensure_loaded(Path(store_dir), Path(data_dir), str(manifest["base_iri"]))
    return {
        "seconds": time.perf_counter() - start,
        "loaded": fresh,
        "default_graph_triples": loaded.triple_count,
        "named_graphs": len(loaded.named_graphs),
    }


def oxigraph_commands(binary: str, location: Path, nt_file: Path, port: int) -> list[list[str]]:
    """The load command and the server command of the Oxigraph server."""
    return [
        [binary, "load", "--location", str(location), "--file", str(nt_file)],
        [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
    ]


def main(argv: list[str]) -> int:
    kind, args = argv[0], argv[1:]
    if kind == "talkgraph":
        stores = [a.removeprefix("store=") for a in args[3:] if a.startswith("store=")]
        cache = "nocache" not in args[3:]
        serve_talkgraph(args[0], int(args[1]), float(args[2]), cache, (stores or [None])[0])
    elif kind == "disk-load":
        json.dump(disk_load(args[0], args[1]), sys.stdout)
    elif kind == "rdflib-endpoint":
        serve_rdflib_endpoint(args[0], int(args[1]))
    elif kind == "rdflib-inprocess":
        json.dump(rdflib_inprocess(args[0], args[1]), sys.stdout)
    elif kind == "loads":
        json.dump(loads(args[0], args[1]), sys.stdout)
    else:
        raise SystemExit(f"unknown engine {kind!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
