// Counts down the time left in an online test. The server enforces the limit; this only shows it.
(function () {
  "use strict";
  var clock = document.querySelector(".test-countdown");
  if (!clock) return;
  var end = Date.now() + Number(clock.dataset.seconds) * 1000;
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    if (left === 0) {
      clock.textContent = clock.dataset.expired;
      clock.setAttribute("role", "alert");
      return;
    }
    var minutes = Math.floor(left / 60);
    clock.textContent = minutes + ":" + pad(left % 60);
    window.setTimeout(tick, 1000);
  }
  tick();
})();
