"""Base45 decoding (RFC 9285) without a Python loop over the characters.

A pass code is a few hundred Base45 characters; the reference ``base45`` package decodes them one
dictionary lookup and one ``divmod`` at a time, which costs more than inflating and parsing the
result. ``decode`` does the same work in a handful of C-level operations:

1. ``str.encode("ascii")`` and ``bytes.translate`` map each character to its value (0 to 44),
   or to 255 when it is not in the alphabet;
2. every 3 characters ``c0 c1 c2`` become one 24-bit lane of a big integer, and
   ``c0 + 45·c1 + 2025·c2`` is computed for all lanes at once with masks and shifts (no lane can
   carry into the next: the largest value, 91 124, needs 17 bits);
3. the lanes are written back out as bytes; a lane above 65 535 is an error, as is a final pair
   above 255 or a length of the form 3n + 1.

It accepts and rejects exactly what ``base45.b45decode`` does for a ``str`` without a trailing
newline (the tests compare the two), raising ``ValueError`` for anything that is not Base45.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["ALPHABET", "decode"]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_NOT_BASE45 = 0xFF
#: ``bytes.translate`` table: a character's value, or 255 when it is not in the alphabet.
_VALUES = bytes(ALPHABET.index(chr(b)) if chr(b) in ALPHABET else _NOT_BASE45 for b in range(256))


@lru_cache(maxsize=32)
def _lane_mask(lanes: int) -> int:
    """An integer with 0xFF in the lowest byte of each of ``lanes`` 3-byte lanes."""
    return int.from_bytes(b"\xff\x00\x00" * lanes, "little")


def decode(text: str) -> bytes:
    """The bytes ``text`` encodes; ``ValueError`` unless it is valid Base45."""
    try:
        digits = text.encode("ascii").translate(_VALUES)
    except (UnicodeEncodeError, AttributeError):
        raise ValueError("Base45 is ASCII text") from None
    if _NOT_BASE45 in digits:
        raise ValueError("a character outside the Base45 alphabet")
    groups, rest = divmod(len(digits), 3)
    if rest == 1:
        raise ValueError("a Base45 length of 3n + 1")
    out = bytearray(2 * groups + rest // 2)
    if groups:
        packed = int.from_bytes(digits[: 3 * groups], "little")
        mask = _lane_mask(groups)
        values = (
            (packed & mask) + 45 * ((packed >> 8) & mask) + 2025 * ((packed >> 16) & mask)
        ).to_bytes(3 * groups, "little")
        if values[2::3].count(0) != groups:
            raise ValueError("a Base45 group above 65535")
        out[0 : 2 * groups : 2] = values[1::3]  # each group is big-endian: high byte first
        out[1 : 2 * groups : 2] = values[0::3]
    if rest:
        last = digits[-2] + 45 * digits[-1]
        if last > 0xFF:
            raise ValueError("a final Base45 pair above 255")
        out[-1] = last
    return bytes(out)
