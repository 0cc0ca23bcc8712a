"""The parity vectors against the Python verifier (the browser is held to the same list)."""

from __future__ import annotations

import pytest

from fangkong.lib import signing
from fangkong.passes.tests.vectors import build

TRUST, VECTORS = build()


def test_the_vectors_cover_every_reason() -> None:
    assert {v.reason for v in VECTORS} == {r.value for r in signing.Reason}


@pytest.mark.parametrize("vector", VECTORS, ids=[v.name for v in VECTORS])
def test_each_vector_gets_its_reason_from_the_library(vector: object) -> None:
    result = signing.verify_pass(vector.code, TRUST, at=vector.at)
    assert result.reason == vector.reason
    assert result.valid == (vector.reason == "valid")
