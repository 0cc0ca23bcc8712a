// Command dashboard charts (vendored ECharts); the data comes from the page (json_script).
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  function draw(id, type, labels, values) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 40, right: 10, top: 20, bottom: 60 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: labels.length > 7 ? 40 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: type, data: values, name: data.metric, itemStyle: { color: "#c62828" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("chart-series", "line", data.days, data.series);
  draw("chart-children", "bar", data.children, data.childValues);
})();
