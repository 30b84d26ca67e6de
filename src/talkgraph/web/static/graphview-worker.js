/* talkgraph: ForceAtlas2 for the co-topic map, off the main thread.
 *
 * A same-origin worker file (a `script-src 'self'` policy refuses the `blob:` workers of
 * graphology-layout-forceatlas2/worker). It takes one message:
 *   {x, y: Float32Array (start positions, one per node, in the graph's node order),
 *    source, target: Uint32Array (node indices), weight: Float32Array (one per edge),
 *    iterations: total ForceAtlas2 iterations, batch: iterations between two posts}
 * and answers, after each batch, {x, y: Float32Array (transferred), done, total, ms}, where ms
 * is the time spent in ForceAtlas2 so far. The batch size is fixed, not timed, so the same graph
 * always gets the same layout.
 */
/* global graphology, graphologyLayoutForceAtlas2 */
"use strict";

importScripts("vendor/graphology-0.26.0.umd.min.js",
  "vendor/graphology-layout-forceatlas2-0.10.1.min.js");

function buildGraph(m) {
  var g = new graphology.UndirectedGraph();
  var n = m.x.length, i;
  for (i = 0; i < n; i += 1) { g.addNode(String(i), { x: m.x[i], y: m.y[i], size: 1 }); }
  for (i = 0; i < m.source.length; i += 1) {
    g.addEdge(String(m.source[i]), String(m.target[i]), { weight: m.weight[i] });
  }
  return g;
}

self.onmessage = function (event) {
  var m = event.data;
  var fa2 = graphologyLayoutForceAtlas2;
  var g = buildGraph(m);
  var settings = Object.assign(fa2.inferSettings(g), { adjustSizes: false });
  if (g.order > 500) { settings.barnesHutOptimize = true; }
  var done = 0, ms = 0;
  while (done < m.iterations) {
    var k = Math.min(m.batch, m.iterations - done);
    var start = performance.now();
    fa2.assign(g, { iterations: k, settings: settings });
    ms += performance.now() - start;
    done += k;
    var x = new Float32Array(g.order), y = new Float32Array(g.order), i = 0;
    g.forEachNode(function (node, a) { x[i] = a.x; y[i] = a.y; i += 1; });
    self.postMessage({ x: x, y: y, done: done, total: m.iterations, ms: ms }, [x.buffer, y.buffer]);
  }
};
