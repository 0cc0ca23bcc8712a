"""Green-channel passes, the signed trust list and the verifier's reasons (no Django)."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import stat
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from fangkong.lib import signing
from fangkong.lib.signing import (
    FK1_PREFIX,
    MAX_CODE_LENGTH,
    PASS_FIELDS,
    PRIVATE_CLAIM,
    Reason,
    TrustList,
    TrustListError,
    TrustListSignatureError,
    encode_pass,
    kid_for,
    sign_trust_list,
    trust_list_from_json,
    trust_list_to_json,
    verify_pass,
    verify_trust_list,
)
from fangkong.lib.tests.test_dcc_vectors import TESTDATA

NOW = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
LEAGUE = "152900"  # Alxa League HQ
BANNER = "152921"  # Alxa Left Banner HQ
CLAIMS = {
    "plate": "蒙M12345",
    "vehicle_type": "冷藏车",
    "cargo": "蔬菜",
    "origin": "152921",
    "destination": "150102",
    "driver_name": "张三",
    "driver_id_last4": "0013",
    "phone_last4": "5678",
}
_RNG = random.Random(1)
INCOMPRESSIBLE_CARGO = "".join(chr(_RNG.randrange(0x4E00, 0x9FFF)) for _ in range(1500))
DCC_VECTOR = TESTDATA / "DE" / "2DCode" / "raw" / "1.json"

_KEYS: dict[str, ec.EllipticCurvePrivateKey] = {}


def key(name: str) -> ec.EllipticCurvePrivateKey:
    """One private key per name for the whole module (key generation is the slow part)."""
    if name not in _KEYS:
        _KEYS[name] = signing.generate_private_key()
    return _KEYS[name]


@dataclass
class World:
    league: ec.EllipticCurvePrivateKey
    banner: ec.EllipticCurvePrivateKey
    root: ec.EllipticCurvePrivateKey
    trust: TrustList

    def issue(self, *, serial: str = "P-2024-000001", **overrides: Any) -> str:
        args: dict[str, Any] = {
            "private_key": self.league,
            "kid": kid_for(self.league.public_key()),
            "issuer_code": LEAGUE,
            "serial": serial,
            "nbf": NOW,
            "exp": NOW + timedelta(days=7),
            "iat": NOW - timedelta(minutes=5),
            "claims": CLAIMS,
        }
        args.update(overrides)
        return encode_pass(**args)


@pytest.fixture
def world() -> World:
    league, banner, root = key("league"), key("banner"), key("root")
    trust = TrustList(
        keys={},
        revoked={"P-2024-000666"},
        issued_at=NOW,
        expires_at=NOW + timedelta(hours=48),
    )
    trust.add_key(league.public_key(), division_code=LEAGUE, valid_from=NOW - timedelta(days=30))
    trust.add_key(banner.public_key(), division_code=BANNER, valid_from=NOW - timedelta(days=30))
    return World(league=league, banner=banner, root=root, trust=trust)


AT = NOW + timedelta(hours=1)


# --- helpers that take a code apart and put it back together ---------------------------------


def unpack(code: str) -> list[Any]:
    """FK1 code → [protected bytes, unprotected, payload bytes, signature]."""
    raw = zlib.decompress(base45.b45decode(code[len(FK1_PREFIX) :]))
    tag = cbor2.loads(raw)
    assert isinstance(tag, cbor2.CBORTag)
    assert tag.tag == 18
    return list(tag.value)


def pack_raw(raw: bytes) -> str:
    return FK1_PREFIX + base45.b45encode(zlib.compress(raw)).decode("ascii")


def pack(parts: list[Any], *, tag: int = 18) -> str:
    return pack_raw(cbor2.dumps(cbor2.CBORTag(tag, parts)))


def sign_raw(private_key: ec.EllipticCurvePrivateKey, protected: bytes, payload: bytes) -> bytes:
    """A correct raw r||s signature over the COSE Sig_structure (for hand-built passes)."""
    return signing._sign_raw(private_key, cbor2.dumps(["Signature1", protected, b"", payload]))


def signed(
    private_key: ec.EllipticCurvePrivateKey,
    *,
    protected: dict[int, Any] | bytes | None = None,
    payload: dict[int, Any] | bytes | None = None,
) -> str:
    """A correctly signed pass whose headers or claims are replaced by the given ones."""
    kid = kid_for(private_key.public_key())
    if protected is None:
        protected = {1: -7, 4: kid}
    if payload is None:
        payload = standard_claims()
    protected_b = protected if isinstance(protected, bytes) else cbor2.dumps(protected)
    payload_b = payload if isinstance(payload, bytes) else cbor2.dumps(payload)
    return pack([protected_b, {}, payload_b, sign_raw(private_key, protected_b, payload_b)])


def standard_claims(**changes: Any) -> dict[int, Any]:
    claims: dict[int, Any] = {
        1: LEAGUE,
        4: int((NOW + timedelta(days=7)).timestamp()),
        5: int(NOW.timestamp()),
        6: int(NOW.timestamp()),
        7: "P-2024-000001",
        PRIVATE_CLAIM: {"v": 1, **CLAIMS},
    }
    for k, v in changes.items():
        claim = {"iss": 1, "exp": 4, "nbf": 5, "iat": 6, "cti": 7}[k]
        if v is None:
            del claims[claim]
        else:
            claims[claim] = v
    return claims


# --- round trip and format ---------------------------------------------------------------------


def test_a_signed_pass_verifies_with_its_claims(world: World) -> None:
    code = world.issue()

    result = verify_pass(code, world.trust, at=AT)

    assert result.valid
    assert result.reason == "valid"
    assert result.reason is Reason.VALID
    assert result.claims == {"v": 1, **CLAIMS}
    assert result.serial == "P-2024-000001"
    assert result.issuer == LEAGUE
    assert result.kid == kid_for(world.league.public_key()).hex()
    assert result.not_before == NOW
    assert result.expires == NOW + timedelta(days=7)
    assert result.issued_at == NOW - timedelta(minutes=5)


def test_the_code_is_fk1_base45_of_zlib_of_a_cose_sign1(world: World) -> None:
    code = world.issue()

    assert code.startswith("FK1:")
    assert set(code) <= set(base45.BASE45_CHARSET) | set("FK1:")
    protected, unprotected, payload, signature = unpack(code)
    assert cbor2.loads(protected) == {1: -7, 4: kid_for(world.league.public_key())}
    assert unprotected == {}
    claims = cbor2.loads(payload)
    assert claims == {
        1: LEAGUE,
        4: int((NOW + timedelta(days=7)).timestamp()),
        5: int(NOW.timestamp()),
        6: int((NOW - timedelta(minutes=5)).timestamp()),
        7: "P-2024-000001",
        -70001: {"v": 1, **CLAIMS},
    }
    assert list(claims[-70001]) == ["v", *PASS_FIELDS]
    assert len(signature) == 64
    # What a browser does: WebCrypto ECDSA P-256 SHA-256 on the Sig_structure, raw r||s.
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    world.league.public_key().verify(
        der,
        cbor2.dumps(["Signature1", protected, b"", payload]),
        ec.ECDSA(hashes.SHA256()),
    )


def test_the_kid_is_the_first_8_bytes_of_sha256_of_the_spki_der() -> None:
    public_key = key("league").public_key()
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    assert kid_for(public_key) == hashlib.sha256(der).digest()[:8]


def test_a_public_key_round_trips_through_base64_spki() -> None:
    public_key = key("league").public_key()

    b64 = signing.public_key_to_b64(public_key)

    assert base64.b64decode(b64)[:2] == b"\x30\x59"  # SEQUENCE of a P-256 SPKI
    assert kid_for(signing.public_key_from_b64(b64)) == kid_for(public_key)


def test_it_refuses_a_public_key_that_is_not_p256() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    b64 = base64.b64encode(
        p384.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).decode()

    with pytest.raises(ValueError, match="P-256"):
        signing.public_key_from_b64(b64)
    with pytest.raises(ValueError):
        signing.public_key_from_b64("not base64!")


def test_a_private_key_is_saved_with_mode_0600_in_a_new_directory(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "hq" / "152900.pem"
    private_key = signing.generate_private_key()

    signing.save_private_key(private_key, path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = signing.load_private_key(path)
    assert kid_for(loaded.public_key()) == kid_for(private_key.public_key())
    assert sorted(p.name for p in path.parent.iterdir()) == ["152900.pem"]  # no temp file left


def test_saving_over_an_existing_key_file_keeps_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_bytes(b"old")
    path.chmod(0o644)
    private_key = signing.generate_private_key()

    signing.save_private_key(private_key, path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing.private_key_from_pem(path.read_bytes()).private_numbers() == (
        private_key.private_numbers()
    )


def test_it_refuses_to_load_a_pem_key_that_is_not_p256() -> None:
    pem = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    with pytest.raises(ValueError, match="P-256"):
        signing.private_key_from_pem(pem)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nbf": datetime(2024, 5, 1)}, "timezone-aware"),
        ({"exp": NOW}, "exp must be after nbf"),
        ({"serial": ""}, "serial"),
        ({"issuer_code": ""}, "issuer_code"),
        ({"claims": {**CLAIMS, "id_number": "152921199001010013"}}, "unknown pass claims"),
        ({"claims": {k: v for k, v in CLAIMS.items() if k != "plate"}}, "plate"),
        ({"claims": {**CLAIMS, "cargo": 3}}, "cargo"),
        ({"claims": {**CLAIMS, "cargo": INCOMPRESSIBLE_CARGO}}, "over 4096"),
    ],
)
def test_encode_pass_rejects_bad_arguments(
    world: World, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        world.issue(**overrides)


def test_verify_pass_requires_an_aware_time(world: World) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_pass(world.issue(), world.trust, at=datetime(2024, 5, 1))


# --- bad_prefix ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["", "FK1", "fk1:NCF", "FK2:NCF", " FK1:NCF", "HC1:NCF", "https://example.com/FK1:"],
)
def test_it_rejects_a_code_without_the_fk1_prefix(world: World, code: str) -> None:
    result = verify_pass(code, world.trust, at=AT)

    assert not result.valid
    assert result.reason == "bad_prefix"
    assert result.claims is None


def test_it_rejects_an_eu_hc1_code_as_bad_prefix(world: World) -> None:
    code = world.issue()

    assert verify_pass("HC1:" + code[4:], world.trust, at=AT).reason == "bad_prefix"


@pytest.mark.parametrize("value", [None, b"FK1:NCF", 42, ["FK1:"]])
def test_it_rejects_a_value_that_is_not_a_string(world: World, value: object) -> None:
    assert verify_pass(cast(str, value), world.trust, at=AT).reason == "bad_prefix"


def test_it_rejects_a_10_kb_random_string(world: World) -> None:
    rng = random.Random(10)
    text = "".join(chr(rng.randrange(32, 0x3000)) for _ in range(10 * 1024))

    assert verify_pass(text, world.trust, at=AT).reason == "bad_prefix"


# --- bad_base45 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["nCF", "NC", "ABCD", "NCF~", "NCF\x00", "::::::", "NCF蒙", "NC\nF", "NCF\t"],
    ids=["lowercase", "pair-over-255", "3n+1", "tilde", "nul", "over-65535", "cjk", "lf", "tab"],
)
def test_it_rejects_a_body_that_is_not_base45(world: World, body: str) -> None:
    assert verify_pass(FK1_PREFIX + body, world.trust, at=AT).reason == "bad_base45"


def test_valid_base45_gets_as_far_as_decompression(world: World) -> None:
    assert verify_pass(FK1_PREFIX + "00", world.trust, at=AT).reason == "bad_compression"


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r", "\n\n"])
def test_a_line_ending_from_a_keyboard_wedge_scanner_is_tolerated(
    world: World, ending: str
) -> None:
    assert verify_pass(world.issue() + ending, world.trust, at=AT).reason == "valid"


def test_other_whitespace_around_a_code_is_not_tolerated(world: World) -> None:
    code = world.issue()

    # A space is a Base45 character, so depending on the length it breaks Base45 or zlib.
    assert verify_pass(code + " ", world.trust, at=AT).reason in {"bad_base45", "bad_compression"}
    assert verify_pass(code + "\t", world.trust, at=AT).reason == "bad_base45"
    assert verify_pass(" " + code, world.trust, at=AT).reason == "bad_prefix"


def test_it_rejects_a_10_kb_code_with_the_prefix_as_too_long(world: World) -> None:
    code = FK1_PREFIX + "NCF" * (10 * 1024 // 3)

    assert len(code) > MAX_CODE_LENGTH
    assert verify_pass(code, world.trust, at=AT).reason == "bad_base45"


def test_a_code_of_exactly_the_maximum_length_is_read_not_refused(world: World) -> None:
    body_len = MAX_CODE_LENGTH - len(FK1_PREFIX)
    body_len -= body_len % 3
    code = FK1_PREFIX + "000" * (body_len // 3)

    assert verify_pass(code, world.trust, at=AT).reason == "bad_compression"


# --- bad_compression -------------------------------------------------------------------------


def test_it_rejects_data_that_is_not_zlib(world: World) -> None:
    code = FK1_PREFIX + base45.b45encode(b"plain text, not deflated").decode()

    assert verify_pass(code, world.trust, at=AT).reason == "bad_compression"


def test_it_rejects_an_uncompressed_cose_structure(world: World) -> None:
    raw = zlib.decompress(base45.b45decode(world.issue()[4:]))
    code = FK1_PREFIX + base45.b45encode(raw).decode()

    assert verify_pass(code, world.trust, at=AT).reason == "bad_compression"


def test_it_rejects_a_truncated_zlib_stream(world: World) -> None:
    compressed = base45.b45decode(world.issue()[4:])
    code = FK1_PREFIX + base45.b45encode(compressed[:-4]).decode()  # adler32 cut off

    assert verify_pass(code, world.trust, at=AT).reason == "bad_compression"


def test_it_rejects_bytes_after_the_zlib_stream(world: World) -> None:
    compressed = base45.b45decode(world.issue()[4:])
    code = FK1_PREFIX + base45.b45encode(compressed + b"\x00").decode()

    assert verify_pass(code, world.trust, at=AT).reason == "bad_compression"


def test_it_rejects_a_zlib_bomb(world: World) -> None:
    bomb = zlib.compress(b"\x00" * 2_000_000, 9)
    code = FK1_PREFIX + base45.b45encode(bomb).decode()

    assert len(code) <= MAX_CODE_LENGTH
    assert verify_pass(code, world.trust, at=AT).reason == "bad_compression"


# --- truncated codes ---------------------------------------------------------------------------


def test_every_truncation_of_a_code_is_rejected_without_raising(world: World) -> None:
    code = world.issue()
    reasons = set()

    for end in range(len(code)):
        result = verify_pass(code[:end], world.trust, at=AT)
        assert not result.valid
        reasons.add(result.reason)

    assert reasons <= {"bad_prefix", "bad_base45", "bad_compression"}
    assert {"bad_prefix", "bad_base45", "bad_compression"} <= reasons


# --- bad_cbor ----------------------------------------------------------------------------------


def test_it_rejects_zlib_data_that_is_not_cbor(world: World) -> None:
    assert verify_pass(pack_raw(b"\xff\xff\xff"), world.trust, at=AT).reason == "bad_cbor"
    assert verify_pass(pack_raw(b""), world.trust, at=AT).reason == "bad_cbor"


def test_it_rejects_bytes_after_the_cose_structure(world: World) -> None:
    raw = zlib.decompress(base45.b45decode(world.issue()[4:]))

    assert verify_pass(pack_raw(raw + b"\x00"), world.trust, at=AT).reason == "bad_cbor"


def test_it_rejects_a_cose_sign1_without_tag_18(world: World) -> None:
    parts = unpack(world.issue())

    assert verify_pass(pack_raw(cbor2.dumps(parts)), world.trust, at=AT).reason == "bad_cbor"
    assert verify_pass(pack(parts, tag=61), world.trust, at=AT).reason == "bad_cbor"
    assert verify_pass(pack(parts, tag=98), world.trust, at=AT).reason == "bad_cbor"
    nested = cbor2.dumps(cbor2.CBORTag(61, cbor2.CBORTag(18, parts)))
    assert verify_pass(pack_raw(nested), world.trust, at=AT).reason == "bad_cbor"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p[:3],
        lambda p: [*p, b""],
        lambda p: [cbor2.loads(p[0]), *p[1:]],  # protected header not wrapped in a bstr
        lambda p: [p[0], [], *p[2:]],  # unprotected not a map
        lambda p: [p[0], p[1], cbor2.loads(p[2]), p[3]],  # payload not wrapped in a bstr
        lambda p: [*p[:3], p[3].hex()],  # signature as text
        lambda p: [*p[:3], None],
    ],
    ids=[
        "3-items",
        "5-items",
        "bare-protected",
        "list-unprotected",
        "bare-payload",
        "text-sig",
        "null-sig",
    ],
)
def test_it_rejects_a_cose_array_of_the_wrong_shape(
    world: World, mutate: Callable[[list[Any]], list[Any]]
) -> None:
    code = pack(mutate(unpack(world.issue())))

    assert verify_pass(code, world.trust, at=AT).reason == "bad_cbor"


@pytest.mark.parametrize(
    "protected",
    [
        b"",
        b"\xff",
        cbor2.dumps([1, -7]),
        cbor2.dumps("hdr"),
        {4: b"kid"},  # no alg
        {1: -35, 4: "kid"},  # ES384
        {1: -37},  # PS256, no kid
        {1: "ES256", 4: "kid"},
        {1: True, 4: "kid"},
        {1: -7},  # no kid
        {1: -7, 4: "text-kid"},
        {1: -7, 4: b""},
        cbor2.dumps({1: -7, 4: b"12345678"}) + b"\x00",  # trailing bytes
        b"\xa3\x01\x26\x04\x48" + b"12345678" + b"\x01\x26",  # duplicate alg label
    ],
)
def test_it_rejects_a_protected_header_that_is_not_es256_with_a_kid(
    world: World, protected: dict[int, Any] | bytes
) -> None:
    if isinstance(protected, dict) and protected.get(4) == "kid":
        protected[4] = kid_for(world.league.public_key())

    assert verify_pass(signed(world.league, protected=protected), world.trust, at=AT).reason == (
        "bad_cbor"
    )


@pytest.mark.parametrize(
    "payload",
    [
        cbor2.dumps([1, 2, 3]),
        cbor2.dumps("claims"),
        b"\xa1",
        standard_claims(iss=None),
        standard_claims(iss=152900),
        standard_claims(exp=None),
        standard_claims(exp="2024-05-08"),
        standard_claims(exp=True),
        standard_claims(exp=1.5e9),
        standard_claims(exp=-1),
        standard_claims(exp=2**70),
        standard_claims(nbf=None),
        standard_claims(iat=None),
        standard_claims(cti=None),
        standard_claims(cti=b"P-1"),
        standard_claims(cti=1),
        {k: v for k, v in standard_claims().items() if k != PRIVATE_CLAIM},
        {**standard_claims(), PRIVATE_CLAIM: [1]},
        {**standard_claims(), PRIVATE_CLAIM: {**CLAIMS}},  # no "v"
        {**standard_claims(), PRIVATE_CLAIM: {"v": 2, **CLAIMS}},
        {**standard_claims(), PRIVATE_CLAIM: {"v": "1", **CLAIMS}},
        {**standard_claims(), PRIVATE_CLAIM: {"v": 1, **CLAIMS, "plate": None}},
        {**standard_claims(), PRIVATE_CLAIM: {"v": 1, **CLAIMS, "phone_last4": 5678}},
        {
            **standard_claims(),
            PRIVATE_CLAIM: {"v": 1, **{k: v for k, v in CLAIMS.items() if k != "driver_name"}},
        },
        {**standard_claims(), 4: cbor2.CBORTag(1, int(NOW.timestamp()))},  # epoch datetime tag
    ],
)
def test_it_rejects_a_payload_that_is_not_a_complete_claims_map(
    world: World, payload: dict[int, Any] | bytes
) -> None:
    # Correctly signed, so the only thing wrong is the structure.
    assert verify_pass(signed(world.league, payload=payload), world.trust, at=AT).reason == (
        "bad_cbor"
    )


def test_a_correctly_signed_hand_built_pass_is_valid(world: World) -> None:
    """The hand-building helpers above are sound: unmodified, they give a valid pass."""
    assert verify_pass(signed(world.league), world.trust, at=AT).reason == "valid"


def test_extra_claims_and_extra_header_entries_are_tolerated(world: World) -> None:
    protected = {1: -7, 4: kid_for(world.league.public_key()), 3: "application/cwt"}
    payload = {**standard_claims(), 2: "subject", PRIVATE_CLAIM: {"v": 1, **CLAIMS, "x": "y"}}

    result = verify_pass(
        signed(world.league, protected=protected, payload=payload), world.trust, at=AT
    )

    assert result.reason == "valid"
    assert result.claims is not None
    assert result.claims["x"] == "y"


def test_it_rejects_an_hc1_certificate_presented_with_the_fk1_prefix(world: World) -> None:
    if not DCC_VECTOR.is_file():
        pytest.skip(f"EU DCC test vectors not found at {DCC_VECTOR}")
    hc1 = json.loads(DCC_VECTOR.read_text())["PREFIX"]
    assert hc1.startswith("HC1:")

    result = verify_pass(FK1_PREFIX + hc1[4:], world.trust, at=AT)

    assert result.reason == "bad_cbor"  # a DCC has no nbf, serial or pass claim, nor kid here


def test_it_rejects_a_dcc_shaped_structure_signed_by_a_trusted_key(world: World) -> None:
    payload = {1: LEAGUE, 4: 1_800_000_000, 6: 1_700_000_000, -260: {1: {"ver": "1.3.0"}}}

    assert verify_pass(signed(world.league, payload=payload), world.trust, at=AT).reason == (
        "bad_cbor"
    )


# --- trust_list_expired ------------------------------------------------------------------------


def test_a_stale_trust_list_never_says_valid(world: World) -> None:
    code = world.issue(exp=NOW + timedelta(days=30))
    stale_at = world.trust.expires_at + timedelta(seconds=1)

    result = verify_pass(code, world.trust, at=stale_at)

    assert not result.valid
    assert result.reason == "trust_list_expired"
    assert result.claims is None
    assert result.serial == "P-2024-000001"


def test_a_trust_list_is_still_fresh_at_its_expiry_instant(world: World) -> None:
    code = world.issue(exp=NOW + timedelta(days=30))

    assert verify_pass(code, world.trust, at=world.trust.expires_at).reason == "valid"


def test_a_stale_trust_list_wins_over_key_and_signature_checks(world: World) -> None:
    stale_at = world.trust.expires_at + timedelta(hours=1)
    stranger = signing.generate_private_key()
    unknown = world.issue(private_key=stranger, kid=kid_for(stranger.public_key()))

    assert verify_pass(unknown, world.trust, at=stale_at).reason == "trust_list_expired"


# --- unknown_kid -------------------------------------------------------------------------------


def test_it_rejects_a_pass_signed_by_a_key_not_in_the_trust_list(world: World) -> None:
    stranger = signing.generate_private_key()
    code = world.issue(private_key=stranger, kid=kid_for(stranger.public_key()))

    result = verify_pass(code, world.trust, at=AT)

    assert result.reason == "unknown_kid"
    assert result.kid == kid_for(stranger.public_key()).hex()
    assert result.claims is None


def test_it_rejects_a_kid_of_another_length_as_unknown(world: World) -> None:
    code = world.issue(kid=b"\x01\x02\x03")

    assert verify_pass(code, world.trust, at=AT).reason == "unknown_kid"


def test_it_rejects_a_key_before_its_valid_from(world: World) -> None:
    world.trust.add_key(world.league.public_key(), division_code=LEAGUE, valid_from=AT)

    assert verify_pass(world.issue(), world.trust, at=AT - timedelta(seconds=1)).reason == (
        "unknown_kid"
    )
    assert verify_pass(world.issue(), world.trust, at=AT).reason == "valid"


def test_it_rejects_a_key_from_its_valid_until(world: World) -> None:
    world.trust.add_key(
        world.league.public_key(),
        division_code=LEAGUE,
        valid_from=NOW - timedelta(days=1),
        valid_until=AT,
    )

    assert verify_pass(world.issue(), world.trust, at=AT).reason == "unknown_kid"
    assert verify_pass(world.issue(), world.trust, at=AT - timedelta(seconds=1)).reason == ("valid")


def test_an_unreadable_key_in_a_hand_built_trust_list_counts_as_unknown(world: World) -> None:
    kid_hex = kid_for(world.league.public_key()).hex()
    entry = world.trust.keys[kid_hex]
    world.trust.keys[kid_hex] = signing.TrustedKey(
        public_key="AAAA", division_code=LEAGUE, valid_from=entry.valid_from
    )

    assert verify_pass(world.issue(), world.trust, at=AT).reason == "unknown_kid"


# --- bad_signature -----------------------------------------------------------------------------


def test_it_rejects_a_forged_signature(world: World) -> None:
    protected, unprotected, payload, signature = unpack(world.issue())
    forged = bytes([signature[0] ^ 0x01]) + signature[1:]

    result = verify_pass(pack([protected, unprotected, payload, forged]), world.trust, at=AT)

    assert result.reason == "bad_signature"
    assert result.claims is None


@pytest.mark.parametrize(
    "signature",
    [
        b"",
        b"\x00" * 64,
        b"\xff" * 64,
        random.Random(64).randbytes(64),
        b"\x01" * 63,
        b"\x01" * 65,
        b"\x30" * 72,
    ],
)
def test_it_rejects_a_signature_of_the_wrong_value_or_length(
    world: World, signature: bytes
) -> None:
    protected, unprotected, payload, _ = unpack(world.issue())

    code = pack([protected, unprotected, payload, signature])

    assert verify_pass(code, world.trust, at=AT).reason == "bad_signature"


def test_it_rejects_a_der_signature_in_place_of_raw_r_s(world: World) -> None:
    protected, unprotected, payload, _ = unpack(world.issue())
    der = world.league.sign(
        cbor2.dumps(["Signature1", protected, b"", payload]), ec.ECDSA(hashes.SHA256())
    )

    code = pack([protected, unprotected, payload, der])

    assert verify_pass(code, world.trust, at=AT).reason == "bad_signature"


def test_it_rejects_another_hqs_key_with_a_copied_kid(world: World) -> None:
    # The banner HQ signs, but writes the league's kid into the header.
    code = world.issue(private_key=world.banner, kid=kid_for(world.league.public_key()))

    assert verify_pass(code, world.trust, at=AT).reason == "bad_signature"


def test_it_rejects_a_pass_naming_another_hq_than_the_key_belongs_to(world: World) -> None:
    # A genuine banner signature on a pass that claims to come from the league HQ.
    code = world.issue(
        private_key=world.banner, kid=kid_for(world.banner.public_key()), issuer_code=LEAGUE
    )

    result = verify_pass(code, world.trust, at=AT)

    assert result.reason == "bad_signature"
    assert result.claims is None
    # The banner may sign its own passes.
    own = world.issue(
        private_key=world.banner, kid=kid_for(world.banner.public_key()), issuer_code=BANNER
    )
    assert verify_pass(own, world.trust, at=AT).reason == "valid"


def test_it_rejects_an_altered_plate(world: World) -> None:
    protected, unprotected, payload, signature = unpack(world.issue())
    claims = cbor2.loads(payload)
    claims[PRIVATE_CLAIM]["plate"] = "蒙M99999"

    code = pack([protected, unprotected, cbor2.dumps(claims), signature])

    assert verify_pass(code, world.trust, at=AT).reason == "bad_signature"


def test_it_rejects_an_extended_expiry(world: World) -> None:
    protected, unprotected, payload, signature = unpack(world.issue())
    claims = cbor2.loads(payload)
    claims[4] += 86_400 * 365

    code = pack([protected, unprotected, cbor2.dumps(claims), signature])

    assert verify_pass(code, world.trust, at=AT).reason == "bad_signature"


def test_it_rejects_a_swapped_kid_in_the_protected_header(world: World) -> None:
    _, unprotected, payload, signature = unpack(world.issue())
    other = cbor2.dumps({1: -7, 4: kid_for(world.banner.public_key())})

    code = pack([other, unprotected, payload, signature])

    assert verify_pass(code, world.trust, at=AT).reason == "bad_signature"


# --- time and revocation -----------------------------------------------------------------------


def test_it_rejects_a_pass_before_its_not_before(world: World) -> None:
    code = world.issue(nbf=NOW + timedelta(days=1))

    result = verify_pass(code, world.trust, at=AT)

    assert result.reason == "not_yet_valid"
    assert result.claims == {"v": 1, **CLAIMS}  # authentic, so the inspector may see it
    assert verify_pass(code, world.trust, at=NOW + timedelta(days=1)).reason == "valid"


def test_it_rejects_an_expired_pass(world: World) -> None:
    code = world.issue(exp=AT)

    assert verify_pass(code, world.trust, at=AT).reason == "expired"
    assert verify_pass(code, world.trust, at=AT + timedelta(days=1)).reason == "expired"
    assert verify_pass(code, world.trust, at=AT - timedelta(seconds=1)).reason == "valid"


def test_it_rejects_a_revoked_pass(world: World) -> None:
    code = world.issue(serial="P-2024-000666")

    result = verify_pass(code, world.trust, at=AT)

    assert result.reason == "revoked"
    assert result.serial == "P-2024-000666"
    assert not result.valid


def test_revoking_takes_effect_on_the_next_verification(world: World) -> None:
    code = world.issue()
    assert verify_pass(code, world.trust, at=AT).reason == "valid"

    world.trust.revoked.add("P-2024-000001")

    assert verify_pass(code, world.trust, at=AT).reason == "revoked"


def test_the_reasons_are_checked_in_the_documented_order(world: World) -> None:
    # Expired and revoked: expired wins. Not yet valid and revoked: not_yet_valid wins.
    expired = world.issue(serial="P-2024-000666", exp=AT)
    early = world.issue(serial="P-2024-000666", nbf=AT + timedelta(hours=1))

    assert verify_pass(expired, world.trust, at=AT).reason == "expired"
    assert verify_pass(early, world.trust, at=AT).reason == "not_yet_valid"
    # A forged signature on an expired pass: bad_signature wins.
    protected, unprotected, payload, signature = unpack(expired)
    forged = pack([protected, unprotected, payload, signature[::-1]])
    assert verify_pass(forged, world.trust, at=AT).reason == "bad_signature"


def test_every_reason_is_reachable(world: World) -> None:
    stranger = signing.generate_private_key()
    protected, unprotected, payload, signature = unpack(world.issue())
    cases = {
        "bad_prefix": "HC1:NCF",
        "bad_base45": "FK1:abc",
        "bad_compression": "FK1:NCF",
        "bad_cbor": pack_raw(b"\xff"),
        "unknown_kid": world.issue(private_key=stranger, kid=kid_for(stranger.public_key())),
        "bad_signature": pack([protected, unprotected, payload, signature[::-1]]),
        "not_yet_valid": world.issue(nbf=AT + timedelta(hours=1)),
        "expired": world.issue(exp=AT),
        "revoked": world.issue(serial="P-2024-000666"),
        "valid": world.issue(),
    }
    seen = {reason: verify_pass(code, world.trust, at=AT).reason for reason, code in cases.items()}
    seen["trust_list_expired"] = verify_pass(
        world.issue(), world.trust, at=world.trust.expires_at + timedelta(seconds=1)
    ).reason

    assert seen == {reason: reason for reason in seen}
    assert set(seen) == {r.value for r in Reason}


# --- never raises ------------------------------------------------------------------------------


def test_random_inputs_never_raise_and_never_verify(world: World) -> None:
    rng = random.Random(20240501)
    alphabet = base45.BASE45_CHARSET
    for _ in range(300):
        n = rng.randrange(0, 600)
        candidates = [
            "".join(chr(rng.randrange(0, 0x110000)) for _ in range(n)),
            rng.randbytes(n).decode("latin-1"),
            FK1_PREFIX + "".join(rng.choice(alphabet) for _ in range(n)),
            FK1_PREFIX + base45.b45encode(rng.randbytes(n)).decode(),
            FK1_PREFIX + base45.b45encode(b"\x78\x9c" + rng.randbytes(n)).decode(),
            pack_raw(rng.randbytes(n)),
            pack_raw(b"\xd2\x84" + rng.randbytes(n)),
        ]
        for code in candidates:
            result = verify_pass(code, world.trust, at=AT)
            assert not result.valid


def _inflated(code: str) -> bytes:
    return zlib.decompress(base45.b45decode(code[len(FK1_PREFIX) :]))


def test_a_changed_character_never_verifies_with_changed_content(world: World) -> None:
    """Any single-character change is rejected, unless it only touches the unused padding bits
    of the last deflate byte: then the signed COSE bytes are identical, so it is the same pass
    (the code string is not canonical; the serial is the pass's identity)."""
    alphabet = base45.BASE45_CHARSET
    rng = random.Random(7)
    for _ in range(5):
        code = world.issue()
        original = _inflated(code)
        for index in range(len(FK1_PREFIX), len(code)):
            for replacement in rng.sample([c for c in alphabet if c != code[index]], 3):
                mutated = code[:index] + replacement + code[index + 1 :]
                if verify_pass(mutated, world.trust, at=AT).valid:
                    assert _inflated(mutated) == original, (index, replacement)


def test_deeply_nested_cbor_is_rejected_without_raising(world: World) -> None:
    deep = b"\x81" * 16_000 + b"\x00"  # [[[[...]]]], within MAX_PAYLOAD_BYTES

    assert verify_pass(pack_raw(deep), world.trust, at=AT).reason == "bad_cbor"
    nested_claims = {**standard_claims(), 99: [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}
    result = verify_pass(signed(world.league, payload=nested_claims), world.trust, at=AT)
    assert result.reason == "bad_cbor"


# --- trust list --------------------------------------------------------------------------------


def test_a_trust_list_round_trips_through_json(world: World) -> None:
    world.trust.add_key(
        signing.generate_private_key().public_key(),
        division_code="152922",
        valid_from=NOW,
        valid_until=NOW + timedelta(days=90),
    )

    text = trust_list_to_json(world.trust)
    loaded = trust_list_from_json(text)

    assert loaded == world.trust
    assert trust_list_to_json(loaded) == text


def test_the_trust_list_json_is_canonical(world: World) -> None:
    text = trust_list_to_json(world.trust)
    data = json.loads(text)

    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert text.isascii()
    assert data["version"] == 1
    assert data["issued_at"] == "2024-05-01T08:00:00Z"
    assert data["expires_at"] == "2024-05-03T08:00:00Z"
    assert data["revoked"] == ["P-2024-000666"]
    league = data["keys"][kid_for(world.league.public_key()).hex()]
    assert league == {
        "public_key": signing.public_key_to_b64(world.league.public_key()),
        "division_code": LEAGUE,
        "valid_from": "2024-04-01T08:00:00Z",
        "valid_until": None,
    }


def test_a_loaded_trust_list_verifies_passes(world: World) -> None:
    loaded = trust_list_from_json(trust_list_to_json(world.trust))

    assert verify_pass(world.issue(), loaded, at=AT).reason == "valid"


def _tl_dict(world: World) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(trust_list_to_json(world.trust)))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.update(keys=[]), "keys"),
        (lambda d: d.update(revoked=[1]), "revoked"),
        (lambda d: d.update(issued_at="yesterday"), "issued_at"),
        (lambda d: d.update(expires_at="2024-05-03T08:00:00"), "time zone"),
        (lambda d: d.update(expires_at=1714723200), "expires_at"),
        (lambda d: next(iter(d["keys"].values())).update(public_key="AAAA"), "key"),
        (lambda d: next(iter(d["keys"].values())).update(division_code=""), "division_code"),
        (lambda d: next(iter(d["keys"].values())).update(valid_from=None), "valid_from"),
        (
            lambda d: d["keys"].update({"00" * 8: next(iter(d["keys"].values()))}),
            "does not match",
        ),
    ],
)
def test_trust_list_from_json_rejects_malformed_lists(
    world: World, mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = _tl_dict(world)
    mutate(data)

    with pytest.raises(TrustListError, match=message):
        trust_list_from_json(json.dumps(data))


def test_trust_list_from_json_rejects_text_that_is_not_json() -> None:
    with pytest.raises(TrustListError, match="not JSON"):
        trust_list_from_json("{")
    with pytest.raises(TrustListError, match="object"):
        trust_list_from_json("[]")


def test_a_signed_trust_list_round_trips(world: World) -> None:
    envelope = sign_trust_list(world.trust, world.root)

    assert set(envelope) == {"payload", "kid", "signature"}
    assert envelope["payload"] == trust_list_to_json(world.trust)
    assert envelope["kid"] == kid_for(world.root.public_key()).hex()
    assert len(base64.b64decode(envelope["signature"])) == 64
    loaded = verify_trust_list(json.loads(json.dumps(envelope)), world.root.public_key())
    assert loaded == world.trust


def test_the_envelope_signature_is_plain_ecdsa_over_the_payload_bytes(world: World) -> None:
    """What the browser does with WebCrypto: ECDSA P-256 SHA-256, raw r||s, UTF-8 payload."""
    envelope = sign_trust_list(world.trust, world.root)
    raw = base64.b64decode(envelope["signature"])
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))

    world.root.public_key().verify(
        der, envelope["payload"].encode("utf-8"), ec.ECDSA(hashes.SHA256())
    )


