// kgiapp: small behaviour only. Charts are configured from JSON in
// <script type="application/json" id="..."> elements so the CSP needs no inline script.
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") return;
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var config = readJson(canvas.dataset.chart);
      if (!config) return;
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, config);
    });
  }

  window.kgi = { readJson: readJson, drawCharts: drawCharts };
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
  // Buttons that print the page (no inline handlers under the CSP).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-action=print]");
    if (button) window.print();
  });
  // Select a shown-once secret on focus so it is easy to copy.
  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("copyable")) event.target.select();
  });
})();
