// Makes the member's phone an installable app that keeps scans without network (issue 16):
// registers the service worker (static/js/sw.js, served at /sw.js), tells it who is logged in
// (a kept scan is sent as that member only), and asks it to send any scan it still keeps.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) { return; }
  navigator.serviceWorker
    .register(script.dataset.worker, { scope: "/", updateViaCache: "all" })
    .then(function () { return navigator.serviceWorker.ready; })
    .then(function (registration) {
      registration.active.postMessage({ type: "hoctap-user", user: Number(script.dataset.user) });
      registration.active.postMessage({ type: "hoctap-send" });
    })
    .catch(function () {});  // no service worker (private mode, old browser): scans go online
})();
