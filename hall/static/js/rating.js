// 好差评 on the visitor's phone, on a rating pad and for a paper form: asks the ratings API whether the visit may
// be rated, shows the form, and sends the rating as JSON (POST /api/v1/ratings, SubmitRating). One visit, one rating.
(function () {
  "use strict";

  function init(section) {
    if (section.dataset.ready) { return; }
    section.dataset.ready = "1";
    var form = section.querySelector("form");
    var thanks = section.querySelector(".rating-thanks");
    var error = section.querySelector(".rating-error");
    var msg = section.dataset;
    var checking = false;

    function done(text) {
      form.hidden = true;
      thanks.hidden = false;
      thanks.textContent = text;
      section.hidden = false;
      section.dispatchEvent(new CustomEvent("hall:rated", { bubbles: true }));
    }

    function showError(text) {
      error.hidden = false;
      error.textContent = text;
    }

    async function check() {
      if (checking) { return; }
      checking = true;
      try {
        var response = await fetch("/api/v1/tickets/" + encodeURIComponent(msg.publicCode) + "/rating", {
          credentials: "same-origin", headers: { Accept: "application/json" },
        });
        if (!response.ok) { return; } // no such ticket, or no ratings here: nothing to rate
        var state = await response.json();
        if (state.isRated) { done(msg.msgRated); return; }
        if (!state.isRateable) {
          if (state.notRateableReason === "period_ended") { done(msg.msgEnded); }
          return;
        }
        section.hidden = false;
        form.hidden = false;
      } catch (e) {
        /* offline: look again on the next change */
      } finally {
        checking = false;
      }
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      error.hidden = true;
      var data = new FormData(form);
      var level = Number(data.get("level"));
      if (!level) { form.querySelector("input[name=level]").focus(); return; }
      var reasons = data.getAll("reason");
      var negative = level <= 2;
      if (negative && reasons.length === 0) { showError(msg.msgReasons); return; }
      var named = negative && data.get("named") === "yes";
      var phone = String(data.get("phone") || "").trim();
      if (named && !phone) { showError(msg.msgPhone); return; }
      var dimensions = {};
      ["efficiency", "competence", "attitude"].forEach(function (name) {
        var value = data.get("dimension-" + name);
        if (value) { dimensions[name] = Number(value); }
      });
      var body = {
        publicCode: msg.publicCode,
        level: level,
        channel: msg.channel,
        dimensions: dimensions,
        reasons: negative ? reasons : [],
        comment: String(data.get("comment") || "").trim(),
        isNamed: named,
      };
      if (named) { body.callbackPhone = phone; }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        var response = await fetch("/api/v1/ratings", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(body),
        });
        if (response.ok) { done(negative ? msg.msgThanksNegative : msg.msgThanks); return; }
        if (response.status === 409) { done(msg.msgRated); return; }
        showError(msg.msgFailed);
      } catch (e) {
        showError(msg.msgFailed);
      } finally {
        button.disabled = false;
      }
    });

    // On the visitor's page the visit may finish while it is open: look again when the status part changes.
    document.body.addEventListener("htmx:afterSwap", function () {
      var card = document.querySelector("#status [data-status]");
      if (card && card.dataset.status === "completed" && section.hidden) { check(); }
    });
    form.hidden = true;
    var card = document.querySelector("#status [data-status]");
    if (!card || card.dataset.status === "completed") { check(); }
  }

  function scan(root) {
    if (root.matches && root.matches(".rating")) { init(root); }
    Array.prototype.forEach.call(root.querySelectorAll(".rating"), init);
  }

  scan(document);
  if (window.htmx) { window.htmx.onLoad(scan); }
})();
