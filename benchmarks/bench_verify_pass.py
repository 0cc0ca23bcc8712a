"""Benchmark: ``verify_pass`` as a library call against the raw verification chain.

The floor is the least work that can check a pass signature at all, done in the same process on
the same code: Base45 decode (the project's own decoder, ``fangkong.lib.b45``, which the library
also uses: the floor must not be slowed by a slower decoder), ``zlib.decompress``, ``cbor2.loads``
of the COSE_Sign1 and of its protected header (the kid) and payload (the claims), since no
verifier can give a verdict without reading them, the COSE Sig_structure, and one
``cryptography`` ES256 verify with an already loaded public key. The library call adds the prefix
and size checks, strict decoding, the claims map and its types, the trust-list lookup (50 keys,
10 000 revoked serials) and the time and revocation checks.

Runs of both are interleaved (alternating which goes first) and the median per-call time of each
is compared. Prints one line and exits 1 when the ratio misses the target::

    bench verify_pass_library: value=<us>us floor=<us>us ratio=<r> target<=1.5 ok|MISS

``BENCH_SCALE`` (float, default 1.0) scales the number of runs and calls per run.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

TARGET = 1.5
NAME = "verify_pass_library"


def _timed_batch(fn: Callable[[], object], calls: int) -> float:
    """Mean seconds per call over one batch of ``calls`` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import cbor2
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from fangkong.lib import b45, signing

    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    rounds = max(7, int(41 * scale))
    calls = max(10, int(150 * scale))

    now = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    issuer = signing.generate_private_key()
    trust = signing.TrustList(
        keys={},
        revoked={f"P-2024-{n:06d}" for n in range(10_000, 20_000)},
        issued_at=now,
        expires_at=now + timedelta(hours=48),
    )
    for n in range(49):
        trust.add_key(
            signing.generate_private_key().public_key(),
            division_code=f"1529{n:02d}",
            valid_from=now - timedelta(days=30),
        )
    trust.add_key(issuer.public_key(), division_code="152900", valid_from=now - timedelta(days=30))
    code = signing.encode_pass(
        private_key=issuer,
        kid=signing.kid_for(issuer.public_key()),
        issuer_code="152900",
        serial="P-2024-000001",
        nbf=now,
        exp=now + timedelta(days=7),
        iat=now,
        claims={
            "plate": "蒙M12345",
            "vehicle_type": "冷藏车",
            "cargo": "蔬菜 生鲜",
            "origin": "152921",
            "destination": "150102",
            "driver_name": "张三",
            "driver_id_last4": "0013",
            "phone_last4": "5678",
        },
    )
    at = now + timedelta(hours=1)
    public_key = issuer.public_key()
    ecdsa = ec.ECDSA(hashes.SHA256())

    def library() -> object:
        return signing.verify_pass(code, trust, at=at)

    def floor() -> object:
        cose = cbor2.loads(zlib.decompress(b45.decode(code[4:])))
        protected, _unprotected, payload, sig = cose.value
        cbor2.loads(protected)  # the kid that picks the key
        cbor2.loads(payload)  # the claims a verdict is about
        tbs = cbor2.dumps(["Signature1", protected, b"", payload])
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        public_key.verify(der, tbs, ecdsa)  # raises InvalidSignature if wrong
        return payload

    result = signing.verify_pass(code, trust, at=at)
    if not result.valid:
        print(f"bench {NAME}: setup failed, pass is {result.reason}", file=sys.stderr)
        return 1
    for _ in range(max(20, calls // 2)):  # warm caches (trust-list key objects, allocator)
        library()
        floor()

    lib_times: list[float] = []
    floor_times: list[float] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for index in range(rounds):
            if index % 2 == 0:
                floor_times.append(_timed_batch(floor, calls))
                lib_times.append(_timed_batch(library, calls))
            else:
                lib_times.append(_timed_batch(library, calls))
                floor_times.append(_timed_batch(floor, calls))
            gc.collect()
    finally:
        if gc_was_enabled:
            gc.enable()

    value = statistics.median(lib_times) * 1e6
    floor_us = statistics.median(floor_times) * 1e6
    ratio = value / floor_us
    verdict = "ok" if ratio <= TARGET else "MISS"
    print(
        f"bench {NAME}: value={value:.1f}us floor={floor_us:.1f}us ratio={ratio:.2f} "
        f"target<={TARGET:g} {verdict}"
    )
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
