// Draws the dashboard's charts from the "bb-charts-data" json_script block. Each chart's data
// carries the URL of the list behind every bar, slice or point: a click opens that list, like
// the numbers in the tables (which stay on the page, so nothing depends on this script).
(function () {
  "use strict";
  var source = document.getElementById("bb-charts-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var charts = JSON.parse(source.textContent);
  var holder = document.querySelector(".bb-charts");
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  holder.hidden = false;

  function option(chart) {
    var title = {text: chart.title, left: "center", textStyle: {fontSize: 14}};
    if (chart.type === "pie") {
      var series = chart.series[0];
      return {
        title: title,
        tooltip: {trigger: "item"},
        color: series.colours.length ? series.colours : undefined,
        series: [{
          type: "pie", radius: ["35%", "65%"], top: 30, name: series.name,
          data: chart.labels.map(function (label, i) {
            return {name: label, value: series.values[i]};
          })
        }]
      };
    }
    return {
      title: title,
      tooltip: {trigger: chart.type === "line" ? "axis" : "item"},
      legend: chart.series.length > 1 ? {bottom: 0} : undefined,
      grid: {left: 40, right: 16, top: 40, bottom: chart.type === "bar" ? 90 : 40},
      xAxis: {type: "category", data: chart.labels,
              axisLabel: {rotate: chart.type === "bar" ? 35 : 0, interval: 0}},
      yAxis: {type: "value", minInterval: 1},
      series: chart.series.map(function (series) {
        return {type: chart.type, name: series.name, data: series.values,
                symbolSize: 8, cursor: "pointer"};
      })
    };
  }

  charts.forEach(function (chart) {
    var element = document.getElementById(chart.id);
    var drawn = echarts.init(element, null, {renderer: "svg"});
    drawn.setOption(Object.assign({animation: !still}, option(chart)));
    drawn.on("click", function (event) {
      var series = chart.series[event.seriesIndex || 0];
      var url = series && series.urls[event.dataIndex];
      if (url) {
        window.location.href = url;
      }
    });
    window.addEventListener("resize", function () { drawn.resize(); });
  });
}());
