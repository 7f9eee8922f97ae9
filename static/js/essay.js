// Essay autosave: every change is kept in this browser at once and sent to the server a moment
// later, so a dropped connection loses nothing; the draft comes back from the browser if the
// page is reopened before the server got it.
(function () {
  "use strict";
  var form = document.getElementById("essay-form");
  var state = document.getElementById("autosave-state");
  var key = form.dataset.storageKey;
  var revision = form.elements.revision;
  var timer = null, sending = false, dirty = false, pendingSubmit = null;

  function fields() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "csrfmiddlewaretoken" && el.name !== "revision" && el.type !== "submit") { data[el.name] = el.value; }
    });
    return data;
  }

  function keep() {
    try { localStorage.setItem(key, JSON.stringify({ revision: revision.value, fields: fields() })); } catch (e) {}
  }

  function restore() {
    try {
      var saved = JSON.parse(localStorage.getItem(key) || "null");
      if (!saved || saved.revision !== revision.value) { return; }
      var changed = false;
      Object.keys(saved.fields).forEach(function (name) {
        var el = form.elements[name];
        if (el && el.value !== saved.fields[name]) { el.value = saved.fields[name]; changed = true; }
      });
      if (changed) { dirty = true; schedule(500); }
    } catch (e) {}
  }

  function send() {
    if (sending || !dirty) { return; }
    sending = true; dirty = false;
    var body = new FormData(form);
    fetch(form.dataset.autosaveUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (json) { return { ok: r.ok, json: json }; }); })
      .then(function (result) {
        if (result.ok) {
          revision.value = result.json.revision;
          keep();
          state.textContent = form.dataset.savedLabel + " " + result.json.saved_at;
        } else {
          state.textContent = result.json.error;
        }
      })
      .catch(function () { dirty = true; state.textContent = form.dataset.offlineLabel; schedule(10000); })
      .then(function () {
        sending = false;
        if (pendingSubmit) { var button = pendingSubmit; pendingSubmit = null; form.requestSubmit(button); return; }
        if (dirty) { schedule(3000); }
      });
  }

  function schedule(ms) { clearTimeout(timer); timer = setTimeout(send, ms); }

  form.addEventListener("input", function () { dirty = true; keep(); schedule(2000); });
  form.addEventListener("submit", function (event) {
    // A save in flight would make this page's revision stale: submit once it has landed.
    clearTimeout(timer);
    if (sending) { event.preventDefault(); pendingSubmit = event.submitter; return; }
    keep();
  });
  window.addEventListener("online", function () { schedule(500); });
  restore();
  // Text typed before this script ran (a fast typist on a slow phone) is saved too.
  var typedEarly = Array.prototype.some.call(form.elements, function (el) {
    return (el.tagName === "TEXTAREA" || el.type === "text") && el.value !== el.defaultValue;
  });
  if (typedEarly) { dirty = true; keep(); schedule(500); }
})();
