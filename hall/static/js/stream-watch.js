// Every live page (board, visitor's phone, window console, manager's live hall) follows an event stream through the
// htmx sse extension. A lost network does not always close a connection: the stream may stay "open" and hear
// nothing for as long as TCP takes to notice (minutes on a phone that changed networks). So the page asks the
// server every few seconds whether it answers; when it answers again after a failure and the stream has not been
// opened since, the stale stream is closed and reported failed, and the extension opens a new one (each page reads
// its state again on htmx:sseOpen, events having been missed). The page hears "hall:connection-lost" and
// "hall:connection-back" on document.body, to show or hide its "Reconnecting…" line.
// Load it after htmx and its sse extension and before the page's own script (all deferred, so in order).
(function () {
  "use strict";
  var host = document.querySelector("[sse-connect]");
  if (!host || !window.htmx || typeof htmx.createEventSource !== "function") { return; }

  var WATCH_MS = (Number(host.dataset.watchSeconds) || 10) * 1000;
  var createSource = htmx.createEventSource;
  var stream = null;
  var lostAt = 0;
  var openedAt = 0;
  htmx.createEventSource = function (url) {
    stream = createSource(url);
    return stream;
  };
  document.body.addEventListener("htmx:sseOpen", function () { openedAt = Date.now(); });

  function renewStream() {
    if (!stream || (openedAt > lostAt && stream.readyState === EventSource.OPEN)) { return; }
    var stale = stream;
    stale.close();
    stale.dispatchEvent(new Event("error")); // CLOSED and failed: the extension reconnects with its backoff
  }

  function watch() {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, WATCH_MS / 2) : null;
    fetch("/health", { cache: "no-store", credentials: "omit", signal: controller ? controller.signal : undefined })
      .then(function (response) {
        if (!response.ok) { throw new Error("health " + response.status); }
        if (lostAt) {
          renewStream();
          lostAt = 0;
          document.body.dispatchEvent(new CustomEvent("hall:connection-back"));
        }
      })
      .catch(function () {
        if (!lostAt) {
          lostAt = Date.now();
          document.body.dispatchEvent(new CustomEvent("hall:connection-lost"));
        }
      })
      .finally(function () { if (timer) { clearTimeout(timer); } });
  }
  setInterval(watch, WATCH_MS);
})();
