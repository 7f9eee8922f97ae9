// On a page of nobody logged in (after a logout, or a session that ran out): the service
// worker forgets the pages it kept for whoever was logged in before (the door scanner's), so
// that the browser offline shows them to nobody. The scans it still keeps are not touched.
(function () {
  "use strict";
  var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) { worker.postMessage({ type: "hoctap-logged-out" }); }
})();
