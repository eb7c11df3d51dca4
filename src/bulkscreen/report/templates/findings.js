// The findings table of the report: search, filters, sort, pages and a detail panel, over the
// JSON embedded in the page. No network, no libraries. The state lives in the URL's hash
// (#q=...&decision=...&sort=...&dir=...&page=...), so a filtered view can be bookmarked.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("findings-data").textContent);
  var cols = data.columns, rows = data.rows, pageSize = data.page_size;
  var at = {};
  cols.forEach(function (c, i) { at[c] = i; });
  var shown = data.shown_columns;
  var filters = data.filter_columns;
  var state = { q: "", sort: "", dir: "desc", page: 1 };
  filters.forEach(function (f) { state[f] = ""; });
  var severity = { PROHIBITED: 3, LICENSE_REQUIRED: 2, REVIEW: 1, CLEAR: 0 };
  var text = rows.map(function (r) {
    return r.map(function (v) { return v === null ? "" : String(v); }).join(" \u0001 ").toLowerCase();
  });

  function readHash() {
    var parts = window.location.hash.replace(/^#/, "").split("&");
    parts.forEach(function (p) {
      if (!p) { return; }
      var kv = p.split("=");
      var key = decodeURIComponent(kv[0]), value = decodeURIComponent(kv.slice(1).join("="));
      if (key in state) { state[key] = key === "page" ? Math.max(1, parseInt(value, 10) || 1) : value; }
    });
  }
  function writeHash() {
    var parts = [];
    Object.keys(state).forEach(function (k) {
      var v = state[k];
      if (v !== "" && !(k === "page" && v === 1) && !(k === "dir" && v === "desc")) {
        parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(v));
      }
    });
    history.replaceState(null, "", parts.length ? "#" + parts.join("&") : " ");
  }
  function matching() {
    var q = state.q.toLowerCase().trim();
    var out = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], keep = true;
      for (var f = 0; f < filters.length && keep; f++) {
        var want = state[filters[f]];
        if (want !== "" && String(r[at[filters[f]]]) !== want) { keep = false; }
      }
      if (keep && q && text[i].indexOf(q) < 0) { keep = false; }
      if (keep) { out.push(i); }
    }
    var key = state.sort;
    if (key) {
      var c = at[key], sign = state.dir === "asc" ? 1 : -1;
      out.sort(function (a, b) {
        var x = rows[a][c], y = rows[b][c];
        if (key === "decision") { x = severity[x]; y = severity[y]; }
        if (x === y) { return a - b; }
        if (x === null) { return 1; }
        if (y === null) { return -1; }
        return (x < y ? -1 : 1) * sign;
      });
    }
    return out;
  }
  function cell(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value === null || value === undefined ? "" : String(value);
    if (cls) { el.className = cls; }
    return el;
  }
  function showDetail(i) {
    var box = document.getElementById("finding-detail");
    box.innerHTML = "";
    box.appendChild(cell("h3", "Finding " + rows[i][at.record_id] + " (" + rows[i][at.reason_code] + ")"));
    var table = document.createElement("table");
    cols.forEach(function (c, k) {
      var v = rows[i][k];
      if (v === null || v === "") { return; }
      var tr = document.createElement("tr");
      tr.appendChild(cell("th", c));
      var td = cell("td", "");
      if (c === "features") {
        var pre = document.createElement("pre");
        try { pre.textContent = JSON.stringify(JSON.parse(v), null, 2); } catch (e) { pre.textContent = v; }
        td.appendChild(pre);
      } else {
        td.textContent = String(v);
      }
      tr.appendChild(td);
      table.appendChild(tr);
    });
    box.appendChild(table);
    box.hidden = false;
  }
  function render() {
    var hits = matching();
    var pages = Math.max(1, Math.ceil(hits.length / pageSize));
    state.page = Math.min(state.page, pages);
    var first = (state.page - 1) * pageSize;
    var body = document.getElementById("findings-body");
    body.innerHTML = "";
    hits.slice(first, first + pageSize).forEach(function (i) {
      var tr = document.createElement("tr");
      tr.className = "finding-row";
      tr.dataset.index = i;
      shown.forEach(function (c) {
        var v = rows[i][at[c]];
        if (c === "score" && v !== null) { v = Number(v).toFixed(3); }
        // Long explanations are cut in the table; the detail panel shows them whole.
        if (c === "explanation" && v && v.length > 160) { v = v.slice(0, 157) + "\u2026"; }
        tr.appendChild(cell("td", v, c === "decision" ? v : (c === "score" ? "num" : c)));
      });
      tr.addEventListener("click", function () { showDetail(i); });
      body.appendChild(tr);
    });
    document.getElementById("findings-count").textContent =
      hits.length.toLocaleString("en") + " matching findings of " + rows.length.toLocaleString("en");
    document.getElementById("findings-count").dataset.count = hits.length;
    document.getElementById("findings-page").textContent =
      hits.length ? "rows " + (first + 1).toLocaleString("en") + "\u2013" +
      Math.min(first + pageSize, hits.length).toLocaleString("en") + ", page " + state.page + " of " + pages : "no rows";
    document.querySelectorAll("#findings th[data-col]").forEach(function (th) {
      var mark = th.dataset.col === state.sort ? (state.dir === "asc" ? " \u25b2" : " \u25bc") : "";
      th.textContent = th.dataset.label + mark;
    });
    writeHash();
  }
  function init() {
    readHash();
    var search = document.getElementById("findings-search");
    search.value = state.q;
    search.addEventListener("input", function () { state.q = search.value; state.page = 1; render(); });
    filters.forEach(function (f) {
      var select = document.getElementById("filter-" + f);
      var values = {};
      rows.forEach(function (r) { var v = r[at[f]]; if (v !== null && v !== "") { values[v] = (values[v] || 0) + 1; } });
      Object.keys(values).sort().forEach(function (v) {
        var option = document.createElement("option");
        option.value = v;
        option.textContent = v + " (" + values[v].toLocaleString("en") + ")";
        select.appendChild(option);
      });
      select.value = state[f];
      select.addEventListener("change", function () { state[f] = select.value; state.page = 1; render(); });
    });
    document.querySelectorAll("#findings th[data-col]").forEach(function (th) {
      th.addEventListener("click", function () {
        if (state.sort === th.dataset.col) { state.dir = state.dir === "asc" ? "desc" : "asc"; }
        else { state.sort = th.dataset.col; state.dir = "desc"; }
        render();
      });
    });
    document.getElementById("findings-prev").addEventListener("click", function () { state.page = Math.max(1, state.page - 1); render(); });
    document.getElementById("findings-next").addEventListener("click", function () { state.page += 1; render(); });
    render();
  }
  init();
})();
