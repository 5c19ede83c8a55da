// The live rollout page: every few seconds, ask the server for the parts that change (state,
// stages, criteria with their charts, timeline), already rendered, and swap them in.
// Without JavaScript the page is complete; it is simply as fresh as its last load.
(function () {
  "use strict";
  const root = document.getElementById("rollout-live");
  if (!root) return;
  const url = root.dataset.liveUrl;
  const every = Math.max(1, Number(root.dataset.pollSeconds || 5)) * 1000;

  function typing() {
    const active = document.activeElement;
    return active && root.contains(active) && active.tagName === "INPUT" && active.value;
  }

  async function refresh() {
    try {
      const response = await fetch(url, {credentials: "same-origin",
                                          headers: {"Accept": "application/json"}});
      if (!response.ok) return;
      const body = await response.json();
      // A reason half typed into a control stays: the controls refresh with the next poll.
      if (!typing()) document.getElementById("part-state").innerHTML = body.parts.state;
      document.getElementById("part-stages").innerHTML = body.parts.stages;
      document.getElementById("part-checks").innerHTML = body.parts.checks;
      document.getElementById("part-timeline").innerHTML = body.parts.timeline;
      root.dataset.step = body.step;
    } catch (error) {
      // The server is restarting or the network dropped: the next poll tries again.
    }
  }

  setInterval(refresh, every);
})();
