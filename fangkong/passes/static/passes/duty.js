/* The inspector's duty page: offline-first verification and a passage queue.
 *
 * - The signed trust list is fetched when online, checked against the league root key
 *   (embedded in the page) and kept in IndexedDB; its age is shown, and once past expires_at
 *   every verdict is "trust list out of date" (FkVerifier never says valid then).
 * - Passages queue in IndexedDB with a client UUID and go up in batches through the wire format
 *   of POST /api/v1/checkpoints/{id}/passages:batch: {"passages": [...]} → {"results":
 *   [{"client_uuid", "outcome": "stored"|"duplicate"|"rejected", "reason"}]}. Stored and
 *   duplicate items leave the queue; rejected ones leave it too and are listed with the reason.
 * The page's data attributes give the URLs, so the checkpoint page only sets them.
 */
(function () {
  "use strict";
  var root = document.getElementById("duty");
  if (!root) return;
  var cfg = root.dataset;
  var T = JSON.parse(document.getElementById("duty-text").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var trust = null, envelope = null;

  // --- IndexedDB -------------------------------------------------------------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var req = indexedDB.open("fangkong-duty", 1);
    req.onupgradeneeded = function () {
      req.result.createObjectStore("queue", { keyPath: "client_uuid" });
      req.result.createObjectStore("meta");
    };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });
  function tx(store, mode, fn) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode), s = t.objectStore(store), out;
        var r = fn(s);
        if (r) r.onsuccess = function () { out = r.result; };
        t.oncomplete = function () { resolve(out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  var meta = {
    get: function (k) { return tx("meta", "readonly", function (s) { return s.get(k); }); },
    set: function (k, v) { return tx("meta", "readwrite", function (s) { return s.put(v, k); }); }
  };

  // --- trust list ------------------------------------------------------------------------------
  // Fetched on opening, every data-trust-refresh seconds while online, and on regaining a
  // signal, so that a revocation made at the HQ reaches a page left open all day.
  var loading = null;
  function loadTrust() {
    if (!loading) loading = fetchTrust().finally(function () { loading = null; });
    return loading;
  }
  async function fetchTrust() {
    if (!trust) {
      var cached = await meta.get("envelope");
      if (cached) { try { trust = await FkVerifier.verifyTrustEnvelope(cached, cfg.rootKey); envelope = cached; } catch (e) { trust = null; } }
    }
    if (navigator.onLine) {
      try {
        var resp = await fetch(cfg.trustUrl, { credentials: "same-origin", cache: "no-store" });
        if (resp.ok) {
          var fresh = await resp.json();
          var parsed = await FkVerifier.verifyTrustEnvelope(fresh, cfg.rootKey);
          trust = parsed; envelope = fresh;
          await meta.set("envelope", fresh);
        }
      } catch (e) { /* offline or refused: keep the cached list */ }
    }
    showTrust();
  }
  /* The list's age, always shown: green while fresh, amber in the last quarter of its life
   * (connect soon), red once out of date (then no verdict is "valid"). */
  function showTrust() {
    var el = $("trust-age");
    if (!trust) { el.textContent = T.no_trust; el.className = "bad"; el.dataset.state = "none"; return; }
    var now = Date.now() / 1000, mins = Math.max(0, Math.round((now - trust.issued_at) / 60));
    var age = mins < 60 ? mins + " " + T.minutes : Math.round(mins / 6) / 10 + " " + T.hours;
    var state = "fresh";
    if (now > trust.expires_at) state = "stale";
    else if (trust.expires_at - now < (trust.expires_at - trust.issued_at) / 4) state = "aging";
    if (state === "stale") { el.textContent = T.trust_stale + " (" + age + ")"; el.className = "bad"; }
    else if (state === "aging") { el.textContent = T.trust_fresh + " " + age + " · " + T.trust_aging; el.className = "warn"; }
    else { el.textContent = T.trust_fresh + " " + age; el.className = "ok"; }
    el.dataset.state = state;
    root.dataset.trustIssuedAt = String(trust.issued_at);
  }

  // --- verdict ---------------------------------------------------------------------------------
  var current = null;
  async function check(code) {
    var started = performance.now();
    var res;
    if (!trust) res = { valid: false, reason: "trust_list_expired", claims: null, serial: null };
    else res = await FkVerifier.verifyPass(code.trim().replace(/^\s+/, ""), trust);
    var shown = performance.now();
    current = { result: res, scanMs: Math.round(shown - started), shownAt: shown };
    var box = $("verdict");
    box.hidden = false;
    box.className = "verdict " + (res.valid ? "green" : "red");
    box.dataset.reason = res.reason;
    $("verdict-title").textContent = res.valid ? T.valid : T.invalid;
    $("verdict-reason").textContent = T.reasons[res.reason] || res.reason;
    var c = res.claims || {};
    $("verdict-plate").textContent = c.plate || "";
    $("verdict-cargo").textContent = c.cargo ? (T.cargo[c.cargo] || c.cargo) : "";
    $("verdict-route").textContent = c.origin ? c.origin + " → " + c.destination : "";
    $("verdict-driver").textContent = c.driver_name ? c.driver_name + " ****" + c.driver_id_last4 : "";
    // Only the actions this verdict allows exist on the page: fast pass for a valid pass;
    // turn back or escalate for anything else.
    var actions = $("verdict-actions");
    actions.replaceChildren($(res.valid ? "actions-valid" : "actions-invalid").content.cloneNode(true));
  }

  function uuid4() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.from(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function isoNow() {
    var d = new Date(), off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var local = new Date(d.getTime() + off * 60000).toISOString().slice(0, 19);
    return local + sign + pad(Math.floor(Math.abs(off) / 60)) + ":" + pad(Math.abs(off) % 60);
  }

  async function enqueue(item) {
    item.client_uuid = uuid4();
    item.at = isoNow();
    await tx("queue", "readwrite", function (s) { return s.put(item); });
    await showPending();
    if (navigator.onLine) sync();
  }
  async function logVehicle(result, reason) {
    if (!current) return;
    var r = current.result, c = r.claims || {};
    if (result === "fast_passed" && !r.valid) return;  // never a fast pass on a red verdict
    await enqueue({
      direction: $("direction").value, subject: "vehicle", plate: c.plate || null,
      person_name: null, id_number: null, temperature: null, result: result,
      pass_serial: r.serial, reason: reason || null, verdict: r.reason,
      scan_ms: current.scanMs, log_ms: Math.round(performance.now() - current.shownAt)
    });
    closeVerdict();
  }
  function closeVerdict() { $("verdict").hidden = true; current = null; $("code").value = ""; $("code").focus(); }

  async function showPending() {
    var n = await tx("queue", "readonly", function (s) { return s.count(); });
    $("pending").textContent = String(n);
    var last = await meta.get("last_sync");
    $("last-sync").textContent = last ? new Date(last).toLocaleString() : T.never;
  }

  var syncing = false;
  async function sync() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      for (;;) {
        var items = await tx("queue", "readonly", function (s) { return s.getAll(null, 500); });
        if (!items || !items.length) break;
        var resp = await fetch(cfg.batchUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf },
          body: JSON.stringify({ passages: items })
        });
        if (!resp.ok) break;
        var body = await resp.json();
        var done = [];
        body.results.forEach(function (r) {
          if (r.outcome === "stored" || r.outcome === "duplicate" || r.outcome === "rejected") done.push(r);
        });
        await tx("queue", "readwrite", function (s) { done.forEach(function (r) { s.delete(r.client_uuid); }); return null; });
        done.filter(function (r) { return r.outcome === "rejected" || (r.outcome === "stored" && r.reason); }).forEach(function (r) {
          // Rejected, or stored but flagged by the server (a pass it knows is not good).
          var li = document.createElement("li");
          li.textContent = r.outcome === "rejected" ? r.client_uuid + ": " + r.reason : T.flagged + ": " + (T.flags[r.reason] || r.reason);
          $("rejected").appendChild(li);
        });
        await meta.set("last_sync", Date.now());
        if (done.length < items.length) break;
      }
    } catch (e) { /* network gone mid-sync: the queue keeps what was not acknowledged */ }
    syncing = false;
    await showPending();
  }

  // --- camera ----------------------------------------------------------------------------------
  async function scan() {
    var video = $("camera");
    try {
      var stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream; video.hidden = false; await video.play();
      var detector = "BarcodeDetector" in window ? new BarcodeDetector({ formats: ["qr_code"] }) : null;
      var canvas = document.createElement("canvas"), ctx = canvas.getContext("2d");
      var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
      var tick = async function () {
        if (video.hidden) return;
        var text = null;
        if (detector) {
          var found = await detector.detect(video);
          if (found.length) text = found[0].rawValue;
        } else if (window.jsQR && video.videoWidth) {
          canvas.width = video.videoWidth; canvas.height = video.videoHeight;
          ctx.drawImage(video, 0, 0);
          var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var hit = window.jsQR(img.data, img.width, img.height);
          if (hit) text = hit.data;
        }
        if (text) { stop(); check(text); } else requestAnimationFrame(tick);
      };
      $("camera-stop").onclick = stop;
      tick();
    } catch (e) { $("camera-error").textContent = T.no_camera; }
  }

  // --- wiring ----------------------------------------------------------------------------------
  $("verify-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("code").value;
    if (!text.trim()) return;
    if (!/^(FK1|HC1):/.test(text.trim()) && cfg.lookupUrl) { lookupPlate(text.trim()); return; }
    check(text);
  });
  async function lookupPlate(plate) {
    if (!navigator.onLine) { $("lookup-error").textContent = T.plate_offline; return; }
    try {
      var resp = await fetch(cfg.lookupUrl + encodeURIComponent(plate), { credentials: "same-origin" });
      var codes = resp.ok ? (await resp.json()).codes : [];
      if (!codes.length) { $("lookup-error").textContent = T.plate_none; return; }
      $("lookup-error").textContent = "";
      var chosen = codes[0];
      for (var i = 0; i < codes.length && trust; i++) {
        if ((await FkVerifier.verifyPass(codes[i], trust)).valid) { chosen = codes[i]; break; }
      }
      check(chosen);  // verified here, against the cached trust list, like a scanned code
    } catch (e) { $("lookup-error").textContent = T.plate_offline; }
  }
  $("verdict-actions").addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-action]");
    if (!button || !current) return;
    var action = button.dataset.action;
    if (action === "fast_passed") { logVehicle("fast_passed"); return; }
    var typed = $("back-reason") ? $("back-reason").value : "";
    logVehicle(action, typed || current.result.reason);
  });
  $("verdict-close").addEventListener("click", closeVerdict);
  $("scan").addEventListener("click", scan);
  $("person-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var temp = parseFloat($("person-temp").value);
    enqueue({
      direction: $("direction").value, subject: "person", plate: null,
      person_name: $("person-name").value || null, id_number: null,
      temperature: isNaN(temp) ? null : temp, result: $("person-result").value,
      pass_serial: null, reason: $("person-reason").value || null
    }).then(function () { $("person-form").reset(); });
  });
  window.addEventListener("online", function () { $("net").textContent = T.online; loadTrust(); sync(); });
  window.addEventListener("offline", function () { $("net").textContent = T.offline; });
  $("net").textContent = navigator.onLine ? T.online : T.offline;
  var refresh = Math.max(1, Number(cfg.trustRefresh) || 180);
  setInterval(function () { if (navigator.onLine) loadTrust(); }, refresh * 1000);
  setInterval(function () { showTrust(); sync(); }, Math.min(30, refresh) * 1000);

  if ("serviceWorker" in navigator && cfg.swUrl) {
    navigator.serviceWorker.register(cfg.swUrl, { scope: cfg.swScope }).catch(function () {});
  }
  window.fkDuty = { sync: sync, loadTrust: loadTrust, check: check, ready: null };
  window.fkDuty.ready = loadTrust().then(showPending).then(sync).then(function () { root.dataset.ready = "1"; });
})();
