// Small progressive enhancements; every page works without this file.
//
// What it adds to every page:
// - feedback on every htmx action: a busy bar at the top, the sending button disabled and
//   spinning until the answer arrives;
// - errors in place: a refused htmx action (4xx) is shown next to the form or control that
//   sent it, never instead of the page, with DEBUG on or off; other failures become a toast;
// - toasts: the #messages area (Django messages, also sent out of band on htmx answers)
//   floats in a corner and success messages fade after a few seconds;
// - `?` opens the keyboard shortcut list as a dialog; data-confirm asks before a submit.
(function () {
  "use strict";

  var TOAST_SECONDS = 6;

  // --- Confirmation -------------------------------------------------------------------------
  // On a form, data-confirm is asked when the form is submitted (so clicking into one of its
  // fields asks nothing); on a button or link, when it is activated.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var ask = form.getAttribute("data-confirm");
    if (ask && !window.confirm(ask)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var el = event.target.closest("button[data-confirm], a[data-confirm], input[type=submit][data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // --- Toasts ----------------------------------------------------------------------------------
  function messagesArea() {
    return document.getElementById("messages");
  }

  function toast(text, level) {
    var area = messagesArea();
    if (!area) return;
    var item = document.createElement("div");
    item.className = "flash flash-" + (level || "info");
    item.setAttribute("role", level === "error" ? "alert" : "status");
    item.textContent = text;
    area.appendChild(item);
    decorateToasts(area);
  }

  function decorateToasts(root) {
    (root || document).querySelectorAll("#messages .flash:not([data-toast])").forEach(function (item) {
      item.setAttribute("data-toast", "");
      var close = document.createElement("button");
      close.type = "button";
      close.className = "toast-close";
      close.setAttribute("aria-label", "Dismiss");
      close.textContent = "×";
      close.addEventListener("click", function () { item.remove(); });
      item.appendChild(close);
      if (!item.classList.contains("flash-error") && !item.classList.contains("flash-warning")) {
        window.setTimeout(function () { item.classList.add("toast-gone"); }, TOAST_SECONDS * 1000);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { decorateToasts(); });
  document.addEventListener("htmx:oobAfterSwap", function () { decorateToasts(); });
  document.addEventListener("htmx:afterSettle", function () { decorateToasts(); });

  // --- Busy state ------------------------------------------------------------------------------
  var running = 0;

  function buttonsOf(elt, event) {
    var trigger = event && event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (trigger && trigger.submitter) return [trigger.submitter];
    if (elt.matches("button, input[type=submit]")) return [elt];
    // A form's buttons wait only while the form itself is being sent: a form that refreshes a
    // summary on `change` must not disable its own submit button, or a click that blurs a
    // field (firing that change) lands on a disabled button and is lost.
    if (elt.tagName === "FORM" && (!trigger || trigger.type === "submit")) {
      return Array.prototype.slice.call(elt.querySelectorAll("button:not([type=button]), input[type=submit]"));
    }
    return [];
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    running += 1;
    document.documentElement.classList.add("is-busy");
    elt.setAttribute("aria-busy", "true");
    var buttons = buttonsOf(elt, event).filter(function (b) { return !b.disabled; });
    buttons.forEach(function (b) { b.disabled = true; b.classList.add("is-busy"); });
    elt._busyButtons = (elt._busyButtons || []).concat(buttons);
    clearError(elt);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    running = Math.max(0, running - 1);
    if (!running) document.documentElement.classList.remove("is-busy");
    elt.removeAttribute("aria-busy");
    (elt._busyButtons || []).forEach(function (b) { b.disabled = false; b.classList.remove("is-busy"); });
    elt._busyButtons = null;
  });

  // --- Errors in place -------------------------------------------------------------------------
  // In DEBUG, django-htmx's script replaces the whole document with any 400/403/404 answer
  // (useful for tracebacks, wrong for a refusal that says "give a reason"). The answer's event
  // passes <html> before it reaches that listener on `document`, so 4xx stop here; a 5xx in
  // DEBUG still shows Django's error page.
  document.documentElement.addEventListener("htmx:beforeOnLoad", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) event.stopPropagation();
  });

  function scopeOf(elt) {
    return elt.closest("[data-error-scope]") || elt.closest("form") || elt;
  }

  function clearError(elt) {
    if (elt._errorSlot) { elt._errorSlot.remove(); elt._errorSlot = null; }
    var scope = scopeOf(elt);
    scope.querySelectorAll(":scope > [data-error-slot][data-made]").forEach(function (slot) { slot.remove(); });
    scope.querySelectorAll("[data-error-slot]").forEach(function (slot) { slot.textContent = ""; });
    scope.querySelectorAll("[aria-invalid=true][data-marked]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("data-marked");
    });
  }

  function slotFor(elt) {
    var scope = scopeOf(elt);
    var slot = scope.querySelector("[data-error-slot]");
    if (slot) return slot;
    slot = document.createElement("div");
    slot.setAttribute("data-error-slot", "");
    slot.setAttribute("data-made", "");
    if (scope.tagName === "FORM" || scope.hasAttribute("data-error-scope")) {
      scope.appendChild(slot);
    } else {
      scope.insertAdjacentElement("afterend", slot);
      elt._errorSlot = slot;
    }
    return slot;
  }

  function describe(xhr) {
    var status = xhr.status;
    var text = "";
    var field = "";
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === 0 && xhr.responseText) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var said = doc.querySelector("[data-testid=refused], .errorlist, .error, .flash-error, [role=alert]");
      if (said) {
        text = said.textContent.trim();
        field = said.getAttribute("data-field") || "";
      }
    } else if (type.indexOf("application/json") === 0) {
      try {
        var data = JSON.parse(xhr.responseText);
        text = data.detail || "";
      } catch (e) { text = ""; }
    }
    if (!text) {
      if (status === 404) text = "That is no longer there (404). Reload the page to see what changed.";
      else if (status === 403) text = "Your role does not allow this.";
      else if (status === 409) text = "Someone else changed this since you opened it. Reload, then try again.";
      else if (status >= 500) text = "Something went wrong on our side (" + status + "). Try again in a moment.";
      else text = "That did not work (" + status + ").";
    }
    return { text: text, field: field, status: status };
  }

  function showError(elt, error) {
    if (!elt || !document.body.contains(elt) || error.status >= 500) {
      toast(error.text, "error");
      return;
    }
    var slot = slotFor(elt);
    slot.className = "inline-error";
    slot.setAttribute("role", "alert");
    slot.textContent = error.text;
    var scope = scopeOf(elt);
    var field = error.field && scope.querySelector('[name="' + error.field + '"]');
    if (field) {
      if (!slot.id) slot.id = "error-" + Math.random().toString(36).slice(2, 9);
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("data-marked", "");
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(slot.id) < 0) described.push(slot.id);
      field.setAttribute("aria-describedby", described.join(" "));
      if (field.type !== "hidden") field.focus();
    }
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status < 400) return;
    if (xhr.getResponseHeader("HX-Retarget")) {
      // The server chose where its answer goes (a form sent back with its errors).
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    event.detail.shouldSwap = false;
    // Shown here, so htmx need not report it again as an unhandled error.
    event.detail.isError = false;
    // detail.elt is the swap target here; the element that sent the request is in requestConfig.
    var sender = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.detail.elt;
    showError(sender, describe(xhr));
  });

  document.addEventListener("htmx:sendError", function (event) {
    showError(event.detail.elt, { text: "No answer from the server. Check your connection and try again.", status: 0 });
  });

  // --- Keyboard shortcut list ----------------------------------------------------------------
  // Page scripts (triage.js) handle their own keys on `document` first; `?` reaches here on
  // `window` only if nothing used it.
  window.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || event.target.isContentEditable) return;
    if (event.key !== "?") return;
    var dialog = document.getElementById("shortcuts-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    if (dialog.open) dialog.close(); else dialog.showModal();
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) open.close();
    }
  });
})();

// Tables read as stacked cards on a phone; each cell carries its column's name for that
// layout (CSS shows it above the value). Done here once, so templates need not repeat it.
(function () {
  "use strict";

  function labelCells(root) {
    (root || document).querySelectorAll("table.table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      if (!heads.length) return;
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (!cell.hasAttribute("data-label") && heads[index] && cell.getAttribute("colspan") === null) {
            cell.setAttribute("data-label", heads[index]);
          }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { labelCells(); });
  document.addEventListener("htmx:afterSettle", function () { labelCells(); });
})();
