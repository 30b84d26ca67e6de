"""Browser layout benchmark for the co-topic map (graphview.js: sigma.js + ForceAtlas2).

Generates a synthetic graph (default 2,000 nodes, 20,000 edges, fixed seed) with planted
communities, serves it with the real front-end files on 127.0.0.1 and measures, in Debian's
headless chromium (driven by Playwright): time to first render, time per ForceAtlas2 iteration,
frame rate while the layout runs, and frame rate while the camera moves afterwards::

    python bench/graph_layout.py [--nodes 2000] [--edges 20000] [--seed 7] [--runs 3]
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import random
import statistics
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "src" / "talkgraph" / "web" / "static"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BASE = "http://bench.localhost/"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/style.css">
<link rel="stylesheet" href="/static/graphview.css"></head><body><main>
<div class="graphview" id="graphview" data-kind="bench" data-graph-url="/graph.json"
 data-export-url="/graph" data-base-iri="{base}" data-layout="pending"
 data-worker-url="/static/graphview-worker.js">
<form class="gv-controls" id="gv-controls"><input type="search" id="gv-search" list="gv-names">
<datalist id="gv-names"></datalist><input type="range" id="gv-threshold" min="1" max="1" value="1">
<output id="gv-threshold-value"></output><span id="gv-edge-count"></span>
<button type="button" id="gv-png">PNG</button><button type="button" id="gv-svg">SVG</button>
<button type="button" id="gv-reset">Reset</button></form>
<div class="gv-body"><div class="gv-canvas" id="gv-canvas"></div><aside class="gv-side">
<section id="gv-legend"></section><section id="gv-panel"></section>
<section class="gv-downloads"></section></aside></div><p id="gv-status"></p></div></main>
<script src="/static/vendor/graphology-0.26.0.umd.min.js"></script>
<script src="/static/vendor/graphology-layout-forceatlas2-0.10.1.min.js"></script>
<script src="/static/vendor/sigma-3.0.2.min.js"></script>
<script src="/static/graphview.js"></script></body></html>
"""

FRAMES = """window.__frames = []; window.__layout = {};
(function tick(t) { window.__frames.push(t); requestAnimationFrame(tick); })(0);
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("graphview");
  new MutationObserver(() => {
    const state = root.dataset.layout;
    if (!(state in window.__layout)) { window.__layout[state] = performance.now(); }
  }).observe(root, { attributes: true, attributeFilter: ["data-layout"] });
});"""


def synthetic(nodes: int, edges: int, seed: int, communities: int = 12) -> dict[str, Any]:
    """Node-link JSON like the export's: planted communities, 80 % of edges inside one."""
    rng = random.Random(seed)
    group = [i % communities for i in range(nodes)]
    members = [[i for i in range(nodes) if group[i] == c] for c in range(communities)]
    pairs: dict[tuple[int, int], int] = {}
    while len(pairs) < edges:
        a = rng.randrange(nodes)
        b = rng.choice(members[group[a]]) if rng.random() < 0.8 else rng.randrange(nodes)
        if a != b:
            key = (min(a, b), max(a, b))
            pairs[key] = pairs.get(key, 0) or rng.choice([1, 1, 1, 2, 2, 3])
    degree = [0] * nodes
    weighted = [0] * nodes
    for (a, b), w in pairs.items():
        degree[a] += 1
        degree[b] += 1
        weighted[a] += w
        weighted[b] += w
    iri = [f"{BASE}topic/n{i}" for i in range(nodes)]
    return {
        "directed": False, "multigraph": False, "graph": {"kind": "bench"},
        "nodes": [{"id": iri[i], "iri": iri[i], "label": f"node {i}", "community": group[i],
                   "degree": degree[i], "weighted_degree": weighted[i], "weight": 1}
                  for i in range(nodes)],
        "links": [{"source": iri[a], "target": iri[b], "weight": w}
                  for (a, b), w in sorted(pairs.items())],
    }  # fmt: skip


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def _serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_Handler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


# sigma's redraws are counted (afterRender): frames alone would not show whether the map was
# redrawn at all during a camera move
RENDERS = """() => { window.__renders = [];
  window.talkgraphView.renderer.on("afterRender", () => window.__renders.push(performance.now()));
}"""
MARK = "() => performance.now()"
RATE = """([t0, t1]) => { const s = (t1 - t0) / 1000;
  const count = (a) => a.filter((t) => t >= t0 && t <= t1).length;
  return { fps: count(window.__frames) / s, renders: count(window.__renders) / s }; }"""
