// Header search: "/" focuses the box (unless the page used "/" itself, as the request queue
// does for its own search box); while typing, htmx fills the dropdown; arrow keys move
// through the results, Esc goes back to the box and closes the list.
(function () {
  "use strict";

  function box() { return document.querySelector("[data-header-search]"); }
  function panel() { return document.getElementById("header-search-results"); }
  function hits() {
    var p = panel();
    return p ? Array.prototype.slice.call(p.querySelectorAll("[data-search-hit]")) : [];
  }
  function close() { var p = panel(); if (p) p.innerHTML = ""; }

  window.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key !== "/") return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || event.target.isContentEditable) return;
    var input = box();
    if (!input) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  document.addEventListener("keydown", function (event) {
    var input = box();
    if (!input) return;
    var list = hits();
    var at = list.indexOf(document.activeElement);
    if (event.target === input) {
      if (event.key === "ArrowDown" && list.length) { event.preventDefault(); list[0].focus(); }
      else if (event.key === "Escape" && panel() && panel().innerHTML.trim()) { event.preventDefault(); close(); }
      return;
    }
    if (at < 0) return;
    if (event.key === "ArrowDown") { event.preventDefault(); list[Math.min(at + 1, list.length - 1)].focus(); }
    else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (at === 0) input.focus(); else list[at - 1].focus();
    } else if (event.key === "Escape") { event.preventDefault(); input.focus(); close(); }
  });

  document.addEventListener("input", function (event) {
    if (event.target === box() && !event.target.value.trim()) close();
  });

  document.addEventListener("click", function (event) {
    var p = panel();
    if (p && !event.target.closest(".header-search")) close();
  });
})();
