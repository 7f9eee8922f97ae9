// Essay autosave: every change is kept in this browser at once and sent to the server a moment
// later, so a dropped connection loses nothing. The browser copy stays until the server has
// it, and comes back when the page is reopened. A copy the server refuses because a newer one
// was saved (another tab or device) is kept there too: both copies are then shown, and nothing
// is sent until the member keeps theirs or takes the saved one.
(function () {
  "use strict";
  var form = document.getElementById("essay-form");
  var state = document.getElementById("autosave-state");
  var panel = document.getElementById("essay-conflict");
  var key = form.dataset.storageKey;
  var revision = form.elements.revision;
  var settles = form.elements.settles;
  var savedRevision = form.elements.saved_revision;
  var timer = null, sending = false, dirty = false, edited = false, pendingSubmit = null;
  var conflict = !panel.hidden, savedCopy = conflict ? JSON.parse(panel.dataset.saved) : null;
  var tab = tabId();
  var ALIVE = 15000;  // a tab that has not said it is open for this long is gone

  // One browser copy per tab (two tabs must not overwrite each other's unsaved text); the
  // tab's id survives a reload of the tab.
  function tabId() {
    try {
      var id = sessionStorage.getItem("hoctap-tab");
      if (!id) {
        id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
        sessionStorage.setItem("hoctap-tab", id);
      }
      return id;
    } catch (e) { return "tab"; }
  }

  function fields() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "hidden" && el.type !== "submit") { data[el.name] = el.value; }
    });
    return data;
  }

  function fill(values) {
    Object.keys(fields()).forEach(function (name) { form.elements[name].value = values[name] || ""; });
  }

  // The text as the server keeps it: trimmed, NFC, one kind of line end, empty plan rows dropped.
  function canonical(values) {
    var sections = {}, rows = {};
    Object.keys(values).forEach(function (name) {
      var value = String(values[name] || "").replace(/\r\n?/g, "\n").normalize("NFC").trim();
      var match = /^plan-(\d+)-(\w+)$/.exec(name);
      if (match) { (rows[match[1]] = rows[match[1]] || {})[match[2]] = value; } else { sections[name] = value; }
    });
    var plan = Object.keys(rows).sort().map(function (i) { return rows[i]; }).filter(function (row) {
      return Object.keys(row).some(function (k) { return row[k]; });
    }).map(function (row) { return Object.keys(row).sort().map(function (k) { return row[k]; }); });
    return JSON.stringify([Object.keys(sections).sort().map(function (k) { return [k, sections[k]]; }), plan]);
  }

  function same(a, b) { return canonical(a) === canonical(b); }

  function copies() {
    try {
      var all = JSON.parse(localStorage.getItem(key) || "{}") || {};
      return all.fields ? { old: all } : all;  // the single copy of earlier versions
    } catch (e) { return {}; }
  }

  function store(all) {
    try {
      if (Object.keys(all).length) { localStorage.setItem(key, JSON.stringify(all)); } else { localStorage.removeItem(key); }
    } catch (e) {}
  }

  // The copy is kept with the revision it was written on: during a conflict that is still the
  // older one, so a reload shows the conflict again instead of saving over the newer copy.
  // `seen` says the tab is still open (another tab does not take over its copy meanwhile).
  function keep() {
    var all = copies(), now = Date.now();
    all[tab] = { revision: revision.value, fields: fields(), at: now, seen: now };
    store(all);
  }

  function touch(seen) { var all = copies(); if (all[tab]) { all[tab].seen = seen; store(all); } }

  function forget() { var all = copies(); delete all[tab]; store(all); }

  function showConflict(answer) {
    conflict = true; pendingSubmit = null; clearTimeout(timer);
    savedCopy = answer.saved.fields;
    savedRevision.value = answer.saved.revision;
    settles.value = answer.settles;
    Array.prototype.forEach.call(panel.querySelectorAll("[data-saved-field]"), function (el) {
      el.value = savedCopy[el.dataset.savedField] || "";
    });
    var plan = panel.querySelector("[data-saved-plan]");
    plan.textContent = "";
    for (var i = 0; savedCopy["plan-" + i + "-content"] !== undefined; i++) {
      var parts = [];
      Object.keys(savedCopy).forEach(function (name) {
        if (name.indexOf("plan-" + i + "-") === 0 && savedCopy[name]) { parts.push(savedCopy[name]); }
      });
      var item = document.createElement("li");
      item.textContent = parts.join(" · ");
      plan.appendChild(item);
    }
    panel.querySelector("[data-saved-at]").textContent = answer.saved.saved_at;
    panel.hidden = false;
    state.textContent = answer.error;
    panel.scrollIntoView({ block: "start" });
  }

  function endConflict() {
    conflict = false; savedCopy = null; panel.hidden = true;
    settles.value = ""; savedRevision.value = "";
  }

  // `choosing`: the member chose a copy in a conflict; the form then carries `settles` and the
  // saved copy's revision, on top of which the server saves the choice.
  function send(choosing) {
    if (sending || (!choosing && (!dirty || conflict))) { return; }
    sending = true; dirty = false;
    var body = new FormData(form);
    fetch(form.dataset.autosaveUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (json) { return { ok: r.ok, json: json }; }); })
      .then(function (result) {
        if (result.ok) {
          revision.value = result.json.revision;
          if (choosing) { endConflict(); }
          if (dirty) { keep(); } else { forget(); }  // the server has it: the browser copy may go
          state.textContent = form.dataset.savedLabel + " " + result.json.saved_at;
        } else if (result.json.saved) {
          showConflict(result.json);
        } else {
          state.textContent = result.json.error;
        }
      })
      .catch(function () {
        dirty = true; state.textContent = form.dataset.offlineLabel;
        if (!choosing) { schedule(10000); }
      })
      .then(function () {
        sending = false;
        if (pendingSubmit && !conflict) { var button = pendingSubmit; pendingSubmit = null; form.requestSubmit(button); return; }
        pendingSubmit = null;
        if (dirty && !conflict) { schedule(3000); }
      });
  }

  function schedule(ms) { clearTimeout(timer); if (!conflict) { timer = setTimeout(send, ms); } }

  function choose(which) {
    if (sending) { return; }
    if (which === "saved") { fill(savedCopy); }
    send(true);
  }

  form.addEventListener("input", function () { dirty = true; edited = true; keep(); schedule(2000); });
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    var button = event.submitter;
    if (button && button.name === "keep") { event.preventDefault(); choose(button.value); return; }
    if (conflict) {
      event.preventDefault();
      state.textContent = form.dataset.chooseLabel;
      panel.scrollIntoView({ block: "start" });
      return;
    }
    // A save in flight would make this page's revision stale: submit once it has landed.
    if (sending) { event.preventDefault(); pendingSubmit = button; return; }
    keep();
  });
  window.addEventListener("online", function () { schedule(500); });
  setInterval(function () { touch(Date.now()); }, ALIVE / 3);
  window.addEventListener("pagehide", function () { touch(0); });  // closed: its copy is free
  window.addEventListener("pageshow", function () { touch(Date.now()); });

  // Reopened: a browser copy the server does not have yet comes back into the boxes. Written
  // on the revision the page shows, it is simply newer and is saved; written on an older one,
  // it is sent as it was, and the server answers with the saved copy if the two differ.
  // Another tab's copy is taken over only once that tab is gone (closed, or the browser was).
  function restore() {
    var all = copies(), shown = fields(), now = Date.now();
    Object.keys(all).forEach(function (id) { if (!all[id].fields || same(all[id].fields, shown)) { delete all[id]; } });
    store(all);
    var gone = Object.keys(all).filter(function (id) { return id !== tab && !(now - (all[id].seen || 0) < ALIVE); });
    var id = all[tab] ? tab : gone.sort(function (a, b) { return (all[b].at || 0) - (all[a].at || 0); })[0];
    if (!id) {
      // A tab that says it is open may have just been closed without saying so: look again later.
      if (Object.keys(all).length) { setTimeout(function () { if (!conflict && !edited) { restore(); } }, ALIVE + 1000); }
      return;
    }
    var copy = all[id];
    delete all[id];
    store(all);
    fill(copy.fields);
    if (!conflict) {
      if (copy.revision) { revision.value = copy.revision; }
      dirty = true; schedule(500);
    }
    keep();
  }

  // Text typed before this script ran (a fast typist on a slow phone) is the newest of all.
  var typedEarly = Array.prototype.some.call(form.elements, function (el) {
    return (el.tagName === "TEXTAREA" || el.type === "text") && el.name && el.value !== el.defaultValue;
  });
  if (typedEarly) { dirty = true; keep(); schedule(500); } else { restore(); }
})();
