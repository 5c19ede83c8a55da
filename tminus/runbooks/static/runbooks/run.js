// The run page follows the deployment as it happens: it polls the run's JSON every few seconds
// and updates statuses, times and durations in place; running steps count up every second.
// Without JavaScript the page is complete as served and every action is a plain form post.
(function () {
  "use strict";

  const root = document.getElementById("run");
  if (!root) return;
  const url = root.dataset.pollUrl;
  const every = Number(root.dataset.pollSeconds || 5) * 1000;
  let running = [];

  function pad(n) { return String(n).padStart(2, "0"); }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    seconds = Math.max(0, Math.floor(seconds));
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    if (h) return h + "h " + pad(m) + "m";
    if (m) return m + "m " + pad(s) + "s";
    return s + "s";
  }

  function clock(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function setTime(el, iso) {
    if (!el) return;
    el.textContent = clock(iso);
    el.setAttribute("datetime", iso || "");
  }

  function setText(el, text) { if (el && el.textContent !== text) el.textContent = text; }

  function field(scope, name) { return scope.querySelector('[data-field="' + name + '"]'); }

  function updateStep(step) {
    const row = document.getElementById("step-" + step.id);
    if (!row) return;
    row.className = row.className.replace(/status-\S+/, "status-" + step.status);
    setText(field(row, "status"), step.status_label);
    setTime(field(row, "started_at"), step.started_at);
    setTime(field(row, "finished_at"), step.finished_at);
    setText(field(row, "started_by"), step.started_by || "");
    setText(field(row, "finished_by"), step.finished_by || "");
    setText(field(row, "duration"), duration(step.duration_seconds));
    const notes = field(row, "notes");
    if (notes && notes.innerText.trim() !== step.notes.trim()) notes.innerText = step.notes;
    if (step.status === "running") running.push({el: field(row, "duration"), since: step.started_at});
  }

  function updatePhase(phase) {
    const section = document.getElementById("phase-" + phase.id);
    if (!section) return;
    const badge = field(section, "status");
    badge.className = "phase-status phase-" + phase.status;
    setText(badge, phase.status_label);
    setTime(field(section, "started_at"), phase.started_at);
    setTime(field(section, "finished_at"), phase.finished_at);
    setText(field(section, "duration"), duration(phase.duration_seconds));
    if (phase.status === "running") {
      running.push({el: field(section, "duration"), since: phase.started_at});
    }
    phase.steps.forEach(updateStep);
  }

  function updateRun(run) {
    const get = function (name) { return root.querySelector('[data-run="' + name + '"]'); };
    const badge = get("status");
    badge.className = "run-status run-" + run.status;
    setText(badge, run.status_label);
    setText(get("finished_at"), run.finished_at ? new Date(run.finished_at).toLocaleString() : "—");
    setText(get("duration"), run.duration_seconds === null ? "running" : duration(run.duration_seconds));
    setText(get("failure_reason"), run.failure_reason || "—");
    const progress = get("progress");
    progress.max = run.steps_total || 1;
    progress.value = run.steps_ended;
    setText(get("counts"), run.steps_ended + "/" + run.steps_total + " steps done" +
      (run.steps_failed ? ", " + run.steps_failed + " failed" : ""));
    get("newer").hidden = run.is_latest;
    running = [];
    if (run.status === "running") running.push({el: get("duration"), since: run.started_at});
    run.phases.forEach(updatePhase);
  }

  function tick() {
    const now = Date.now();
    running.forEach(function (item) {
      if (item.el && item.since) item.el.textContent = duration((now - new Date(item.since)) / 1000) + " …";
    });
  }

  async function poll() {
    try {
      const response = await fetch(url, {credentials: "same-origin",
                                         headers: {"Accept": "application/json"}});
      if (response.ok) updateRun(await response.json());
    } catch (error) {
      // A missed poll is retried on the next round; the page keeps what it shows.
    }
    window.setTimeout(poll, document.hidden ? every * 4 : every);
  }

  window.setInterval(tick, 1000);
  window.setTimeout(poll, every);
})();
