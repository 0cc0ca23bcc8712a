"""Signed green-channel passes (``FK1:``), the signed trust list, and EU DCC (``HC1:``) checks.

Pure library: no Django, no other fangkong package. Everything here is deterministic given its
arguments; callers pass "now" explicitly (``at=``).

Green-channel pass
==================

A pass is the string ``FK1:`` + Base45(zlib(COSE_Sign1)), shown as an alphanumeric QR code.

- COSE_Sign1 (RFC 9052) is CBOR tag 18 wrapping ``[protected, unprotected, payload, signature]``:
  ``protected`` is a bstr holding the CBOR map ``{1: -7, 4: kid}`` (alg ES256, key id),
  ``unprotected`` is the empty map ``{}``, ``payload`` is a bstr holding the CWT claims map and
  ``signature`` is the 64-byte raw ``r || s`` ECDSA P-256/SHA-256 signature (what WebCrypto gives
  and takes) over the COSE ``Sig_structure`` ``["Signature1", protected, b"", payload]``.
- ``kid`` is the first 8 bytes of SHA-256 of the signing key's SubjectPublicKeyInfo DER.
- CWT claims: ``1`` (iss) issuing HQ's division code (text), ``4`` (exp), ``5`` (nbf), ``6`` (iat)
  as integer epoch seconds, ``7`` (cti) the pass serial (text), and the private claim ``-70001``:
  ``{"v": 1, "plate", "vehicle_type", "cargo", "origin", "destination", "driver_name",
  "driver_id_last4", "phone_last4"}`` (all text; ``v`` the integer 1).

``verify_pass`` never raises on the code string; it returns a ``VerifyResult`` whose ``reason`` is
the first that applies, in this order (a verifier in the browser should keep the same order):

1. ``bad_prefix``: not a ``str`` or does not start with ``FK1:`` (an EU ``HC1:`` code too).
2. ``bad_base45``: longer than ``MAX_CODE_LENGTH`` (4096) characters, or not valid Base45.
   Trailing CR/LF (what keyboard-wedge scanners append) are dropped first; any other character
   outside the Base45 alphabet, a space at the end included, makes the code ``bad_base45``.
3. ``bad_compression``: not a complete zlib stream, trailing bytes after it, or more than
   ``MAX_PAYLOAD_BYTES`` once inflated.
4. ``bad_cbor``: not CBOR, trailing bytes, not tag 18 with an array of 4, protected header not a
   map, alg missing or not -7, kid missing or not a bstr, unprotected not a map, payload not a
   claims map with every required claim of the right type, signature not a bstr.
5. ``trust_list_expired``: ``at > trust.expires_at``. It comes right after decoding so that a
   stale trust list never yields "valid" (nor a verdict about keys it may not know yet).
6. ``unknown_kid``: the kid is not in the trust list.
7. ``bad_signature``: the signature is not 64 bytes or does not verify, or it verifies but the
   pass's claim ``1`` (issuing HQ) is not the division the key belongs to (another HQ's key).
8. ``not_yet_valid``: ``at < nbf``, whatever the key's window (a clock that is behind, such as
   a phone's, reads this rather than ``unknown_kid``).
9. ``unknown_kid``: ``at`` is outside the key's ``[valid_from, valid_until)`` window.
10. ``expired``: ``at >= exp``.  11. ``revoked``: the serial is in the trust list's revoked set.
12. otherwise ``valid``.

``kid``, ``issuer`` and ``serial`` are filled in as soon as the code decodes (for logs; they are
unauthenticated until the signature is checked). ``claims`` and the times are filled in only once
the signature has verified (reasons ``not_yet_valid``, ``expired``, ``revoked``, ``valid``).

The code string is not canonical: the unused padding bits of the last deflate byte can change
without changing the signed bytes, so two strings may be the same pass. Identify a pass by its
serial, never by its code string.

Trust list
==========

``TrustList`` holds every HQ public key (by kid hex), the revoked serials, ``issued_at`` and
``expires_at``. Its canonical JSON (``trust_list_to_json``) is compact, with sorted keys, ASCII
only, times as ISO 8601 UTC strings to the second (``"2024-05-01T08:00:00Z"``)::

    {"expires_at": "...", "issued_at": "...",
     "keys": {"<kid hex>": {"division_code": "152900", "public_key": "<base64 SPKI DER>",
                            "valid_from": "...", "valid_until": "..." | null}},
     "revoked": ["<serial>", ...], "version": 1}

It is served inside an envelope signed by the league root key (``sign_trust_list``)::

    {"payload": "<the canonical JSON above, as a string>",
     "kid": "<hex kid of the root key>",
     "signature": "<standard base64, with padding, of the 64-byte raw r || s>"}

The signature is ECDSA P-256 with SHA-256 over exactly the UTF-8 bytes of the ``payload`` string
(which is ASCII), so a browser checks it with ``crypto.subtle.verify({name: "ECDSA", hash:
"SHA-256"}, rootKey, signature, new TextEncoder().encode(envelope.payload))`` and only then parses
``payload`` with ``JSON.parse``.

EU digital COVID certificates
=============================

``verify_hc1`` reads ``HC1:`` + Base45(zlib(COSE_Sign1)), optionally wrapped in CWT tag 61, and
records which stages pass (unprefix, b45decode, compression, decode, verify, expirationcheck), as
the EU test vectors (``dgc-testdata``) name them. The certificate KID is the first 8 bytes of
SHA-256 of the DER certificate; ES256 (raw r||s) and PS256 (PSS, MGF1-SHA256, 32-byte salt).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeGuard

import base45
import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from fangkong.lib import b45

__all__ = [
    "FK1_PREFIX",
    "MAX_CODE_LENGTH",
    "MAX_PAYLOAD_BYTES",
    "PASS_FIELDS",
    "PRIVATE_CLAIM",
    "DccResult",
    "Reason",
    "TrustList",
    "TrustListError",
    "TrustListSignatureError",
    "TrustedKey",
    "VerifyResult",
    "dcc_kid_for",
    "encode_pass",
    "generate_private_key",
    "kid_for",
    "load_private_key",
    "private_key_from_pem",
    "private_key_to_pem",
    "public_key_from_b64",
    "public_key_to_b64",
    "save_private_key",
    "sign_trust_list",
    "trust_list_from_dict",
    "trust_list_from_json",
    "trust_list_to_dict",
    "trust_list_to_json",
    "verify_hc1",
    "verify_pass",
    "verify_trust_list",
]

FK1_PREFIX = "FK1:"
HC1_PREFIX = "HC1:"
#: Longest code accepted, prefix included. A pass is a few hundred characters; a QR code holds
#: at most 4296 alphanumeric characters. Longer input is rejected as ``bad_base45`` unread.
MAX_CODE_LENGTH = 4096
#: Largest inflated COSE structure accepted (guards against zlib bombs).
MAX_PAYLOAD_BYTES = 16 * 1024
#: Same limits for EU certificates (they may carry long names and several entries).
MAX_HC1_LENGTH = 8192
MAX_HC1_PAYLOAD_BYTES = 64 * 1024
#: Nesting allowed in CBOR (passes are three levels deep).
_MAX_CBOR_DEPTH = 16

PRIVATE_CLAIM = -70001
PASS_VERSION = 1
#: Text fields of the private claim, in the order they are encoded.
PASS_FIELDS: tuple[str, ...] = (
    "plate",
    "vehicle_type",
    "cargo",
    "origin",
    "destination",
    "driver_name",
    "driver_id_last4",
    "phone_last4",
)

COSE_SIGN1_TAG = 18
CWT_TAG = 61
ALG_ES256 = -7
ALG_PS256 = -37
_HDR_ALG = 1
_HDR_KID = 4
_CLAIM_ISS = 1
_CLAIM_EXP = 4
_CLAIM_NBF = 5
_CLAIM_IAT = 6
_CLAIM_CTI = 7
_CLAIM_HCERT = -260
KID_LENGTH = 8
_P256_COORD = 32
_ES256_SIG_LENGTH = 2 * _P256_COORD
_TRUST_LIST_VERSION = 1

_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


class Reason(StrEnum):
    """Why a pass is (not) valid. Members are strings, so ``reason == "valid"`` works."""

    BAD_PREFIX = "bad_prefix"
    BAD_BASE45 = "bad_base45"
    BAD_COMPRESSION = "bad_compression"
    BAD_CBOR = "bad_cbor"
    TRUST_LIST_EXPIRED = "trust_list_expired"
    UNKNOWN_KID = "unknown_kid"
    BAD_SIGNATURE = "bad_signature"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    VALID = "valid"


class TrustListError(ValueError):
    """A trust list or its envelope is malformed."""


class TrustListSignatureError(TrustListError):
    """The trust-list envelope is not signed by the expected root key."""


# --- keys -------------------------------------------------------------------------------------


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    """A new ES256 (ECDSA P-256) private key."""
    return ec.generate_private_key(ec.SECP256R1())


def private_key_to_pem(private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """Unencrypted PKCS#8 PEM (the file's permissions protect it)."""
    return private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def private_key_from_pem(pem: bytes) -> ec.EllipticCurvePrivateKey:
    """Load a PEM private key; raises ``ValueError`` unless it is a P-256 key."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("not an ECDSA P-256 private key")
    return key


def save_private_key(private_key: ec.EllipticCurvePrivateKey, path: str | os.PathLike[str]) -> None:
    """Write the key as PEM with mode 0600, creating the parent directory (mode 0700).

    The file is written to a temporary name in the same directory and renamed over ``path``,
    so a reader never sees half a key.
    """
    target = Path(path)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".key-", dir=target.parent)  # created 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(private_key_to_pem(private_key))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o600)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def load_private_key(path: str | os.PathLike[str]) -> ec.EllipticCurvePrivateKey:
    """Read a PEM private key file written by ``save_private_key``."""
    return private_key_from_pem(Path(path).read_bytes())


def _spki_der(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )


def kid_for(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """Key id: the first 8 bytes of SHA-256 of the SubjectPublicKeyInfo DER."""
    return hashlib.sha256(_spki_der(public_key)).digest()[:KID_LENGTH]


def public_key_to_b64(public_key: ec.EllipticCurvePublicKey) -> str:
    """Standard base64 of the SubjectPublicKeyInfo DER (WebCrypto ``importKey("spki", ...)``)."""
    return base64.b64encode(_spki_der(public_key)).decode("ascii")


def public_key_from_b64(value: str) -> ec.EllipticCurvePublicKey:
    """Inverse of ``public_key_to_b64``; raises ``ValueError`` unless it is a P-256 key."""
    try:
        der = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError("public key is not valid base64") from exc
    key = serialization.load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("not an ECDSA P-256 public key")
    return key


def _sign_raw(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    r, s = decode_dss_signature(private_key.sign(data, _ECDSA_SHA256))
    return r.to_bytes(_P256_COORD, "big") + s.to_bytes(_P256_COORD, "big")


def _raw_to_der(signature: bytes) -> bytes:
    half = len(signature) // 2
    return encode_dss_signature(
        int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
    )


def _verify_raw_es256(public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    if len(signature) != _ES256_SIG_LENGTH:
        return False
    try:
        public_key.verify(_raw_to_der(signature), data, _ECDSA_SHA256)
    except InvalidSignature:
        return False
    return True


# --- small helpers ----------------------------------------------------------------------------


def _require_aware(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def _epoch(name: str, value: datetime) -> int:
    return int(_require_aware(name, value).timestamp())


def _from_epoch(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: Latest time a claim may carry (9999-12-31T23:59:59Z), so converting it never overflows.
_MAX_EPOCH = 253_402_300_799


def _is_epoch(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_EPOCH


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def _inflate(data: bytes, limit: int) -> bytes:
    """zlib-inflate ``data``; ``ValueError`` if broken, truncated, trailed or over ``limit``."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as exc:
        raise ValueError(str(exc)) from exc
    if inflater.unconsumed_tail:
        raise ValueError("inflated data too large")
    if not inflater.eof:
        raise ValueError("truncated zlib stream")
    if inflater.unused_data:
        raise ValueError("trailing bytes after the zlib stream")
    return out


