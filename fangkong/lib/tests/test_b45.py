"""``lib.b45.decode`` accepts and rejects exactly what the reference ``base45`` package does."""

from __future__ import annotations

import random

import base45
import pytest

from fangkong.lib import b45


def reference(text: str) -> bytes | None:
    try:
        return base45.b45decode(text)
    except ValueError:
        return None


def ours(text: str) -> bytes | None:
    try:
        return b45.decode(text)
    except ValueError:
        return None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", b""),
        ("00", b"\x00"),
        ("000", b"\x00\x00"),
        ("FGW", b"\xff\xff"),  # 15 + 45·16 + 2025·32 = 65535, the largest group
        ("U5", b"\xff"),  # 30 + 45·5 = 255, the largest final pair
        ("BB8", b"AB"),  # RFC 9285 section 4.3
        ("%69 VD92EX0", b"Hello!!"),  # RFC 9285 section 4.3
        ("UJCLQE7W581", b"base-45"),  # RFC 9285 section 4.3
        ("QED8WEX0", b"ietf!"),  # RFC 9285 section 4.4
    ],
)
def test_it_decodes_the_rfc_examples_and_the_largest_values(text: str, expected: bytes) -> None:
    assert b45.decode(text) == expected == base45.b45decode(text)


@pytest.mark.parametrize(
    "text",
    [
        "0",  # length 3n + 1
        "0000",
        "GGW",  # 65536: a group above two bytes
        ":::",  # 91124, the largest three characters
        "V5",  # 256: a final pair above one byte
        "::",
        "bb8",  # lower case is not Base45
        "BB8 \n",  # nor is a newline (callers drop the scanner's trailing CR/LF first)
        "BB\x008",
        "BB蒙",  # not ASCII
        "BB\udcff",  # a lone surrogate
        "BB_",
    ],
)
def test_it_rejects_what_is_not_base45(text: str) -> None:
    with pytest.raises(ValueError):
        b45.decode(text)
    assert reference(text) is None


def test_it_agrees_with_the_reference_on_every_short_string_of_the_alphabet() -> None:
    rng = random.Random(45)
    for length in range(13):
        for _ in range(400):
            text = "".join(rng.choice(b45.ALPHABET) for _ in range(length))
            assert ours(text) == reference(text), text


def test_it_round_trips_random_bytes_and_rejects_each_foreign_character() -> None:
    rng = random.Random(9285)
    for _ in range(500):
        data = rng.randbytes(rng.randrange(0, 600))
        text = base45.b45encode(data).decode("ascii")
        assert b45.decode(text) == data
        at = rng.randrange(len(text) + 1)
        for foreign in ("a", "é", "\r", "\x00", "\x7f", "蒙", "=", "_"):
            spoiled = text[:at] + foreign + text[at:]
            assert ours(spoiled) is None, spoiled
            assert reference(spoiled) is None


def test_the_lane_arithmetic_never_carries_between_groups() -> None:
    # The largest valid group next to the largest invalid one, in every order and count.
    for groups in ("FGW:::", ":::FGW", "FGW" * 50 + ":::", "FGW" * 50, "000" * 3 + "GGW"):
        assert ours(groups) == reference(groups), groups
