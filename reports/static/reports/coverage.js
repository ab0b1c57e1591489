// Draws the coverage charts from the figures the page carries as JSON (json_script): no inline
// script, so it runs under the Content-Security-Policy. A click on a bar opens that row's
// drill-down, as the link in the table beside the chart does.
(function () {
  "use strict";

  function draw(element) {
    var source = document.getElementById(element.dataset.coverageChart);
    if (!source || typeof window.Plotly === "undefined") {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, {
      displayModeBar: false,
      responsive: true,
    }).then(function () {
      element.on("plotly_click", function (event) {
        var url = event.points.length && event.points[0].customdata;
        if (url) {
          window.location.href = url;
        }
      });
    });
  }

  function start() {
    document.querySelectorAll("[data-coverage-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
