/* talkgraph: a small co-topic neighbourhood drawn into <div id="neighbourhood"
 * data-graph-url="/graphs/neighbourhood?iri=…"> on an entity page. Needs
 * vendor/graphology-0.26.0.umd.min.js and vendor/sigma-3.0.2.min.js loaded before it. */
(function () {
  "use strict";
  var root = document.getElementById("neighbourhood");
  if (!root || !root.dataset.graphUrl) { return; }
  var base = root.dataset.baseIri || (window.location.origin + "/");
  function pathOf(iri) {
    var u;
    try { u = new URL(iri); } catch (e) { return iri; }
    return iri.indexOf(base) === 0 ? "/" + iri.slice(base.length) : u.pathname.length > 1 ? u.pathname + u.hash : iri;
  }
  fetch(root.dataset.graphUrl, { headers: { Accept: "application/json" } })
    .then(function (r) {
      if (r.status === 404) { return null; }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    })
    .then(function (data) {
      if (!data || data.nodes.length < 2) { root.hidden = true; return; }
      var center = data.graph.center;
      var g = new graphology.UndirectedGraph();
      var others = data.nodes.filter(function (n) { return n.id !== center; });
      data.nodes.forEach(function (n) {
        var i = others.indexOf(n), angle = 2 * Math.PI * i / Math.max(1, others.length);
        g.addNode(n.id, {
          label: n.label || n.id, iri: n.iri || n.id,
          x: n.id === center ? 0 : Math.cos(angle), y: n.id === center ? 0 : Math.sin(angle),
          size: n.id === center ? 12 : 6 + Math.min(8, Number(n.weight || 1)),
          color: n.id === center ? "#d62728" : "#1f77b4",
        });
      });
      data.links.forEach(function (e) {
        g.mergeEdge(e.source, e.target, { size: Math.min(6, Number(e.weight || 1)), color: "#b7bfcc" });
      });
      var canvas = document.createElement("div");
      canvas.className = "neighbourhood-graph";
      root.appendChild(canvas);
      var s = new Sigma(g, canvas, { renderLabels: true, labelRenderedSizeThreshold: 0 });
      s.on("clickNode", function (e) { window.location.assign(pathOf(g.getNodeAttribute(e.node, "iri"))); });
      root.dataset.renderedNodes = String(g.order);
    })
    .catch(function (err) { root.textContent = "Could not draw the neighbourhood: " + err.message; });
}());
