// The online test pages (templates/assessments/attempt.html and finish.html).
// - The clock counts down each second. It has role="timer", which screen readers do not read out
//   by themselves; the time left is said politely only when it crosses the marks the page lists
//   (30, 15, 10, 5, 2, 1 minutes), and "time is up" is said at once.
//   The server enforces the limit: this only shows it.
// - The question navigator marks a question answered as soon as it is (without JavaScript it
//   shows what was saved).
(function () {
  "use strict";

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function clock() {
    var shown = document.querySelector(".test-countdown");
    if (!shown) return;
    var announcer = document.querySelector(".test-announcer");
    var alarm = document.querySelector(".test-alarm");
    var marks = Array.prototype.map.call(
      document.querySelectorAll(".test-announcements [data-at]"),
      function (item) { return { at: Number(item.dataset.at), text: item.textContent }; }
    );
    var end = Date.now() + Number(shown.dataset.seconds) * 1000;
    shown.closest(".test-clock").classList.add("is-ticking");
    var previous = null;
    function tick() {
      var ms = Math.max(0, end - Date.now());
      var left = Math.ceil(ms / 1000);
      if (previous !== null) {
        marks.forEach(function (mark) {
          if (previous > mark.at && left <= mark.at && left > 0 && announcer) {
            announcer.textContent = mark.text;
          }
        });
      }
      previous = left;
      if (left === 0) {
        shown.textContent = shown.dataset.expired;
        shown.closest(".test-clock").classList.add("is-expired");
        if (alarm) alarm.textContent = shown.dataset.expired;
        return;
      }
      var hours = Math.floor(left / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      var text = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(left % 60);
      shown.textContent = text;
      shown.closest(".test-clock").classList.toggle("is-short", left <= 300);
      // Wake up when the next second is due, so that the clock does not drift.
      window.setTimeout(tick, Math.max(ms - (left - 1) * 1000, 50));
    }
    tick();
  }

  function answered(question) {
    var inputs = question.querySelectorAll("input[type=radio], input[type=checkbox]");
    for (var i = 0; i < inputs.length; i += 1) {
      if (inputs[i].checked) return true;
    }
    var text = question.querySelector("textarea");
    return Boolean(text && text.value.trim());
  }

  function navigator() {
    var nav = document.querySelector(".test-nav[data-live]");
    var form = document.getElementById("test-form");
    if (!nav || !form) return;
    var count = nav.querySelector(".test-nav-count");
    var links = nav.querySelectorAll(".test-nav-link");
    function refresh() {
      var done = 0;
      Array.prototype.forEach.call(links, function (link) {
        var question = document.getElementById(link.dataset.target);
        var yes = Boolean(question && answered(question));
        done += yes ? 1 : 0;
        link.classList.toggle("is-answered", yes);
        var label = yes ? nav.dataset.answered : nav.dataset.unanswered;
        link.setAttribute("aria-label", label.replace("%(n)s", link.dataset.number));
      });
      if (count) {
        count.textContent = nav.dataset.template
          .replace("%(answered)s", done)
          .replace("%(total)s", links.length);
      }
    }
    form.addEventListener("change", refresh);
    form.addEventListener("input", refresh);
  }

  clock();
  navigator();
})();
