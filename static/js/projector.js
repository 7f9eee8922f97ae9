// The projector: a new QR every few seconds (polled, so it works without WebSockets) and a live
// counter pushed over a WebSocket (static/js/live.js: when the push fails, the same behaviour
// as every live page). Before the segment's check-in opens it shows when, and no code; it
// switches to the code by itself when the time comes.
(function () {
  "use strict";
  var body = document.body;
  var stateUrl = body.dataset.stateUrl;
  var qr = document.getElementById("qr");
  var code = document.getElementById("code");
  var codeBox = document.getElementById("code-box");
  var notOpen = document.getElementById("not-open");
  var opensAt = document.getElementById("opens-at");
  var opensIn = document.getElementById("opens-in");
  var checkedIn = document.getElementById("checked-in");
  var expected = document.getElementById("expected");
  var timer = null;
  var opening = null;  // when check-in opens, in this browser's clock

  function apply(state) {
    notOpen.hidden = state.open;
    qr.hidden = codeBox.hidden = !state.open;
    if (state.open) {
      opening = null;
      if (qr.dataset.url !== state.url) {
        qr.innerHTML = state.svg;
        qr.dataset.url = state.url;
      }
      code.textContent = state.code;
    } else {
      qr.innerHTML = code.textContent = qr.dataset.url = "";
      opensAt.textContent = state.notice;
      opening = Date.now() + state.opens_in * 1000;
    }
    checkedIn.textContent = state.checked_in;
    expected.textContent = state.expected;
    countdown();
  }

  function clock(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var mm = (h && m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return (h ? h + ":" : "") + mm + ":" + ss;
  }

  function countdown() {
    if (opening === null) { opensIn.textContent = ""; return; }
    var left = Math.max(0, Math.ceil((opening - Date.now()) / 1000));
    opensIn.textContent = opensIn.dataset.pattern.replace("{time}", clock(left));
  }

  function fetchState() {
    return fetch(stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.redirected) { throw new Error(window.hoctapLive.LOGGED_OUT); }
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      })
      .then(function (state) {
        apply(state);
        schedule(Math.max(1, state.seconds_left) * 1000 + 200);
      }, function (error) {
        // Logged out: the login page answers every time, so the projector waits for a reload.
        if (error.message !== window.hoctapLive.LOGGED_OUT) { schedule(3000); }
        throw error;
      });
  }

  var live = window.hoctapLive({
    paths: [body.dataset.wsPath],
    status: document.getElementById("live-status"),
    refresh: fetchState,
    onMessage: function (data, refresh) { if (data.type === "count") { refresh(); } }
  });

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(live.refresh, Math.min(ms, 5000));
  }

  if (notOpen.hidden === false) {
    opening = Date.now() + Number(body.dataset.opensIn || 0) * 1000;
  }
  countdown();
  setInterval(countdown, 1000);
  schedule(Number(body.dataset.secondsLeft || 5) * 1000 + 200);
})();
