// The display board: announces calls in Mandarin (queued, never cutting each other off), and reads the whole
// board again after a reconnect, so it recovers by itself from a network or server restart.
(function () {
  "use strict";

  var board = document.getElementById("board");
  var state = document.getElementById("board-state");
  var soundButton = document.getElementById("board-sound");
  var connection = document.getElementById("board-connection");
  var hooked = typeof WeakSet === "function" ? new WeakSet() : null;
  var announced = {}; // event id -> true: a replayed event is not announced twice
  var queue = [];
  var speaking = false;
  var opened = false;
  var blocked = false;
  var SPEECH_TIMEOUT_MS = 20000; // if a synthesiser never reports the end, go on anyway

  // --- the announcer: one sentence at a time, in order -----------------------------------------------------------
  function sentence(template, data) {
    return template.replace("{number}", " " + String(data.number).split("").join(" ") + " ")
      .replace("{window}", String(data.window)).replace(/\s+/g, " ").trim();
  }

  function enqueue(data, isRecall) {
    var zh = isRecall ? board.dataset.recallZh : board.dataset.announceZh;
    var local = isRecall ? board.dataset.recallLocal : board.dataset.announceLocal;
    queue.push({ text: sentence(zh, data), lang: "zh-CN" });
    if (local) { queue.push({ text: sentence(local, data), lang: board.dataset.langTag }); }
    next();
  }

  function next() {
    if (speaking || blocked || queue.length === 0) { return; }
    if (!("speechSynthesis" in window)) { queue.length = 0; return; }
    var item = queue.shift();
    var utterance = new SpeechSynthesisUtterance(item.text);
    utterance.lang = item.lang;
    utterance.rate = 0.9;
    speaking = true;
    var done = false;
    var timer = setTimeout(finish, SPEECH_TIMEOUT_MS);
    function finish() {
      if (done) { return; }
      done = true;
      clearTimeout(timer);
      speaking = false;
      next();
    }
    utterance.onend = finish;
    utterance.onerror = function (event) {
      if (event.error === "not-allowed") { // the browser wants a touch before it speaks: ask for one
        blocked = true;
        queue.unshift(item);
        soundButton.hidden = false;
        clearTimeout(timer);
        done = true;
        speaking = false;
        return;
      }
      finish();
    };
    window.speechSynthesis.speak(utterance);
  }

  soundButton.addEventListener("click", function () {
    blocked = false;
    soundButton.hidden = true;
    next();
  });

  // --- the live stream ------------------------------------------------------------------------------------------
  function onCall(event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (event.lastEventId) {
      if (announced[event.lastEventId]) { return; }
      announced[event.lastEventId] = true;
    }
    if (data.number && data.window) { enqueue(data, event.type === "recall"); }
  }

  // A silently lost network is noticed by stream-watch.js, which renews the stream when the server answers again.
  document.body.addEventListener("hall:connection-lost", function () { connection.hidden = false; });

  document.body.addEventListener("htmx:sseOpen", function (event) {
    var source = event.detail.source;
    if (!hooked || !hooked.has(source)) {
      if (hooked) { hooked.add(source); }
      source.addEventListener("call", onCall);
      source.addEventListener("recall", onCall);
    }
    connection.hidden = true;
    if (opened) { htmx.trigger(state, "hall:reconnected"); } // read the whole board again after a gap
    opened = true;
  });
  document.body.addEventListener("htmx:sseError", function () { connection.hidden = false; });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target === state) { connection.hidden = true; }
  });
  document.body.addEventListener("htmx:sendError", function () { connection.hidden = false; });

  // --- the clock --------------------------------------------------------------------------------------------------
  var clock = document.getElementById("board-clock");
  var day = document.getElementById("board-date");
  var dateFormat = new Intl.DateTimeFormat(day.dataset.lang, { year: "numeric", month: "long", day: "numeric", weekday: "long" });
  function tick() {
    var now = new Date();
    clock.textContent = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    day.textContent = dateFormat.format(now);
  }
  tick();
  setInterval(tick, 10000);

  window.hallBoard = { queue: queue }; // for a look from the developer tools
})();
