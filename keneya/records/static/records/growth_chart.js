// Growth charts of the patient page: the child's points over the WHO SD lines. The data (lines,
// points and French labels) comes from the server in <script id="growth-data">; no text here.
(function () {
  "use strict";
  var source = document.getElementById("growth-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var COLOURS = {"-3": "#b3261e", "-2": "#d98200", "-1": "#b8b8b8", "0": "#0b6e4f",
                 "1": "#b8b8b8", "2": "#d98200", "3": "#b3261e"};
  var ORDER = ["3", "2", "1", "0", "-1", "-2", "-3"];
  var POINT = "#1a4fd6";

  function draw(spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    var ages = spec.curves.ages_months;
    var datasets = ORDER.map(function (z) {
      return {
        label: data.line_labels[z],
        data: spec.curves.lines[z].map(function (y, i) { return {x: ages[i], y: y}; }),
        borderColor: COLOURS[z], borderWidth: z === "0" ? 2 : 1.5,
        borderDash: (z === "1" || z === "-1") ? [4, 4] : [],
        pointRadius: 0, pointHitRadius: 0, fill: false, tension: 0.2
      };
    });
    datasets.push({
      label: data.points_label, data: spec.points, borderColor: POINT, backgroundColor: POINT,
      pointRadius: 5, pointHoverRadius: 7, borderWidth: 2, showLine: true, tension: 0
    });
    new Chart(canvas, {
      type: "line",
      data: {datasets: datasets},
      options: {
        locale: document.documentElement.lang || "fr",
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: {mode: "nearest", intersect: true},
        scales: {
          x: {type: "linear", min: 0, max: ages[ages.length - 1],
              title: {display: true, text: data.x_label}, ticks: {stepSize: 3}},
          y: {title: {display: true, text: spec.y_label}}
        },
        plugins: {
          legend: {position: "bottom", labels: {boxWidth: 14, filter: function (item) {
            return item.text !== "";
          }}},
          tooltip: {
            filter: function (item) { return item.datasetIndex === datasets.length - 1; },
            callbacks: {label: function (ctx) {
              return ctx.raw.date + " : " + ctx.formattedValue;
            }}
          }
        }
      }
    });
  }
  data.charts.forEach(draw);
})();