def _cbor_loads_exact(data: bytes) -> Any:
    """Decode one CBOR item that must fill ``data`` exactly (no trailing bytes)."""
    fp = io.BytesIO(data)
    decoder = cbor2.CBORDecoder(fp, max_depth=_MAX_CBOR_DEPTH, allow_duplicate_keys=False)
    value = decoder.decode()
    if fp.tell() != len(data):
        raise ValueError("trailing bytes after the CBOR item")
    return value


def _to_plain(value: Any) -> Any:
    """frozendict/tuple from cbor2 → dict/list, recursively (JSON-comparable)."""
    if isinstance(value, Mapping):
        return {k: _to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    return value


# --- passes -----------------------------------------------------------------------------------


def encode_pass(
    *,
    private_key: ec.EllipticCurvePrivateKey,
    kid: bytes,
    issuer_code: str,
    serial: str,
    nbf: datetime,
    exp: datetime,
    iat: datetime,
    claims: Mapping[str, str],
) -> str:
    """Sign a pass and return ``FK1:`` + Base45(zlib(COSE_Sign1)).

    ``claims`` holds exactly the text fields of ``PASS_FIELDS`` (``"v"`` is added here). Times
    must be timezone-aware and are truncated to whole seconds. Raises ``ValueError``/``TypeError``
    on bad arguments, including a result longer than ``MAX_CODE_LENGTH``.
    """
    if not isinstance(kid, bytes) or not kid:
        raise TypeError("kid must be non-empty bytes")
    for name, text in (("issuer_code", issuer_code), ("serial", serial)):
        if not isinstance(text, str) or not text:
            raise ValueError(f"{name} must be a non-empty string")
    nbf_s, exp_s, iat_s = _epoch("nbf", nbf), _epoch("exp", exp), _epoch("iat", iat)
    if exp_s <= nbf_s:
        raise ValueError("exp must be after nbf")
    extra = set(claims) - set(PASS_FIELDS)
    if extra:
        raise ValueError(f"unknown pass claims: {sorted(extra)}")
    private: dict[str, Any] = {"v": PASS_VERSION}
    for name in PASS_FIELDS:
        value = claims.get(name)
        if not isinstance(value, str):
            raise ValueError(f"pass claim {name!r} must be a string")
        private[name] = value

    protected = cbor2.dumps({_HDR_ALG: ALG_ES256, _HDR_KID: kid})
    payload = cbor2.dumps(
        {
            _CLAIM_ISS: issuer_code,
            _CLAIM_EXP: exp_s,
            _CLAIM_NBF: nbf_s,
            _CLAIM_IAT: iat_s,
            _CLAIM_CTI: serial,
            PRIVATE_CLAIM: private,
        }
    )
    signature = _sign_raw(private_key, _sig_structure(protected, payload))
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    code = FK1_PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")
    if len(code) > MAX_CODE_LENGTH:
        raise ValueError(f"pass code is {len(code)} characters, over {MAX_CODE_LENGTH}")
    return code


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of ``verify_pass``; see the module docstring for which fields are set when."""

    valid: bool
    reason: str
    claims: dict[str, Any] | None = None
    serial: str | None = None
    issuer: str | None = None
    kid: str | None = None
    not_before: datetime | None = None
    expires: datetime | None = None
    issued_at: datetime | None = None


@dataclass(slots=True)
class _DecodedPass:
    protected: bytes
    payload: bytes
    signature: bytes
    kid: bytes
    issuer: str
    serial: str
    exp: int
    nbf: int
    iat: int
    private: dict[str, Any]


def _decode_pass_cose(raw: bytes) -> _DecodedPass | None:
    """Parse and type-check the COSE_Sign1 of a pass; ``None`` when anything is off."""
    try:
        outer = _cbor_loads_exact(raw)
        if not isinstance(outer, cbor2.CBORTag) or outer.tag != COSE_SIGN1_TAG:
            return None
        parts = outer.value
        if not isinstance(parts, (list, tuple)) or len(parts) != 4:
            return None
        protected_b, unprotected, payload_b, signature = parts
        if not (
            isinstance(protected_b, bytes)
            and isinstance(unprotected, Mapping)
            and isinstance(payload_b, bytes)
            and isinstance(signature, bytes)
        ):
            return None
        protected = _cbor_loads_exact(protected_b)
        if not isinstance(protected, Mapping):
            return None
        alg, kid = protected.get(_HDR_ALG), protected.get(_HDR_KID)
        if not _is_int(alg) or alg != ALG_ES256 or not isinstance(kid, bytes) or not kid:
            return None
        claims = _cbor_loads_exact(payload_b)
        if not isinstance(claims, Mapping):
            return None
        issuer, serial = claims.get(_CLAIM_ISS), claims.get(_CLAIM_CTI)
        exp, nbf, iat = claims.get(_CLAIM_EXP), claims.get(_CLAIM_NBF), claims.get(_CLAIM_IAT)
        private = claims.get(PRIVATE_CLAIM)
        if not (
            isinstance(issuer, str)
            and isinstance(serial, str)
            and _is_epoch(exp)
            and _is_epoch(nbf)
            and _is_epoch(iat)
            and isinstance(private, Mapping)
        ):
            return None
        version = private.get("v")
        if not _is_int(version) or version != PASS_VERSION:
            return None
        for name in PASS_FIELDS:
            if not isinstance(private.get(name), str):
                return None
        return _DecodedPass(
            protected=protected_b,
            payload=payload_b,
            signature=signature,
            kid=kid,
            issuer=issuer,
            serial=serial,
            exp=exp,
            nbf=nbf,
            iat=iat,
            private=dict(private),
        )
    except Exception:  # any decoder failure on hostile input is simply "bad CBOR"
        return None


def verify_pass(code: str, trust: TrustList, *, at: datetime) -> VerifyResult:
    """Check a ``FK1:`` code against ``trust`` at time ``at`` (timezone-aware).

    Never raises on ``code``; raises ``ValueError`` only for a naive ``at`` (a programming error).
    """
    at = _require_aware("at", at)
    if not isinstance(code, str) or not code.startswith(FK1_PREFIX):
        return VerifyResult(valid=False, reason=Reason.BAD_PREFIX)
    code = code.rstrip("\r\n")
    if len(code) > MAX_CODE_LENGTH:
        return VerifyResult(valid=False, reason=Reason.BAD_BASE45)
    try:
        compressed = b45.decode(code[len(FK1_PREFIX) :])
    except ValueError:
        return VerifyResult(valid=False, reason=Reason.BAD_BASE45)
    try:
        raw = _inflate(compressed, MAX_PAYLOAD_BYTES)
    except Exception:
        return VerifyResult(valid=False, reason=Reason.BAD_COMPRESSION)
    decoded = _decode_pass_cose(raw)
    if decoded is None:
        return VerifyResult(valid=False, reason=Reason.BAD_CBOR)

    kid_hex = decoded.kid.hex()

    def unverified(reason: Reason) -> VerifyResult:
        return VerifyResult(
            valid=False, reason=reason, kid=kid_hex, issuer=decoded.issuer, serial=decoded.serial
        )

    def verified(reason: Reason) -> VerifyResult:
        return VerifyResult(
            valid=reason is Reason.VALID,
            reason=reason,
            claims=decoded.private,
            kid=kid_hex,
            issuer=decoded.issuer,
            serial=decoded.serial,
            not_before=_from_epoch(decoded.nbf),
            expires=_from_epoch(decoded.exp),
            issued_at=_from_epoch(decoded.iat),
        )

    if at > trust.expires_at:
        return unverified(Reason.TRUST_LIST_EXPIRED)
    entry = trust.keys.get(kid_hex)
    if entry is None:
        return unverified(Reason.UNKNOWN_KID)
    public_key = trust.public_key(kid_hex)
    if public_key is None:  # an unreadable key in a hand-built trust list: treat as unknown
        return unverified(Reason.UNKNOWN_KID)
    tbs = _sig_structure(decoded.protected, decoded.payload)
    if not _verify_raw_es256(public_key, decoded.signature, tbs):
        return unverified(Reason.BAD_SIGNATURE)
    # The signature is genuine, but a key only speaks for its own HQ: a pass that names another
    # HQ as its issuer (claim 1) was signed with "another HQ's key". That is a forgery of the
    # issuer, so it gets the same verdict as a forged signature rather than a reason of its own.
    if decoded.issuer != entry.division_code:
        return unverified(Reason.BAD_SIGNATURE)

    now = at.timestamp()
    # Before the pass's start the answer is "not valid yet" whatever the key's window: a phone
    # whose clock is behind sees why, instead of being told the key is unknown.
    if now < decoded.nbf:
        return verified(Reason.NOT_YET_VALID)
    if not entry.is_valid_at(at):
        return unverified(Reason.UNKNOWN_KID)
    if now >= decoded.exp:
        return verified(Reason.EXPIRED)
    if decoded.serial in trust.revoked:
        return verified(Reason.REVOKED)
    return verified(Reason.VALID)


# --- trust list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustedKey:
    """One HQ's public key in the trust list."""

    public_key: str  # standard base64 of the SubjectPublicKeyInfo DER
    division_code: str
    valid_from: datetime
    valid_until: datetime | None = None

    def is_valid_at(self, at: datetime) -> bool:
        """``valid_from <= at < valid_until`` (no upper bound when ``valid_until`` is None)."""
        if at < self.valid_from:
            return False
        return self.valid_until is None or at < self.valid_until


@dataclass
class TrustList:
    """HQ keys by kid hex, revoked serials, and the list's own validity.

    Loaded public-key objects are cached per kid (keyed also by the base64 text, so replacing an
    entry is picked up); the cache is not part of equality or the JSON.
    """

    keys: dict[str, TrustedKey]
    revoked: set[str]
    issued_at: datetime
    expires_at: datetime
    _loaded: dict[str, tuple[str, ec.EllipticCurvePublicKey]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def add_key(
        self,
        public_key: ec.EllipticCurvePublicKey,
        *,
        division_code: str,
        valid_from: datetime,
        valid_until: datetime | None = None,
    ) -> str:
        """Add (or replace) a key under its kid; returns the kid hex."""
        kid_hex = kid_for(public_key).hex()
        self.keys[kid_hex] = TrustedKey(
            public_key=public_key_to_b64(public_key),
            division_code=division_code,
            valid_from=_require_aware("valid_from", valid_from),
            valid_until=None if valid_until is None else _require_aware("valid_until", valid_until),
        )
        return kid_hex

    def public_key(self, kid_hex: str) -> ec.EllipticCurvePublicKey | None:
        """The loaded key for ``kid_hex`` (cached), or None if absent or unreadable."""
        entry = self.keys.get(kid_hex)
        if entry is None:
            return None
        cached = self._loaded.get(kid_hex)
        if cached is not None and cached[0] == entry.public_key:
            return cached[1]
        try:
            key = public_key_from_b64(entry.public_key)
        except Exception:
            return None
        self._loaded[kid_hex] = (entry.public_key, key)
        return key


def _format_time(value: datetime) -> str:
    return _require_aware("time", value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: object, what: str) -> datetime:
    if not isinstance(value, str):
        raise TrustListError(f"{what} must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise TrustListError(f"{what} is not an ISO 8601 time: {value!r}") from exc
    if parsed.tzinfo is None:
        raise TrustListError(f"{what} has no time zone: {value!r}")
    return parsed.astimezone(UTC)


def trust_list_to_dict(tl: TrustList) -> dict[str, Any]:
    """The JSON-able form of a trust list (see the module docstring)."""
    return {
        "version": _TRUST_LIST_VERSION,
        "issued_at": _format_time(tl.issued_at),
        "expires_at": _format_time(tl.expires_at),
        "keys": {
            kid_hex: {
                "public_key": entry.public_key,
                "division_code": entry.division_code,
                "valid_from": _format_time(entry.valid_from),
                "valid_until": None
                if entry.valid_until is None
                else _format_time(entry.valid_until),
            }
            for kid_hex, entry in tl.keys.items()
        },
        "revoked": sorted(tl.revoked),
    }


def trust_list_to_json(tl: TrustList) -> str:
    """Canonical JSON: sorted keys, no spaces, ASCII only (so its UTF-8 bytes are fixed)."""
    return json.dumps(
        trust_list_to_dict(tl), sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )


def trust_list_from_dict(data: object) -> TrustList:
    """Validate and load the JSON-able form; raises ``TrustListError``.

    Each key's kid must be the kid of its public key, and every key must be P-256.
    """
    if not isinstance(data, dict):
        raise TrustListError("trust list must be a JSON object")
    if data.get("version") != _TRUST_LIST_VERSION:
        raise TrustListError(f"unsupported trust list version: {data.get('version')!r}")
    raw_keys, raw_revoked = data.get("keys"), data.get("revoked")
    if not isinstance(raw_keys, dict):
        raise TrustListError("keys must be an object")
    if not isinstance(raw_revoked, list) or not all(isinstance(s, str) for s in raw_revoked):
        raise TrustListError("revoked must be a list of strings")
    tl = TrustList(
        keys={},
        revoked=set(raw_revoked),
        issued_at=_parse_time(data.get("issued_at"), "issued_at"),
        expires_at=_parse_time(data.get("expires_at"), "expires_at"),
    )
    for kid_hex, item in raw_keys.items():
        if not isinstance(item, dict):
            raise TrustListError(f"key {kid_hex!r} must be an object")
        b64, division = item.get("public_key"), item.get("division_code")
        if not isinstance(b64, str) or not isinstance(division, str) or not division:
            raise TrustListError(f"key {kid_hex!r} needs public_key and division_code strings")
        try:
            public_key = public_key_from_b64(b64)
        except Exception as exc:
            raise TrustListError(f"key {kid_hex!r}: {exc}") from exc
        if kid_for(public_key).hex() != kid_hex:
            raise TrustListError(f"key {kid_hex!r} does not match its public key")
        until = item.get("valid_until")
        tl.keys[kid_hex] = TrustedKey(
            public_key=b64,
            division_code=division,
            valid_from=_parse_time(item.get("valid_from"), f"{kid_hex} valid_from"),
            valid_until=None if until is None else _parse_time(until, f"{kid_hex} valid_until"),
        )
        tl._loaded[kid_hex] = (b64, public_key)
    return tl


def trust_list_from_json(text: str | bytes) -> TrustList:
    """Parse ``trust_list_to_json`` output; raises ``TrustListError``."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise TrustListError(f"trust list is not JSON: {exc}") from exc
    return trust_list_from_dict(data)


def sign_trust_list(tl: TrustList, root_private_key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    """The signed envelope ``{"payload", "kid", "signature"}`` (see the module docstring)."""
    payload = trust_list_to_json(tl)
    signature = _sign_raw(root_private_key, payload.encode("utf-8"))
    return {
        "payload": payload,
        "kid": kid_for(root_private_key.public_key()).hex(),
        "signature": base64.b64encode(signature).decode("ascii"),
    }


def verify_trust_list(
    envelope: Mapping[str, Any], root_public_key: ec.EllipticCurvePublicKey
) -> TrustList:
    """Check the envelope's signature with the root key, then load the payload.

    Raises ``TrustListSignatureError`` when the envelope names another key or the signature does
    not verify, ``TrustListError`` when the envelope or the payload is malformed.
    """
    if not isinstance(envelope, Mapping):
        raise TrustListError("envelope must be an object")
    payload, kid_hex, sig_b64 = (envelope.get(k) for k in ("payload", "kid", "signature"))
    if not (isinstance(payload, str) and isinstance(kid_hex, str) and isinstance(sig_b64, str)):
        raise TrustListError("envelope needs payload, kid and signature strings")
    if kid_hex != kid_for(root_public_key).hex():
        raise TrustListSignatureError(f"trust list signed by unknown key {kid_hex!r}")
    try:
        signature = base64.b64decode(sig_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TrustListSignatureError("trust list signature is not valid base64") from exc
    try:
        data = payload.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise TrustListError("payload is not encodable as UTF-8") from exc
    if not _verify_raw_es256(root_public_key, signature, data):
        raise TrustListSignatureError("trust list signature does not verify")
    return trust_list_from_json(payload)


# --- EU digital COVID certificates ------------------------------------------------------------


def dcc_kid_for(certificate: x509.Certificate) -> bytes:
    """DCC key id: the first 8 bytes of SHA-256 of the DER certificate."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).digest()[:KID_LENGTH]


@dataclass
class DccResult:
    """Which stages of ``verify_hc1`` passed, and what was decoded.

    Stages run in order and each needs the previous one, except that ``verify`` and
    ``expirationcheck`` are both evaluated once ``decode`` succeeds. ``reason`` names the first
    failing stage, or is ``"valid"``.
    """

    unprefix: bool = False
    b45decode: bool = False
    compression: bool = False
    decode: bool = False
    verify: bool = False
    expirationcheck: bool = False
    reason: str = "unprefix"
    kid: bytes | None = None
    alg: int | None = None
    payload: dict[Any, Any] | None = None  # the CWT claims map
    dgc: dict[str, Any] | None = None  # claims[-260][1], as plain dicts and lists
    issuer: str | None = None
    issued_at: datetime | None = None
    expires: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.reason == "valid"


_DCC_STAGES = ("unprefix", "b45decode", "compression", "decode", "verify", "expirationcheck")


def _certificate_map(
    certificates: Mapping[bytes, x509.Certificate] | Iterable[x509.Certificate],
) -> Mapping[bytes, x509.Certificate]:
    if isinstance(certificates, Mapping):
        return certificates
    return {dcc_kid_for(cert): cert for cert in certificates}


def _verify_dcc_signature(
    certificate: x509.Certificate, alg: int, signature: bytes, data: bytes
) -> bool:
    try:
        public_key = certificate.public_key()
        if alg == ALG_ES256 and isinstance(public_key, ec.EllipticCurvePublicKey):
            if not isinstance(public_key.curve, ec.SECP256R1):
                return False
            return _verify_raw_es256(public_key, signature, data)
        if alg == ALG_PS256 and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(
                signature,
                data,
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                hashes.SHA256(),
            )
            return True
    except Exception:  # InvalidSignature, malformed key or signature
        return False
    return False


def verify_hc1(
    code: str,
    certificates: Mapping[bytes, x509.Certificate] | Iterable[x509.Certificate],
    *,
    at: datetime,
) -> DccResult:
    """Check an EU ``HC1:`` certificate against signer certificates (by KID, or a plain list).

    The KID is taken from the protected header if present there, else from the unprotected one
    (so a wrong protected KID fails even when the unprotected one is right); likewise the alg.
    Certificate validity dates are not checked, only the CWT's ``iat <= at < exp``.
    Never raises on ``code``.
    """
    now = _require_aware("at", at).timestamp()
    result = DccResult()
    if not isinstance(code, str) or not code.startswith(HC1_PREFIX):
        return result
    result.unprefix = True
    if len(code) > MAX_HC1_LENGTH:
        return _dcc_finish(result)
    try:
        compressed = base45.b45decode(code[len(HC1_PREFIX) :])
    except Exception:
        return _dcc_finish(result)
    result.b45decode = True
    try:
        raw = _inflate(compressed, MAX_HC1_PAYLOAD_BYTES)
    except Exception:
        return _dcc_finish(result)
    result.compression = True
    try:
        outer = _cbor_loads_exact(raw)
        if isinstance(outer, cbor2.CBORTag) and outer.tag == CWT_TAG:
            outer = outer.value
        if isinstance(outer, cbor2.CBORTag):
            if outer.tag != COSE_SIGN1_TAG:
                return _dcc_finish(result)
            outer = outer.value
        if not isinstance(outer, (list, tuple)) or len(outer) != 4:
            return _dcc_finish(result)
        protected_b, unprotected, payload_b, signature = outer
        if not (
            isinstance(protected_b, bytes)
            and isinstance(unprotected, Mapping)
            and isinstance(payload_b, bytes)
            and isinstance(signature, bytes)
        ):
            return _dcc_finish(result)
        protected = _cbor_loads_exact(protected_b) if protected_b else {}
        claims = _cbor_loads_exact(payload_b)
        if not isinstance(protected, Mapping) or not isinstance(claims, Mapping):
            return _dcc_finish(result)
        hcert = claims.get(_CLAIM_HCERT)
        dgc = hcert.get(1) if isinstance(hcert, Mapping) else None
        if not isinstance(dgc, Mapping):
            return _dcc_finish(result)
    except Exception:
        return _dcc_finish(result)
    result.decode = True
    result.payload = _to_plain(claims)
    result.dgc = _to_plain(dgc)
    iss = claims.get(_CLAIM_ISS)
    result.issuer = iss if isinstance(iss, str) else None

    kid = protected[_HDR_KID] if _HDR_KID in protected else unprotected.get(_HDR_KID)
    alg = protected[_HDR_ALG] if _HDR_ALG in protected else unprotected.get(_HDR_ALG)
    result.kid = kid if isinstance(kid, bytes) else None
    result.alg = alg if _is_int(alg) else None
    if result.kid is not None and result.alg is not None:
        try:
            certificate = _certificate_map(certificates).get(result.kid)
        except Exception:
            certificate = None
        if certificate is not None and dcc_kid_for(certificate) == result.kid:
            result.verify = _verify_dcc_signature(
                certificate, result.alg, signature, _sig_structure(protected_b, payload_b)
            )

    iat, exp = claims.get(_CLAIM_IAT), claims.get(_CLAIM_EXP)
    if _is_epoch(iat) and _is_epoch(exp):
        result.issued_at, result.expires = _from_epoch(iat), _from_epoch(exp)
        result.expirationcheck = iat <= now < exp
    return _dcc_finish(result)


def _dcc_finish(result: DccResult) -> DccResult:
    """Set ``reason`` to the first stage that did not pass (or "valid"); return ``result``."""
    for stage in _DCC_STAGES:
        if not getattr(result, stage):
            result.reason = stage
            return result
    result.reason = "valid"
    return result
