// The planning pages: a refused form (422) is drawn again in place with the field named; focus moves to the error.
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    if (event.detail.xhr.status === 422 && elt && elt.closest && elt.closest("[data-planning-form]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    var error = document.getElementById("form-error");
    if (error) {
      error.setAttribute("tabindex", "-1");
      error.focus();
    }
  });
})();
