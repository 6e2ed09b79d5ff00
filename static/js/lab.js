// Live lab dashboard: polls the lab's status URL and updates figures, chart, burst progress and
// decisions. The figures and the series come from the server (a background task samples the lab),
// so a reload or a second viewer sees the whole lab; this script only asks for samples newer than
// the last it has. The page is complete without this script (server-rendered state and forms).
// Plain script, no build step; uPlot comes from npm (static/vendor/uplot/).
(function () {
  "use strict";
  const root = document.getElementById("lab");
  if (!root) return;
  const url = root.dataset.statusUrl;
  // As often as the background poll reads this lab (labs/tasks.py, POLL_S): asking more often
  // would only read the same figures again.
  const POLL_MS = Number(root.dataset.pollMs) || 2000;
  const STALE_S = 15;  // no background poll for this long: the worker is probably not running
  const series = { t: [], visible: [], in_flight: [], running: [], desired: [] };
  let chart = null;

  function setText(selector, value) {
    const el = root.querySelector(selector);
    if (el && value !== undefined && value !== null) el.textContent = String(value);
  }

  function show(selector, visible) {
    const el = root.querySelector(selector);
    if (el) el.hidden = !visible;
  }

  const pad = (n) => String(n).padStart(2, "0");
  function clock(seconds) {
    const d = new Date(seconds * 1000);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  // Whole numbers only: a worker count of 0.5 means nothing.
  const whole = (u, ticks) => ticks.map((v) => (Number.isInteger(v) ? String(v) : ""));
  const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];

  function makeChart() {
    const el = document.getElementById("lab-chart");
    if (!el || typeof uPlot === "undefined") return null;
    const width = Math.max(280, el.clientWidth || 600);
    return new uPlot({
      width, height: 260,
      scales: {
        x: { time: true },
        y: { range: (u, min, max) => [0, Math.max(10, max)] },
        tasks: { range: (u, min, max) => [0, Math.max(2, max + 1)] },
      },
      axes: [
        { space: 90, values: (u, ticks) => ticks.map(clock) },
        { label: "messages", incrs: WHOLE_STEPS, values: whole, size: 60 },
        { side: 1, scale: "tasks", label: "workers", incrs: WHOLE_STEPS, values: whole, grid: { show: false } },
      ],
      series: [
        { value: (u, v) => (v == null ? "–" : clock(v)) },
        { label: "waiting", stroke: "#1d4ed8", width: 2, fill: "rgba(29,78,216,0.08)" },
        { label: "in flight", stroke: "#6b21a8", width: 1 },
        { label: "running workers", stroke: "#126b3a", width: 2, scale: "tasks" },
        { label: "desired workers", stroke: "#8a5300", width: 1, dash: [6, 4], scale: "tasks" },
      ],
    }, data(), el);
  }

  function data() {
    return [series.t, series.visible, series.in_flight, series.running, series.desired];
  }

  function addSamples(samples) {
    for (const s of samples || []) {
      if (series.t.length && s.t <= series.t[series.t.length - 1]) continue;
      for (const key in series) series[key].push(s[key] === undefined ? null : s[key]);
    }
    if (series.t.length === 0) return;
    chart = chart || makeChart();
    if (chart) chart.setData(data());
    summarize();
  }

  // The chart's text alternative, and what a reload must show again: the whole lab's peaks.
  function summarize() {
    const el = root.querySelector('[data-field="series-summary"]');
    if (!el) return;
    const peak = (values) => values.reduce((a, v) => Math.max(a, v || 0), 0);
    const n = series.t.length;
    const span = Math.round(series.t[n - 1] - series.t[0]);
    const running = peak(series.running);
    el.dataset.samples = String(n);
    el.dataset.peakRunning = String(running);
    el.textContent = `${n} samples over ${Math.floor(span / 60)} min ${span % 60} s: at most ${running} running ` +
      `workers and ${peak(series.visible)} messages waiting; now ${series.running[n - 1] ?? "–"} running.`;
  }

  function renderDecisions(decisions) {
    const body = document.querySelector("#decisions tbody");
    if (!body || !decisions) return;
    body.replaceChildren();
    if (decisions.length === 0) {
      const row = body.insertRow();
      const cell = row.insertCell();
      cell.colSpan = 7;
      cell.textContent = "No scaling decision yet.";
      return;
    }
    for (const d of decisions.slice().reverse().slice(0, 20)) {
      const row = body.insertRow();
      for (const value of [d.at ? clock(d.at) : null, d.visible, d.in_flight, d.running, d.desired, d.controller,
        d.reason]) {
        row.insertCell().textContent = value === undefined || value === null ? "–" : String(value);
      }
    }
  }

  // The target per worker and where it comes from, which controllers act, when the last one stops.
  const decimals = { target_backlog_per_task: 2, acceptable_latency_s: 2, seconds_per_message: 3 };
  function renderScaling(scaling) {
    const section = root.querySelector("[data-scaling]");
    if (!section || !scaling) return;
    section.hidden = false;
    for (const el of section.querySelectorAll("[data-scaling-field]")) {
      const key = el.dataset.scalingField;
      const value = scaling[key];
      if (value === undefined || value === null) continue;
      el.textContent = key in decimals ? String(Number(value.toFixed(decimals[key]))) : String(value);
    }
  }

  function renderBurst(burst) {
    const section = root.querySelector("[data-burst]");
    if (!section || !burst) return;
    section.hidden = false;
    for (const key of ["status", "sent", "total", "errors"]) {
      const el = section.querySelector(`[data-burst-field="${key}"]`);
      if (el) el.textContent = String(burst[key]);
    }
    const bar = section.querySelector('[data-burst-field="bar"]');
    if (bar) { bar.max = burst.total; bar.value = burst.sent; }
    const error = section.querySelector('[data-burst-field="error"]');
    if (error) { error.textContent = burst.error || ""; error.hidden = !burst.error; }
    section.dataset.burstStatus = burst.status;
  }

  function update(data) {
    const lab = data.lab || {};
    setText('[data-field="status"]', lab.status_display);
    setText('[data-field="time_left"]', lab.time_left);
    show('[data-field="countdown"]', lab.active);
    show('[data-field="ended"]', !lab.active);
    setText('[data-field="error"]', lab.error);
    show('[data-field="error"]', Boolean(lab.error));
    setText('[data-field="unavailable"]', data.unavailable ? `Figures not readable now: ${data.unavailable}` : "");
    show('[data-field="unavailable"]', lab.active && Boolean(data.unavailable));
    setText('[data-field="progress"]', data.progress || "");
    show('[data-field="progress"]', lab.status === "deploying" && Boolean(data.progress));
    show('[data-field="stale"]', lab.active && data.now - (data.updated_at || lab.created_at) > STALE_S);
    const status = root.querySelector('[data-field="status"]');
    if (status) status.className = `lab-status lab-status-${lab.status}`;
    root.dataset.labStatus = lab.status;
    const figures = Object.assign({}, data.queue, data.workers, data.jobs);
    for (const el of root.querySelectorAll("[data-metric]")) {
      const value = figures[el.dataset.metric];
      if (Object.keys(figures).length) el.textContent = value === undefined || value === null ? "–" : String(value);
    }
    addSamples(data.series);
    renderBurst(data.burst);
    renderDecisions(data.decisions);
    renderScaling(data.scaling);
  }

  async function poll() {
    let active = true;
    let more = false;
    try {
      const since = series.t.length ? `?since=${series.t[series.t.length - 1]}` : "";
      const response = await fetch(url + since, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const body = await response.json();
        update(body);
        active = body.lab.active;
        more = body.series_more;
      }
    } catch (err) {
      // A missed poll is not an error worth surfacing: the next one retries.
    }
    // An ended lab's figures and series no longer change: one read is enough.
    if (active || more) setTimeout(poll, more ? 0 : POLL_MS);
  }
  poll();
})();
