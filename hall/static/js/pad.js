// The rating pad: keeps a form that is being filled in (the same visit is not swapped in again), and goes back to
// the waiting screen a few seconds after a rating is sent.
(function () {
  "use strict";
  var region = document.getElementById("pad-visit");
  var opened = false;

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target !== region) { return; }
    var current = region.querySelector("[data-visit]");
    var incoming = /data-visit="([^"]*)"/.exec(event.detail.serverResponse || "");
    if (current && incoming && current.dataset.visit && current.dataset.visit === incoming[1]) {
      event.detail.shouldSwap = false; // the same visit: keep what the visitor has chosen so far
    }
  });
  document.body.addEventListener("hall:rated", function () {
    setTimeout(function () { htmx.trigger(region, "hall:refresh"); }, 8000);
  });
  document.body.addEventListener("htmx:sseOpen", function () {
    if (opened) { htmx.trigger(region, "hall:reconnected"); }
    opened = true;
  });
})();
