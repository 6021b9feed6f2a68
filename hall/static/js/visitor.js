// The visitor's page: say when the connection is lost, fetch the status again after a reconnect, and vibrate the
// phone when the ticket is called.
(function () {
  "use strict";
  var status = document.getElementById("status");
  var opened = false;
  var lastStatus = status.querySelector("[data-status]") ? status.querySelector("[data-status]").dataset.status : "";

  var connection = document.getElementById("visitor-connection");

  document.body.addEventListener("htmx:sseOpen", function () {
    connection.hidden = true;
    if (opened) { htmx.trigger(status, "hall:reconnected"); } // events may have been missed while away
    opened = true;
  });
  // the stream failed, or stream-watch.js found the server unreachable (a phone's network can vanish silently)
  document.body.addEventListener("htmx:sseError", function () { connection.hidden = false; });
  document.body.addEventListener("hall:connection-lost", function () { connection.hidden = false; });

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
