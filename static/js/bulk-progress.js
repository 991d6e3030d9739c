// Bulk issuing job page: poll the job's progress and update the bar and the numbers; reload the
// page once the job has finished, so that the result and any errors are shown. Without
// JavaScript the page has a "Refresh" link.
(function () {
  "use strict";
  var section = document.getElementById("bulk-progress");
  if (!section || section.dataset.finished === "true") return;
  var url = section.dataset.progressUrl;
  var bar = document.getElementById("bulk-progress-bar");
  var text = document.getElementById("bulk-progress-text");
  var template = text ? text.textContent : "";

  function update(data) {
    if (bar) {
      bar.max = data.total || 1;
      bar.value = data.processed;
      bar.textContent = data.percent + "%";
    }
    if (text && template) {
      // Replace the two numbers of the translated sentence, keeping its words.
      var n = 0;
      text.textContent = template.replace(/\d+/g, function (match) {
        n += 1;
        if (n === 1) return String(data.processed);
        if (n === 2) return String(data.total);
        return match;
      });
    }
    section.querySelectorAll("[data-field]").forEach(function (node) {
      var value = data[node.dataset.field];
      if (value !== undefined) node.textContent = String(value);
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        update(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 10000);
      });
  }

  window.setTimeout(poll, 2000);
})();
