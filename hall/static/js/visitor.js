// The visitor's page: after a reconnect, fetch the status again; when the ticket is called, vibrate the phone.
(function () {
  "use strict";
  var status = document.getElementById("status");
  var opened = false;
  var lastStatus = status.querySelector("[data-status]") ? status.querySelector("[data-status]").dataset.status : "";

  document.body.addEventListener("htmx:sseOpen", function () {
    if (opened) { htmx.trigger(status, "hall:reconnected"); } // events may have been missed while away
    opened = true;
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target !== status) { return; }
    var card = status.querySelector("[data-status]");
    var now = card ? card.dataset.status : "";
    if (now === "called" && lastStatus !== "called") {
      if (navigator.vibrate) { navigator.vibrate([400, 150, 400, 150, 400]); }
      document.title = "🔔 " + card.dataset.number + " · " + document.title.replace(/^🔔 \S+ · /, "");
    }
    lastStatus = now;
  });
})();
