"""The EU DCC public test vectors (``dgc-testdata``) against ``verify_hc1`` and ``read_qr``.

The vectors are kept in the repository under ``data/dcc-testdata`` (Apache-2.0, see its LICENSE
and NOTICE; ``FANGKONG_DCC_TESTDATA`` overrides the path). A missing folder is a failure, not a
skip. Each vector is checked on every ``EXPECTEDRESULTS`` entry present whose input field exists,
as upstream's README says:

- UNPREFIX, B45DECODE, COMPRESSION, DECODE, VERIFY, EXPIRATIONCHECK: the stage flags of
  ``verify_hc1(PREFIX, [TESTCTX.CERTIFICATE], at=TESTCTX.VALIDATIONCLOCK)``.
- VALIDOBJECT: the whole chain decodes to a DGC object (a JSON object).
- VALIDJSON: the decoded DGC (claims ``-260 → 1``) equals the ``JSON`` field.
- PICTUREDECODE: ``read_qr`` of the PNG in ``2DCODE`` yields ``PREFIX`` (skipped without 2DCODE).
- SCHEMAVALIDATION: skipped; the DCC JSON schema is not part of data/dcc-testdata.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import base45
import pytest
from cryptography import x509

from fangkong.lib.qr import read_qr
from fangkong.lib.signing import dcc_kid_for, verify_hc1


def _testdata_dir() -> Path:
    override = os.environ.get("FANGKONG_DCC_TESTDATA")
    if override:
        return Path(override).resolve()
    repo_root = Path(__file__).resolve().parents[3]  # fangkong/lib/tests/<file> → repository
    return (repo_root / "data" / "dcc-testdata").resolve()


TESTDATA = _testdata_dir()
VECTORS = sorted(TESTDATA.rglob("*.json")) if TESTDATA.is_dir() else []

#: EXPECTEDRESULTS key (without the EXPECTED prefix) → input fields it needs.
NEEDS: dict[str, tuple[str, ...]] = {
    "VALIDOBJECT": ("PREFIX",),
    "SCHEMAVALIDATION": ("PREFIX",),
    "UNPREFIX": ("PREFIX",),
    "B45DECODE": ("PREFIX",),
    "COMPRESSION": ("PREFIX",),
    "DECODE": ("PREFIX",),
    "VERIFY": ("PREFIX",),
    "EXPIRATIONCHECK": ("PREFIX",),
    "VALIDJSON": ("PREFIX", "JSON"),
    "PICTUREDECODE": ("PREFIX", "2DCODE"),
}


def _cases() -> list[Any]:
    if not VECTORS:
        return [pytest.param(None, "", id="no-vectors")]
    cases = []
    for path in VECTORS:
        expected = json.loads(path.read_text(encoding="utf-8")).get("EXPECTEDRESULTS", {})
        name = path.relative_to(TESTDATA).as_posix()
        for key in expected:
            check = key.removeprefix("EXPECTED")
            cases.append(pytest.param(path, check, id=f"{name}-{check}"))
    return cases


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _run(vector: dict[str, Any]) -> Any:
    ctx = vector["TESTCTX"]
    certificate = x509.load_der_x509_certificate(base64.b64decode(ctx["CERTIFICATE"]))
    clock = datetime.fromisoformat(ctx["VALIDATIONCLOCK"])
    return verify_hc1(vector["PREFIX"], [certificate], at=clock)


@pytest.mark.parametrize(("path", "check"), _cases())
def test_dcc_vector(path: Path | None, check: str) -> None:
    assert path is not None, f"EU DCC test vectors not found at {TESTDATA}"
    vector = _load(path)
    expected: bool = vector["EXPECTEDRESULTS"][f"EXPECTED{check}"]
    if check not in NEEDS:
        pytest.fail(f"unknown expectation EXPECTED{check}")
    missing = [field for field in NEEDS[check] if field not in vector]
    if missing:
        pytest.skip(f"input field {', '.join(missing)} absent, so EXPECTED{check} is not testable")
    if check == "SCHEMAVALIDATION":
        pytest.skip(
            "the DCC JSON schema is not included in data/dcc-testdata, so no schema validation"
        )

    if check == "PICTUREDECODE":
        try:
            image = base64.b64decode(vector["2DCODE"])
        except (binascii.Error, ValueError):
            image = b""
        assert (vector["PREFIX"] in read_qr(image)) is expected
        return

    result = _run(vector)
    if check == "VALIDOBJECT":
        assert (result.decode and isinstance(result.dgc, dict)) is expected
    elif check == "VALIDJSON":
        assert (result.dgc == vector["JSON"]) is expected
    else:
        assert getattr(result, check.lower()) is expected, (
            f"{check} expected {expected}; stages: unprefix={result.unprefix} "
            f"b45decode={result.b45decode} compression={result.compression} "
            f"decode={result.decode} verify={result.verify} "
            f"expirationcheck={result.expirationcheck}"
        )


def test_the_intermediate_fields_agree_with_our_decoding() -> None:
    """Where a vector gives BASE45 / COMPRESSED, they match what the chain sees."""
    checked = 0
    for path in VECTORS:
        vector = _load(path)
        prefix = vector.get("PREFIX", "")
        if not prefix.startswith("HC1:"):
            continue
        if "BASE45" in vector:
            assert vector["BASE45"] == prefix[4:], path
            checked += 1
        if "COMPRESSED" in vector and _run(vector).b45decode:
            assert base45.b45decode(prefix[4:]) == bytes.fromhex(vector["COMPRESSED"]), path
            checked += 1
    assert checked > 0


def test_a_valid_vector_reports_valid_with_its_kid_and_times() -> None:
    vector = _load(TESTDATA / "common" / "2DCode" / "raw" / "CO28.json")
    certificate = x509.load_der_x509_certificate(base64.b64decode(vector["TESTCTX"]["CERTIFICATE"]))

    result = _run(vector)

    assert result.valid
    assert result.reason == "valid"
    assert result.kid == dcc_kid_for(certificate)
    assert result.issuer == "SE"
    assert result.payload is not None
    assert result.payload[-260][1] == vector["JSON"]
    assert result.issued_at is not None
    assert result.expires is not None
    assert result.issued_at < datetime.fromisoformat(vector["TESTCTX"]["VALIDATIONCLOCK"])


def test_a_certificate_with_another_kid_does_not_verify() -> None:
    vector = _load(TESTDATA / "common" / "2DCode" / "raw" / "CO3.json")
    other = _load(TESTDATA / "common" / "2DCode" / "raw" / "CO1.json")
    wrong = x509.load_der_x509_certificate(base64.b64decode(other["TESTCTX"]["CERTIFICATE"]))
    right = x509.load_der_x509_certificate(base64.b64decode(vector["TESTCTX"]["CERTIFICATE"]))
    clock = datetime.fromisoformat(vector["TESTCTX"]["VALIDATIONCLOCK"])

    assert not verify_hc1(vector["PREFIX"], [wrong], at=clock).verify
    assert not verify_hc1(vector["PREFIX"], [], at=clock).verify
    # A mapping that files the right certificate under the wrong KID is not trusted either.
    assert not verify_hc1(vector["PREFIX"], {dcc_kid_for(right): wrong}, at=clock).verify
    assert verify_hc1(vector["PREFIX"], {dcc_kid_for(right): right}, at=clock).verify


def test_an_fk1_pass_is_not_an_eu_certificate() -> None:
    vector = _load(TESTDATA / "common" / "2DCode" / "raw" / "CO3.json")
    clock = datetime.fromisoformat(vector["TESTCTX"]["VALIDATIONCLOCK"])

    result = verify_hc1("FK1:" + vector["PREFIX"][4:], [], at=clock)

    assert not result.unprefix
    assert result.reason == "unprefix"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "HC1:",
        "HC1:~~~",
        "HC1:" + "0" * 9000,
        "HC1:00",
        "HC1:" + base45.b45encode(b"x").decode(),
        "HC1:" + base45.b45encode(zlib.compress(b"\xd2\x84")).decode(),
        "HC1:" + base45.b45encode(zlib.compress(b"\xd8\x3d\xd2\x84\x40\xa0\x40\x40")).decode(),
        "HC1:" + base45.b45encode(zlib.compress(b"\x84\x40\xa0\x41\xa0\x40")).decode(),
    ],
)
def test_verify_hc1_never_raises(code: str) -> None:
    result = verify_hc1(code, [], at=datetime.fromisoformat("2021-05-03T18:00:00Z"))

    assert not result.valid
