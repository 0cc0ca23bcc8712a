// Checkpoint list map (scatter by coordinates) and the hourly passages chart.
(function () {
  "use strict";
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var colours = { requested: "#8a5a00", approved: "#0b57d0", rejected: "#5f5a66",
    open: "#1b6e3a", suspended: "#a4161a", closed: "#5f5a66" };
  var map = document.getElementById("checkpoint-map");
  var points = data("checkpoint-points");
  if (map && points && points.length && window.echarts) {
    var chart = window.echarts.init(map);
    chart.setOption({
      tooltip: { formatter: function (p) { return p.data.name; } },
      xAxis: { type: "value", scale: true, name: "E" },
      yAxis: { type: "value", scale: true, name: "N" },
      series: [{ type: "scatter", symbolSize: 12,
        data: points.map(function (p) {
          return { name: p.name, value: p.value, url: p.url,
            itemStyle: { color: colours[p.status] || "#333" } };
        }) }]
    });
    chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var hourly = document.getElementById("hourly-chart");
  var hours = data("hourly-data");
  if (hourly && hours && window.echarts) {
    var bars = window.echarts.init(hourly);
    bars.setOption({
      tooltip: {},
      grid: { left: 36, right: 8, top: 16, bottom: 24 },
      xAxis: { type: "category", data: hours.map(function (_, i) { return String(i); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: hours, itemStyle: { color: "#b3261e" } }]
    });
    window.addEventListener("resize", function () { bars.resize(); });
  }
})();
