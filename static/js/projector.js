// The projector: a new QR every few seconds (polled, so it works without WebSockets) and a live
// counter pushed over a WebSocket (static/js/live.js: when the push fails, the same behaviour
// as every live page). Before the segment's check-in opens it shows when, and no code; it
// switches to the code by itself when the time comes.
//
// It holds the codes of the coming windows (each refused by the server before its own window
// begins), so when the network drops the QR keeps changing on time and the hall keeps
// scanning; under the counter it then says the count is old and from when. When the codes
// held run out it shows no code rather than one every phone would be refused.
(function () {
  "use strict";
  var FETCH_TIMEOUT = 8000;  // a fetch hanging on a dead network counts as failed after this
  var STALE_AFTER = 15000;   // no answer for this long: the count is said to be old
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
  var stale = document.getElementById("stale");
  var timer = null;
  var opening = null;  // when check-in opens, in this browser's clock

  // The codes held, by window, and where the windows fall in this browser's clock: the window
  // `anchor` ends at `anchorEnd`, and each later one lasts `rotate` ms.
  var held = {};
  var anchor = null, anchorEnd = 0, rotate = 0;
  var isOpen = notOpen.hidden;
  var answeredAt = Date.now();  // the page itself came with the count
  var failing = false;

  function hold(state) {
    var now = Date.now();
    if (!state.open) {
      held = {};
      anchor = null;
      return;
    }
    var kept = {};
    Object.keys(held).forEach(function (key) {
      if (Number(key) > state.window) { kept[key] = held[key]; }
    });
    kept[state.window] = state;
    state.ahead.forEach(function (coming) { kept[coming.window] = coming; });
    held = kept;
    anchor = state.window;
    anchorEnd = now + state.seconds_left * 1000;
    rotate = state.rotate * 1000;
  }

  function lastHeld() {
    var windows = Object.keys(held).map(Number);
    return windows.length ? Math.max.apply(null, windows) : 0;
  }

  // The code of the window this browser's clock is in, if it is held; else the one before,
  // which the server still accepts (a token is good in its window and the next).
  function codeNow() {
    if (anchor === null) { return null; }
    var now = Date.now();
    var at = now < anchorEnd ? anchor : anchor + 1 + Math.floor((now - anchorEnd) / rotate);
    return held[at] || held[at - 1] || null;
  }

  function clockTime(moment) {
    var date = new Date(moment);
    return [date.getHours(), date.getMinutes(), date.getSeconds()].map(function (n) {
      return (n < 10 ? "0" : "") + n;
    }).join(":");
  }

  function show() {
    var current = codeNow();
    notOpen.hidden = isOpen;
    if (isOpen && anchor !== null) {
      qr.hidden = codeBox.hidden = !current;
      if (!current) {
        qr.innerHTML = code.textContent = qr.dataset.url = "";
      } else if (qr.dataset.url !== current.url) {
        qr.innerHTML = current.svg;
        qr.dataset.url = current.url;
        code.textContent = current.code;
      }
    }
    var old = failing || Date.now() - answeredAt > STALE_AFTER;
    var text = "";
    if (old) {
      var pattern = isOpen && anchor !== null && !current ? stale.dataset.runOut : stale.dataset.pattern;
      text = pattern.replace("{time}", clockTime(answeredAt));
    }
    if (stale.textContent !== text) { stale.textContent = text; }
  }

  function apply(state) {
    isOpen = state.open;
    hold(state);
    if (state.open) {
      opening = null;
    } else {
      qr.innerHTML = code.textContent = qr.dataset.url = "";
      qr.hidden = codeBox.hidden = true;
      opensAt.textContent = state.notice;
      opening = Date.now() + state.opens_in * 1000;
    }
    checkedIn.textContent = state.checked_in;
    expected.textContent = state.expected;
    show();
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
    var abort = new AbortController();
    var giveUp = setTimeout(function () { abort.abort(); }, FETCH_TIMEOUT);
    var url = stateUrl + "&held=" + lastHeld();
    return fetch(url, { credentials: "same-origin", cache: "no-store", signal: abort.signal })
      .then(function (r) {
        if (r.redirected) { throw new Error(window.hoctapLive.LOGGED_OUT); }
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      })
      .then(function (state) {
        clearTimeout(giveUp);
        failing = false;
        answeredAt = Date.now();
        apply(state);
        schedule(Math.max(1, state.seconds_left) * 1000 + 200);
      }, function (error) {
        clearTimeout(giveUp);
        // Logged out: the login page answers every time, so the projector waits for a reload.
        if (error.message !== window.hoctapLive.LOGGED_OUT) {
          failing = true;
          show();
          schedule(3000);
        }
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
  setInterval(function () { show(); countdown(); }, 1000);
  schedule(300);  // at once: the codes ahead come with the first answer
})();
