"""Test vectors for every verification reason, built with the library alone.

Used by the in-browser vs. server parity test (``e2e/test_passes_duty.py``) and by the
Python checks of the same vectors, so both verifiers are held to one list.
"""

from __future__ import annotations

import os
import random
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import base45
import cbor2

from fangkong.lib import signing

NOW = datetime(2026, 2, 10, 8, 0, tzinfo=UTC)
AT = NOW + timedelta(hours=1)
CLAIMS = {
    "plate": "蒙M12345",
    "vehicle_type": "冷藏车",
    "cargo": "daily",
    "origin": "152921",
    "destination": "银川市",
    "driver_name": "张三",
    "driver_id_last4": "0013",
    "phone_last4": "5678",
}


@dataclass(frozen=True)
class Vector:
    name: str
    code: str
    at: datetime
    reason: str


def _pack_raw(raw: bytes) -> str:
    return "FK1:" + base45.b45encode(zlib.compress(raw)).decode("ascii")


def _parts(code: str) -> list[Any]:
    raw = zlib.decompress(base45.b45decode(code[4:]))
    return list(cbor2.loads(raw).value)


def _pack(parts: list[Any]) -> str:
    return _pack_raw(cbor2.dumps(cbor2.CBORTag(18, parts)))


def build() -> tuple[signing.TrustList, list[Vector]]:
    """A trust list (two HQ keys, one revoked serial) and one vector or more per reason."""
    rng = random.Random(7)
    league, banner, stranger, retired = (signing.generate_private_key() for _ in range(4))
    trust = signing.TrustList(
        keys={}, revoked={"152921-REVOKED"}, issued_at=NOW, expires_at=NOW + timedelta(hours=48)
    )
    trust.add_key(league.public_key(), division_code="1529", valid_from=NOW - timedelta(days=30))
    trust.add_key(banner.public_key(), division_code="152921", valid_from=NOW - timedelta(days=30))
    # A rotated key: trusted until its last pass ends (90 minutes from now).
    trust.add_key(
        retired.public_key(),
        division_code="152922",
        valid_from=NOW - timedelta(days=30),
        valid_until=NOW + timedelta(minutes=90),
    )

    def make(
        key: Any = banner,
        *,
        issuer: str = "152921",
        serial: str = "152921-000001",
        nbf: datetime = NOW,
        days: int = 7,
        kid: bytes | None = None,
        **claims: str,
    ) -> str:
        return signing.encode_pass(
            private_key=key,
            kid=kid or signing.kid_for(key.public_key()),
            issuer_code=issuer,
            serial=serial,
            nbf=nbf,
            exp=nbf + timedelta(days=days),
            iat=NOW,
            claims={**CLAIMS, **claims},
        )

    good = make()
    protected, _unprotected, payload, signature = _parts(good)
    altered_payload = cbor2.loads(payload)
    altered_payload[-70001] = {**altered_payload[-70001], "plate": "蒙M99999"}
    forged_sig = bytes(64 - len(signature)) + bytes(b ^ 0x55 for b in signature)
    dcc_like = _pack_raw(
        cbor2.dumps(
            cbor2.CBORTag(
                18, [protected, {}, cbor2.dumps({1: "CN", -260: {1: {"ver": "1.3.0"}}}), signature]
            )
        )
    )
    vectors = [
        Vector("valid", good, AT, "valid"),
        Vector("valid with a scanner line ending", good + "\r\n", AT, "valid"),
        Vector("league key", make(league, issuer="1529"), AT, "valid"),
        Vector("revoked", make(serial="152921-REVOKED"), AT, "revoked"),
        Vector("expired", make(nbf=NOW - timedelta(days=8)), AT, "expired"),
        Vector("not yet valid", make(nbf=NOW + timedelta(days=1)), AT, "not_yet_valid"),
        Vector(
            "forged signature", _pack([protected, {}, payload, forged_sig]), AT, "bad_signature"
        ),
        Vector(
            "altered plate",
            _pack([protected, {}, cbor2.dumps(altered_payload), signature]),
            AT,
            "bad_signature",
        ),
        Vector(
            "another HQ's key with a copied kid",
            make(stranger, kid=signing.kid_for(banner.public_key())),
            AT,
            "bad_signature",
        ),
        Vector("a key speaking for another HQ", make(banner, issuer="1529"), AT, "bad_signature"),
        Vector(
            "short signature", _pack([protected, {}, payload, signature[:63]]), AT, "bad_signature"
        ),
        Vector("key not in the trust list", make(stranger), AT, "unknown_kid"),
        Vector(
            "a clock behind the key's start and the pass's start",
            good,
            NOW - timedelta(days=40),
            "not_yet_valid",
        ),
        Vector(
            "a clock behind the key's start, after the pass's start",
            make(nbf=NOW - timedelta(days=45), days=30),
            NOW - timedelta(days=35),
            "unknown_kid",
        ),
        Vector(
            "a pass of a rotated key, after the key's end",
            make(retired, issuer="152922"),
            NOW + timedelta(hours=2),
            "unknown_kid",
        ),
        Vector("a pass of a rotated key", make(retired, issuer="152922"), AT, "valid"),
        Vector("stale trust list", good, NOW + timedelta(hours=49), "trust_list_expired"),
        Vector("no prefix", good[4:], AT, "bad_prefix"),
        Vector("EU certificate", "HC1:" + good[4:], AT, "bad_prefix"),
        Vector("lower-case prefix", "fk1:" + good[4:], AT, "bad_prefix"),
        Vector("truncated", good[: 4 + (len(good) // 2) // 3 * 3], AT, "bad_compression"),
        Vector("a base45 length of 3n+1", good[: 4 + len(good[4:]) // 3 * 3 - 2], AT, "bad_base45"),
        Vector("not base45", "FK1:hello world", AT, "bad_base45"),
        Vector("10 KB string", "FK1:" + "A" * 10_240, AT, "bad_base45"),
        Vector(
            "random bytes",
            "FK1:" + base45.b45encode(bytes(rng.getrandbits(8) for _ in range(200))).decode(),
            AT,
            "bad_compression",
        ),
        Vector(
            "uncompressed",
            "FK1:" + base45.b45encode(cbor2.dumps(1)).decode(),
            AT,
            "bad_compression",
        ),
        Vector("zlib of junk", _pack_raw(os.urandom(0) + b"\xff\x00junk"), AT, "bad_cbor"),
        Vector(
            "no tag 18", _pack_raw(cbor2.dumps([protected, {}, payload, signature])), AT, "bad_cbor"
        ),
        Vector("EU certificate shape as FK1", dcc_like, AT, "bad_cbor"),
        Vector(
            "protected header with another alg",
            _pack(
                [
                    cbor2.dumps({1: -35, 4: signing.kid_for(banner.public_key())}),
                    {},
                    payload,
                    signature,
                ]
            ),
            AT,
            "bad_cbor",
        ),
    ]
    return trust, vectors
