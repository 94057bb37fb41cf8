// The journey dashboard's charts (bot/web/blueprints/dashboard.py): Chart.js (website/package-lock.json, served as
// /static/chart.js) draws the figures the page embeds as JSON; every chart also has its numbers as a table.
(function () {
  "use strict";
  var figures = JSON.parse(document.getElementById("figures").textContent);
  var blue = "#0b4f9c", green = "#04563c", grey = "#5a6b78";
  var palette = ["#0b4f9c", "#04563c", "#a35200", "#6b3fa0", "#a00000", "#5a6b78"];
  Chart.defaults.font.family = "system-ui, sans-serif";
  Chart.defaults.color = "#1d2b36";
  Chart.defaults.animation = false;

  function named(value) { return value === null || value === "null" ? "unbekannt" : value; }

  function bar(id, labels, datasets, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: { indexAxis: horizontal ? "y" : "x", responsive: true, maintainAspectRatio: true,
                 plugins: { legend: { display: datasets.length > 1 } }, scales: { x: { beginAtZero: true },
                 y: { beginAtZero: true } } }
    });
  }

  function counts(mapping) {
    var keys = Object.keys(mapping);
    return { labels: keys.map(named), values: keys.map(function (key) { return mapping[key]; }) };
  }

  var funnel = counts(figures.phases.funnel);
  bar("funnel", funnel.labels, [{ label: "Gespräche", data: funnel.values, backgroundColor: blue }], true);
  var moves = figures.transitions.slice(0, 12);
  bar("transitions", moves.map(function (m) { return (m.from || "Beginn") + " → " + m.to; }),
      [{ label: "Wechsel", data: moves.map(function (m) { return m.count; }), backgroundColor: green }], true);
  var personas = counts(figures.personas);
  bar("personas", personas.labels, [{ label: "Gespräche", data: personas.values, backgroundColor: palette }]);
  var segments = counts(figures.segments);
  bar("segments", segments.labels, [{ label: "Gespräche", data: segments.values, backgroundColor: palette }]);
  var touchpoints = figures.touchpoints;
  bar("touchpoints", touchpoints.map(function (t) { return named(t.touchpoint); }), [
    { label: "Gespräche", data: touchpoints.map(function (t) { return t.conversations; }), backgroundColor: blue },
    { label: "Übergaben", data: touchpoints.map(function (t) { return t.handoffs; }), backgroundColor: green }
  ]);
  var statuses = Object.keys(figures.handoffs.by_status);
  var kinds = { sales: ["Vertrieb", blue], support: ["Support", "#a00000"], upsell: ["Erweiterung", green] };
  var byKind = figures.handoffs.by_kind_status;
  bar("handoffs", statuses.map(named), Object.keys(byKind).map(function (kind) {
    return { label: (kinds[kind] || [kind])[0], backgroundColor: (kinds[kind] || [kind, grey])[1], stack: "kinds",
             data: statuses.map(function (status) { return byKind[kind][status] || 0; }) };
  }));
  var weeks = figures.nps.weeks;
  var nps = document.getElementById("nps");
  if (nps && weeks.length) {
    new Chart(nps, {
      data: { labels: weeks.map(function (w) { return w.week; }), datasets: [
        { type: "line", label: "NPS", data: weeks.map(function (w) { return w.score; }), borderColor: "#1d2b36",
          backgroundColor: "#1d2b36", yAxisID: "score" },
        { type: "bar", label: "Promotoren", data: weeks.map(function (w) { return w.promoters; }),
          backgroundColor: green, stack: "bands", yAxisID: "answers" },
        { type: "bar", label: "Passive", data: weeks.map(function (w) { return w.passives; }),
          backgroundColor: grey, stack: "bands", yAxisID: "answers" },
        { type: "bar", label: "Kritiker", data: weeks.map(function (w) { return w.detractors; }),
          backgroundColor: "#a00000", stack: "bands", yAxisID: "answers" }
      ] },
      options: { responsive: true, scales: {
        answers: { position: "left", stacked: true, beginAtZero: true, title: { display: true, text: "Antworten" } },
        score: { position: "right", min: -100, max: 100, title: { display: true, text: "NPS" },
                 grid: { drawOnChartArea: false } },
        x: { stacked: true } } }
    });
  }
  document.body.setAttribute("data-charts", "drawn");
})();