def test_it_rejects_a_trust_list_with_a_tampered_payload(world: World) -> None:
    envelope = sign_trust_list(world.trust, world.root)
    data = json.loads(envelope["payload"])
    data["revoked"] = []  # un-revoke a pass
    tampered = {**envelope, "payload": json.dumps(data, sort_keys=True, separators=(",", ":"))}

    with pytest.raises(TrustListSignatureError, match="does not verify"):
        verify_trust_list(tampered, world.root.public_key())


def test_it_rejects_a_trust_list_with_an_added_key(world: World) -> None:
    envelope = sign_trust_list(world.trust, world.root)
    attacker = signing.generate_private_key()
    bigger = trust_list_from_json(envelope["payload"])
    bigger.add_key(attacker.public_key(), division_code=LEAGUE, valid_from=NOW)
    tampered = {**envelope, "payload": trust_list_to_json(bigger)}

    with pytest.raises(TrustListSignatureError):
        verify_trust_list(tampered, world.root.public_key())


def test_it_rejects_a_trust_list_with_a_whitespace_change(world: World) -> None:
    envelope = sign_trust_list(world.trust, world.root)
    tampered = {**envelope, "payload": envelope["payload"] + " "}

    with pytest.raises(TrustListSignatureError):
        verify_trust_list(tampered, world.root.public_key())


