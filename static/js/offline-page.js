// The pages about scans kept on the phone (issue 16): the one the service worker shows for a
// scan made without network, and the member's list of scans sent later. Asks the service
// worker to send what it keeps now, whenever the network comes back, and every few seconds
// while a scan is still waiting (Safari has no Background Sync: the page open does the work).
(function () {
  "use strict";
  var RETRY_MS = 10000;
  if (!("serviceWorker" in navigator)) { return; }
  var kept = document.getElementById("offline-scan");
  var state = document.getElementById("offline-state");
  var waiting = document.getElementById("offline-waiting");
  var delivered = false;

  function ask() {
    navigator.serviceWorker.ready.then(function (registration) {
      registration.active.postMessage({ type: "hoctap-send" });
    });
  }

  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "hoctap-waiting" && waiting) {
      waiting.hidden = !data.count;
      var count = waiting.querySelector("b");
      if (count) { count.textContent = data.count; }
    }
    if (data.type !== "hoctap-sent") { return; }
    if (kept) {
      var mine = (data.results || []).filter(function (r) {
        return r.client_id === kept.dataset.clientId;
      })[0];
      if (!mine) { return; }
      delivered = true;
      kept.classList.remove("queued");
      kept.classList.add(mine.state === "refused" ? "failed" : mine.state === "pending" ? "late" : "ok");
      kept.dataset.state = mine.state;
      state.textContent = mine.message;
      var heading = kept.querySelector("h1");
      if (heading && kept.dataset[mine.state]) { heading.textContent = kept.dataset[mine.state]; }
      var mark = kept.querySelector(".big-mark");
      if (mark) { mark.textContent = mine.state === "refused" ? "\u2715" : "\u2713"; }
      var advice = document.getElementById("offline-nosync");
      if (advice) { advice.hidden = true; }
    } else if ((data.results || []).length) {
      window.location.reload();  // the list comes from the server: show what they came to
    }
  });

  window.addEventListener("online", ask);
  ask();
  var timer = window.setInterval(function () {
    if (delivered || (!kept && waiting && waiting.hidden)) { window.clearInterval(timer); return; }
    ask();
  }, RETRY_MS);
})();
