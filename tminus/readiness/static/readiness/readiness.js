// The readiness page stays live: every 30 seconds it asks the API for the criteria again and
// updates each row's met/why in place. Without JavaScript the page shows them as of loading.
(function () {
  "use strict";
  const table = document.querySelector("table.criteria[data-release]");
  if (!table || !window.fetch) return;
  const url = "/api/v1/releases/" + encodeURIComponent(table.dataset.release) + "/readiness";

  function update(criterion) {
    const row = document.getElementById("criterion-" + criterion.id);
    if (!row) return;
    row.className = criterion.met ? "is-met" : "is-unmet";
    const badge = row.querySelector("td.met span");
    badge.className = "status " + (criterion.met ? "status-live" : "status-rolled_back");
    badge.textContent = criterion.met ? "met" : "not met";
    row.querySelector("td.why").textContent = criterion.why;
  }

  async function refresh() {
    const response = await fetch(url, {credentials: "same-origin"}).catch(function () {});
    if (!response || !response.ok) return;
    const body = await response.json();
    body.criteria.forEach(update);
  }

  setInterval(refresh, 30000);
})();
