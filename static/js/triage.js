// The triage queue from the keyboard (the keys are listed in the page's shortcut dialog).
// Without this file the queue still works: every row links to its request and to its
// triage page, and the bulk bar stays in view.
(function () {
  "use strict";

  var currentId = null; // the id of the current row's <tr>, which survives htmx swaps
  var pendingFocus = null; // the panel field to focus once the panel for the current row arrives
  var followTimer = null;
  var backToList = false; // blur the re-rendered field once a save settles
  var keyFocused = false; // a shortcut focused a field since the last request began

  function queue() { return document.querySelector("[data-testid=queue]"); }
  function panel() { return document.getElementById("triage-panel"); }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]")); }
  function current() { return currentId ? document.getElementById(currentId) : null; }
  function selectedBoxes() {
    return Array.prototype.slice.call(document.querySelectorAll('tr[data-row] input[name="ids"]:checked'));
  }
  function panelOpen() { var p = panel(); return !!(p && !p.hidden && p.getAttribute("data-request")); }
  function panelShows(row) {
    var p = panel();
    return !!(row && p && !p.hidden && row.id === "req-" + p.getAttribute("data-request"));
  }

  function mark(row) {
    rows().forEach(function (r) {
      var on = r === row;
      r.classList.toggle("current", on);
      if (on) r.setAttribute("aria-current", "true"); else r.removeAttribute("aria-current");
    });
    currentId = row ? row.id : null;
    if (row) row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(current());
    var next = index < 0 ? list[0] : list[Math.min(Math.max(index + step, 0), list.length - 1)];
    mark(next);
    // An open panel follows the current row, once the keys come to rest.
    if (panelOpen() && !panelShows(next)) {
      clearTimeout(followTimer);
      followTimer = setTimeout(function () { loadPanel(next, null); }, 150);
    }
  }

  function focusField(name) {
    var p = panel();
    var field = p && p.querySelector('[data-shortcut="' + name + '"]');
    if (!field) return false;
    // A field focused by a shortcut keeps the focus, even when an earlier save settles after it.
    keyFocused = true;
    backToList = false;
    field.focus();
    return true;
  }

  function loadPanel(row, focusName) {
    if (!row || !window.htmx) return;
    if (panelShows(row)) { if (focusName) focusField(focusName); return; }
    pendingFocus = focusName;
    window.htmx.ajax("GET", row.querySelector("a.row-menu").href, { target: "#triage-panel", swap: "outerHTML" });
  }

  function closePanel() {
    var p = panel();
    if (!p) return;
    p.hidden = true;
    p.removeAttribute("data-request");
    p.innerHTML = "";
  }

  function updateBulkBar() {
    var bar = document.querySelector("[data-bulk-bar]");
    if (!bar) return;
    var count = selectedBoxes().length;
    bar.hidden = count === 0;
    var label = bar.querySelector("[data-selected-count]");
    if (label) label.textContent = String(count);
    rows().forEach(function (r) {
      var box = r.querySelector('input[name="ids"]');
      r.classList.toggle("picked", !!(box && box.checked));
    });
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || !queue()) return;
    var target = event.target;
    var tag = (target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") {
      if (event.key === "Escape") {
        target.blur();
        event.preventDefault();
      } else if (event.key === "Enter" && tag === "select" && target.form && target.form.hasAttribute("data-panel-form")) {
        // A closed select does nothing on Enter; in the panel it means "do it".
        event.preventDefault();
        target.form.requestSubmit();
      }
      return;
    }
    // On a link or button, keys keep their own meaning (Enter follows or presses it).
    if (target.closest && target.closest("a, button, summary")) {
      if (event.key === "Escape") {
        target.blur();
        // Esc from a control of the open panel (or a toast) still closes the panel.
        if (panelOpen() && !document.querySelector("dialog[open]")) {
          closePanel();
          event.preventDefault();
        }
      }
      return;
    }
    if (document.querySelector("dialog[open]") && event.key !== "?") return;
    var row = current();
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x":
        if (row) {
          var box = row.querySelector('input[name="ids"]');
          if (box) { box.checked = !box.checked; updateBulkBar(); }
        }
        break;
      case "o":
      case "Enter":
        if (row) window.location.assign(row.querySelector("a[data-open]").href);
        else handled = false;
        break;
      case "s":
        if (selectedBoxes().length) document.querySelector('[data-shortcut="bulk-status"]').focus();
        else loadPanel(row, "status");
        break;
      case "a":
        if (selectedBoxes().length) document.querySelector('[data-shortcut="bulk-assignee"]').focus();
        else loadPanel(row, "assignee");
        break;
      case "m": loadPanel(row, "merge"); break;
      case "t": loadPanel(row, "team"); break;
      case "/":
        var search = document.querySelector('[data-shortcut="search"]');
        if (search) { search.focus(); search.select(); }
        break;
      case "Escape":
        if (panelOpen()) closePanel(); else handled = false;
        break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  }

  document.addEventListener("keydown", onKey);

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches('input[name="ids"]')) updateBulkBar();
  });

  document.addEventListener("click", function (event) {
    // A row's "⋯" link opens its triage panel in place; it is a plain link without this file.
    var menu = event.target.closest && event.target.closest("tr[data-row] a.row-menu");
    if (menu && window.htmx && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      mark(menu.closest("tr[data-row]"));
      loadPanel(menu.closest("tr[data-row]"), null);
      return;
    }
    var el = event.target.closest && event.target.closest("[data-panel-close], [data-clear-selection]");
    if (!el) return;
    if (el.hasAttribute("data-panel-close")) closePanel();
    if (el.hasAttribute("data-clear-selection")) {
      selectedBoxes().forEach(function (box) { box.checked = false; });
      updateBulkBar();
    }
  });

  // After a change is saved, the keys belong to the list again (htmx would otherwise put the
  // focus back into the re-rendered field, which would take the next shortcut as typing).
  document.addEventListener("htmx:beforeRequest", function () { keyFocused = false; });
  document.addEventListener("htmx:afterRequest", function (event) {
    var config = event.detail.requestConfig;
    backToList = !!(event.detail.successful && config && config.verb === "post" && !keyFocused);
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!queue()) return;
    if (backToList) {
      backToList = false;
      var active = document.activeElement;
      if (active && active !== document.body && active.closest("#triage-panel, #queue-results")) active.blur();
    }
    // Rows swapped in by htmx are new elements: mark the current one again by its id.
    var row = current();
    if (row) row.classList.add("current");
    if (row) row.setAttribute("aria-current", "true");
    updateBulkBar();
    if (pendingFocus && panelShows(row)) {
      focusField(pendingFocus);
      pendingFocus = null;
    }
  });

  document.addEventListener("DOMContentLoaded", updateBulkBar);
})();
