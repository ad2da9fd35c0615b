// Lab trends of the record (Hb, glycaemia): the person's values by date, critical ones in red,
// abnormal ones in orange, the critical limits as dashed lines. The data and the French labels
// come from the server in <script id="lab-trend-data">; no text here (strict CSP: no inline JS).
(function () {
  "use strict";
  var source = document.getElementById("lab-trend-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var COLOURS = {critical_low: "#b3261e", critical_high: "#b3261e", low: "#d98200", high: "#d98200"};
  var LINE = "#1a4fd6";

  function limit(value, dates) {
    return dates.map(function (d) { return {x: d, y: value}; });
  }

  function draw(spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas || !spec.points.length) return;
    var dates = spec.points.map(function (p) { return p.x; });
    var datasets = [{
      label: spec.title, data: spec.points, borderColor: LINE, borderWidth: 2, tension: 0,
      pointRadius: 5, pointHoverRadius: 7,
      pointBackgroundColor: spec.points.map(function (p) { return COLOURS[p.flag] || LINE; }),
      pointBorderColor: spec.points.map(function (p) { return COLOURS[p.flag] || LINE; })
    }];
    [spec.critical_low, spec.critical_high].forEach(function (value) {
      if (value === null || value === undefined) return;
      datasets.push({
        label: "", data: limit(value, dates), borderColor: "#b3261e", borderWidth: 1,
        borderDash: [4, 4], pointRadius: 0, pointHitRadius: 0, fill: false
      });
    });
    new Chart(canvas, {
      type: "line",
      data: {labels: dates, datasets: datasets},
      options: {
        locale: document.documentElement.lang || "fr",
        animation: false, responsive: true, maintainAspectRatio: false,
        scales: {x: {type: "category"}},
        plugins: {
          legend: {display: false},
          tooltip: {filter: function (item) { return item.datasetIndex === 0; }}
        }
      }
    });
  }
  data.charts.forEach(draw);
})();
