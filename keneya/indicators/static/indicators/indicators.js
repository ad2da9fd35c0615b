// Indicator pages: the twelve-month trend (Chart.js) and the map of the health areas
// (chartjs-chart-geo). The figures and French labels come from the server in
// <script id="ind-chart-data" type="application/json">; the map's areas are approximate
// (static/indicators/health_areas.geojson). Clicking an area opens the records behind it.
(function () {
  "use strict";
  var source = document.getElementById("ind-chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var GREEN = "#0b6e4f";

  var trendCanvas = document.getElementById("ind-trend");
  if (trendCanvas && data.trend) {
    new Chart(trendCanvas, {
      type: "line",
      data: {
        labels: data.trend.map(function (p) { return p.label; }),
        datasets: [{ label: data.indicator + " (" + data.unit + ")",
          data: data.trend.map(function (p) { return p.value; }),
          borderColor: GREEN, backgroundColor: GREEN, tension: 0.2, spanGaps: true }]
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        locale: document.documentElement.lang || "fr",
        scales: { y: { beginAtZero: true } }, plugins: { legend: { display: true } } }
    });
  }

  var mapCanvas = document.getElementById("ind-map");
  if (!mapCanvas || !data.geojson || typeof ChartGeo === "undefined") return;
  fetch(data.geojson, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      var features = geo.features;
      var chart = new Chart(mapCanvas, {
        type: "choropleth",
        data: {
          labels: features.map(function (f) { return f.properties.name; }),
          datasets: [{
            label: data.indicator,
            outline: geo.commune,
            showOutline: true,
            data: features.map(function (f) {
              var v = data.map[f.properties.code];
              return { feature: f, value: v === undefined || v === null ? 0 : v };
            })
          }]
        },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          plugins: { legend: { display: false },
            tooltip: { callbacks: { label: function (ctx) {
              return ctx.raw.feature.properties.name + " : " + ctx.raw.value + " (" + data.unit + ")";
            } } } },
          scales: { projection: { axis: "x", projection: "equirectangular" },
            color: { axis: "x", quantize: 5, legend: { position: "bottom-right", align: "right" } } },
          onClick: function (_event, elements) {
            if (!elements.length) return;
            var f = features[elements[0].index];
            var url = data.map_links && data.map_links[f.properties.code];
            if (url) window.location.href = url;
          }
        }
      });
      mapCanvas.dataset.ready = "1";
      return chart;
    })
    .catch(function () { mapCanvas.dataset.ready = "error"; });
})();
