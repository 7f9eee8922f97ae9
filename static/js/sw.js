// hoctap's service worker (issue 16): the member's phone keeps a scan of the projector's code
// when the network is down, and sends it when the network is back. Served by the app at /sw.js
// (attendance.offline), with self.HOCTAP in front: the words, in the member's language, and
// the URLs it needs. Only the navigation to a projector's code (/a/<token>/) and the few files
// its page needs are handled here; every other request goes to the network untouched.
(function () {
  "use strict";
  var C = self.HOCTAP;
  var CACHE = "hoctap-offline-" + C.kept.join("|").length + "-" + C.lang;
  var DB = "hoctap-offline";
  var SCANS = "scans";
  var META = "meta";
  var SYNC_TAG = "hoctap-scans";
  var DOOR = new RegExp(C.door);
  var DOOR_CACHE = "hoctap-door";
  // A hall's saturated Wi-Fi may hang rather than fail: after this long the scan is kept here.
  // If the request did get through meanwhile, the server answers the kept one "already
  // recorded" when it arrives: never a second row.
  var WAIT_MS = 15000;
  var OVERLOADED = [502, 503, 504];

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(SCANS, { keyPath: "client_id" });
        request.result.createObjectStore(META);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(name, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result = work(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function allScans() {
    return withStore(SCANS, "readonly", function (store) { return store.getAll(); });
  }

  function clientId() {
    if (self.crypto && self.crypto.randomUUID) { return self.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    self.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return "&#" + ch.charCodeAt(0) + ";";
    });
  }

  function isCode(url) {
    if (url.origin !== self.location.origin || url.search) { return false; }
    var path = url.pathname;
    if (path.indexOf(C.scanPrefix) !== 0 || C.notCodes.indexOf(path) >= 0) { return false; }
    return /^[^/]+\/$/.test(path.slice(C.scanPrefix.length));
  }

  function hasSync() { return !!(self.registration && self.registration.sync); }

  var CLOCK = "<svg width=\"56\" height=\"56\" viewBox=\"0 0 24 24\" fill=\"none\" " +
    "stroke=\"currentColor\" stroke-width=\"2\"><circle cx=\"12\" cy=\"12\" r=\"9\"/>" +
    "<path d=\"M12 7v5l3 2\"/></svg>";

  // The page the phone shows for a kept scan: built here, since the network is down.
  function keptPage(scan) {
    var t = C.text;
    var time = new Date(scan.scanned_at).toLocaleTimeString(C.lang);
    var html = "<!DOCTYPE html><html lang=\"" + escape(C.lang) + "\"><head><meta charset=\"utf-8\">" +
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
      "<title>" + escape(t.title) + " · hoctap</title>" +
      "<link rel=\"stylesheet\" href=\"" + escape(C.css) + "\">" +
      "<link rel=\"icon\" href=\"" + escape(C.icon) + "\" type=\"image/svg+xml\"></head><body>" +
      "<header class=\"topbar\"><a class=\"brand\" href=\"" + escape(C.home) + "\">hoctap</a></header>" +
      "<main class=\"page\"><div class=\"card narrow checkin queued\" id=\"offline-scan\" " +
      "data-client-id=\"" + escape(scan.client_id) + "\" data-recorded=\"" + escape(t.recorded) +
      "\" data-pending=\"" + escape(t.pending) + "\" data-refused=\"" + escape(t.refused) + "\">" +
      "<div class=\"big-mark\" aria-hidden=\"true\">" + CLOCK + "</div>" +
      "<h1>" + escape(t.title) + "</h1>" +
      "<p id=\"offline-state\" role=\"status\">" + escape(t.kept) + "</p>" +
      "<p class=\"when\">" + escape(t.at) + " " + escape(time) + "</p>" +
      (hasSync() ? "" : "<p id=\"offline-nosync\" class=\"msg msg-warning\">" + escape(t.noSync) + "</p>") +
      "<p><a class=\"button\" href=\"" + escape(C.mine) + "\">" + escape(t.mine) + "</a></p>" +
      "</div></main><script src=\"" + escape(C.script) + "\"></script></body></html>";
    return new Response(html, {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; " +
          "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; " +
          "frame-ancestors 'none'",
      },
    });
  }

  function keep(token, scannedAt) {
    var scan = { client_id: clientId(), token: token, scanned_at: scannedAt };
    return withStore(META, "readonly", function (store) { return store.get("user"); })
      .then(function (user) {
        scan.user = user || null;  // who was logged in here: sent as that member only
        return withStore(SCANS, "readwrite", function (store) { store.put(scan); });
      })
      .then(function () {
        if (hasSync()) {
          return self.registration.sync.register(SYNC_TAG).catch(function () {});
        }
      })
      .then(function () { return keptPage(scan); });
  }

  function scanned(event) {
    var at = Date.now();
    var url = new URL(event.request.url);
    var token = decodeURIComponent(url.pathname.slice(C.scanPrefix.length, -1));
    var timer;
    var late = new Promise(function (resolve, reject) {
      timer = setTimeout(function () { reject(new Error("timeout")); }, WAIT_MS);
    });
    return Promise.race([fetch(event.request), late]).then(
      function (response) {
        clearTimeout(timer);
        return OVERLOADED.indexOf(response.status) >= 0 ? keep(token, at) : response;
      },
      function () {
        clearTimeout(timer);
        return keep(token, at);
      }
    );
  }

  function tell(message) {
    return self.clients.matchAll({ includeUncontrolled: true, type: "window" }).then(
      function (windows) { windows.forEach(function (w) { w.postMessage(message); }); }
    );
  }

  // Sends every kept scan in one request; each one answered is forgotten here (the server
  // keeps what it came to, shown on the member's page). Rejects when nothing got through,
  // so that Background Sync tries again later.
  var sending = null;
  function send() {
    if (sending) { return sending; }
    sending = allScans().then(function (scans) {
      tell({ type: "hoctap-waiting", count: scans.length });
      if (!scans.length) { return []; }
      return fetch(C.send, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (response.redirected || !response.ok) { throw new Error("login"); }
          return response.json();
        })
        .then(function (answer) {
          var now = Date.now();
          return fetch(C.send, {
            method: "POST",
            credentials: "same-origin",
            cache: "no-store",
            headers: { "Content-Type": "application/json", "X-CSRFToken": answer.csrf },
            body: JSON.stringify({
              scans: scans.map(function (s) {
                return {
                  client_id: s.client_id, token: s.token, user: s.user,
                  scanned_at: s.scanned_at, sent_at: now,
                };
              }),
            }),
          });
        })
        .then(function (response) {
          if (response.redirected || !response.ok) { throw new Error("login"); }
          return response.json();
        })
        .then(function (answer) {
          var results = answer.results || [];
          return withStore(SCANS, "readwrite", function (store) {
            results.forEach(function (r) { if (r.client_id) { store.delete(r.client_id); } });
          }).then(function () {
            tell({ type: "hoctap-sent", results: results });
            return results;
          });
        });
    }).then(
      function (results) { sending = null; return results; },
      function (error) {
        sending = null;
        tell({ type: "hoctap-unsent", reason: error && error.message });
        throw error;
      }
    );
    return sending;
  }

  self.addEventListener("install", function (event) {
    event.waitUntil(
      caches.open(CACHE)
        .then(function (cache) { return cache.addAll(C.kept); })
        .then(function () { return self.skipWaiting(); })
    );
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(
      caches.keys()
        .then(function (names) {
          return Promise.all(names.filter(function (name) {
            return name.indexOf("hoctap-offline-") === 0 && name !== CACHE;
          }).map(function (name) { return caches.delete(name); }));
        })
        .then(function () { return self.clients.claim(); })
    );
  });

  // The network first; what it gave last time when it gives nothing.
  function kept(request) {
    return fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(DOOR_CACHE).then(function (cache) { return cache.put(request, copy); });
      }
      return response;
    }, function (error) {
      return caches.match(request, { ignoreSearch: true }).then(function (found) {
        if (found) { return found; }
        throw error;
      });
    });
  }

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    if (request.method !== "GET") { return; }
    var url = new URL(request.url);
    var ours = url.origin === self.location.origin;
    if (request.mode === "navigate" && isCode(url)) {
      event.respondWith(scanned(event));
    } else if (ours && !url.search && request.mode === "navigate" && DOOR.test(url.pathname)) {
      event.respondWith(kept(request));
    } else if (ours && C.doorFiles.indexOf(url.pathname) >= 0) {
      event.respondWith(kept(request));
    } else if (ours && C.kept.indexOf(url.pathname) >= 0) {
      event.respondWith(fetch(request).catch(function () {
        return caches.match(request, { ignoreSearch: true });
      }));
    }
  });

  self.addEventListener("sync", function (event) {
    if (event.tag === SYNC_TAG) { event.waitUntil(send()); }
  });

  self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "hoctap-user") {
      // Another person logged in on this browser: the pages kept for the one before go.
      event.waitUntil(withStore(META, "readonly", function (store) { return store.get("user"); })
        .then(function (before) {
          if (before && before !== data.user) { return caches.delete(DOOR_CACHE); }
        })
        .then(function () {
          return withStore(META, "readwrite", function (store) { store.put(data.user, "user"); });
        }));
    } else if (data.type === "hoctap-logged-out") {
      // Nobody is logged in any more: the pages kept for the one before go (their scans stay).
      event.waitUntil(caches.delete(DOOR_CACHE));
    } else if (data.type === "hoctap-send") {
      event.waitUntil(send().catch(function () {}));
    }
  });
})();
