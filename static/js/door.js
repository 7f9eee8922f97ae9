// The door scanner: reads a member's personal QR with the camera where the browser has
// BarcodeDetector (Chrome on Android), and submits it; everywhere else the card number field
// does the job.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var video = document.getElementById("camera");
  var form = document.getElementById("door-form");
  var input = document.getElementById("id_code");
  var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
    .then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      return video.play();
    })
    .then(function scan() {
      detector.detect(video).then(function (codes) {
        var hit = codes.find(function (c) { return c.rawValue.indexOf("HTDV:") === 0; });
        if (hit) { input.value = hit.rawValue; form.submit(); return; }
        requestAnimationFrame(scan);
      }).catch(function () { requestAnimationFrame(scan); });
    })
    .catch(function () { video.hidden = true; });
})();
