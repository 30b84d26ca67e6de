"""Plain-text tables of benchmark results, and a description of the machine they ran on."""

from __future__ import annotations

import os
import platform
from collections import Counter
from importlib import metadata
from typing import Any

STAGES = ("ingest", "topics", "mapping", "validation", "serialisation")
PACKAGES = (
    "talkgraph",
    "rdflib",
    "pyoxigraph",
    "oxigraph",
    "pyshacl",
    "flask",
    "waitress",
    "rdflib-endpoint",
    "uvicorn",
    "fastapi",
)


def machine() -> str:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="ascii") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (absent)")
    return (
        f"machine: {os.cpu_count()} CPUs (nproc), {memory:.1f} GiB RAM, {cpu}\n"
        f"python {platform.python_version()} on {platform.platform()}\n" + ", ".join(versions)
    )


def _table(headers: list[str], rows: list[list[str]], align: str = "") -> str:
    """A plain-text table; ``align`` has ``l``/``r`` per column (default: the first column to
    the left, the others to the right)."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    align = align or "l" + "r" * (len(headers) - 1)
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    out = [line, "  ".join("-" * w for w in widths)]
    out += [
        "  ".join(
            c.ljust(w) if align[i] == "l" else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]
    return "\n".join(out)


def _ms(value: float) -> str:
    return f"{value:.1f}" if value == value else "-"


def scale(result: dict[str, Any]) -> str:
    """Every table of one scale."""
    build = result["build"]
    t = build["timings"]
    parts = [
        f"== {result['scale']}: {build['triples']} triples, {build['talks']} talks, "
        f"{build['people']} people, {build['programmes']} programmes "
        f"(generated in {result['generate_s']:.1f} s)",
        "",
        "build (own process): "
        + ", ".join(f"{s} {t[s]:.2f} s" for s in STAGES if s in t)
        + f"; import {t.get('import', 0):.2f} s; total {build['wall']:.1f} s; "
        f"peak RSS {build['peak_rss_mb']:.0f} MB",
        _build_ratio(build),
        "",
        _table(["load into", "seconds"], [[k, f"{v:.2f}"] for k, v in result["loads"].items()]),
        "",
    ]
    engines = result["engines"]
    names = list(engines[0]["queries"])
    parts.append("latency per query, sequential (median / p99 ms; n runs):")
    rows = []
    for name in names:
        row = [name]
        for engine in engines:
            q = engine["queries"].get(name)
            row.append(f"{_ms(q['median_ms'])} / {_ms(q['p99_ms'])} ({q['n']})" if q else "skipped")
        rows.append(row)
    parts += [_table(["query", *(e["engine"] for e in engines)], rows), ""]
    ours = engines[0].get("throughput", {}).get("req_per_s", 0.0)
    rows = []
    for engine in engines:
        tp = engine.get("throughput")
        if tp is None:
            continue
        ratio = tp["req_per_s"] / ours if ours else float("nan")
        rows.append(
            [
                engine["engine"],
                _ms(tp["median_ms"]),
                _ms(tp["p99_ms"]),
                f"{tp['req_per_s']:.1f}",
                f"{ratio:.2f}",
                f"{tp['requests']} ({tp['errors']} err)",
                engine.get("note", ""),
            ]
        )
    parts.append("throughput of the interactive mix over HTTP (bounded concurrency):")
    parts.append(
        _table(
            ["engine", "median ms", "p99 ms", "req/s", "ratio to ours", "requests", "note"], rows
        )
    )
    parts += ["", _mixes(engines)]
    refused = _not_ok_table(engines)
    if refused:
        parts += ["", refused]
    return "\n".join(parts) + "\n"


def not_ok(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The answers of a client run that were not 200, by status (``0 (TimeoutError)``: no
    answer, and why): how many, their ``Retry-After`` values (``{value: count}``) and which
    queries got them (``{name: count}``)."""
    out: dict[str, Any] = {}
    for item in results:
        status = item["status"]
        if status == 200:
            continue
        label = str(status) if status else f"0 ({item.get('error', 'no answer')})"
        entry = out.setdefault(label, {"count": 0, "retry_after": Counter(), "queries": Counter()})
        entry["count"] += 1
        entry["queries"][item["name"]] += 1
        if "retry_after" in item:
            entry["retry_after"][str(item["retry_after"])] += 1
    return {
        label: {**e, "retry_after": dict(e["retry_after"]), "queries": dict(e["queries"])}
        for label, e in out.items()
    }


