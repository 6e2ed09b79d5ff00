// Scenario player: fetches the simulator's result (POST /api/v1/simulations/) and plays its time
// series on the diagrams (queue fill, tasks or environments, failures, flowing requests) and on
// uPlot charts. It shows the simulator's numbers; it invents none. With reduced motion it shows
// the end state at once.
(function () {
  "use strict";
  const root = document.querySelector("[data-simulation]");
  if (!root) return;
  const DESIGNS = ["A", "B", "C", "D"];
  // Told apart by colour and by dash, so C and D (both on a queue) never look alike.
  const COLORS = { A: "#b45309", B: "#7c3aed", C: "#1d4ed8", D: "#15803d" };
  const DASHES = { A: [8, 4], B: [2, 3], C: [12, 4, 2, 4], D: [] };
  const Y_LABELS = { waiting: "requests waiting", capacity: "tasks (B, D)", latency: "seconds",
    cost_usd: "US dollars (log scale)" };
  const SECONDS_AT_1X = 12;
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
  const $ = (sel) => root.querySelector(sel);
  const play = $('[data-control="play"]');
  const scrub = $('[data-control="scrub"]');
  const speed = $('[data-control="speed"]');
  const scenarioSelect = $('[data-control="scenario"]');
  const percentile = $('[data-control="percentile"]');
  const clock = $("[data-clock]");
  const statusLine = $("[data-status]");
  let data = null, charts = {}, index = 0, playing = false, last = 0, resizer = null;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function fmtTime(seconds) {
    const d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600);
    const m = Math.floor((seconds % 3600) / 60), s = Math.floor(seconds % 60);
    const pad = (n) => String(n).padStart(2, "0");
    return `day ${d}, ${pad(h)}:${pad(m)}:${pad(s)}`;
  }
  const num = (v, digits = 1) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits));

  // The charts' time axis, in a unit that suits the window the simulator kept.
  function axisUnit() {
    const span = data.time[data.time.length - 1] - data.time[0];
    if (span <= 3 * 3600) return { name: "minutes", size: 60 };
    if (span <= 72 * 3600) return { name: "hours", size: 3600 };
    return { name: "days", size: 86400 };
  }

  // The latency chart shows the percentile picked beside it; the others show their own series.
  const seriesKey = (key) => (key === "latency" ? `latency_${percentile ? percentile.value : "p95"}` : key);

  // Cost spans cents to hundreds of dollars: a log axis keeps $0.30 and $300 both readable.
  // Zero has no place on it, so a design that has cost nothing yet draws no line there.
  const LOG_KEYS = new Set(["cost_usd"]);
  const CHART_HEIGHT = 240;

  function chartSize(el) {
    return { width: Math.max(240, Math.floor(el.clientWidth) || 320), height: CHART_HEIGHT };
  }

  function buildCharts() {
    const unit = axisUnit();
    const xs = data.time.map((t) => (t - data.time[0]) / unit.size);
    for (const el of root.querySelectorAll("[data-chart]")) {
      const key = el.dataset.chart;
      el.replaceChildren();
      const log = LOG_KEYS.has(key);
      const digits = key === "cost_usd" ? 2 : 1;
      const split = key === "capacity" && splitCapacity();
      const opts = {
        ...chartSize(el),
        scales: { x: { time: false, range: [0, xs[xs.length - 1]] }, ...(log ? { y: { distr: 3, log: 10 } } : {}),
          ...(split ? { envs: {} } : {}) },
        axes: [{ label: `${unit.name} from ${fmtTime(data.time[0])}`, size: 40 },
          { size: 60, label: split || key !== "capacity" ? Y_LABELS[key] : "tasks or Lambda environments",
            ...(log ? { values: (u, ticks) => ticks.map((v) => (v == null ? "" : `$${v < 1 ? v.toFixed(2) : v.toLocaleString()}`)) } : {}) },
          // Lambda's environments run ten times or more above the tasks: their own axis, on the right.
          ...(split ? [{ scale: "envs", side: 1, size: 60, grid: { show: false }, label: "Lambda environments (A, C)" }] : [])],
        // The legend follows the cursor: it is the chart's tooltip, with every design's value.
        legend: { live: true },
        cursor: { focus: { prox: 16 } },
        series: [
          { label: unit.name, value: (u, v) => (v == null ? "–" : `${v.toFixed(2)} ${unit.name}`) },
          ...DESIGNS.map((d) => ({ label: d, stroke: COLORS[d], dash: DASHES[d], width: d === "D" ? 2.5 : 1.5, spanGaps: true,
            ...(split && (d === "A" || d === "C") ? { scale: "envs" } : {}),
            value: (u, v) => (v == null ? "–" : (key === "cost_usd" ? `$${v.toFixed(2)}` : num(v, digits))) })),
        ],
      };
      charts[key] = { plot: new uPlot(opts, [[], [], [], [], []], el), xs, unit, el };
      el.dataset.yLabel = opts.axes.slice(1).map((a) => a.label).join(" | ");
      // A key with each design's colour and dash, and this frame's value.
      const key_ = document.createElement("p");
      key_.className = "chart-values";
      key_.dataset.chartValues = key;
      key_.append(`Vertical axis: ${el.dataset.yLabel}. At this frame: `);
      charts[key].values = DESIGNS.map((d) => {
        const item = document.createElement("span");
        item.className = "chart-value";
        item.style.borderTop = `3px ${DASHES[d].length ? (d === "B" ? "dotted" : "dashed") : "solid"} ${COLORS[d]}`;
        key_.append(item, " ");
        return item;
      });
      const old = el.parentElement.querySelector("[data-chart-values]");
      if (old) old.remove();
      el.insertAdjacentElement("afterend", key_);
      el.dataset.chartWidth = String(opts.width);
      charts[key].full = chartData(key, xs);
      renderTable(key);
    }
    // Charts follow their card's width (a rotated phone, a resized window).
    if (window.ResizeObserver) {
      if (resizer) resizer.disconnect();
      resizer = new ResizeObserver(() => {
        for (const key in charts) {
          const c = charts[key], size = chartSize(c.el);
          if (size.width !== c.plot.width) {
            c.plot.setSize(size);
            c.el.dataset.chartWidth = String(size.width);
          }
        }
      });
      for (const key in charts) resizer.observe(charts[key].el);
    }
    const windowNote = $("[data-window]");
    if (windowNote) {
      const before = data.time[0] > 0 ? "; costs add up from day 0, so they start with what the quiet time before cost" : "";
      windowNote.textContent = `The charts show ${fmtTime(data.time[0])} to ${fmtTime(data.time[data.time.length - 1])} ` +
        `of the ${data.scenario.days.toFixed(1)}-day scenario, with more frames where requests arrive and finish${before}. ` +
        "Cost is on a log scale.";
    }
  }

  // Capacity gets a second axis when one design's peak is ten times another's or more.
  function splitCapacity() {
    const peaks = DESIGNS.map((d) => Math.max(0, ...data.designs[d].series.capacity)).filter((v) => v > 0);
    return peaks.length > 1 && Math.max(...peaks) >= 10 * Math.min(...peaks);
  }

  function chartData(key, xs) {
    const series = DESIGNS.map((d) => data.designs[d].series[seriesKey(key)]);
    return [xs, ...(LOG_KEYS.has(key) ? series.map((s) => s.map((v) => (v > 0 ? v : null))) : series)];
  }

  // Every frame the chart draws is a row, so the table keeps every figure the chart shows.
  function renderTable(key) {
    const host = root.querySelector(`[data-chart-table="${key}"]`);
    if (!host) return;
    const { xs, unit } = charts[key];
    const raw = [xs, ...DESIGNS.map((d) => data.designs[d].series[seriesKey(key)])];
    const table = document.createElement("table");
    table.className = "data-table";
    const head = table.createTHead().insertRow();
    for (const label of [`Time (${unit.name})`, "Clock", ...DESIGNS]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (let i = 0; i < xs.length; i++) {
      const row = body.insertRow();
      row.insertCell().textContent = xs[i].toFixed(2);
      row.insertCell().textContent = fmtTime(data.time[i]);
      for (let d = 0; d < DESIGNS.length; d++) row.insertCell().textContent = num(raw[d + 1][i], key === "cost_usd" ? 4 : 1);
    }
    host.replaceChildren(table);
  }

  function renderResults() {
    const host = $("[data-results]");
    const scroll = document.createElement("div");
    scroll.className = "table-scroll";
    scroll.tabIndex = 0;
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-label", "Results of the four designs");
    const table = scroll.appendChild(document.createElement("table"));
    table.className = "data-table results-table";
    table.dataset.resultsTable = "";
    const caption = table.createCaption();
    const sc = data.scenario;
    caption.textContent = `${sc.name}: ${sc.requests} requests (${sc.items} inputs) over ${sc.days.toFixed(1)} days`;
    const head = table.createTHead().insertRow();
    for (const label of ["Design", "Completed", "Failed", "Latency p50 (s)", "p95 (s)", "Max (s)", "First request (s)", "Peak tasks / environments", "Cost (USD)"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const d of DESIGNS) {
      const s = data.designs[d].summary, row = body.insertRow();
      row.dataset.design = d;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = `${d}. ${data.designs[d].title}`;
      row.appendChild(th);
      const r = s.first_request_range_s;
      const first = r ? `${r.best.toFixed(0)}–${r.worst.toFixed(0)} (typically ${r.typical.toFixed(0)})` : num(s.first_request_latency_s);
      for (const v of [s.completed, s.failed, num(s.latency_s.p50), num(s.latency_s.p95), num(s.latency_s.max),
        first, s.peak_capacity, s.cost_usd.total.toFixed(2)]) row.insertCell().textContent = String(v);
    }
    const list = document.createElement("dl");
    list.className = "sim-explanations";
    for (const d of DESIGNS) {
      const dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = d;
      dd.textContent = `${data.designs[d].as_built ? data.designs[d].as_built + " " : ""}${data.designs[d].explanation}`;
      list.append(dt, dd);
    }
    const parts = [scroll, list];
    if (data.findings.length) {
      const h = document.createElement("h3");
      h.textContent = "Findings: what the numbers say";
      const ul = document.createElement("ul");
      ul.className = "findings";
      for (const f of data.findings) ul.appendChild(document.createElement("li")).textContent = f;
      parts.push(h, ul);
    }
    host.replaceChildren(...parts);
  }

  // What moves on the diagrams comes from the simulator's series at this frame: requests arrive
  // while any wait, finish or fail; they flow on to the compute while some finish or wait for a
  // running task; model loads flow to the store when capacity grows; scaling links light up when
  // capacity changes. Edges marked broken or data-animate="false" never move: nothing runs there.
  function drawDiagrams(i) {
    const maxWaiting = Math.max(1, ...DESIGNS.map((d) => Math.max(...data.designs[d].series.waiting)));
    const prev = Math.max(0, i - 1);
    for (const d of DESIGNS) {
      const figure = document.getElementById(`diagram-${d}`);
      if (!figure) continue;
      const s = data.designs[d].series;
      const waiting = s.waiting[i], capacity = s.capacity[i], failed = s.failed[i];
      const finishing = s.latency_p50[i] !== null;
      const flows = {
        arriving: waiting > 0 || finishing || failed > s.failed[prev],
        working: finishing || (waiting > 0 && capacity > 0),
        loading: capacity > s.capacity[prev],
        scaling: capacity !== s.capacity[prev],
      };
      const tasks = data.designs[d].summary.capacity_label === "tasks";
      const label = tasks ? (capacity === 1 ? "task" : "tasks") : (capacity === 1 ? "env" : "envs");
      figure.querySelectorAll('[data-sim="waiting"] .fill-bar').forEach((bar) => {
        const box = bar.previousElementSibling;
        bar.setAttribute("width", String((Number(box.getAttribute("width")) * waiting) / maxWaiting));
      });
      figure.querySelectorAll('[data-sim="capacity"]').forEach((node) => node.classList.toggle("is-idle", capacity === 0));
      // Each square stands for a tenth of this design's peak (at least one task or environment).
      const perPip = Math.max(1, Math.ceil(data.designs[d].summary.peak_capacity / 10));
      figure.querySelectorAll(".pips rect").forEach((pip, k) => pip.classList.toggle("is-on", k < Math.ceil(capacity / perPip)));
      const badges = { waiting: `${waiting} waiting`, capacity: `${capacity} ${label}`, failed: failed ? `${failed} failed` : "" };
      figure.querySelectorAll("[data-sim-badge]").forEach((badge) => { badge.textContent = badges[badge.dataset.simBadge]; });
      figure.querySelectorAll(".edge").forEach((edge) => {
        const still = edge.classList.contains("is-broken") || edge.dataset.animate === "false";
        let on;
        if (edge.classList.contains("edge-control")) on = flows.scaling;
        else if (edge.dataset.toKind === "store") on = flows.loading;
        else if (edge.dataset.toKind === "dlq") on = false;  // the simulator has no poison messages
        else on = edge.dataset.fromKind === "client" ? flows.arriving : flows.working;
        edge.classList.toggle("is-active", on && !still);
        edge.classList.toggle("is-failing", edge.dataset.fromKind === "client" && failed > s.failed[prev]);
      });
    }
    moveDots(performance.now());
  }

  // Dots travel along active edges in real time while playing, and stand still when paused.
  function moveDots(now) {
    for (const dot of document.querySelectorAll(".diagram .flow-dot")) {
      const show = !reduced.matches && dot.parentElement.classList.contains("is-active");
      dot.classList.toggle("is-flowing", show);
      if (!show) continue;
      const phase = (now / 1500 + Number(dot.dataset.offset) / 3) % 1;
      const x = Number(dot.dataset.x1) + (Number(dot.dataset.x2) - Number(dot.dataset.x1)) * phase;
      const y = Number(dot.dataset.y1) + (Number(dot.dataset.y2) - Number(dot.dataset.y1)) * phase;
      dot.setAttribute("cx", x.toFixed(1));
      dot.setAttribute("cy", y.toFixed(1));
    }
  }

  function show(i) {
    index = Math.max(0, Math.min(data.time.length - 1, i));
    scrub.value = String(index);
    clock.textContent = `${fmtTime(data.time[index])} (${index + 1} of ${data.time.length})`;
    for (const key in charts) {
      const c = charts[key];
      c.plot.setData(c.full.map((series) => series.slice(0, index + 1)));
      // This frame's values beside the chart, always shown (uPlot's own legend follows the cursor).
      const values = DESIGNS.map((d, j) => `${d}: ${key === "cost_usd" ? "$" : ""}${num(c.full[j + 1][index], key === "cost_usd" ? 2 : 1)}`);
      c.el.dataset.legend = values.join("; ");
      if (c.values) c.values.forEach((span, j) => { span.textContent = values[j]; });
    }
    drawDiagrams(index);
    root.dataset.frame = String(index);
  }

  function tick(now) {
    if (!playing) return;
    const perSecond = (data.time.length / SECONDS_AT_1X) * Number(speed.value);
    const steps = Math.floor(((now - last) / 1000) * perSecond);
    if (steps > 0) {
      last += (steps / perSecond) * 1000;  // keep the remainder, so the pace matches the speed chosen
      show(index + steps);
    } else {
      moveDots(now);
    }
    if (index >= data.time.length - 1) {
      setPlaying(false);
      root.dataset.finished = "true";
      statusLine.textContent = "Finished. The table below compares the four designs over the whole scenario.";
      return;
    }
    requestAnimationFrame(tick);
  }

  function setPlaying(on) {
    playing = on;
    play.textContent = on ? "Pause" : "Play";
    play.setAttribute("aria-pressed", String(on));
    if (on) {
      if (index >= data.time.length - 1) show(0);
      root.dataset.finished = "false";
      last = performance.now();
      requestAnimationFrame(tick);
    }
  }

  async function load(scenario, overrides) {
    statusLine.textContent = "Running the simulation…";
    play.disabled = scrub.disabled = true;
    const response = await fetch(root.dataset.api, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ scenario, overrides }),
    });
    if (response.status === 429) {
      // Throttled: say when, count down, and try again by itself.
      let wait = Math.max(1, Math.ceil(Number(response.headers.get("Retry-After")) || 5));
      root.dataset.throttled = "true";
      const tickDown = () => {
        if (wait <= 0) {
          delete root.dataset.throttled;
          load(scenario, overrides).catch((err) => { statusLine.textContent = `Could not run the simulation: ${err}`; });
          return;
        }
        statusLine.textContent = `Too many runs for now: trying again in ${wait} s.`;
        wait -= 1;
        setTimeout(tickDown, 1000);
      };
      tickDown();
      return;
    }
    const body = await response.json();
    if (!response.ok) {
      const errors = Object.entries(body.errors || {}).map(([k, v]) => `${k}: ${v.join(" ")}`).join("; ");
      statusLine.textContent = `The simulation was refused: ${errors || body.detail}`;
      // No result below the errors: nothing ran.
      root.querySelector("[data-charts]").hidden = true;
      $("[data-results]").replaceChildren();
      delete root.dataset.loaded;
      return;
    }
    data = body;
    root.querySelector("[data-charts]").hidden = false;
    buildCharts();
    renderResults();
    scrub.max = String(data.time.length - 1);
    play.disabled = scrub.disabled = false;
    statusLine.textContent = `${data.scenario.description} Press Play.`;
    root.dataset.loaded = "true";
    document.querySelectorAll("[data-diagrams]").forEach((section) => section.classList.add("has-simulation"));
    if (reduced.matches) {
      show(data.time.length - 1);
      root.dataset.finished = "true";
      statusLine.textContent = `${data.scenario.description} Showing the end state (reduced motion).`;
    } else {
      show(0);
    }
  }

  if (percentile) {
    percentile.addEventListener("change", () => {
      if (!data) return;
      charts.latency.full = chartData("latency", charts.latency.xs);
      renderTable("latency");
      show(index);
    });
  }
  play.addEventListener("click", () => setPlaying(!playing));
  scrub.addEventListener("input", () => {
    setPlaying(false);
    show(Number(scrub.value));
  });
  if (scenarioSelect) {
    scenarioSelect.addEventListener("change", () => {
      setPlaying(false);
      load(scenarioSelect.value, {}).catch((err) => { statusLine.textContent = `Could not run the simulation: ${err}`; });
    });
  }
  load(root.dataset.scenario, JSON.parse(root.dataset.overrides || "{}"))
    .catch((err) => { statusLine.textContent = `Could not run the simulation: ${err}`; });
})();

(function () {
  "use strict";
  // A number box holding text the browser cannot read as a number would be sent empty, and the
  // default would run without a word: stop the Run and name the field instead.
  const scenarioForm = document.querySelector("[data-scenario-form]");
  if (scenarioForm) {
    scenarioForm.addEventListener("submit", (event) => {
      let first = null;
      scenarioForm.querySelectorAll("input[type=number]").forEach((input) => {
        const old = document.getElementById(`${input.id}_client_error`);
        if (old) old.remove();
        if (!input.validity.badInput) return;
        const label = scenarioForm.querySelector(`label[for="${input.id}"]`);
        const help = document.getElementById(`${input.id}_helptext`);
        const error = document.createElement("p");
        error.id = `${input.id}_client_error`;
        error.className = "field-error";
        error.setAttribute("role", "alert");
        error.dataset.clientError = "";
        error.textContent = `${label ? label.textContent : input.name}: not a number. ${help ? help.textContent : ""}`;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-errormessage", error.id);
        input.insertAdjacentElement("afterend", error);
        first = first || input;
      });
      if (first) {
        event.preventDefault();
        first.focus();
      }
    });
  }
})();
