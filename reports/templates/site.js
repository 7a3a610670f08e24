// The pages' own script, inlined by base.html.j2 so that plotly.js stays the only script file.
// On the overview, the <select> shows one indicator panel and the matching map layer; printing fits
// the charts to the width of an A4 page.
(() => {
  "use strict";
  const PRINT_WIDTH = 680;  // A4 (210 mm) minus two 15 mm margins, in CSS pixels
  const charts = (root) => [...root.querySelectorAll(".js-plotly-plot")];

  // A panel's charts are drawn the first time it shows; the figure waits as JSON beside its div.
  function draw(panel) {
    for (const div of panel.querySelectorAll(".chart-later")) {
      const figure = JSON.parse(div.nextElementSibling.textContent);
      div.className = "plotly-graph-div";
      Plotly.newPlot(div, figure.data, figure.layout, figure.config);
    }
  }

  function showIndicator(key) {
    for (const panel of document.querySelectorAll(".panel")) {
      panel.hidden = panel.id !== key;
      if (!panel.hidden) draw(panel);
    }
    const map = document.getElementById("kaart-figuur");
    const buttons = map && map.layout ? map.layout.updatemenus[0].buttons : [];
    const index = buttons.findIndex((button) => button.name === key);
    if (index >= 0) {
      const [data, layout, traces] = buttons[index].args;
      Plotly.update(map, data, {...layout, "updatemenus[0].active": index}, traces);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const select = document.getElementById("indicator-keuze");
    if (!select) return;
    // A link to an indicator (#id, from a municipality page or the table of all indicators) opens its
    // panel; the browser cannot scroll to a panel that was hidden, so this does once it shows.
    const openLinked = () => {
      const key = decodeURIComponent(location.hash.slice(1));
      if (![...select.options].some((option) => option.value === key)) return false;
      select.value = key;
      showIndicator(key);
      document.getElementById(key).scrollIntoView();
      return true;
    };
    if (!openLinked()) showIndicator(select.value);
    select.addEventListener("change", () => showIndicator(select.value));
    window.addEventListener("hashchange", openLinked);
  });

  window.addEventListener("beforeprint", () => {
    charts(document).filter((chart) => chart.offsetParent).forEach((chart) => {
      Plotly.relayout(chart, {width: PRINT_WIDTH});
    });
  });
  window.addEventListener("afterprint", () => {
    charts(document).filter((chart) => chart.offsetParent).forEach((chart) => {
      Plotly.relayout(chart, {width: null}).then(() => Plotly.Plots.resize(chart));
    });
  });
})();
