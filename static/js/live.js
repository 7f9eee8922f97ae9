// Live pages (the live board, the projector): figures pushed over WebSockets, and one behaviour
// on every such page when the push fails.
//   - A socket that drops, or cannot open (Redis down), is retried with a growing pause while
//     the page fetches its figures every 10 s and shows how old they are
//     ("cập nhật 12 giây trước"); when the socket is back, the polling stops.
//   - A socket refused for lack of rights is closed by the server with the app's own code
//     (4401 not logged in, 4403 not allowed): the page stops reconnecting and says why; it
//     still fetches what the page itself may show every 10 s (a cell's secretary on the live
//     board of a bloc-wide session sees their cell, not the bloc's pushed counts).
//   - A fetch that lands on the login page means the login has ended: everything stops, and
//     the page says so.
//
// hoctapLive({paths, refresh, onMessage, status}) starts it: `refresh()` fetches the page's
// figures and returns a Promise (rejected with hoctapLive.LOGGED_OUT after a redirect to the
// login); `onMessage(data, refresh)` handles a pushed message (default: refresh); `status` is
// the element of attendance/_live_status.html, which carries the translated texts.
// It returns {refresh}: the page's own fetches go through it, so the age stays true.
(function () {
  "use strict";
  var REFUSED = [4401, 4403];
  var POLL_EVERY = 10000;   // while the socket is away
  var CHECK_EVERY = 60000;  // while it is live, in case a push was lost
  var RETRY_MAX = 30000;
  // The server pushes at most one message a second per segment (attendance.services._announce):
  // what is recorded in the second after a push is told by the next one, or at the end of a
  // burst by none. One more fetch this long after the last push shows it.
  var SETTLE_AFTER = 1500;

  function format(pattern, name, value) {
    return pattern.replace("{" + name + "}", value);
  }

  var LOGGED_OUT = "logged-out";

  window.hoctapLive = function (options) {
    var status = options.status;
    var texts = status ? status.dataset : {};
    var stateText = status && status.querySelector(".live-state");
    var ageText = status && status.querySelector(".live-age");
    var paths = (options.paths || []).filter(Boolean);
    var sockets = [];
    var open = 0;
    var mode = "";
    var lastFresh = Date.now();
    var trusted = false;  // live, and the figures caught up: they are current until it drops
    var poller = null;
    var settle = null;
    var stopped = false;  // no socket is opened again

    function show() {
      if (!status) { return; }
      status.dataset.mode = mode;
      var text = texts[mode] || "";
      if (stateText.textContent !== text) { stateText.textContent = text; }
      var age = "";
      if (mode && mode !== "live") {
        var seconds = Math.max(0, Math.round((Date.now() - lastFresh) / 1000));
        if (seconds < 2) {
          age = texts.ageNow;
        } else if (seconds < 120) {
          age = format(texts.ageSeconds, "seconds", seconds);
        } else {
          age = format(texts.ageMinutes, "minutes", Math.floor(seconds / 60));
        }
      }
      ageText.textContent = age;
    }

    function fresh() {
      lastFresh = Date.now();
      if (mode === "live") { trusted = true; }
      show();
    }

    // One fetch at a time: pushes arriving meanwhile are answered by one more fetch after it.
    var inFlight = null, again = false;
    function refresh() {
      if (inFlight) { again = true; return inFlight; }
      inFlight = Promise.resolve()
        .then(options.refresh)
        .then(fresh, function (error) {
          if (error && error.message === LOGGED_OUT) { stop(); enter("loggedOut"); } else { show(); }
        })
        .then(function () {
          inFlight = null;
          if (again) { again = false; refresh(); }
        });
      return inFlight;
    }

    function poll(every) {
      clearInterval(poller);
      poller = every ? setInterval(refresh, every) : null;
    }

    function enter(next) {
      if (mode === next) { return; }
      if (mode === "live" && trusted) { lastFresh = Date.now(); }  // current until now
      var wasAway = mode === "paused";
      mode = next;
      trusted = mode === "live" && !wasAway;  // the page was just drawn with them
      if (mode === "live") {
        poll(CHECK_EVERY);
        if (wasAway) { refresh(); }  // what was missed while away
      } else if (mode === "paused" || mode === "refused") {
        poll(POLL_EVERY);
      } else {
        poll(0);  // logged out: nothing more will come
      }
      show();
    }

    function stop() {
      stopped = true;
      sockets.slice().forEach(function (socket) { socket.close(); });
    }

    function watch(path, retry) {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + location.host + path);
      var opened = false;
      sockets.push(socket);
      socket.onopen = function () {
        opened = true;
        retry = 1000;
        open += 1;
        if (open === paths.length) { enter("live"); }
      };
      socket.onmessage = function (event) {
        var data = null;
        try { data = JSON.parse(event.data); } catch (error) { return; }
        if (options.onMessage) { options.onMessage(data, refresh); } else { refresh(); }
        clearTimeout(settle);
        settle = setTimeout(refresh, SETTLE_AFTER);
      };
      socket.onclose = function (event) {
        sockets.splice(sockets.indexOf(socket), 1);
        if (opened) { open -= 1; }
        if (stopped) { return; }
        if (REFUSED.indexOf(event.code) !== -1) {
          stop();
          enter("refused");
          return;
        }
        enter("paused");
        setTimeout(function () { watch(path, Math.min(retry * 2, RETRY_MAX)); }, retry);
      };
    }

    if (!("WebSocket" in window) || !paths.length) {
      enter("paused");
    } else {
      paths.forEach(function (path) { watch(path, 1000); });
    }
    setInterval(show, 1000);  // the age of the figures, while they are not live
    return { refresh: refresh };
  };
  window.hoctapLive.LOGGED_OUT = LOGGED_OUT;

  // The live board of a session: its fragment is fetched again when a count changes.
  var board = document.getElementById("board");
  if (board) {
    window.hoctapLive({
      paths: (board.dataset.wsPaths || "").split(" "),
      status: document.getElementById("live-status"),
      refresh: function () {
        return fetch(board.dataset.fragmentUrl, { credentials: "same-origin", cache: "no-store" })
          .then(function (r) {
            if (r.redirected) { throw new Error(LOGGED_OUT); }  // the login page is no board
            if (!r.ok) { throw new Error(r.status); }
            return r.text();
          })
          .then(function (html) { board.innerHTML = html; });
      }
    });
  }
})();
