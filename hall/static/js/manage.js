// The manager's and administrator's pages: every change is confirmed in a dialog that lists what changes
// (old → new), the live hall keeps in step with the centre's event stream, and a report prints.
(function () {
  "use strict";

  var dialog = document.getElementById("confirm-dialog");
  var message = document.getElementById("confirm-message");
  var list = document.getElementById("confirm-changes");
  var listTitle = document.getElementById("confirm-changes-title");
  var pending = null; // the function that goes on with the change once confirmed

  function labelOf(field) {
    if (field.dataset.label) { return field.dataset.label; }
    if (field.labels && field.labels.length) { return field.labels[0].textContent.trim(); }
    var fieldset = field.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    return legend ? legend.textContent.trim() : field.name;
  }

  function shown(field, useDefault) {
    if (field.type === "checkbox") {
      return (useDefault ? field.defaultChecked : field.checked) ? dialog.dataset.yes : dialog.dataset.no;
    }
    if (field.tagName === "SELECT") {
      var chosen = Array.prototype.filter.call(field.options, function (o) {
        return useDefault ? o.defaultSelected : o.selected;
      });
      if (useDefault && chosen.length === 0 && !field.multiple && field.options.length) { chosen = [field.options[0]]; }
      return chosen.map(function (o) { return o.textContent.trim(); }).join(", ") || dialog.dataset.empty;
    }
    var value = useDefault ? field.defaultValue : field.value;
    return value === "" ? dialog.dataset.empty : value;
  }

  // What the form changes: every field whose value differs from the one the page was drawn with.
  function changes(form) {
    var found = [];
    var radiosSeen = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "hidden" || field.type === "submit" || field.type === "button" ||
          field.type === "password" || field.disabled || field.dataset.noDiff !== undefined) { return; }
      if (field.type === "radio") {
        if (radiosSeen[field.name]) { return; }
        radiosSeen[field.name] = true;
        var radios = form.querySelectorAll('input[type=radio][name="' + field.name + '"]');
        var before = Array.prototype.find.call(radios, function (r) { return r.defaultChecked; });
        var after = Array.prototype.find.call(radios, function (r) { return r.checked; });
        if (before !== after) {
          found.push([labelOf(field), before ? before.parentNode.textContent.trim() : dialog.dataset.empty,
                      after ? after.parentNode.textContent.trim() : dialog.dataset.empty]);
        }
        return;
      }
      var old = shown(field, true);
      var now = shown(field, false);
      if (old !== now) { found.push([labelOf(field), old, now]); }
    });
    return found;
  }

  function ask(form, go) {
    message.textContent = form.dataset.confirm;
    list.textContent = "";
    var found = form.dataset.diff === undefined ? [] : changes(form);
    found.forEach(function (change) {
      var item = document.createElement("li");
      var name = document.createElement("strong");
      name.textContent = change[0] + ": ";
      item.appendChild(name);
      item.appendChild(document.createTextNode(change[1] + " → " + change[2]));
      list.appendChild(item);
    });
    listTitle.hidden = found.length === 0;
    pending = go;
    dialog.showModal();
    document.getElementById("confirm-yes").focus();
  }

  if (dialog) {
    document.getElementById("confirm-yes").addEventListener("click", function () {
      var go = pending;
      pending = null;
      dialog.close();
      if (go) { go(); }
    });
    document.getElementById("confirm-no").addEventListener("click", function () {
      pending = null;
      dialog.close();
    });
    dialog.addEventListener("cancel", function () { pending = null; });

    // Plain forms (administration): ask, then submit for real.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.dataset || form.dataset.confirm === undefined || form.hasAttribute("hx-post")) { return; }
      if (form.dataset.confirmed === "yes") { return; }
      event.preventDefault();
      var submitter = event.submitter;
      ask(form, function () {
        form.dataset.confirmed = "yes";
        if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
        form.dataset.confirmed = "";
      });
    });

    // htmx forms (the live hall): htmx asks before every request; hold it until confirmed.
    document.body.addEventListener("htmx:confirm", function (event) {
      var form = event.detail.elt.closest && event.detail.elt.closest("[data-confirm]");
      if (!form || event.detail.verb === "get") { return; }
      event.preventDefault();
      ask(form, function () { event.detail.issueRequest(true); });
    });
  }

  // --- the live hall ------------------------------------------------------------------------------------------------
  var live = document.getElementById("live");
  if (live) {
    var opened = false;
    var connection = document.getElementById("connection");
    var missed = false;
    // Do not redraw the part being edited (a pause reason being typed) or behind an open dialog: catch up after.
    live.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.requestConfig.verb !== "get") { return; }
      var active = document.activeElement;
      var editing = active && live.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
      if (editing || (dialog && dialog.open)) {
        event.preventDefault();
        missed = true;
      }
    });
    live.addEventListener("focusout", function () {
      setTimeout(function () {
        var active = document.activeElement;
        if (missed && !(active && live.contains(active)) && !(dialog && dialog.open)) {
          missed = false;
          htmx.trigger(live, "hall:reconnected");
        }
      }, 200);
    });
    document.body.addEventListener("htmx:sseOpen", function () {
      connection.hidden = true;
      if (opened) { htmx.trigger(live, "hall:reconnected"); }
      opened = true;
    });
    document.body.addEventListener("htmx:sseError", function () { connection.hidden = false; });
  }

  // --- reports --------------------------------------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
