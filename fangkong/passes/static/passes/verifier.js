/* Green-channel pass verifier for the browser: the same checks, in the same order, with the
 * same reasons as fangkong.lib.signing.verify_pass (see its docstring). No dependencies:
 * Base45 and a strict CBOR decoder are here; zlib is DecompressionStream('deflate'); ECDSA
 * P-256 is WebCrypto (which takes the raw r||s signature the passes carry).
 * Exposes window.FkVerifier = {verifyPass, verifyTrustEnvelope, parseTrustList, REASONS}.
 */
(function (global) {
  "use strict";

  var PREFIX = "FK1:";
  var MAX_CODE_LENGTH = 4096;
  var MAX_PAYLOAD_BYTES = 16 * 1024;
  var MAX_DEPTH = 16;
  var MAX_EPOCH = 253402300799;
  var PRIVATE_CLAIM = -70001;
  var FIELDS = ["plate", "vehicle_type", "cargo", "origin", "destination", "driver_name",
    "driver_id_last4", "phone_last4"];
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  var B45 = {};
  for (var i = 0; i < ALPHABET.length; i++) B45[ALPHABET[i]] = i;

  function b45decode(text) {
    var n = text.length;
    if (n % 3 === 1) throw new Error("base45 length");
    var out = new Uint8Array(Math.floor(n / 3) * 2 + (n % 3 === 2 ? 1 : 0));
    var o = 0;
    for (var p = 0; p < n; p += 3) {
      var a = B45[text[p]], b = B45[text[p + 1]];
      if (a === undefined || b === undefined) throw new Error("base45 char");
      if (n - p >= 3) {
        var c = B45[text[p + 2]];
        if (c === undefined) throw new Error("base45 char");
        var x = a + b * 45 + c * 2025;
        if (x > 0xffff) throw new Error("base45 value");
        out[o++] = x >> 8; out[o++] = x & 0xff;
      } else {
        var y = a + b * 45;
        if (y > 0xff) throw new Error("base45 value");
        out[o++] = y;
      }
    }
    return out;
  }

  async function inflate(bytes, limit) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    var reader = stream.getReader();
    var chunks = [], total = 0;
    for (;;) {
      var r = await reader.read();  // throws on a broken, truncated or trailed stream
      if (r.done) break;
      total += r.value.length;
      if (total > limit) { reader.cancel(); throw new Error("too large"); }
      chunks.push(r.value);
    }
    var out = new Uint8Array(total), o = 0;
    chunks.forEach(function (c) { out.set(c, o); o += c.length; });
    return out;
  }

  /* Strict CBOR: definite and indefinite lengths, no duplicate map keys, depth-limited. */
  function Tag(tag, value) { this.tag = tag; this.value = value; }
  function Flt(value) { this.value = value; }  // floats never pass an integer check
  function Bytes(u8) { this.bytes = u8; }

  function cborDecodeExact(u8) {
    var pos = 0;
    var view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    function need(n) { if (pos + n > u8.length) throw new Error("cbor eof"); }
    function arg(info) {
      if (info < 24) return info;
      if (info === 24) { need(1); return u8[pos++]; }
      if (info === 25) { need(2); var v2 = view.getUint16(pos); pos += 2; return v2; }
      if (info === 26) { need(4); var v4 = view.getUint32(pos); pos += 4; return v4; }
      if (info === 27) {
        need(8); var big = view.getBigUint64(pos); pos += 8;
        return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
      }
      if (info === 31) return -1;  // indefinite
      throw new Error("cbor info");
    }
    function item(depth) {
      if (depth > MAX_DEPTH) throw new Error("cbor depth");
      need(1);
      var ib = u8[pos++], major = ib >> 5, info = ib & 31;
      if (major === 7) {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 23) return undefined;
        if (info === 25) { need(2); var h = view.getUint16(pos); pos += 2; return new Flt(halfFloat(h)); }
        if (info === 26) { need(4); var f = view.getFloat32(pos); pos += 4; return new Flt(f); }
        if (info === 27) { need(8); var d = view.getFloat64(pos); pos += 8; return new Flt(d); }
        if (info < 20) return { simple: info };
        if (info === 24) { need(1); return { simple: u8[pos++] }; }
        throw new Error("cbor simple");
      }
      var len = arg(info);
      if (typeof len === "bigint" && major !== 0 && major !== 1 && major !== 6) throw new Error("cbor length");
      switch (major) {
        case 0: return len === -1 ? fail() : len;
        case 1: if (len === -1) fail(); return typeof len === "bigint" ? -1n - len : -1 - len;
        case 2: case 3: {
          var buf;
          if (len === -1) {
            var parts = [], total = 0;
            for (;;) {
              need(1);
              if (u8[pos] === 0xff) { pos++; break; }
              var chunk = item(depth + 1);
              if (major === 2 ? !(chunk instanceof Bytes) : typeof chunk !== "string") fail();
              var cb = major === 2 ? chunk.bytes : new TextEncoder().encode(chunk);
              parts.push(cb); total += cb.length;
            }
            buf = new Uint8Array(total); var o = 0;
            parts.forEach(function (p) { buf.set(p, o); o += p.length; });
          } else {
            need(len); buf = u8.slice(pos, pos + len); pos += len;
          }
          if (major === 2) return new Bytes(buf);
          return new TextDecoder("utf-8", { fatal: true }).decode(buf);
        }
        case 4: {
          var arr = [];
          if (len === -1) {
            for (;;) { need(1); if (u8[pos] === 0xff) { pos++; break; } arr.push(item(depth + 1)); }
          } else {
            for (var k = 0; k < len; k++) arr.push(item(depth + 1));
          }
          return arr;
        }
        case 5: {
          var map = new Map(), seen = new Set();
          var count = len;
          for (var m = 0; count === -1 || m < count; m++) {
            if (count === -1) { need(1); if (u8[pos] === 0xff) { pos++; break; } }
            var key = item(depth + 1);
            var id = keyId(key);
            if (seen.has(id)) throw new Error("cbor duplicate key");
            seen.add(id);
            map.set(key instanceof Bytes || Array.isArray(key) || key instanceof Map ? id : key,
              item(depth + 1));
          }
          return map;
        }
        case 6: if (len === -1) fail(); return new Tag(len, item(depth + 1));
      }
      fail();
    }
    function fail() { throw new Error("cbor"); }
    var value = item(0);
    if (pos !== u8.length) throw new Error("cbor trailing");
    return value;
  }
  function keyId(k) {
    if (typeof k === "number" || typeof k === "bigint") return "n:" + String(k);
    if (typeof k === "string") return "s:" + k;
    if (k instanceof Bytes) return "b:" + hex(k.bytes);
    return "o:" + JSON.stringify(k, function (_k, v) { return typeof v === "bigint" ? String(v) : v; });
  }
  function halfFloat(h) {
    var s = (h & 0x8000) ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
    if (e === 0) return s * Math.pow(2, -14) * (f / 1024);
    if (e === 31) return f ? NaN : s * Infinity;
    return s * Math.pow(2, e - 15) * (1 + f / 1024);
  }
  function hex(u8) {
    var s = "";
    for (var j = 0; j < u8.length; j++) s += (u8[j] < 16 ? "0" : "") + u8[j].toString(16);
    return s;
  }
  function isInt(v) { return typeof v === "number" && Number.isInteger(v); }
  function isEpoch(v) { return isInt(v) && v >= 0 && v <= MAX_EPOCH; }

  function cborHead(major, n) {
    if (n < 24) return [(major << 5) | n];
    if (n < 256) return [(major << 5) | 24, n];
    if (n < 65536) return [(major << 5) | 25, n >> 8, n & 0xff];
    return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  }
  function sigStructure(protectedBytes, payload) {
    var label = new TextEncoder().encode("Signature1");
    var parts = [[0x84], cborHead(3, label.length), label, cborHead(2, protectedBytes.length),
      protectedBytes, [0x40], cborHead(2, payload.length), payload];
    var total = parts.reduce(function (a, p) { return a + p.length; }, 0);
    var out = new Uint8Array(total), o = 0;
    parts.forEach(function (p) { out.set(p, o); o += p.length; });
    return out;
  }

  function decodeCose(raw) {
    try {
      var outer = cborDecodeExact(raw);
      if (!(outer instanceof Tag) || outer.tag !== 18) return null;
      var parts = outer.value;
      if (!Array.isArray(parts) || parts.length !== 4) return null;
      var pb = parts[0], unprot = parts[1], payloadB = parts[2], sig = parts[3];
      if (!(pb instanceof Bytes) || !(unprot instanceof Map) || !(payloadB instanceof Bytes) ||
          !(sig instanceof Bytes)) return null;
      var prot = cborDecodeExact(pb.bytes);
      if (!(prot instanceof Map)) return null;
      var alg = prot.get(1), kid = prot.get(4);
      if (alg !== -7) return null;
      // Byte-string map keys are stored by id; a kid must be a bstr value.
      if (!(kid instanceof Bytes) || kid.bytes.length === 0) return null;
      var claims = cborDecodeExact(payloadB.bytes);
      if (!(claims instanceof Map)) return null;
      var iss = claims.get(1), cti = claims.get(7), exp = claims.get(4), nbf = claims.get(5),
        iat = claims.get(6), priv = claims.get(PRIVATE_CLAIM);
      if (typeof iss !== "string" || typeof cti !== "string" || !isEpoch(exp) || !isEpoch(nbf) ||
          !isEpoch(iat) || !(priv instanceof Map)) return null;
      if (priv.get("v") !== 1) return null;
      var out = { v: 1 };
      for (var f = 0; f < FIELDS.length; f++) {
        var val = priv.get(FIELDS[f]);
        if (typeof val !== "string") return null;
        out[FIELDS[f]] = val;
      }
      var plain = {};
      priv.forEach(function (v, k) { if (typeof k === "string") plain[k] = v; });
      Object.assign(plain, out);
      return { protected: pb.bytes, payload: payloadB.bytes, signature: sig.bytes,
        kid: hex(kid.bytes), issuer: iss, serial: cti, exp: exp, nbf: nbf, iat: iat, claims: plain };
    } catch (e) {
      return null;
    }
  }

  function b64ToBytes(b64) {
    var bin = atob(b64), out = new Uint8Array(bin.length);
    for (var j = 0; j < bin.length; j++) out[j] = bin.charCodeAt(j);
    return out;
  }
  var keyCache = new Map();
  async function importKey(b64) {
    if (!keyCache.has(b64)) {
      keyCache.set(b64, crypto.subtle.importKey("spki", b64ToBytes(b64),
        { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]));
    }
    return keyCache.get(b64);
  }
  async function es256(b64, signature, data) {
    if (signature.length !== 64) return false;
    try {
      var key = await importKey(b64);
      return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, data);
    } catch (e) {
      return false;
    }
  }

  function parseTime(s) {
    if (typeof s !== "string") throw new Error("time");
    var t = Date.parse(s);
    if (isNaN(t)) throw new Error("time");
    return t / 1000;
  }
  /* The trust list as the page keeps it: times as epoch seconds. */
  function parseTrustList(payload) {
    var data = JSON.parse(payload);
    if (!data || data.version !== 1 || typeof data.keys !== "object" || !Array.isArray(data.revoked)) {
      throw new Error("malformed trust list");
    }
    var keys = {};
    Object.keys(data.keys).forEach(function (kid) {
      var k = data.keys[kid];
      keys[kid] = { public_key: k.public_key, division_code: k.division_code,
        valid_from: parseTime(k.valid_from),
        valid_until: k.valid_until === null ? null : parseTime(k.valid_until) };
    });
    return { keys: keys, revoked: new Set(data.revoked), issued_at: parseTime(data.issued_at),
      expires_at: parseTime(data.expires_at) };
  }
  async function verifyTrustEnvelope(envelope, rootKeyB64) {
    if (!envelope || typeof envelope.payload !== "string" || typeof envelope.signature !== "string") {
      throw new Error("malformed envelope");
    }
    var ok = await es256(rootKeyB64, b64ToBytes(envelope.signature),
      new TextEncoder().encode(envelope.payload));
    if (!ok) throw new Error("trust list signature does not verify");
    return parseTrustList(envelope.payload);
  }

  function result(reason, decoded, withClaims) {
    var r = { valid: reason === "valid", reason: reason, claims: null, serial: null, issuer: null, kid: null };
    if (decoded) {
      r.serial = decoded.serial; r.issuer = decoded.issuer; r.kid = decoded.kid;
      if (withClaims) { r.claims = decoded.claims; r.expires = decoded.exp; r.not_before = decoded.nbf; }
    }
    return r;
  }

  /* trust: parseTrustList output; atSeconds: epoch seconds (default now). */
  async function verifyPass(code, trust, atSeconds) {
    var at = atSeconds === undefined ? Date.now() / 1000 : atSeconds;
    if (typeof code !== "string" || code.indexOf(PREFIX) !== 0) return result("bad_prefix");
    code = code.replace(/[\r\n]+$/, "");
    if (code.length > MAX_CODE_LENGTH) return result("bad_base45");
    var compressed;
    try { compressed = b45decode(code.slice(PREFIX.length)); } catch (e) { return result("bad_base45"); }
    var raw;
    try { raw = await inflate(compressed, MAX_PAYLOAD_BYTES); } catch (e) { return result("bad_compression"); }
    var d = decodeCose(raw);
    if (!d) return result("bad_cbor");
    if (at > trust.expires_at) return result("trust_list_expired", d);
    var entry = trust.keys[d.kid];
    if (!entry) return result("unknown_kid", d);
    var ok = await es256(entry.public_key, d.signature, sigStructure(d.protected, d.payload));
    if (!ok || d.issuer !== entry.division_code) return result("bad_signature", d);
    // Before the pass's start: "not valid yet" whatever the key's window (a phone clock behind).
    if (at < d.nbf) return result("not_yet_valid", d, true);
    if (at < entry.valid_from || (entry.valid_until !== null && at >= entry.valid_until)) {
      return result("unknown_kid", d);
    }
    if (at >= d.exp) return result("expired", d, true);
    if (trust.revoked.has(d.serial)) return result("revoked", d, true);
    return result("valid", d, true);
  }

  global.FkVerifier = {
    verifyPass: verifyPass,
    verifyTrustEnvelope: verifyTrustEnvelope,
    parseTrustList: parseTrustList,
    REASONS: ["bad_prefix", "bad_base45", "bad_compression", "bad_cbor", "trust_list_expired",
      "unknown_kid", "bad_signature", "not_yet_valid", "expired", "revoked", "valid"]
  };
})(typeof window !== "undefined" ? window : self);
