// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Buttons and links may ask for confirmation with data-confirm="…".
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // htmx error responses (400/403/409) carry a message fragment: show it instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403 || status === 409 || status === 422) {
      var target = document.getElementById("messages");
      if (target && !event.detail.target.closest("form")) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
        event.detail.target = target;
        event.detail.swapOverride = "innerHTML";
      } else {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    }
  });
})();
