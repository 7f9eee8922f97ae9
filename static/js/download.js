// A download prepared in the background: follow its progress every 2 s, then show the link
// (the page reloads once the file is ready or has failed).
(function () {
  "use strict";
  var box = document.getElementById("download");
  var bar = document.getElementById("download-progress");
  if (!box || !bar) { return; }
  var percent = document.getElementById("download-percent");
  var label = document.getElementById("download-state");
  var url = box.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return window.setTimeout(poll, 2000); }
        if (state.finished) { window.location.reload(); return; }
        if (state.progress > 0) { bar.value = state.progress; }
        if (label && state.status === "running") { label.textContent = label.getAttribute("data-running"); }
        if (percent) { percent.textContent = String(state.progress); }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
})();
