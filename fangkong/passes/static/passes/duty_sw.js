/* Service worker of the duty page: the page and its scripts come from the cache when offline
 * (network first, so a deployed update is picked up whenever there is signal). On a weak signal
 * the network gets NETWORK_TIMEOUT_MS to answer; after that the cached copy is served and the
 * network's answer, when it comes, only refreshes the cache. */
"use strict";
var CACHE = "fangkong-duty-v1";
var NETWORK_TIMEOUT_MS = 2500;

self.addEventListener("install", function (event) {
  var page = new URL("./", self.location).href;
  var assets = (new URL(self.location).searchParams.get("assets") || "").split(",").filter(Boolean);
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all([page].concat(assets).map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (resp) {
          if (resp.ok) return cache.put(url, resp);
        }).catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  var isPage = req.mode === "navigate";
  var isStatic = url.origin === self.location.origin && url.pathname.indexOf("/static/") === 0;
  if (!isPage && !isStatic) return;
  var network = fetch(req).then(function (resp) {
    if (resp.ok) {
      var copy = resp.clone();
      caches.open(CACHE).then(function (cache) { cache.put(req, copy); });
    }
    return resp;
  });
  function cached() {
    return caches.match(req, { ignoreSearch: isPage, ignoreVary: true });
  }
  var offline = new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  event.respondWith(new Promise(function (resolve) {
    var settled = false;
    function answer(resp) { if (!settled) { settled = true; resolve(resp); } }
    // A slow network: after the timeout, the cached copy if there is one; else keep waiting.
    var timer = setTimeout(function () {
      cached().then(function (hit) { if (hit) answer(hit); });
    }, NETWORK_TIMEOUT_MS);
    network.then(function (resp) { clearTimeout(timer); answer(resp); }, function () {
      clearTimeout(timer);
      cached().then(function (hit) { answer(hit || offline); });
    });
  }));
  event.waitUntil(network.catch(function () {}));
});
