// The door scanner: reads a member's personal QR with the camera and sends it without leaving
// the page, so the camera keeps running between members. BarcodeDetector where the browser has
// it (Chrome on Android); elsewhere (Safari on iPhone, desktop browsers) the bundled jsQR reads
// frames drawn on a canvas. Where no live camera can be had (refused, or a page served without
// HTTPS), a photo of the QR is read instead; the card number field always works.
(function () {
  "use strict";
  var PREFIX = "HTDV:";
  var SAME_CODE_PAUSE_MS = 8000;
  var FRAME_EVERY_MS = 150;
  var MAX_SIDE = 640;

  var script = document.currentScript;
  var video = document.getElementById("camera");
  var form = document.getElementById("door-form");
  var input = document.getElementById("id_code");
  var result = document.getElementById("door-result");
  var state = document.getElementById("camera-state");
  var photoScan = document.getElementById("photo-scan");
  var photoButton = document.getElementById("photo-button");
  var photoInput = document.getElementById("qr-photo");
  if (!form || !video) { return; }

  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var detector = null;
  var decoderReady = null;
  var sending = false;
  var lastCode = "";
  var lastAt = 0;

  function say(text) {
    state.textContent = text;
    state.hidden = !text;
  }

  // The bundled decoder is 250 KB: fetched only by browsers that need it.
  function loadDecoder() {
    if (!decoderReady) {
      decoderReady = new Promise(function (resolve, reject) {
        if (window.jsQR) { resolve(window.jsQR); return; }
        var tag = document.createElement("script");
        tag.src = script.dataset.decoder;
        tag.onload = function () { resolve(window.jsQR); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return decoderReady;
  }

  function decodeWithJsQR(source, width, height) {
    var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(pixels.data, pixels.width, pixels.height, {
      inversionAttempts: "dontInvert",
    });
    return found ? [found.data] : [];
  }

  function decode(source, width, height) {
    if (detector) {
      return detector.detect(source).then(
        function (codes) { return codes.map(function (c) { return c.rawValue; }); },
        function () {  // the detector gave up: the bundled decoder takes over
          detector = null;
          return decode(source, width, height);
        }
      );
    }
    return loadDecoder().then(function () { return decodeWithJsQR(source, width, height); });
  }

  // Without network (issue 16) a scan is kept on this device with its time and a client id,
  // shown as waiting, and sent with the others when the network is back: on the "online"
  // event, every few seconds while some wait, and when the page is opened again. The server
  // applies each client id once, so a send that got through unanswered is harmless to repeat.
  var QUEUE_KEY = "hoctap-door-queue:" + form.action;
  var RETRY_MS = 10000;
  var OVERLOADED = [502, 503, 504];
  var queueBox = document.getElementById("door-queue");
  var queueList = document.getElementById("door-queue-list");
  var sentBox = document.getElementById("door-sent");
  var sentSummary = document.getElementById("door-sent-summary");
  var refusedList = document.getElementById("door-refused");
  var recordedList = document.getElementById("door-recorded");
  var flushing = false;

  function queued() {
    try { return JSON.parse(window.localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }

  function store(items) {
    window.localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
    showQueue(items);
  }

  function clientId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function item(text) {
    var li = document.createElement("li");
    li.textContent = text;
    return li;
  }

  function label(entry) {
    var who = entry.code.indexOf(PREFIX) === 0 ? script.dataset.memberQr : entry.code;
    return new Date(entry.scanned_at).toLocaleTimeString() + " · " + who;
  }

  function showQueue(items) {
    queueList.textContent = "";
    items.forEach(function (entry) { queueList.appendChild(item(label(entry))); });
    queueBox.hidden = !items.length;
  }

  function keep(code) {
    var items = queued();
    items.push({ client_id: clientId(), code: code, scanned_at: Date.now() });
    store(items);
    result.innerHTML = "";
    var note = document.createElement("div");
    note.className = "msg msg-warning door-msg";
    note.id = "door-kept";
    note.setAttribute("role", "status");
    note.appendChild(document.createElement("p")).textContent = script.dataset.kept;
    result.appendChild(note);
    input.value = "";
  }

  function flush() {
    var items = queued();
    if (flushing || !items.length) { return; }
    flushing = true;
    var now = Date.now();
    fetch(script.dataset.queue, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value,
      },
      body: JSON.stringify({
        scans: items.map(function (e) {
          return { client_id: e.client_id, code: e.code, scanned_at: e.scanned_at, sent_at: now };
        }),
      }),
    })
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("not sent"); }
        return response.json();
      })
      .then(function (answer) {
        var results = answer.results || [];
        var done = {};
        var recorded = 0;
        var refused = 0;
        results.forEach(function (r) {
          done[r.client_id] = true;
          var entry = items.filter(function (e) { return e.client_id === r.client_id; })[0];
          var line = (entry ? label(entry) + " · " : "") + (r.name ? r.name + ": " : "") + r.message;
          if (r.state === "refused") {
            refused += 1;
            refusedList.appendChild(item(line));
          } else {
            recorded += 1;
            recordedList.appendChild(item(line));
          }
        });
        // Scans kept while this send was on its way stay for the next one.
        store(queued().filter(function (e) { return !done[e.client_id]; }));
        sentSummary.textContent = script.dataset.sent
          .replace("{recorded}", recorded).replace("{refused}", refused);
        sentBox.hidden = false;
        var note = document.getElementById("door-kept");
        if (note && !queued().length) { note.remove(); }
      })
      .catch(function () {})
      .then(function () { flushing = false; });
  }

  // Sends the form in the background and shows the answer above the camera.
  function send() {
    if (sending) { return; }
    var code = input.value.trim();
    if (!code) { return; }
    if (navigator.onLine === false) { keep(code); return; }
    sending = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
    })
      .then(function (response) {
        if (OVERLOADED.indexOf(response.status) >= 0) { throw new TypeError("overloaded"); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("door-result");
        if (!fresh) { throw new Error("no answer"); }  // logged out meanwhile: go the long way
        result.innerHTML = fresh.innerHTML;
        input.value = "";
        var focusable = result.querySelector("button");
        if (focusable) { focusable.focus(); }
        flush();  // the network is there: anything kept goes too
      })
      .catch(function (error) {
        if (error instanceof TypeError) { keep(code); } else { form.submit(); }
      })
      .then(function () { sending = false; });
  }

  showQueue(queued());
  window.addEventListener("online", flush);
  window.setInterval(flush, RETRY_MS);
  flush();

  function found(values) {
    var hit = values.filter(function (v) { return v.indexOf(PREFIX) === 0; })[0];
    if (!hit) { return false; }
    var now = Date.now();
    if (hit === lastCode && now - lastAt < SAME_CODE_PAUSE_MS) { return false; }
    lastCode = hit;
    lastAt = now;
    input.value = hit;
    send();
    return true;
  }

  function scanFrames() {
    var busy = false;
    window.setInterval(function () {
      if (busy || sending || video.readyState < 2 || !video.videoWidth) { return; }
      busy = true;
      decode(video, video.videoWidth, video.videoHeight)
        .then(found)
        .catch(function () {})
        .then(function () { busy = false; });
    }, FRAME_EVERY_MS);
  }

  // A photo is decoded without a URL of its own: the page's CSP allows no blob: images.
  function readPhoto(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file).then(function (bitmap) {
        return decode(bitmap, bitmap.width, bitmap.height);
      });
    }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var image = new Image();
        image.onload = function () { resolve(decode(image, image.naturalWidth, image.naturalHeight)); };
        image.onerror = reject;
        image.src = reader.result;
      };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }

  function offerPhoto() {
    photoScan.hidden = false;
    photoButton.addEventListener("click", function () { photoInput.click(); });
    photoInput.addEventListener("change", function () {
      var file = photoInput.files && photoInput.files[0];
      if (!file) { return; }
      say("");
      readPhoto(file)
        .then(function (values) { if (!found(values)) { say(state.dataset.none); } })
        .catch(function () { say(state.dataset.none); })
        .then(function () { photoInput.value = ""; });
    });
  }

  // Answered in place, camera or not: the camera keeps running, and a scan made without
  // network is kept rather than lost to the browser's error page.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });

  // Some desktop Chromiums expose BarcodeDetector without any format behind it.
  function chooseDetector() {
    var api = window.BarcodeDetector;
    if (!api || !api.getSupportedFormats) { return Promise.resolve(null); }
    return api.getSupportedFormats()
      .then(function (formats) {
        return formats.indexOf("qr_code") >= 0 ? new api({ formats: ["qr_code"] }) : null;
      })
      .catch(function () { return null; });
  }

  chooseDetector().then(function (chosen) {
    detector = chosen;
    video.dataset.decoder = detector ? "barcode-detector" : "jsqr";
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      offerPhoto();
      return;
    }
    if (!detector) { loadDecoder().catch(function () {}); }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        return video.play();
      })
      .then(scanFrames)
      .catch(function () {
        video.hidden = true;
        offerPhoto();
      });
  });
})();