def test_it_rejects_a_trust_list_with_a_tampered_signature(world: World) -> None:
    envelope = sign_trust_list(world.trust, world.root)
    raw = bytearray(base64.b64decode(envelope["signature"]))
    raw[10] ^= 0x80
    tampered = {**envelope, "signature": base64.b64encode(bytes(raw)).decode()}

    with pytest.raises(TrustListSignatureError, match="does not verify"):
        verify_trust_list(tampered, world.root.public_key())


@pytest.mark.parametrize("signature", ["", "!!!!", base64.b64encode(b"\x00" * 63).decode()])
def test_it_rejects_a_trust_list_with_an_unusable_signature(world: World, signature: str) -> None:
    envelope = {**sign_trust_list(world.trust, world.root), "signature": signature}

    with pytest.raises(TrustListSignatureError):
        verify_trust_list(envelope, world.root.public_key())


def test_it_rejects_a_trust_list_signed_by_another_key(world: World) -> None:
    # Signed by an HQ key that then claims the root's kid.
    envelope = {
        **sign_trust_list(world.trust, world.league),
        "kid": kid_for(world.root.public_key()).hex(),
    }
    with pytest.raises(TrustListSignatureError, match="does not verify"):
        verify_trust_list(envelope, world.root.public_key())
    # Signed by an HQ key under its own kid.
    with pytest.raises(TrustListSignatureError, match="unknown key"):
        verify_trust_list(sign_trust_list(world.trust, world.league), world.root.public_key())


