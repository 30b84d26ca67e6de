"""Serve an existing build and run the query mix against it, side by side with Oxigraph server:
``python -m bench.served BUILD_DIR WORK [--label 5M] [--build-json FILE] [options of run]``.

For scales where building inside ``bench/run`` is too long to repeat (5M triples): the build is
made once (``talkgraph build`` under ``/usr/bin/time -v``, or ``python -m bench.buildproc``), and
this measures the rest as ``bench/run`` does, in one run: load times (pyoxigraph in memory and on
disk, rdflib's parse of ``dataset.nt``, the on-disk store of ``talkgraph serve --store``,
``oxigraph load``), then the same client and query mix against

* ours on the on-disk store (``--store WORK/store``), with and without the answer cache;
* ours in memory (``talkgraph serve BUILD``: the in-memory store, loaded on start), with and
  without the answer cache;
* Oxigraph server in memory (the data POSTed to it) — the peer the ratios are taken against;
* Oxigraph server on its RocksDB store (``oxigraph serve-read-only``).

rdflib-endpoint and rdflib in process are left out at this size (a 5M-triple parse alone takes
minutes and the co-topic query tens of minutes; see ``bench/run --with-5m``).
``--engines ours`` measures only ours (e.g. before and after a change to the pool, the Oxigraph
figures taken once), ``--engines oxigraph`` only the peers; ``--ours memory,memory-nocache``
picks which of ours (of ``disk``, ``disk-nocache``, ``memory``, ``memory-nocache``; the on-disk
store is loaded only when one of the first two is picked), ``--peers memory`` only Oxigraph
server in memory.  Each server's time to its first
answer and its memory (peak RSS of its main process, peak PSS summed over it and its workers)
are printed at the end.
``--build-json`` is a JSON file with what the build measured (``wall``, ``peak_rss_mb``,
``timings``); it is merged into the report.  Results go to ``WORK/served.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bench import report
from bench.queries import mix, pick_parameters
from bench.runner import (
    PY,
    Plan,
    _free_port,
    _say,
    _served,
    _subprocess_json,
    oxigraph_engines,
)

#: Ours, as ``--ours`` names them: (engine name, on the on-disk store, answer cache on).
OURS: dict[str, tuple[str, bool, bool]] = {
    "disk": ("talkgraph, on-disk store", True, True),
    "disk-nocache": ("talkgraph, on-disk store, no answer cache", True, False),
    "memory": ("talkgraph, in memory", False, True),
    "memory-nocache": ("talkgraph, in memory, no answer cache", False, False),
}


def _servers(engines: list[dict[str, Any]]) -> str:
    """Each server's time to its first answer (for Oxigraph server in memory: and the POST of
    the data) and its memory as :class:`bench.runner.MemoryWatch` sampled it."""
    rows = []
    for engine in engines:
        memory = engine.get("memory", {})
        rows.append(
            [
                engine["engine"],
                f"{engine.get('ready_s', float('nan')):.1f}",
                f"{memory.get('peak_rss_mb', float('nan')):.0f}",
                f"{memory.get('peak_pss_mb', float('nan')):.0f}",
                str(memory.get("processes", "")),
            ]
        )
    header = ["server", "ready s", "peak RSS MB (main)", "peak PSS MB (all)", "processes"]
    return report._table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", help="a built dataset (talkgraph build -o BUILD)")
    parser.add_argument("work", help="scratch directory (stores, logs, served.json)")
    parser.add_argument("--label", default="5M")
    parser.add_argument("--build-json", default=None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--limit", type=float, default=3600.0, help="seconds per load step")
    parser.add_argument("--skip-loads", action="store_true", help="no rdflib/pyoxigraph loads")
    parser.add_argument(
        "--engines", choices=("all", "ours", "oxigraph"), default="all", help="which to serve"
    )
    parser.add_argument(
        "--ours",
        default=",".join(OURS),
        help=f"which of ours to serve, comma-separated, of: {', '.join(OURS)} (default: all)",
    )
    parser.add_argument(
        "--peers",
        choices=("all", "memory"),
        default="all",
        help="which Oxigraph servers: in memory and on RocksDB, or in memory only",
    )
    args = parser.parse_args(argv)
    picked = [name.strip() for name in args.ours.split(",") if name.strip()]
    unknown = sorted(set(picked) - set(OURS))
    if unknown:
        parser.error(f"--ours: unknown {', '.join(unknown)} (choose from {', '.join(OURS)})")
    out, work = Path(args.build).resolve(), Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    nt = out / "dataset.nt"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    build: dict[str, Any] = {
        "triples": manifest["triples"],
        "talks": manifest["counts"].get("conf:Talk", 0),
        "people": manifest["counts"].get("schema:Person", 0),
        "programmes": len(manifest["programmes"]),
        "timings": manifest.get("timings", {}),
        "wall": float("nan"),
        "peak_rss_mb": float("nan"),
    }
    if args.build_json:
        build.update(json.loads(Path(args.build_json).read_text(encoding="utf-8")))
    print(report.machine(), flush=True)
    result: dict[str, Any] = {"scale": args.label, "generate_s": float("nan"), "build": build}
    loads: dict[str, float] = {}
    peaks: dict[str, float] = {}
    if not args.skip_loads:
        stores = work / "stores"
        shutil.rmtree(stores, ignore_errors=True)
        stores.mkdir()
        measured, peaks["loads"] = _subprocess_json(
            [PY, "-m", "bench.engines", "loads", str(nt), str(stores)], args.limit
        )
        shutil.rmtree(stores)
        loads.update(measured)
        build["rdflib_parse_s"] = measured["rdflib Graph.parse (nt)"]
        _say(f"[{args.label}] loads {measured}")
    if args.engines == "oxigraph":
        picked = []
    store = work / "store"
    if any(OURS[name][1] for name in picked):
        shutil.rmtree(store, ignore_errors=True)
        disk, peaks["talkgraph --store load"] = _subprocess_json(
            [PY, "-m", "bench.engines", "disk-load", str(out), str(store)], args.limit
        )
        loads["talkgraph --store (on-disk store)"] = disk["seconds"]
        _say(f"[{args.label}] on-disk store {disk}")
        result["disk_store"] = disk
    start = time.perf_counter()
    queries = mix(pick_parameters(str(nt)))
    _say(f"[{args.label}] parameters picked in {time.perf_counter() - start:.1f} s")
    plan = Plan(build["triples"], args)
    engines = []
    for key in picked:
        name, on_disk, cache = OURS[key]
        extra = ([] if cache else ["nocache"]) + ([f"store={store}"] if on_disk else [])
        port = _free_port()
        command = [PY, "-m", "bench.engines", "talkgraph", str(out), str(port), str(args.timeout)]
        engines.append(
            _served(
                name,
                [*command, *extra],
                f"http://127.0.0.1:{port}/sparql",
                queries,
                plan,
                work,
                slow=False,
                ready_limit=args.limit,
            )
        )
        _say(f"[{args.label}] {name} done: {_servers([engines[-1]])}")
    if args.engines != "ours":
        engines += oxigraph_engines(
            nt, queries, plan, work, loads, args.limit, on_disk=args.peers == "all"
        )
        _say(f"[{args.label}] Oxigraph servers done: {_servers(engines)}")
    result.update(loads=loads, load_peaks_mb=peaks, engines=engines)
    result["parameters"] = [q.name for q in queries]
    (work / "served.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print("\n" + report.scale(result), flush=True)
    print(f"peak RSS of load steps (MB): {peaks}", flush=True)
    print("\nservers: time to the first answer (load), memory\n" + _servers(engines), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
