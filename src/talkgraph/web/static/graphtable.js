/* talkgraph: sort the co-topic tables by clicking a column header (the header links sort on
 * the server when JavaScript is off). */
(function () {
  "use strict";
  function value(row, i) {
    var text = row.cells[i].textContent.trim();
    var n = Number(text);
    return text !== "" && isFinite(n) ? n : text.toLowerCase();
  }
  function sortBy(table, th) {
    var i = Array.prototype.indexOf.call(th.parentNode.children, th);
    var desc = th.getAttribute("aria-sort") === "ascending";
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", desc ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, i), y = value(b, i);
      var c = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
      return desc ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var link = th.querySelector("a");
      (link || th).addEventListener("click", function (ev) { ev.preventDefault(); sortBy(table, th); });
    });
  });
}());
