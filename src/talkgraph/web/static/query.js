/* The query page: runs the editor's query on the SPARQL endpoint and shows the result. */
(function () {
  "use strict";

  var app = document.getElementById("query-app");
  if (!app) { return; }
  var endpoint = app.getAttribute("data-endpoint");
  var pagePath = app.getAttribute("data-page");
  var base = JSON.parse(app.getAttribute("data-base"));
  var prefixes = JSON.parse(app.getAttribute("data-prefixes"));
  var form = document.getElementById("query-form");
  var editor = document.getElementById("query-text");
  var status = document.getElementById("query-status");
  var errorBox = document.getElementById("query-error");
  var results = document.getElementById("query-results");
  var downloads = document.getElementById("query-downloads");
  var downloadButtons = document.getElementById("download-buttons");
  var permalink = document.getElementById("permalink");
  var ACCEPT = "application/sparql-results+json, text/turtle;q=0.9, application/json;q=0.8, " +
    "text/plain;q=0.5";
  var TABLE_FORMATS = [["json", "json"], ["csv", "csv"], ["tsv", "tsv"]];
  var GRAPH_FORMATS = [["turtle", "ttl"], ["nt", "nt"], ["jsonld", "jsonld"]];

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function compact(iri) {
    var names = Object.keys(prefixes);
    for (var i = 0; i < names.length; i++) {
      var ns = prefixes[names[i]];
      if (iri.indexOf(ns) === 0 && /^[\w.-]*$/.test(iri.slice(ns.length))) {
        return names[i] + ":" + iri.slice(ns.length);
      }
    }
    return iri;
  }

  /* A link for an IRI: ours to its page on this site, others out. */
  function iriLink(iri, label) {
    if (iri.indexOf(base) === 0) {
      var path = iri.slice(base.length);
      return el("a", label || path, { href: "/" + path });
    }
    return el("a", label || compact(iri), { href: iri, "class": "external", rel: "noopener" });
  }

  function cell(term, label) {
    var td = el("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      td.appendChild(iriLink(term.value, label && label.value));
    } else if (term.type === "triple") {
      td.textContent = JSON.stringify(term.value);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) { td.appendChild(el("span", " @" + term["xml:lang"], { "class": "muted" })); }
    }
    return td;
  }

  function showTable(data) {
    var vars = data.head.vars || [];
    var shown = vars.filter(function (v) {
      return !(/Label$/.test(v) && vars.indexOf(v.slice(0, -5)) >= 0);
    });
    var rows = data.results.bindings;
    var table = el("table", null, { "class": "results", id: "results-table" });
    var head = el("tr");
    shown.forEach(function (v) { head.appendChild(el("th", v)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    rows.forEach(function (row) {
      var tr = body.appendChild(el("tr"));
      shown.forEach(function (v) { tr.appendChild(cell(row[v], row[v + "Label"])); });
    });
    results.appendChild(el("p", rows.length + (rows.length === 1 ? " row" : " rows"),
      { "class": "badge", id: "result-count" }));
    if (rows.length) { results.appendChild(table); } else { results.appendChild(el("p", "No results.", { "class": "muted" })); }
  }

  function showError(status, contentType, text) {
    errorBox.hidden = false;
    errorBox.textContent = "";
    var info = null;
    if (contentType.indexOf("json") >= 0) {
      try { info = JSON.parse(text); } catch (e) { info = null; }
    }
    if (!info || typeof info.message !== "string") {
      errorBox.appendChild(el("strong", "Error " + status));
      errorBox.appendChild(el("pre", text));
      return;
    }
    var where = info.line ? " (line " + info.line + ", column " + info.column + ")" : "";
    errorBox.appendChild(el("strong", status + " " + info.error + where));
    errorBox.appendChild(el("div", info.message));
    if (info.excerpt) { errorBox.appendChild(el("pre", info.excerpt)); }
  }

  function saveAs(text, type, filename) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = el("a", null, { href: url, download: filename });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function download(query, format, suffix) {
    var body = new URLSearchParams({ query: query, format: format });
    fetch(endpoint, { method: "POST", body: body }).then(function (response) {
      var type = response.headers.get("Content-Type") || "text/plain";
      return response.text().then(function (text) {
        if (!response.ok) { showError(response.status, type, text); return; }
        saveAs(text, type, "results." + suffix);
      });
    });
  }

  function showDownloads(query, formats) {
    downloadButtons.textContent = "";
    formats.forEach(function (f) {
      var button = el("button", f[0].toUpperCase(), { type: "button", "data-format": f[0] });
      button.addEventListener("click", function () { download(query, f[0], f[1]); });
      downloadButtons.appendChild(button);
    });
    downloads.hidden = false;
  }

  function updatePermalink(query) {
    var url = pagePath + "?" + new URLSearchParams({ query: query }).toString();
    permalink.setAttribute("href", url);
    return url;
  }

  function run() {
    var query = editor.value;
    var url = updatePermalink(query);
    history.replaceState(null, "", url);
    errorBox.hidden = true;
    downloads.hidden = true;
    results.textContent = "";
    status.textContent = "Running…";
    var started = Date.now();
    fetch(endpoint, {
      method: "POST",
      headers: { Accept: ACCEPT },
      body: new URLSearchParams({ query: query })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (text) {
        status.textContent = "";
        if (!response.ok) { showError(response.status, type, text); return; }
        status.textContent = "Done in " + ((Date.now() - started) / 1000).toFixed(2) + " s.";
        if (type.indexOf("application/sparql-results+json") === 0) {
          var data = JSON.parse(text);
          if (typeof data.boolean === "boolean") {
            results.appendChild(el("p", data.boolean ? "true" : "false", { "class": "ask-answer", id: "ask-answer" }));
          } else {
            showTable(data);
          }
          showDownloads(query, TABLE_FORMATS);
        } else {
          results.appendChild(el("pre", text, { id: "graph-result" }));
          showDownloads(query, GRAPH_FORMATS);
        }
      });
    }).catch(function (error) {
      status.textContent = "";
      showError(0, "text/plain", "The query could not be sent: " + error);
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
  });
  editor.addEventListener("input", function () { updatePermalink(editor.value); });

  document.getElementById("insert-term").addEventListener("click", function () {
    var input = document.getElementById("term-input");
    var term = input.value.trim();
    if (!term) { return; }
    var start = editor.selectionStart, end = editor.selectionEnd;
    editor.value = editor.value.slice(0, start) + term + editor.value.slice(end);
    editor.focus();
    editor.selectionStart = editor.selectionEnd = start + term.length;
    updatePermalink(editor.value);
  });

  Array.prototype.forEach.call(document.querySelectorAll(".canned-load"), function (button) {
    button.addEventListener("click", function () {
      editor.value = button.getAttribute("data-query");
      run();
      editor.scrollIntoView({ block: "start" });
    });
  });

  updatePermalink(editor.value);
}());
