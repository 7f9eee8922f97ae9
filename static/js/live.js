// The live board: redrawn when a segment's count changes (WebSocket) and every 10 s regardless.
(function () {
  "use strict";
  var board = document.getElementById("board");
  var url = board.dataset.fragmentUrl;
  var pending = false;

  function redraw() {
    if (pending) { return; }
    pending = true;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { board.innerHTML = html; })
      .catch(function () {})
      .then(function () { pending = false; });
  }

  function watch(path, retry) {
    if (!("WebSocket" in window)) { return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + path);
    socket.onmessage = redraw;
    socket.onopen = function () { retry = 1000; };
    socket.onclose = function (event) {
      if (event.code === 4403) { return; }  // not allowed: the periodic redraw still runs
      setTimeout(function () { watch(path, Math.min(retry * 2, 30000)); }, retry);
    };
  }

  (board.dataset.wsPaths || "").split(" ").filter(Boolean).forEach(function (p) { watch(p, 1000); });
  setInterval(redraw, 10000);
})();
