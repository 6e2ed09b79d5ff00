// Live lab dashboard: polls the lab's status URL and updates figures, chart and decisions.
// The page is complete without this script (server-rendered state and forms); this adds the
// live view. Plain script, no build step; uPlot comes from npm (static/vendor/uplot/).
(function () {
  "use strict";
  const root = document.getElementById("lab");
  if (!root) return;
  const url = root.dataset.statusUrl;
  const POLL_MS = 1000;
  const history = { t: [], backlog: [], running: [], desired: [] };
  let chart = null;

  function setText(selector, value) {
    const el = root.querySelector(selector);
    if (el && value !== undefined && value !== null) el.textContent = String(value);
  }

  function makeChart() {
    const el = document.getElementById("lab-chart");
    if (!el || typeof uPlot === "undefined") return null;
    const width = Math.max(280, el.clientWidth || 600);
    return new uPlot({
      width, height: 240,
      scales: { x: { time: true }, tasks: { range: (u, min, max) => [0, Math.max(2, max + 1)] } },
      axes: [{ values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString()) }, { label: "messages" }, { side: 1, scale: "tasks", label: "workers", grid: { show: false } }],
      series: [
        {},
        { label: "backlog", stroke: "#1d4ed8", width: 2, fill: "rgba(29,78,216,0.08)" },
        { label: "running workers", stroke: "#126b3a", width: 2, scale: "tasks" },
        { label: "desired workers", stroke: "#8a5300", width: 1, dash: [6, 4], scale: "tasks" },
      ],
    }, [history.t, history.backlog, history.running, history.desired], el);
  }

  function renderDecisions(decisions) {
    const body = document.querySelector("#decisions tbody");
    if (!body || !decisions) return;
    body.replaceChildren();
    if (decisions.length === 0) {
      const row = body.insertRow();
      const cell = row.insertCell();
      cell.colSpan = 6;
      cell.textContent = "No scaling decision yet.";
      return;
    }
    for (const d of decisions.slice().reverse().slice(0, 20)) {
      const row = body.insertRow();
      const when = new Date(d.at * 1000).toLocaleTimeString();
      for (const value of [when, d.visible, d.in_flight, d.running, d.desired, d.reason]) {
        row.insertCell().textContent = value === undefined || value === null ? "–" : String(value);
      }
    }
  }

  function update(data) {
    const lab = data.lab || {};
    setText('[data-field="status"]', lab.status_display);
    setText('[data-field="time_left"]', `${lab.seconds_left} s`);
    root.dataset.labStatus = lab.status;
    const figures = Object.assign({}, data.queue, data.workers, data.jobs);
    for (const el of root.querySelectorAll("[data-metric]")) {
      const value = figures[el.dataset.metric];
      el.textContent = value === undefined || value === null ? "–" : String(value);
    }
    if (data.queue && data.workers) {
      history.t.push(Date.now() / 1000);
      history.backlog.push((data.queue.visible || 0) + (data.queue.in_flight || 0));
      history.running.push(data.workers.running || 0);
      history.desired.push(data.workers.desired || 0);
      if (history.t.length > 900) for (const k in history) history[k].shift();
      chart = chart || makeChart();
      if (chart) chart.setData([history.t, history.backlog, history.running, history.desired]);
    }
    renderDecisions(data.decisions);
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) update(await response.json());
    } catch (err) {
      // A missed poll is not an error worth surfacing: the next one retries.
    }
    if (root.dataset.labStatus !== "ended" && root.dataset.labStatus !== "failed") setTimeout(poll, POLL_MS);
  }
  poll();
})();
