// The window console: keyboard shortcuts for the frequent actions, and keeping the work area in step.
(function () {
  "use strict";

  var task = document.getElementById("task");
  var shortcuts = document.getElementById("shortcuts");
  var opened = false;

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape" && task.firstElementChild) {
      task.textContent = "";
      document.getElementById("workspace").focus();
      return;
    }
    if (typing(event.target) || shortcuts.open) { return; }
    if (event.key === "?") { shortcuts.showModal(); event.preventDefault(); return; }
    if (task.firstElementChild) { return; } // a form is open: letters belong to it
    var key = event.key.toLowerCase();
    var button = document.querySelector('#workspace [data-key="' + key + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });

  document.getElementById("show-shortcuts").addEventListener("click", function () { shortcuts.showModal(); });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-task]")) {
      task.textContent = "";
      document.getElementById("workspace").focus();
    }
  });

  // A form that opens takes the focus (its first choice), so the clerk can go on with the keyboard.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target === task) {
      var first = task.querySelector("[data-first], input:not([type=hidden]):not([disabled]), select, textarea");
      if (first) { first.focus(); }
    }
  });

  // After a reconnect, read the work area and the waiting list again (events may have been missed).
  document.body.addEventListener("htmx:sseOpen", function () {
    if (opened) {
      htmx.trigger(document.getElementById("workspace"), "hall:reconnected");
      htmx.trigger(document.getElementById("queue"), "hall:reconnected");
    }
    opened = true;
  });
})();
