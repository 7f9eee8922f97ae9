// Presence prompts for online participants: arrive over the WebSocket, answered with one tap
// within two minutes. Reconnects by itself; a vibration draws attention on phones.
(function () {
  "use strict";
  var root = document.getElementById("presence");
  var state = document.getElementById("presence-state");
  var prompt = document.getElementById("prompt");
  var answer = document.getElementById("prompt-answer");
  var left = document.getElementById("prompt-left");
  var socket = null, current = null, countdown = null, retry = 1000;
  var labels = root.dataset;  // translated texts: live, lost, thanks, late, refused

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.wsPath);
    socket.onopen = function () { retry = 1000; state.textContent = labels.live; };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "prompt") { show(data.id, data.expires_in); }
      if (data.type === "answered") { hide(); state.textContent = labels.thanks; }
      if (data.type === "too_late") { hide(); state.textContent = labels.late; }
    };
    socket.onclose = function (event) {
      // Refused (the app's close code, static/js/live.js): say why, and do not retry.
      if (event.code === 4403 || event.code === 4401) { state.textContent = labels.refused; return; }
      state.textContent = labels.lost;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  function show(id, seconds) {
    current = id;
    prompt.hidden = false;
    if (navigator.vibrate) { navigator.vibrate([200, 100, 200]); }
    var until = Date.now() + seconds * 1000;
    clearInterval(countdown);
    countdown = setInterval(function () {
      var s = Math.max(0, Math.round((until - Date.now()) / 1000));
      left.textContent = s + " s";
      if (!s) { hide(); state.textContent = labels.late; }
    }, 1000);
  }

  function hide() { prompt.hidden = true; clearInterval(countdown); current = null; }

  answer.addEventListener("click", function () {
    if (current !== null && socket && socket.readyState === 1) {
      socket.send(JSON.stringify({ type: "answer", id: current }));
    }
  });
  connect();
})();
