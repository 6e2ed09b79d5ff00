// Progress chart: accuracy per day, overall and by domain, or by tag (uPlot from npm).
(function () {
  "use strict";
  var box = document.getElementById("progress-chart");
  var data = JSON.parse(document.getElementById("progress-data").textContent);
  var select = document.getElementById("chart-series");
  var colours = ["#1d4ed8", "#126b3a", "#a61b1b", "#8a5300", "#6b21a8", "#0e7490", "#4a5361", "#be185d"];
  var xs = data.days.map(function (d) { return Date.parse(d + "T12:00:00Z") / 1000; });
  var plot = null;
  var DAY = 86400;

  // From the data's own first and last day, not from the min and max uPlot passes: for a single
  // x it widens max by 86400 / ms, a thousand days for timestamps in seconds.
  function dayRange() {
    if (!xs.length) return [null, null];
    var lo = xs[0] - DAY / 2, hi = xs[xs.length - 1] + DAY / 2, width = 7 * DAY;
    if (hi - lo < width) {
      var mid = (lo + hi) / 2;
      lo = mid - width / 2;
      hi = mid + width / 2;
    }
    return [lo, hi];
  }

  function draw(kind) {
    var keys = Object.keys(data.series).filter(function (k) {
      return kind === "tag" ? k.indexOf("tag:") === 0 : (k === "overall" || k.indexOf("domain:") === 0);
    });
    var series = [{}].concat(keys.map(function (k, i) {
      return { label: k.replace(/^(domain|tag):/, ""), stroke: colours[i % colours.length], width: k === "overall" ? 3 : 2,
               points: { show: true }, value: function (u, v) { return v == null ? "–" : Math.round(v * 100) + "%"; } };
    }));
    var opts = {
      width: Math.max(280, box.clientWidth), height: 260, series: series,
      // x fitted to the data: half a day either side of the first and last day, at least a
      // week wide, so one day of data is a dot mid-axis (uPlot's own range for a single x
      // spans years).
      scales: { x: { time: true, range: dayRange }, y: { range: [0, 1] } },
      axes: [{}, { values: function (u, vals) { return vals.map(function (v) { return Math.round(v * 100) + "%"; }); } }],
    };
    if (plot) plot.destroy();
    // The x range drawn (canvas axes have no text in the DOM): what the browser test reads.
    opts.hooks = { setScale: [function (u, key) {
      if (key === "x") box.setAttribute("data-x-range", u.scales.x.min + "," + u.scales.x.max);
    }] };
    plot = new uPlot(opts, [xs].concat(keys.map(function (k) { return data.series[k]; })), box);
  }
  select.addEventListener("change", function () { draw(select.value); });
  window.addEventListener("resize", function () { if (plot) plot.setSize({ width: Math.max(280, box.clientWidth), height: 260 }); });
  draw(select.value);
})();
