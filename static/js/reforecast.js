// The reforecast report: value labels on its charts, the sliders' read-outs, and charts
// that fit the page when printed. Loaded after Chart.js and before app.js draws the charts.
(function () {
  "use strict";

  // Text above each bar or point, from options.plugins.kgiLabels.labels (one per index),
  // so the numbers are readable on paper and without hovering.
  var labelsPlugin = {
    id: "kgiLabels",
    afterDatasetsDraw: function (chart, _args, options) {
      var labels = (options && options.labels) || [];
      if (!labels.length) return;
      var meta = chart.getDatasetMeta(0), ctx = chart.ctx;
      ctx.save();
      ctx.font = "600 " + (chart.width < 480 ? 10 : 11) + "px system-ui, sans-serif";
      ctx.fillStyle = "#1d2433";
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      meta.data.forEach(function (element, i) {
        if (labels[i] === undefined || labels[i] === null) return;
        var props = element.getProps(["x", "y", "base"], true);
        var top = props.base !== undefined ? Math.min(props.y, props.base) : props.y;
        ctx.fillText(labels[i], props.x, top - 4);
      });
      ctx.restore();
    }
  };
  if (window.Chart) window.Chart.register(labelsPlugin);

  // Chart.js sizes a canvas for the screen; resize for paper and back.
  function resizeCharts() {
    if (!window.Chart) return;
    Object.values(window.Chart.instances || {}).forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("beforeprint", resizeCharts);
  window.addEventListener("afterprint", resizeCharts);

  // "+5 %", "−3 %", "±0 %" next to each slider while it moves (the server formats the same).
  function showValue(input) {
    var output = document.querySelector('output[data-for="' + input.id + '"]');
    if (!output) return;
    var value = parseInt(input.value, 10) || 0;
    var sign = value > 0 ? "+" : (value < 0 ? "\u2212" : "\u00b1");
    output.textContent = sign + Math.abs(value) + " %";
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".rf-sliders input[type=range]")) {
      showValue(event.target);
    }
  });
  // The panel must show the result for the sliders' final positions: a reply computed for
  // earlier positions (overtaken by quick key presses) asks again for the current ones.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail || !event.detail.target || event.detail.target.id !== "what-if-result") {
      return;
    }
    var state = document.getElementById("what-if-state");
    var fieldset = document.querySelector("#what-if-form .rf-sliders");
    if (!state || !fieldset) return;
    var shown = JSON.parse(state.textContent || "{}");
    var stale = false;
    fieldset.querySelectorAll("input[type=range]").forEach(function (input) {
      var value = parseInt(input.value, 10) || 0;
      if ((shown[input.name] || 0) !== value) stale = true;
    });
    if (stale) fieldset.dispatchEvent(new Event("change", { bubbles: true }));
  });
  // Reset puts the sliders back to zero; ask for the baseline again.
  document.addEventListener("reset", function (event) {
    if (event.target.id !== "what-if-form") return;
    setTimeout(function () {
      var sliders = event.target.querySelectorAll(".rf-sliders input[type=range]");
      sliders.forEach(function (input) { input.value = 0; showValue(input); });
      var fieldset = event.target.querySelector(".rf-sliders");
      if (fieldset) fieldset.dispatchEvent(new Event("change", { bubbles: true }));
    }, 0);
  });
})();
