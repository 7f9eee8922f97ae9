// The projector: a new QR every few seconds (polled, so it works without WebSockets) and a live
// counter pushed over a WebSocket that reconnects by itself.
(function () {
  "use strict";
  var body = document.body;
  var stateUrl = body.dataset.stateUrl;
  var qr = document.getElementById("qr");
  var code = document.getElementById("code");
  var checkedIn = document.getElementById("checked-in");
  var expected = document.getElementById("expected");
  var timer = null;

  function refresh() {
    fetch(stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (state) {
        if (qr.dataset.url !== state.url) {
          qr.innerHTML = state.svg;
          qr.dataset.url = state.url;
        }
        code.textContent = state.code;
        checkedIn.textContent = state.checked_in;
        expected.textContent = state.expected;
        schedule(Math.max(1, state.seconds_left) * 1000 + 200);
      })
      .catch(function () { schedule(3000); });
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(refresh, Math.min(ms, 5000));
  }

  var retry = 1000;
  function connect() {
    if (!("WebSocket" in window)) { return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + body.dataset.wsPath);
    socket.onopen = function () { retry = 1000; };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "count") { refresh(); }
    };
    socket.onclose = function () {
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  schedule(Number(body.dataset.secondsLeft || 5) * 1000 + 200);
  connect();
})();
