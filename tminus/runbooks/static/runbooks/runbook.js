// Ask before removing a phase or a step; without JavaScript the form posts straight away.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
