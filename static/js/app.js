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
    registerPlugins();
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var config = readJson(canvas.dataset.chart);
      if (!config) return;
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, config);
    });
  }

  // dash: shaded campaign bands behind a line chart, from options.plugins.kgiBands.bands
  // ([{from: index, to: index, label}]) — JSON-configurable, so no annotation plugin needed.
  var bandsPlugin = {
    id: "kgiBands",
    beforeDatasetsDraw: function (chart, _args, options) {
      var bands = (options && options.bands) || [];
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      if (!x || !bands.length) return;
      var half = bands.length && chart.data.labels.length > 1 ? (x.getPixelForValue(1) - x.getPixelForValue(0)) / 2 : 0;
      ctx.save();
      bands.forEach(function (band) {
        var left = Math.max(area.left, x.getPixelForValue(band.from) - half);
        var right = Math.min(area.right, x.getPixelForValue(band.to) + half);
        ctx.fillStyle = "rgba(181, 71, 8, 0.10)";
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        ctx.fillStyle = "rgba(181, 71, 8, 0.85)";
        ctx.font = "11px system-ui, sans-serif";
        ctx.fillText(band.label, left + 3, area.top + 12);
      });
      ctx.restore();
    }
  };
  function registerPlugins() {
    if (typeof window.Chart !== "undefined" && !window.kgiBandsRegistered) {
      window.Chart.register(bandsPlugin);
      window.kgiBandsRegistered = true;
    }
  }

  window.kgi = { readJson: readJson, drawCharts: drawCharts };
  // The numbers grid lists weeks oldest first: open it scrolled to the newest (this week).
  function showNewestPeriods(root) {
    root.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.querySelector("table.numbers-grid")) wrap.scrollLeft = wrap.scrollWidth;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    showNewestPeriods(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
  // Buttons that print the page (no inline handlers under the CSP).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-action=print]");
    if (button) window.print();
  });
  // Menus are <details class="menu">: they open with the keyboard natively; these close them
  // when the focus or a click goes elsewhere, and on Escape (back to their summary).
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest("details.menu"));
  });
  document.addEventListener("focusin", function (event) {
    closeMenus(event.target.closest && event.target.closest("details.menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest("details.menu[open]");
    if (!menu) return;
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  });
  // Select a shown-once secret on focus so it is easy to copy.
  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("copyable")) event.target.select();
  });
})();
