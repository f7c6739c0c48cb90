// Keyboard shortcuts for the triage queue (listed on the page). The queue works without them.
(function () {
  "use strict";

  var current = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]"));
  }

  function select(row) {
    if (current) current.classList.remove("selected");
    current = row;
    if (row) {
      row.classList.add("selected");
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = current ? list.indexOf(current) : -1;
    // A row swapped in by htmx is a new element: start again from the top.
    var next = list[Math.min(Math.max(index + step, 0), list.length - 1)];
    select(next);
  }

  function focusIn(row, name) {
    var el = row && row.querySelector('[data-shortcut="' + name + '"]');
    if (el) el.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (!document.querySelector("[data-testid=queue]")) return;
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x":
        if (current) {
          var box = current.querySelector('input[type="checkbox"]');
          if (box) box.checked = !box.checked;
        }
        break;
      case "o":
      case "Enter":
        if (current) window.location.href = current.getAttribute("data-detail-url");
        break;
      case "s": focusIn(current, "status"); break;
      case "a": focusIn(current, "assignee"); break;
      case "/":
        var search = document.querySelector('[data-shortcut="search"]');
        if (search) search.focus();
        break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  // Keep the keyboard position on a row that htmx has just replaced.
  document.addEventListener("htmx:afterSwap", function (event) {
    var row = event.detail.target;
    if (current && row && row.id && !document.body.contains(current)) {
      var fresh = document.getElementById(row.id);
      if (fresh) select(fresh);
    }
  });
})();