_RUNS = (
    ("sequential", "latency_not_ok"),
    ("full mix", "throughput"),
    ("light mix", "light"),
    ("cheap under heavy", "under_heavy"),
)


def _not_ok_table(engines: list[dict[str, Any]]) -> str:
    """Every answer that was not 200, per engine and run: status, count, Retry-After values,
    the queries that got them (empty when every answer was 200)."""
    rows = []
    for engine in engines:
        for run, key in _RUNS:
            part = engine.get(key)
            found = part if key == "latency_not_ok" else (part or {}).get("not_ok")
            for status, entry in sorted((found or {}).items()):
                retry = ", ".join(
                    f"{v} s x{n}"
                    for v, n in sorted(entry["retry_after"].items(), key=lambda kv: kv[0].zfill(9))
                )
                queries = ", ".join(f"{q} x{n}" for q, n in sorted(entry["queries"].items()))
                rows.append(
                    [engine["engine"], run, status, str(entry["count"]), retry or "-", queries]
                )
        heavy = (engine.get("under_heavy") or {}).get("heavy")
        if heavy is not None:  # the background connection of "cheap under heavy"
            rows.append(
                [engine["engine"], "(its heavy connection)", "200", str(heavy["answered"]), "-", ""]
            )
            for status, entry in sorted(heavy["not_ok"].items()):
                retry = ", ".join(f"{v} s x{n}" for v, n in sorted(entry["retry_after"].items()))
                rows.append(
                    [engine["engine"], "(its heavy connection)", status, str(entry["count"]),
                     retry or "-", ""]
                )  # fmt: skip
    if not rows:
        return ""
    return (
        "answers that were not 200 (status; Retry-After values; which queries), and every "
        "answer of the background connection of *cheap under heavy*:\n"
    ) + _table(["engine", "run", "status", "count", "Retry-After", "queries"], rows, "lllrll")


PEER = "Oxigraph server (in memory)"


def _build_ratio(build: dict[str, Any]) -> str:
    parse = build.get("rdflib_parse_s")
    if not parse:
        return ""
    return (
        f"build / rdflib parse of its own dataset.nt ({parse:.2f} s, same run): "
        f"{build['wall'] / parse:.1f}x"
    )


def _mixes(engines: list[dict[str, Any]]) -> str:
    """Light mix, full mix and cheap queries under a heavy one, as ratios to Oxigraph server
    in memory (same data, same client, same run)."""
    peer = next((e for e in engines if e["engine"] == PEER), None)

    def ratio(engine: dict[str, Any], key: str) -> str:
        if peer is None or key not in peer or key not in engine:
            return "-"
        base = peer[key]["req_per_s"]
        return f"{engine[key]['req_per_s'] / base:.2f}" if base else "-"

    rows = []
    for engine in engines:
        if "light" not in engine:
            continue
        lt, full, heavy = engine["light"], engine.get("throughput"), engine.get("under_heavy")
        rows.append(
            [
                engine["engine"],
                f"{lt['req_per_s']:.1f} ({lt['errors']} err)",
                ratio(engine, "light"),
                f"{full['req_per_s']:.1f} ({full['errors']} err)" if full else "-",
                ratio(engine, "throughput"),
                f"{_ms(heavy['median_ms'])} / {_ms(heavy['p99_ms'])} ({heavy['errors']} err)"
                if heavy
                else "-",
            ]
        )
    return (
        f"mixes over HTTP, ratios to {PEER} (light: no co-topic pairs; cheap under heavy: the "
        "light mix while another connection runs a heavy query):\n"
        + _table(
            [
                "engine",
                "light req/s",
                "light ratio",
                "full req/s",
                "full ratio",
                "cheap under heavy median / p99 ms",
            ],
            rows,
        )
    )
