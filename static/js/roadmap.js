// Drag-and-drop between board lanes. It only submits the same "→ lane" form a keyboard user
// presses, so the rule, the version check and the htmx swap stay in one place.
(function () {
  "use strict";

  var dragged = null;

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-item][draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-item"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".lane.drop-target").forEach(function (lane) {
      lane.classList.remove("drop-target");
    });
  });

  document.addEventListener("dragover", function (event) {
    var lane = dragged && event.target.closest && event.target.closest("[data-board] [data-lane]");
    if (!lane) return;
    event.preventDefault();
    lane.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var lane = event.target.closest && event.target.closest("[data-lane]");
    if (lane && !lane.contains(event.relatedTarget)) lane.classList.remove("drop-target");
  });

  document.addEventListener("drop", function (event) {
    var lane = dragged && event.target.closest && event.target.closest("[data-board] [data-lane]");
    if (!lane) return;
    event.preventDefault();
    var form = dragged.querySelector('form[data-move-to="' + lane.getAttribute("data-lane") + '"]');
    if (form) form.requestSubmit();
  });
})();
