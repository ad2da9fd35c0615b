// Weight and blood-pressure trends of the patient page (records.charts.trend_chart). The data
// and its French labels come from the server in <script id="trend-data">; no text here.
(function () {
  "use strict";
  var source = document.getElementById("trend-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var COLOURS = ["#1a4fd6", "#0b6e4f", "#b3261e"];

  function draw(spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    var datasets = spec.series.map(function (s, i) {
      return {
        label: s.label, data: s.data, borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length], pointRadius: 4, borderWidth: 2,
        tension: 0, spanGaps: true, fill: false
      };
    });
    (spec.guides || []).forEach(function (value) {
      datasets.push({
        label: "", data: spec.labels.map(function () { return value; }), borderColor: "#d98200",
        borderDash: [4, 4], borderWidth: 1, pointRadius: 0, pointHitRadius: 0, fill: false
      });
    });
    new Chart(canvas, {
      type: "line",
      data: {labels: spec.labels, datasets: datasets},
      options: {
        locale: document.documentElement.lang || "fr",
        animation: false, responsive: true, maintainAspectRatio: false,
        scales: {y: {title: {display: true, text: spec.unit}}},
        plugins: {legend: {position: "bottom", labels: {boxWidth: 14, filter: function (item) {
          return item.text !== "";
        }}}}
      }
    });
  }
  data.charts.forEach(draw);
})();
