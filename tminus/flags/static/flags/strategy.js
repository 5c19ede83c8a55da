// Progressive enhancement: show only the parameters of the chosen strategy.
(function () {
  "use strict";
  const select = document.querySelector(".strategy-form select[name=name]");
  if (!select) return;
  function show() {
    document.querySelectorAll(".strategy-form fieldset.params").forEach(function (set) {
      set.hidden = set.dataset.for.split(" ").indexOf(select.value) < 0;
    });
  }
  select.addEventListener("change", show);
  show();
})();
