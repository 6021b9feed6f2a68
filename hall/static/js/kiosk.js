// The ticket kiosk: screens, the basket, the appointment keypad, seniors' mode, and taking a ticket safely.
//
// One press of "take the ticket" = one Idempotency-Key. While the network or the server is away the same key is
// sent again (with backoff), so the server issues one ticket; the kiosk prints a key's ticket at most once.
(function () {
  "use strict";

  var MAX_ITEMS = 5;
  var RETRY_FOR_MS = 120000; // give up (and say so) after two minutes without an answer
  var root = document.getElementById("kiosk");
  var form = document.getElementById("visit");
  var idleSeconds = Number(root.dataset.idleSeconds) || 90;
  var ticketSeconds = Number(root.dataset.ticketSeconds) || 30;
  var screens = {};
  var current = "start";
  var busy = false;
  var lastTouch = Date.now();
  var domain = "";

  Array.prototype.forEach.call(document.querySelectorAll("[data-screen]"), function (el) {
    screens[el.dataset.screen] = el;
  });

  function $(id) { return document.getElementById(id); }
  function fill(template, name, value) { return template.replace("{" + name + "}", value); }
  function checkedItems() { return Array.prototype.slice.call(form.querySelectorAll('input[name="item"]:checked')); }
  function chosenPriority() { return form.querySelector('input[name="priority_group"]:checked'); }

  function show(name) {
    Object.keys(screens).forEach(function (key) { screens[key].hidden = key !== name; });
    current = name;
    $("basket-bar").hidden = !(name === "catalogue" || name === "confirm");
    if (name === "confirm") { renderBasket(); }
    var title = screens[name].querySelector(".screen-title, .ticket-heading");
    if (title) { title.setAttribute("tabindex", "-1"); title.focus({ preventScroll: true }); }
    window.scrollTo(0, 0);
  }

  // --- the catalogue: categories, search, choosing items ------------------------------------------------------
  function filterItems() {
    var query = $("search").value.trim().toLowerCase();
    var title = $("catalogue-title");
    var shown = 0;
    Array.prototype.forEach.call(form.querySelectorAll(".item-card"), function (card) {
      var match = query ? card.dataset.search.toLowerCase().indexOf(query) !== -1 : card.dataset.domain === domain;
      card.hidden = !match;
      if (match) { shown += 1; }
    });
    var listing = Boolean(query || domain);
    $("domain-grid").hidden = listing;
    $("item-panel").hidden = !listing;
    $("no-match").hidden = !listing || shown > 0;
    if (query) { title.textContent = title.dataset.titleSearch; }
    else if (domain) { title.textContent = form.querySelector('[data-domain="' + domain + '"].tile').dataset.label; }
    else { title.textContent = title.dataset.titleDomains; }
  }

  function updateBasket() {
    var chosen = checkedItems();
    var full = chosen.length >= MAX_ITEMS;
    Array.prototype.forEach.call(form.querySelectorAll('input[name="item"]'), function (box) {
      box.disabled = full && !box.checked;
    });
    var text = $("basket-count-text");
    text.textContent = fill(text.dataset.template, "n", chosen.length);
    $("to-confirm").disabled = chosen.length === 0;
  }

  function renderBasket() {
    var list = $("basket");
    list.textContent = "";
    checkedItems().forEach(function (box) {
      var li = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = box.dataset.name;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button-quiet";
      remove.textContent = "×";
      remove.setAttribute("aria-label", box.dataset.name + " — " + ($("basket").dataset.removeLabel || "remove"));
      remove.addEventListener("click", function () {
        box.checked = false;
        updateBasket();
        if (checkedItems().length === 0) { show("catalogue"); } else { renderBasket(); }
      });
      li.appendChild(name);
      li.appendChild(remove);
      list.appendChild(li);
    });
    var group = chosenPriority();
    $("priority-note").hidden = !group;
    if (group) { $("priority-name").textContent = group.parentNode.textContent.trim(); }
    $("take").disabled = checkedItems().length === 0;
  }

  // --- seniors' mode (适老化): larger type, high contrast, the ticket read aloud --------------------------------
  function setCare(on) {
    document.documentElement.classList.toggle("care", on);
    $("care-mode").setAttribute("aria-pressed", on ? "true" : "false");
    $("speak-again").hidden = !on;
    try { if (on) { sessionStorage.setItem("hall-care", "1"); } else { sessionStorage.removeItem("hall-care"); } } catch (e) { /* private mode */ }
  }
  function isCare() { return document.documentElement.classList.contains("care"); }

  function speak(text) {
    if (!("speechSynthesis" in window) || !text) { return; }
    window.speechSynthesis.cancel(); // only this kiosk's own reading: nothing else is queued here
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = root.dataset.speechLang || "zh-CN";
    utterance.rate = 0.85;
    window.speechSynthesis.speak(utterance);
  }

  // --- taking the ticket ----------------------------------------------------------------------------------------
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return "kiosk-" + window.crypto.randomUUID(); }
    return "kiosk-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
  function printedBefore(key) {
    try { return sessionStorage.getItem("hall-printed:" + key) === "1"; } catch (e) { return false; }
  }
  function markPrinted(key) {
    try { sessionStorage.setItem("hall-printed:" + key, "1"); } catch (e) { /* private mode */ }
  }

  function printTicket(url) {
    var frame = document.createElement("iframe");
    frame.className = "print-frame";
    frame.title = "print";
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    frame.addEventListener("load", function () {
      try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { /* no printer: the screen shows it */ }
      setTimeout(function () { frame.remove(); }, 60000);
    });
    frame.src = url;
    document.body.appendChild(frame);
  }

  function showTicket(html, key) {
    $("ticket").innerHTML = html;
    show("ticket");
    var ticket = $("ticket").querySelector(".ticket");
    if (!printedBefore(key)) {
      markPrinted(key); // before printing: a reload during printing must not print it again
      printTicket(ticket.dataset.printUrl);
    }
    if (isCare()) { speak(ticket.dataset.speech); }
    lastTouch = Date.now();
  }

  function showError(html) {
    $("flash").innerHTML = html;
    show("error");
  }

  async function takeTicket(body) {
    if (busy) { return; }
    busy = true;
    var key = newKey();
    var started = Date.now();
    var attempt = 0;
    show("wait");
    $("retrying").hidden = true;
    try {
      for (;;) {
        attempt += 1;
        try {
          var response = await fetch(form.action, {
            method: "POST",
            body: body,
            credentials: "same-origin",
            headers: { "Idempotency-Key": key, "HX-Request": "true" },
          });
          if (response.status === 401) { window.location.reload(); return; }
          if (response.status >= 500) { throw new Error("server answered " + response.status); }
          var html = await response.text();
          if (response.ok) { showTicket(html, key); } else { showError(html); }
          return;
        } catch (error) {
          if (Date.now() - started > RETRY_FOR_MS) {
            showError($("offline-message").innerHTML);
            return;
          }
          var note = $("retrying");
          note.hidden = false;
          note.textContent = fill(note.dataset.template, "n", attempt + 1);
          lastTouch = Date.now(); // waiting for the network is not inactivity
          await sleep(Math.min(1000 * Math.pow(2, attempt - 1), 8000));
        }
      }
    } finally {
      busy = false;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var submitter = event.submitter;
    var body = new URLSearchParams();
    if (submitter && submitter.dataset.mode === "appointment") {
      var code = $("appointment-code").value.trim().toUpperCase();
      if (!code) { $("appointment-code").focus(); return; }
      body.append("appointment_code", code);
    } else {
      var chosen = checkedItems();
      if (chosen.length === 0) { show("catalogue"); return; }
      chosen.forEach(function (box) { body.append("item", box.value); });
    }
    var group = chosenPriority();
    if (group) { body.append("priority_group", group.value); }
    takeTicket(body);
  });

  // --- starting over --------------------------------------------------------------------------------------------
  function reset() {
    form.reset();
    domain = "";
    filterItems();
    updateBasket();
    setCare(false);
    if ("speechSynthesis" in window) { window.speechSynthesis.cancel(); }
    $("ticket").textContent = "";
    if (root.dataset.lang !== root.dataset.defaultLang) {
      document.getElementById("reset-language").submit(); // the next visitor starts in Chinese
      return;
    }
    show("start");
  }

  // --- wiring ---------------------------------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) { return; }
    if (target.dataset.domain && target.classList.contains("tile")) {
      domain = target.dataset.domain;
      $("search").value = "";
      filterItems();
      $("catalogue-title").focus();
      return;
    }
    if (target.id === "back-to-domains") { domain = ""; $("search").value = ""; filterItems(); }
    if (target.hasAttribute("data-needs-priority") && !chosenPriority()) {
      form.querySelector('input[name="priority_group"]').focus();
      return;
    }
    if (target.hasAttribute("data-clear-priority")) {
      var group = chosenPriority();
      if (group) { group.checked = false; }
    }
    if (target.hasAttribute("data-clear-basket")) { reset(); return; }
    if (target.hasAttribute("data-reset")) { reset(); return; }
    if (target.dataset.go) { show(target.dataset.go); }
    if (target.id === "care-mode") { setCare(!isCare()); }
    if (target.id === "speak-again") {
      var ticket = $("ticket").querySelector(".ticket");
      if (ticket) { speak(ticket.dataset.speech); }
    }
    if (target.classList.contains("key")) {
      var input = $("appointment-code");
      var key = target.dataset.key;
      if (key === "back") { input.value = input.value.slice(0, -1); }
      else if (key === "clear") { input.value = ""; }
      else if (input.value.length < 8) { input.value += key; }
    }
  });

  form.addEventListener("change", function (event) {
    if (event.target.name === "item") { updateBasket(); }
  });
  $("search").addEventListener("input", function () { domain = ""; filterItems(); });
  $("appointment-code").addEventListener("input", function (event) {
    event.target.value = event.target.value.toUpperCase().replace(/[^0-9A-Z]/g, "");
  });

  ["pointerdown", "keydown", "input", "wheel"].forEach(function (type) {
    document.addEventListener(type, function () { lastTouch = Date.now(); }, { passive: true });
  });

  function tick() {
    var clock = $("clock");
    var now = new Date();
    clock.textContent = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    if (current === "start" || current === "wait") { return; }
    var limit = current === "ticket" ? ticketSeconds : idleSeconds;
    var left = Math.ceil(limit - (Date.now() - lastTouch) / 1000);
    if (current === "ticket") {
      var countdown = $("countdown");
      countdown.textContent = fill(countdown.dataset.template, "s", Math.max(left, 0));
    }
    if (left <= 0) { reset(); }
  }

  try { setCare(sessionStorage.getItem("hall-care") === "1"); } catch (e) { setCare(false); }
  updateBasket();
  filterItems();
  tick();
  setInterval(tick, 1000);
})();
