// The status page's live parts: polls /api/live and rewrites phases and running restores with textContent only
// (never innerHTML: every value from the feed is text), and draws the run-time chart with the vendored uPlot.
(function () {
  "use strict";
  var feed = document.body.getAttribute("data-feed");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function bytes(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], v = n, u = 0;
    while (Math.abs(v) >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return u === 0 ? n + " B" : v.toFixed(1) + " " + units[u];
  }
  function duration(s) {
    if (s === null || s === undefined) return "-";
    s = Math.max(0, Math.floor(s));
    var d = Math.floor(s / 86400), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    if (d >= 1) return d + "d " + (h % 24) + "h";
    if (h >= 1) return h + "h " + m + "m";
    if (s >= 60) return m + "m " + (s % 60) + "s";
    return s + "s";
  }
  function rate(r) { return r.toFixed(1) + "/s"; }
  function key(x) { return x.kind + "/" + x.namespace + "/" + x.name; }

  function runBlock(run) {
    var box = el("div", "run"), h = el("h3"), a = el("a", null, run.kind + " " + run.namespace + "/" + run.name);
    a.href = run.url;
    h.appendChild(a);
    h.appendChild(document.createTextNode(" "));
    h.appendChild(el("span", "stage", run.stage));
    box.appendChild(h);
    var p = el("p", "totals");
    [["records ", "records", run.recordsDone + " / " + run.recordsTotal],
     [" · bytes ", "bytes", bytes(run.bytesDone) + " / " + bytes(run.bytesTotal)],
     [" · rate ", "rate", rate(run.recordsPerSecond)],
     [" · time left ", "left", duration(run.timeLeftSeconds)]].forEach(function (x) {
      p.appendChild(document.createTextNode(x[0]));
      p.appendChild(el("span", x[1], x[2]));
    });
    box.appendChild(p);
    var bar = el("progress");
    bar.max = 100;
    bar.value = run.recordsTotal > 0 ? Math.min(100, 100 * run.recordsDone / run.recordsTotal) : 0;
    box.appendChild(bar);
    var table = el("table", "partitions"), head = el("tr"), body = el("tbody");
    ["Topic", "Partition", "Records", "Bytes", "Rate", "Time left"].forEach(function (t) { head.appendChild(el("th", null, t)); });
    table.appendChild(el("thead")).appendChild(head);
    run.partitions.forEach(function (q) {
      var tr = el("tr");
      [q.topic, q.number, q.recordsDone + " / " + q.recordsTotal, bytes(q.bytesDone) + " / " + bytes(q.bytesTotal),
       rate(q.recordsPerSecond), duration(q.timeLeftSeconds)].forEach(function (v) { tr.appendChild(el("td", null, v)); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
    return box;
  }

  function render(data) {
    var phases = {};
    data.resources.forEach(function (r) { phases[key(r)] = r.phase; });
    document.querySelectorAll("[data-resource]").forEach(function (cell) {
      var phase = phases[cell.getAttribute("data-resource")];
      if (phase && cell.textContent !== phase) { cell.textContent = phase; cell.className = "phase phase-" + phase; }
    });
    var live = document.getElementById("live");
    if (live) {
      var only = live.getAttribute("data-only");
      var runs = data.runs.filter(function (r) { return !only || key(r) === only; });
      while (live.firstChild) live.removeChild(live.firstChild);
      live.appendChild(el("h2", null, "Running now"));
      if (runs.length === 0) live.appendChild(el("p", "none", "No restore is running."));
      runs.forEach(function (r) { live.appendChild(runBlock(r)); });
    }
    var g = document.getElementById("generated");
    if (g) g.textContent = data.generatedAt.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", "Z");
  }

  function poll() {
    fetch(feed, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) render(d); })
      .catch(function () { /* the daemon restarting: try again on the next tick */ })
      .then(function () { setTimeout(poll, 2000); });
  }

  function chart() {
    var box = document.getElementById("runs-chart");
    if (!box || typeof uPlot === "undefined") return;
    var runs = JSON.parse(box.getAttribute("data-runs") || "[]");
    var objective = box.getAttribute("data-objective");
    var xs = runs.map(function (r) { return r.at; });
    var data = [xs, runs.map(function (r) { return r.seconds; }),
      runs.map(function (r) { return r.failed ? (r.seconds === null ? 0 : r.seconds) : null; })];
    var series = [{}, { label: "seconds", stroke: "#2563eb", points: { show: true } },
      { label: "failed", stroke: "#dc2626", width: 0, points: { show: true, size: 9, fill: "#dc2626" } }];
    if (objective !== null) {
      data.push(xs.map(function () { return Number(objective); }));
      series.push({ label: "objective", stroke: "#16a34a", dash: [6, 4], points: { show: false } });
    }
    var plot = new uPlot({ width: Math.min(900, box.clientWidth || 600), height: 260, series: series,
      scales: { y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.2)]; } } },
      axes: [{}, { label: "seconds" }] }, data, box);
    // The canvas says nothing to a screen reader: the chart's text alternative, read from what the plot holds.
    function count(ys) { return ys.filter(function (y) { return y !== null && y !== undefined; }).length; }
    box.setAttribute("role", "img");
    var n = plot.data[0].length;
    box.setAttribute("aria-label", n + (n === 1 ? " run" : " runs") + " plotted, " + count(plot.data[2]) + " failed" +
      (plot.series.length > 3 ? ", objective " + plot.data[3][0] + " s drawn as a line" : ""));
    // A margin of a twentieth of the span either side keeps the end points off the axes; a single run (no span)
    // gets an hour either side, not uPlot's default span of years.
    var first = xs[0], last = xs[xs.length - 1], pad = last - first > 0 ? (last - first) / 20 : 3600;
    if (xs.length > 0) plot.setScale("x", { min: first - pad, max: last + pad });
  }

  chart();
  if (feed) setTimeout(poll, 2000);
})();
