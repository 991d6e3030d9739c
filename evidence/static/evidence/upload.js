/* Several files at once, with progress, resumable after a dropped connection.
   Each file is announced (POST .../uploads/ -> id and url), then sent in chunks of raw bytes
   (POST url?offset=N). After a network failure the script asks the server how much it holds
   (GET url) and goes on from there; the upload id is kept in localStorage, so choosing the same
   file again after a reload resumes it too. Without JavaScript the form posts the files. */
(function () {
  "use strict";
  var CHUNK = 4 * 1024 * 1024;
  var RETRIES = 8;

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function key(file) {
    return "rpl-upload:" + file.name + ":" + file.size + ":" + file.lastModified;
  }

  function request(method, url, token, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("Accept", "application/json");
      if (body instanceof Blob) {
        xhr.setRequestHeader("Content-Type", "application/octet-stream");
      } else if (body) {
        xhr.setRequestHeader("Content-Type", "application/json");
      }
      if (onProgress) {
        xhr.upload.addEventListener("progress", function (event) { onProgress(event.loaded); });
      }
      xhr.onload = function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = {}; }
        resolve({ status: xhr.status, data: data });
      };
      xhr.onerror = function () { reject(new Error("network")); };
      xhr.send(body || null);
    });
  }

  function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function row(list, file) {
    var li = document.createElement("li");
    var name = document.createElement("span");
    name.className = "portal-progress-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = file.size || 1;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var status = document.createElement("span");
    status.className = "portal-progress-status";
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(status);
    list.appendChild(li);
    return { li: li, bar: bar, status: status };
  }

  async function send(form, file, ui, msg) {
    var token = csrf(form);
    var state = null;
    var saved = localStorage.getItem(key(file));
    if (saved) {
      var probe = await request("GET", saved, token).catch(function () { return null; });
      if (probe && probe.status === 200 && !probe.data.done) { state = probe.data; }
      else { localStorage.removeItem(key(file)); }
    }
    if (!state) {
      var started = await request("POST", form.dataset.startUrl, token,
        JSON.stringify({ name: file.name, size: file.size }));
      if (started.status !== 201) { throw started.data; }
      state = started.data;
      localStorage.setItem(key(file), state.url);
    }
    var failures = 0;
    while (state.offset < file.size) {
      var offset = state.offset;
      var end = Math.min(offset + CHUNK, file.size);
      ui.status.textContent = msg.sending;
      try {
        var answer = await request("POST", state.url + "?offset=" + offset, token,
          file.slice(offset, end), function (loaded) { ui.bar.value = offset + loaded; });
        if (answer.status === 200) {
          state = answer.data;
          failures = 0;
        } else if (answer.status === 409 && answer.data.offset !== undefined) {
          state.offset = answer.data.offset;
        } else {
          localStorage.removeItem(key(file));
          throw answer.data;
        }
      } catch (error) {
        if (error && error.error) { throw error; }
        failures += 1;
        if (failures > RETRIES) { throw { error: msg.error }; }
        ui.status.textContent = msg.retry;
        await wait(Math.min(1000 * Math.pow(2, failures - 1), 15000));
        var status = await request("GET", state.url, token).catch(function () { return null; });
        if (status && status.status === 200) { state = status.data; }
      }
      ui.bar.value = state.offset;
    }
    localStorage.removeItem(key(file));
    ui.bar.value = file.size || 1;
    ui.status.textContent = msg.done;
  }

  function enhance(form) {
    var input = form.querySelector("input[type=file]");
    var progress = form.querySelector(".portal-progress");
    var msg = {};
    ["sending", "done", "retry", "failed", "finished", "error", "show"].forEach(function (name) {
      msg[name] = progress.getAttribute("data-msg-" + name) || name;
    });
    form.addEventListener("submit", async function (event) {
      if (!input.files.length || !window.fetch) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      progress.textContent = "";
      var list = document.createElement("ul");
      list.className = "portal-progress-list";
      progress.appendChild(list);
      var errors = [];
      var files = Array.prototype.slice.call(input.files);
      for (var i = 0; i < files.length; i += 1) {
        var ui = row(list, files[i]);
        try {
          await send(form, files[i], ui, msg);
        } catch (error) {
          ui.li.classList.add("portal-progress-failed");
          ui.status.textContent = msg.failed + ": " + ((error && error.error) || msg.error);
          errors.push(ui.status.textContent);
        }
      }
      button.disabled = false;
      input.value = "";
      if (!errors.length) {
        var note = document.createElement("p");
        note.textContent = msg.finished;
        progress.appendChild(note);
        window.location.assign(form.dataset.doneUrl);
      } else {
        var alert = document.createElement("div");
        alert.className = "alert alert-error";
        alert.setAttribute("role", "alert");
        var list2 = document.createElement("ul");
        errors.forEach(function (text) {
          var li = document.createElement("li");
          li.textContent = text;
          list2.appendChild(li);
        });
        alert.appendChild(list2);
        var link = document.createElement("a");
        link.href = form.dataset.doneUrl;
        link.textContent = msg.show;
        progress.appendChild(alert);
        progress.appendChild(link);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.portal-upload").forEach(enhance);
  });
})();