@pytest.mark.parametrize(
    "envelope",
    [[], {}, {"payload": "{}", "kid": "00"}, {"payload": 1, "kid": "00", "signature": ""}],
)
def test_it_rejects_a_malformed_envelope(world: World, envelope: Any) -> None:
    with pytest.raises(TrustListError):
        verify_trust_list(envelope, world.root.public_key())


def test_a_validly_signed_but_malformed_payload_is_a_trust_list_error(world: World) -> None:
    payload = '{"version":1}'
    signature = signing._sign_raw(world.root, payload.encode())
    envelope = {
        "payload": payload,
        "kid": kid_for(world.root.public_key()).hex(),
        "signature": base64.b64encode(signature).decode(),
    }

    with pytest.raises(TrustListError) as excinfo:
        verify_trust_list(envelope, world.root.public_key())
    assert not isinstance(excinfo.value, TrustListSignatureError)


def test_the_trust_list_caches_loaded_public_keys(world: World) -> None:
    kid_hex = kid_for(world.league.public_key()).hex()

    first = world.trust.public_key(kid_hex)
    second = world.trust.public_key(kid_hex)

    assert first is not None
    assert first is second
    assert world.trust.public_key("00" * 8) is None


def test_replacing_a_key_entry_is_seen_despite_the_cache(world: World) -> None:
    kid_hex = kid_for(world.league.public_key()).hex()
    assert verify_pass(world.issue(), world.trust, at=AT).reason == "valid"
    other = signing.generate_private_key().public_key()

    world.trust.keys[kid_hex] = signing.TrustedKey(
        public_key=signing.public_key_to_b64(other), division_code=LEAGUE, valid_from=NOW
    )

    assert verify_pass(world.issue(), world.trust, at=AT).reason == "bad_signature"
