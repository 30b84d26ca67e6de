/* talkgraph: interactive co-topic map (sigma.js + graphology + ForceAtlas2).
 *
 * Reads its settings from data- attributes of #graphview (no inline script): data-graph-url
 * (node-link JSON, edges under "links"), data-export-url, data-base-iri, data-kind.
 * After drawing it sets data-rendered-nodes, data-visible-edges, data-focused-node and
 * data-layout ("running" / "done") on the container; the view's settings live in the URL
 * (t = minimum edge weight, hide = hidden communities, focus = node IRI, cam = x,y,ratio).
 * ForceAtlas2 runs in a same-origin worker (data-worker-url, graphview-worker.js); the main
 * thread only applies its positions, once per animation frame. Camera moves redraw nodes only.
 * Big graphs (BIG_NODES / BIG_EDGES) draw edges as 1-pixel lines (weight as darkness), hide
 * labels while the camera moves and edges while the layout runs.
 */
(function () {
  "use strict";

  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#3949ab", "#00897b", "#c2185b"];
  var OTHER = "#9aa3b2";
  var DIM = "#e2e5ea";
  var BIG_NODES = 1000;
  var BIG_EDGES = 5000;

  function el(id) { return document.getElementById(id); }

  function make(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /** Same-origin path of an IRI under the dataset base; the IRI itself otherwise. */
  function pathOf(base, iri) {
    return base && iri.indexOf(base) === 0 ? "/" + iri.slice(base.length) : iri;
  }

  function communityKey(c) { return c < PALETTE.length ? String(c) : "other"; }

  function colourOf(c) { return c < PALETTE.length ? PALETTE[c] : OTHER; }

  /** Deterministic start: a golden-angle spiral, nodes ordered by community then IRI. */
  function seedPositions(nodes) {
    var order = nodes.slice().sort(function (a, b) {
      return (a.community - b.community) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    var golden = Math.PI * (3 - Math.sqrt(5));
    order.forEach(function (n, i) {
      var r = 10 * Math.sqrt(i + 1);
      n.x = r * Math.cos(i * golden);
      n.y = r * Math.sin(i * golden);
    });
  }

  /** Edge grey for a weight in [1, maxE]: light for the lightest, dark for the heaviest. */
  function edgeGrey(w, maxE) {
    var t = maxE > 1 ? (w - 1) / (maxE - 1) : 0;
    var v = Math.round(0xc4 - t * (0xc4 - 0x6a));
    return "rgb(" + v + "," + (v + 6) + "," + (v + 16) + ")";
  }

  function buildGraph(data) {
    var graph = new graphology.UndirectedGraph();
    var big = data.nodes.length > BIG_NODES || data.links.length > BIG_EDGES;
    var nodes = data.nodes.map(function (n) {
      return Object.assign({}, n, { community: Number(n.community || 0) });
    });
    seedPositions(nodes);
    var maxW = 1;
    nodes.forEach(function (n) { maxW = Math.max(maxW, Number(n.weighted_degree || 0)); });
    nodes.forEach(function (n) {
      var wd = Number(n.weighted_degree || 0);
      graph.addNode(n.id, Object.assign({}, n, {
        label: n.label || n.id, iri: n.iri || n.id, x: n.x, y: n.y,
        size: 4 + 14 * Math.sqrt(wd / maxW), color: colourOf(n.community),
      }));
    });
    var maxE = 1;
    data.links.forEach(function (e) { maxE = Math.max(maxE, Number(e.weight || 1)); });
    data.links.forEach(function (e, i) {
      var w = Number(e.weight || 1);
      graph.addEdgeWithKey("e" + i, e.source, e.target, Object.assign({}, e, {
        weight: w, size: 0.6 + 4 * (w - 1) / Math.max(1, maxE - 1),
        color: big ? edgeGrey(w, maxE) : "#b7bfcc", type: big ? "thin" : "line",
      }));
    });
    return { graph: graph, maxWeight: maxE, big: big };
  }

  function readParams() {
    var q = new URLSearchParams(window.location.search);
    var cam = (q.get("cam") || "").split(",").map(Number);
    return {
      threshold: Math.max(1, parseInt(q.get("t") || "1", 10) || 1),
      hidden: new Set((q.get("hide") || "").split(",").filter(Boolean)),
      focus: q.get("focus") || "",
      camera: cam.length === 3 && cam.every(isFinite) ? { x: cam[0], y: cam[1], ratio: cam[2] } : null,
    };
  }

  function View(root) {
    this.root = root;
    this.base = root.dataset.baseIri || "";
    this.kind = root.dataset.kind || "graph";
    this.state = readParams();
    this.hoverNode = null;
    this.stats = { fetchMs: 0, firstRenderMs: 0, iterations: 0, layoutMs: 0, msPerIteration: 0 };
  }

  View.prototype.status = function (text) { el("gv-status").textContent = text; };

  View.prototype.load = function () {
    var self = this;
    var t0 = performance.now();
    return fetch(this.root.dataset.graphUrl, { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("graph data: HTTP " + r.status); }
        return r.json();
      })
      .then(function (data) {
        self.stats.fetchMs = performance.now() - t0;
        var built = buildGraph(data);
        self.graph = built.graph;
        self.maxWeight = built.maxWeight;
        self.big = built.big;
        self.state.threshold = Math.min(self.state.threshold, self.maxWeight);
        self.draw(t0);
      })
      .catch(function (err) { self.status("Could not draw the graph: " + err.message); throw err; });
  };

  View.prototype.nodeVisible = function (node) {
    var c = this.graph.getNodeAttribute(node, "community");
    return !this.state.hidden.has(communityKey(c));
  };

  View.prototype.edgeVisible = function (edge) {
    var g = this.graph;
    return g.getEdgeAttribute(edge, "weight") >= this.state.threshold &&
      this.nodeVisible(g.source(edge)) && this.nodeVisible(g.target(edge));
  };

  View.prototype.draw = function (t0) {
    var self = this;
    var g = this.graph;
    // big graphs: no edges until the layout is done (see reduceEdge)
    this.layoutRunning = this.big && g.order > 1;
    this.renderer = new Sigma(g, el("gv-canvas"), {
      enableEdgeEvents: true,
      hideEdgesOnMove: true,
      hideLabelsOnMove: this.big,
      labelRenderedSizeThreshold: this.big ? 12 : 9,
      labelDensity: 0.5,
      zIndex: true,
      edgeProgramClasses: { thin: Sigma.rendering.EdgeLineProgram },
      nodeReducer: function (node, data) { return self.reduceNode(node, data); },
      edgeReducer: function (edge, data) { return self.reduceEdge(edge, data); },
    });
    this.stats.firstRenderMs = performance.now() - t0;
    this.bindEvents();
    this.buildControls();
    this.buildLegend();
    this.update(false);
    this.layout(function () {
      var s = self.state;
      if (s.focus && g.hasNode(s.focus)) { self.focus(s.focus, !s.camera); }
      if (s.camera) { self.renderer.getCamera().setState(s.camera); }
      self.trackCamera();
    });
  };

  View.prototype.reduceNode = function (node, data) {
    var res = Object.assign({}, data);
    if (!this.nodeVisible(node)) { res.hidden = true; return res; }
    var f = this.state.focus;
    if (f && this.graph.hasNode(f) && node !== f && !this.graph.areNeighbors(node, f)) {
      res.color = DIM; res.label = ""; res.zIndex = 0;
    } else if (f && node === f) {
      res.highlighted = true; res.zIndex = 2; res.forceLabel = true;
    }
    return res;
  };

  View.prototype.reduceEdge = function (edge, data) {
    var res = Object.assign({}, data);
    if (this.layoutRunning || !this.edgeVisible(edge)) { res.hidden = true; return res; }
    var f = this.state.focus;
    if (f && this.graph.hasNode(f) && !this.graph.hasExtremity(edge, f)) { res.color = "#eef0f3"; }
    else if (f) { res.color = "#5b6475"; }
    return res;
  };

  /** Counts, links and the permalink after any change of settings. */
  View.prototype.update = function (refresh) {
    var self = this;
    var nodes = 0, edges = 0;
    this.graph.forEachNode(function (n) { if (self.nodeVisible(n)) { nodes += 1; } });
    this.graph.forEachEdge(function (e) { if (self.edgeVisible(e)) { edges += 1; } });
    this.root.dataset.renderedNodes = String(nodes);
    this.root.dataset.visibleEdges = String(edges);
    this.root.dataset.focusedNode = this.state.focus || "";
    el("gv-edge-count").textContent = nodes + " nodes, " + edges + " of " + this.graph.size + " edges";
    el("gv-threshold-value").textContent = String(this.state.threshold);
    var base = this.root.dataset.exportUrl;
    Array.prototype.forEach.call(document.querySelectorAll(".gv-download"), function (a) {
      var q = "?format=" + encodeURIComponent(a.dataset.format);
      if (self.state.threshold > 1) { q += "&min_weight=" + self.state.threshold; }
      a.setAttribute("href", base + q);
    });
    if (refresh !== false) { this.renderer.refresh(); }
    this.permalink();
  };

  View.prototype.permalink = function () {
    var q = new URLSearchParams();
    var s = this.state;
    if (s.threshold > 1) { q.set("t", String(s.threshold)); }
    if (s.hidden.size) { q.set("hide", Array.from(s.hidden).sort().join(",")); }
    if (s.focus) { q.set("focus", s.focus); }
    if (this.cameraParam) { q.set("cam", this.cameraParam); }
    var search = q.toString();
    history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
  };

  View.prototype.trackCamera = function () {
    var self = this, timer = null;
    this.renderer.getCamera().on("updated", function (c) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        self.cameraParam = [c.x, c.y, c.ratio].map(function (v) { return v.toFixed(4); }).join(",");
        self.permalink();
      }, 250);
    });
  };

  /** ForceAtlas2, a fixed number of iterations in all, so the same graph always gets the same
   * layout (and a permalink's camera fits it): in the worker if there is one, else here. */
  View.prototype.layout = function (done) {
    var self = this, g = this.graph;
    var total = g.order > 1000 ? 150 : 300;
    this.root.dataset.layout = g.order > 1 ? "running" : "done";
    if (g.order <= 1) { this.layoutRunning = false; done(); return; }
    this.stats.layoutStart = performance.now();
    function finish(iterations, ms) {
      self.stats.iterations = iterations;
      self.stats.layoutMs = ms;
      self.stats.msPerIteration = ms / iterations;
      self.stats.layoutEnd = performance.now();
      if (self.layoutRunning) { self.layoutRunning = false; self.renderer.refresh(); }
      self.root.dataset.layout = "done";
      self.status("Layout: " + iterations + " ForceAtlas2 iterations in " + Math.round(ms) + " ms.");
      done();
    }
    var url = this.root.dataset.workerUrl;
    if (url && window.Worker) { this.layoutInWorker(url, total, finish); }
    else { this.layoutHere(total, finish); }
  };

  /** Node positions as two Float32Arrays, in the graph's node order. */
  View.prototype.positions = function () {
    var g = this.graph, x = new Float32Array(g.order), y = new Float32Array(g.order), i = 0;
    g.forEachNode(function (n, a) { x[i] = a.x; y[i] = a.y; i += 1; });
    return { x: x, y: y };
  };

  View.prototype.setPositions = function (x, y) {
    var i = 0;
    this.graph.updateEachNodeAttributes(function (n, a) {
      a.x = x[i]; a.y = y[i]; i += 1;
      return a;
    }, { attributes: ["x", "y"] });
  };

  View.prototype.layoutInWorker = function (url, total, finish) {
    var self = this, g = this.graph, index = new Map();
    g.forEachNode(function (n) { index.set(n, index.size); });
    var start = this.positions();
    var source = new Uint32Array(g.size), target = new Uint32Array(g.size);
    var weight = new Float32Array(g.size), i = 0;
    g.forEachEdge(function (e, a, s, t) {
      source[i] = index.get(s); target[i] = index.get(t); weight[i] = a.weight; i += 1;
    });
    var worker = new Worker(url), latest = null, frame = 0, failed = false;
    this.stats.engine = "worker";
    function apply() {
      frame = 0;
      var m = latest;
      self.setPositions(m.x, m.y);
      if (m.done >= m.total) { worker.terminate(); finish(m.done, m.ms); }
    }
    worker.onmessage = function (ev) {
      latest = ev.data;  // several messages in one frame: only the last one is drawn
      if (!frame) { frame = window.requestAnimationFrame(apply); }
    };
    worker.onerror = function (ev) {  // no worker after all: start again here, same start
      ev.preventDefault();
      if (failed) { return; }
      failed = true;
      worker.terminate();
      if (frame) { window.cancelAnimationFrame(frame); frame = 0; }
      self.setPositions(start.x, start.y);
      self.layoutHere(total, finish);
    };
    var batch = Math.max(1, Math.min(10, Math.round(60000 / (g.order + g.size))));
    var p = this.positions();
    worker.postMessage({ x: p.x, y: p.y, source: source, target: target, weight: weight,
      iterations: total, batch: batch }, [p.x.buffer, p.y.buffer, source.buffer, target.buffer,
      weight.buffer]);
  };

  /** The main-thread fallback: ForceAtlas2 in slices of a frame's budget. */
  View.prototype.layoutHere = function (total, finish) {
    var g = this.graph;
    this.stats.engine = "main thread";
    var fa2 = graphologyLayoutForceAtlas2;
    var settings = Object.assign(fa2.inferSettings(g), { adjustSizes: false });
    if (g.order > 500) { settings.barnesHutOptimize = true; }
    var doneIts = 0, spent = 0;
    function step() {
      var start = performance.now();
      var n = 0;
      while (doneIts < total && (n === 0 || performance.now() - start < 12)) {
        fa2.assign(g, { iterations: 1, settings: settings });
        doneIts += 1; n += 1;
      }
      spent += performance.now() - start;
      if (doneIts < total) { window.requestAnimationFrame(step); return; }
      finish(doneIts, spent);
    }
    window.requestAnimationFrame(step);
  };

  View.prototype.focus = function (node, moveCamera) {
    this.state.focus = node;
    var d = this.renderer.getNodeDisplayData(node);
    if (d && moveCamera !== false) {
      this.renderer.getCamera().animate({ x: d.x, y: d.y, ratio: 0.4 }, { duration: 400 });
    }
    this.showNode(node);
    this.update();
  };

  View.prototype.clearFocus = function () {
    if (!this.state.focus) { return; }
    this.state.focus = "";
    this.update();
  };

  View.prototype.link = function (iri, label) {
    return make("a", { href: pathOf(this.base, iri) }, label || iri);
  };

  View.prototype.panel = function (title, children) {
    var panel = el("gv-panel");
    panel.replaceChildren(make("h2", {}, title));
    children.forEach(function (c) { panel.appendChild(c); });
  };

  View.prototype.showNode = function (node) {
    var a = this.graph.getNodeAttributes(node);
    var p = make("p");
    p.appendChild(this.link(a.iri, a.label));
    var facts = make("p", { class: "muted" },
      "weight " + a.weight + " · degree " + a.degree + " · weighted degree " + a.weighted_degree +
      " · community " + a.community);
    this.panel("Node", [p, facts]);
  };

  /** What an edge stands for: shared topics (speakers, talks) or shared talks (topics). */
  View.prototype.showEdge = function (edge) {
    var self = this, g = this.graph, a = g.getEdgeAttributes(edge);
    // talks and speakers: the concepts explaining the similarity; topics: the talks about both
    var items = a.concepts ? a.concepts : a.topics ? a.topics : a.talks || [];
    var labels = a.concepts ? a.concept_labels || [] :
      a.topics ? a.topic_labels || [] : a.talk_labels || [];
    var head = make("p");
    head.appendChild(this.link(g.source(edge), g.getNodeAttribute(g.source(edge), "label")));
    head.appendChild(document.createTextNode(" — "));
    head.appendChild(this.link(g.target(edge), g.getNodeAttribute(g.target(edge), "label")));
    var what = make("p", { class: "muted" },
      "weight " + a.weight + ": " + (a.concepts ? "similarity in percent, explained by" :
        a.topics ? "shared topics" : "talks about both"));
    var list = make("ul", { class: "gv-shared" });
    items.forEach(function (iri, i) {
      var li = make("li");
      li.appendChild(self.link(iri, labels[i] || iri));
      list.appendChild(li);
    });
    this.panel("Link", [head, what, list]);
  };

  View.prototype.bindEvents = function () {
    var self = this, r = this.renderer, container = el("gv-canvas");
    r.on("enterNode", function (e) { self.showNode(e.node); container.style.cursor = "pointer"; });
    r.on("leaveNode", function () { container.style.cursor = ""; });
    r.on("enterEdge", function (e) {
      var a = self.graph.getEdgeAttributes(e.edge);
      container.title = "weight " + a.weight;
      container.style.cursor = "pointer";
    });
    r.on("leaveEdge", function () { container.title = ""; container.style.cursor = ""; });
    r.on("clickNode", function (e) {
      window.location.assign(pathOf(self.base, self.graph.getNodeAttribute(e.node, "iri")));
    });
    r.on("clickEdge", function (e) { self.showEdge(e.edge); });
    r.on("clickStage", function () { self.clearFocus(); });
  };

  View.prototype.buildControls = function () {
    var self = this, g = this.graph;
    var range = el("gv-threshold");
    range.max = String(this.maxWeight);
    range.value = String(this.state.threshold);
    range.disabled = this.maxWeight <= 1;
    range.addEventListener("input", function () {
      self.state.threshold = parseInt(range.value, 10) || 1;
      self.update();
    });
    var names = el("gv-names"), byLabel = new Map();
    g.forEachNode(function (node, a) {
      names.appendChild(make("option", { value: a.label }));
      byLabel.set(a.label.toLowerCase(), node);
    });
    var search = el("gv-search");
    function find() {
      var text = search.value.trim().toLowerCase();
      if (!text) { self.clearFocus(); return; }
      var node = byLabel.get(text);
      if (!node) {
        g.forEachNode(function (n, a) {
          if (!node && a.label.toLowerCase().indexOf(text) !== -1) { node = n; }
        });
      }
      if (node) { self.focus(node); self.status(""); } else { self.status("No node matches “" + search.value + "”."); }
    }
    search.addEventListener("change", find);
    el("gv-controls").addEventListener("submit", function (ev) { ev.preventDefault(); find(); });
    el("gv-png").addEventListener("click", function () { self.exportPNG(); });
    el("gv-svg").addEventListener("click", function () { self.exportSVG(); });
    el("gv-reset").addEventListener("click", function () {
      self.state.focus = ""; search.value = "";
      self.renderer.getCamera().animatedReset({ duration: 300 });
      self.update();
    });
  };

  View.prototype.buildLegend = function () {
    var self = this, groups = new Map();
    this.graph.forEachNode(function (node, a) {
      var key = communityKey(a.community);
      if (!groups.has(key)) { groups.set(key, []); }
      groups.get(key).push(a);
    });
    var legend = el("gv-legend");
    legend.replaceChildren(make("h2", {}, "Communities"));
    var list = make("ul", { class: "gv-legend" });
    var keys = Array.from(groups.keys()).sort(function (a, b) {
      return (a === "other") - (b === "other") || Number(a) - Number(b);
    });
    keys.forEach(function (key) {
      var members = groups.get(key).slice().sort(function (a, b) {
        return b.weighted_degree - a.weighted_degree || (a.label < b.label ? -1 : 1);
      });
      var li = make("li");
      var box = make("input", { type: "checkbox", "data-community": key });
      box.checked = !self.state.hidden.has(key);
      box.addEventListener("change", function () {
        if (box.checked) { self.state.hidden.delete(key); } else { self.state.hidden.add(key); }
        self.update();
      });
      var label = make("label");
      var swatch = make("span", { class: "gv-swatch" });
      swatch.style.background = key === "other" ? OTHER : PALETTE[Number(key)];
      label.appendChild(box);
      label.appendChild(swatch);
      var top = members.slice(0, 3).map(function (m) { return m.label; }).join(", ");
      var name = key === "other" ? "Other communities" : "Community " + key;
      label.appendChild(document.createTextNode(" " + name + " (" + members.length + "): " + top));
      li.appendChild(label);
      list.appendChild(li);
    });
    legend.appendChild(list);
  };

  function download(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = make("a", { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  /** The drawn layers (WebGL and 2D canvases) composed on a white canvas. The WebGL buffers
   * are read right after a synchronous render, before the browser clears them. */
  View.prototype.exportPNG = function () {
    var r = this.renderer, dims = r.getDimensions(), ratio = window.devicePixelRatio || 1;
    var out = make("canvas");
    out.width = Math.round(dims.width * ratio);
    out.height = Math.round(dims.height * ratio);
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    r.refresh();
    Array.prototype.forEach.call(r.getContainer().querySelectorAll("canvas"), function (c) {
      ctx.drawImage(c, 0, 0, out.width, out.height);
    });
    var name = "talkgraph-" + this.kind + ".png";
    out.toBlob(function (blob) { download(blob, name); }, "image/png");
  };

  /** An SVG of what is shown: visible edges and nodes at their current screen positions. */
  View.prototype.exportSVG = function () {
    var self = this, r = this.renderer, g = this.graph, dims = r.getDimensions();
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("xmlns", NS);
    svg.setAttribute("width", String(dims.width));
    svg.setAttribute("height", String(dims.height));
    svg.setAttribute("viewBox", "0 0 " + dims.width + " " + dims.height);
    function add(parent, tag, attrs, text) {
      var node = document.createElementNS(NS, tag);
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
      if (text !== undefined) { node.textContent = text; }
      parent.appendChild(node);
      return node;
    }
    add(svg, "title", {}, "talkgraph " + this.kind + " map");
    add(svg, "rect", { width: dims.width, height: dims.height, fill: "#ffffff" });
    var ratio = r.getCamera().getState().ratio;
    function screen(node) {
      var d = r.getNodeDisplayData(node);
      var p = r.framedGraphToViewport(d);
      return { x: p.x, y: p.y, size: r.scaleSize(d.size), color: d.color, hidden: d.hidden,
        label: d.label };
    }
    var edges = add(svg, "g", { class: "edges", stroke: "#b7bfcc", "stroke-linecap": "round" });
    g.forEachEdge(function (e, a, s, t) {
      if (!self.edgeVisible(e)) { return; }
      var ps = screen(s), pt = screen(t);
      add(edges, "line", { x1: ps.x.toFixed(1), y1: ps.y.toFixed(1), x2: pt.x.toFixed(1),
        y2: pt.y.toFixed(1), "stroke-width": (a.size / Math.sqrt(ratio)).toFixed(2) });
    });
    var nodes = add(svg, "g", { class: "nodes" });
    var labels = add(svg, "g", { class: "labels", "font-family": "sans-serif", "font-size": 12,
      fill: "#1d2330" });
    g.forEachNode(function (n, a) {
      if (!self.nodeVisible(n)) { return; }
      var p = screen(n);
      var circle = add(nodes, "circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1),
        r: p.size.toFixed(2), fill: p.color, stroke: "#ffffff", "stroke-width": 0.5 });
      add(circle, "title", {}, a.label);
      if (p.size >= 6) { add(labels, "text", { x: (p.x + p.size + 2).toFixed(1), y: (p.y + 4).toFixed(1) }, a.label); }
    });
    var text = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
    download(new Blob([text], { type: "image/svg+xml" }), "talkgraph-" + this.kind + ".svg");
  };

  var root = el("graphview");
  if (root) {
    var view = new View(root);
    window.talkgraphView = view;
    view.load();
  }
}());