ANIMATE = """() => new Promise((resolve) => {
  const cam = window.talkgraphView.renderer.getCamera(), t0 = performance.now();
  cam.animate({ x: 0.3, y: 0.7, ratio: 0.3 }, { duration: 2000 }).then(() => {
    const t1 = performance.now(), s = (t1 - t0) / 1000;
    const count = (a) => a.filter((t) => t >= t0 && t <= t1).length;
    resolve({ fps: count(window.__frames) / s, renders: count(window.__renders) / s });
  });
})"""
CAMERA = (
    "() => { const c = window.talkgraphView.renderer.getCamera(); return [c.x, c.y, c.ratio]; }"
)


def _centre(page: Any) -> tuple[float, float]:
    box = page.locator("#gv-canvas").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _drag(page: Any, seconds: float = 2.0) -> dict[str, float]:
    """Pan with real mouse events (button down, moves every ~16 ms, up) for `seconds`."""
    page.evaluate("() => window.talkgraphView.renderer.getCamera().setState({x: .5, y: .5})")
    x, y = _centre(page)
    before = page.evaluate(CAMERA)
    page.mouse.move(x, y)
    page.mouse.down()
    t0 = page.evaluate(MARK)
    start, i = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        i += 1
        page.mouse.move(x + 150 * math.sin(i / 15), y + 100 * math.sin(i / 23))
        page.wait_for_timeout(16)
    t1 = page.evaluate(MARK)
    page.mouse.up()
    if page.evaluate(CAMERA) == before:
        raise RuntimeError("the drag did not move the camera")
    rate: dict[str, float] = page.evaluate(RATE, [t0, t1])
    return rate


def _wheel(page: Any, seconds: float = 2.0) -> dict[str, float]:
    """Zoom in and out with wheel events every ~16 ms for `seconds`."""
    x, y = _centre(page)
    page.mouse.move(x, y)
    before = page.evaluate(CAMERA)
    t0 = page.evaluate(MARK)
    start, i, moved = time.monotonic(), 0, False
    while time.monotonic() - start < seconds:
        i += 1
        page.mouse.wheel(0, -60 if (i // 20) % 2 == 0 else 60)
        page.wait_for_timeout(16)
        moved = moved or page.evaluate(CAMERA) != before
    t1 = page.evaluate(MARK)
    if not moved:
        raise RuntimeError("the wheel did not move the camera")
    rate: dict[str, float] = page.evaluate(RATE, [t0, t1])
    return rate


def measure(url: str, chromium: str) -> dict[str, float]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(FRAMES)
        page.goto(url)
        page.wait_for_selector("#graphview[data-layout=done]", timeout=300_000)
        layout = page.evaluate(
            """() => { const s = window.talkgraphView.stats;
            return Object.assign({}, s, {nodes: Number(document.getElementById('graphview')
              .dataset.renderedNodes), edges: window.talkgraphView.graph.size}); }"""
        )
        # wall time of the layout and frame rate meanwhile (data-layout: running -> done)
        wall = page.evaluate(
            """() => { const l = window.__layout, f = window.__frames;
            const n = f.filter((t) => t >= l.running && t <= l.done).length;
            return { ms: l.done - l.running, fps: n / Math.max(1e-3, (l.done - l.running) / 1000) };
            }"""
        )
        page.evaluate(RENDERS)
        camera = page.evaluate(ANIMATE)
        pan = _drag(page)
        zoom = _wheel(page)
        if urlsplit(page.url).path != "/index.html":
            raise RuntimeError(f"the camera moves left the page: {page.url}")
        browser.close()
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    return {
        "nodes": layout["nodes"],
        "edges": layout["edges"],
        "fetch_ms": layout["fetchMs"],
        "first_render_ms": layout["firstRenderMs"],
        "iterations": layout["iterations"],
        "layout_ms": layout["layoutMs"],
        "ms_per_iteration": layout["msPerIteration"],
        "layout_wall_ms": wall["ms"],
        "fps_during_layout": wall["fps"],
        "fps_camera": camera["fps"],
        "renders_camera": camera["renders"],
        "fps_pan": pan["fps"],
        "renders_pan": pan["renders"],
        "fps_zoom": zoom["fps"],
        "renders_zoom": zoom["renders"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--edges", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "static").symlink_to(STATIC)
        (root / "index.html").write_text(PAGE.format(base=BASE), encoding="utf-8")
        data = synthetic(args.nodes, args.edges, args.seed)
        (root / "graph.json").write_text(json.dumps(data), encoding="utf-8")
        server, base = _serve(root)
        try:
            runs = [measure(f"{base}/index.html", args.chromium) for _ in range(args.runs)]
        finally:
            server.shutdown()
    print(f"graph: {args.nodes} nodes, {args.edges} edges (seed {args.seed}); {args.runs} runs")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"{key:>18}: median {statistics.median(values):9.2f}  "
              f"(min {min(values):.2f}, max {max(values):.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
