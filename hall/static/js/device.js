// Device set-up: a manager may open /device#hk_... so the token is filled in without reaching any server log.
(function () {
  "use strict";
  var hash = window.location.hash.slice(1);
  if (/^h[kd]_/.test(hash)) {
    var input = document.getElementById("token");
    input.value = decodeURIComponent(hash);
    history.replaceState(null, "", window.location.pathname + window.location.search);
    document.getElementById("device-form").requestSubmit();
  }
})();
