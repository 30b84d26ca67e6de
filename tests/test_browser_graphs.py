"""The co-topic maps in a real headless chromium (Playwright) against waitress on 127.0.0.1."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
)

from support.browser import ARTIFACTS, BROWSER_MARKS, chromium
from support.browser import Watched as BaseWatched
from support.builds import seed_build
from support.web import serving

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(seed_build()) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found


class Watched(BaseWatched):
    """A graph map page whose problems are recorded."""

    prefix = "graphs"

    def open_map(self, base: str, kind: str, query: str = "") -> None:
        self.page.goto(f"{base}/graphs/{kind}{query}")
        self.page.wait_for_selector("#graphview[data-layout=done]", timeout=30_000)

    def data(self, name: str) -> str:
        value = self.page.get_attribute("#graphview", f"data-{name}")
        assert value is not None
        return value


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield Watched(context.new_page())
    context.close()


def _export(base: str, kind: str, min_weight: int | None = None) -> dict[str, Any]:
    import urllib.request

    url = f"{base}/graphs/{kind}.json" + (f"?min_weight={min_weight}" if min_weight else "")
    with urllib.request.urlopen(url, timeout=10) as response:
        data: dict[str, Any] = json.load(response)
    return data


@pytest.mark.parametrize("kind", ["topics", "speakers", "talks"])
def test_map_draws_every_node(server: str, watched: Watched, kind: str) -> None:
    watched.open_map(server, kind)
    expected = _export(server, kind)
    assert int(watched.data("rendered-nodes")) == len(expected["nodes"]) > 0
    assert int(watched.data("visible-edges")) == len(expected["links"])
    legend = watched.page.locator("#gv-legend input[type=checkbox]").count()
    assert legend >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(ARTIFACTS / f"graph-{kind}.png"))
    assert watched.problems == []


def test_layout_runs_in_the_worker(server: str, watched: Watched) -> None:
    """ForceAtlas2 runs in the same-origin worker (allowed by the CSP), the iterations all done."""
    watched.open_map(server, "topics")
    stats = watched.page.evaluate("() => window.talkgraphView.stats")
    assert stats["engine"] == "worker"
    assert stats["iterations"] == 300 and stats["msPerIteration"] > 0
    moving = "() => window.talkgraphView.renderer.getSetting('hideEdgesOnMove')"
    assert watched.page.evaluate(moving) is True
    csp = watched.page.request.get(f"{server}/static/graphview-worker.js").headers
    assert "script-src 'self'" in csp["content-security-policy"]
    assert watched.problems == []


def test_threshold_hides_light_edges(server: str, watched: Watched) -> None:
    kind = "topics"
    watched.open_map(server, kind)
    heavy = len(_export(server, kind, 2)["links"])
    total = int(watched.data("visible-edges"))
    assert heavy < total
    watched.page.locator("#gv-threshold").fill("2")
    assert int(watched.data("visible-edges")) == heavy
    assert "t=2" in watched.page.url
    href = watched.page.get_attribute(".gv-download[data-format=graphml]", "href")
    assert href is not None and "min_weight=2" in href
    # the permalink restores the setting
    watched.open_map(server, kind, "?t=2")
    assert int(watched.data("visible-edges")) == heavy
    assert watched.problems == []


def test_hiding_a_community(server: str, watched: Watched) -> None:
    watched.open_map(server, "speakers")
    nodes = int(watched.data("rendered-nodes"))
    box = watched.page.locator("#gv-legend input[data-community='0']")
    box.uncheck()
    assert int(watched.data("rendered-nodes")) < nodes
    assert "hide=0" in watched.page.url
    assert watched.problems == []


def test_search_focuses_a_node(server: str, watched: Watched) -> None:
    nodes = _export(server, "speakers")["nodes"]
    target = sorted(nodes, key=lambda n: n["id"])[len(nodes) // 2]
    watched.open_map(server, "speakers")
    watched.page.fill("#gv-search", target["label"])
    watched.page.press("#gv-search", "Enter")
    assert watched.data("focused-node") == target["iri"]
    assert target["label"] in watched.page.inner_text("#gv-panel")
    assert "focus=" in watched.page.url
    watched.open_map(server, "speakers", "?" + watched.page.url.split("?", 1)[1])
    assert watched.data("focused-node") == target["iri"]
    assert watched.problems == []


_LONELIEST = """() => {
  const v = window.talkgraphView, r = v.renderer, box = r.getContainer().getBoundingClientRect();
  const pts = v.graph.nodes().map((n) => {
    const p = r.framedGraphToViewport(r.getNodeDisplayData(n));
    return { node: n, x: p.x, y: p.y };
  }).filter((p) => p.x > 20 && p.y > 20 && p.x < box.width - 20 && p.y < box.height - 20);
  let best = null, bestD = -1;
  for (const p of pts) {
    let d = Infinity;
    for (const q of pts) { if (q !== p) d = Math.min(d, Math.hypot(p.x - q.x, p.y - q.y)); }
    if (d > bestD) { bestD = d; best = p; }
  }
  return { node: best.node, x: best.x + box.left, y: best.y + box.top };
}"""


def test_clicking_a_node_opens_its_page(server: str, watched: Watched) -> None:
    watched.open_map(server, "speakers")
    spot = watched.page.evaluate(_LONELIEST)
    base = watched.data("base-iri")
    assert spot["node"].startswith(base)
    path = "/" + spot["node"][len(base) :]
    watched.page.mouse.move(spot["x"], spot["y"])
    watched.page.mouse.click(spot["x"], spot["y"])
    watched.page.wait_for_url(f"{server}{path}", timeout=10_000)


def test_clicking_an_edge_lists_what_it_stands_for(server: str, watched: Watched) -> None:
    watched.open_map(server, "speakers")
    shown = watched.page.evaluate(
        "() => { const v = window.talkgraphView; const e = v.graph.edges()[0];"
        " v.showEdge(e); return v.graph.getEdgeAttribute(e, 'concept_labels'); }"
    )
    panel = watched.page.inner_text("#gv-panel")
    assert shown and all(label in panel for label in shown)
    assert watched.page.locator("#gv-panel ul.gv-shared a").count() == len(shown)


def test_png_and_svg_exports(server: str, watched: Watched, tmp_path: Path) -> None:
    watched.open_map(server, "topics")
    with watched.page.expect_download() as png_info:
        watched.page.click("#gv-png")
    png = tmp_path / "map.png"
    png_info.value.save_as(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    with watched.page.expect_download() as svg_info:
        watched.page.click("#gv-svg")
    svg = tmp_path / "map.svg"
    svg_info.value.save_as(svg)
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert len(root.findall(f".//{ns}circle")) == int(watched.data("rendered-nodes"))
    assert len(root.findall(f".//{ns}line")) == int(watched.data("visible-edges"))
    assert watched.problems == []


def test_table_sorts_by_clicking_a_header(server: str, watched: Watched) -> None:
    watched.page.goto(f"{server}/graphs/speakers/table")
    watched.page.click("#node-table th[data-sort-key=weighted_degree] a")
    watched.page.click("#node-table th[data-sort-key=weighted_degree] a")
    values = watched.page.eval_on_selector_all(
        "#node-table tbody tr", "rows => rows.map(r => Number(r.cells[3].textContent))"
    )
    assert values == sorted(values, reverse=True) and len(values) > 1
    assert watched.page.url.endswith("/graphs/speakers/table")  # sorted in the page, no reload
    assert watched.problems == []
