"""Identity numbers, phone numbers, credit codes, plates and division codes.

Validation uses python-stdnum (`cn.ric`, `cn.uscc`), never a hand-written checksum. Every
function raises ``InvalidNumber`` with a short English message that callers translate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc


class InvalidNumber(ValueError):
    """A number failed validation; ``str(exc)`` says why."""


# --- division codes -------------------------------------------------------------------------

_SEGMENTS = (2, 2, 2, 3, 3)  # province, prefecture (league), county (banner), town, village
FULL_CODE_LENGTH = 12
SCOPE_KEY_LENGTHS = (2, 4, 6, 9, 12)


def division_scope_key(code: str) -> str:
    """Return the significant code (scope key) for any written form of a division code.

    Accepts the scope key itself (``1529``, ``152921102``), the 6-digit county-level form
    (``152900``) and the 12-digit padded form (``152921102000``).
    """
    text = (code or "").strip()
    if not text.isdigit() or not text.isascii():
        raise InvalidNumber(f"division code {code!r} must contain digits only")
    if len(text) not in SCOPE_KEY_LENGTHS:
        raise InvalidNumber(
            f"division code {code!r} must have 2, 4, 6, 9 or 12 digits, not {len(text)}"
        )
    padded = text.ljust(FULL_CODE_LENGTH, "0")
    parts: list[str] = []
    pos = 0
    for width in _SEGMENTS:
        parts.append(padded[pos : pos + width])
        pos += width
    while len(parts) > 1 and set(parts[-1]) == {"0"}:
        parts.pop()
    return "".join(parts)


def division_full_code(code: str) -> str:
    """The 12-digit padded form of a division code."""
    return division_scope_key(code).ljust(FULL_CODE_LENGTH, "0")


# --- resident ID numbers --------------------------------------------------------------------


@dataclass(frozen=True)
class IdNumberInfo:
    number: str  # the 18-digit form
    birth_date: date
    sex: str  # "M" or "F"
    address_code: str


def _convert_legacy(number: str) -> str:
    """Convert a 15-digit first-generation ID number to the 18-digit form."""
    body = number[:6] + "19" + number[6:]
    return body + _check_digit(body)


def parse_id_number(value: str, *, today: date | None = None) -> IdNumberInfo:
    """Validate a mainland resident ID number; 15-digit legacy numbers are converted.
    ``today`` (default: the system's date) spares bulk callers a clock read per number."""
    text, birth = _checked_id_number(value, today or date.today())
    sex = "M" if int(text[16]) % 2 else "F"
    return IdNumberInfo(number=text, birth_date=birth, sex=sex, address_code=text[:6])


def id_number_parts(value: str, *, today: date) -> tuple[str, date, str] | None:
    """(number, birth date, sex) of a valid ID number, or None (``parse_id_number`` names
    the problem): for bulk checks where a bad number only sends the row to the full check."""
    try:
        text, birth = _checked_id_number(value, today)
    except InvalidNumber:
        return None
    return text, birth, "M" if int(text[16]) % 2 else "F"


def normalize_id_number(value: str, *, today: date) -> str:
    """The 18-digit form of a valid ID number: ``parse_id_number``'s checks and messages, for
    callers that validate many numbers at once and need only the number (``today`` is the
    caller's, taken once)."""
    return _checked_id_number(value, today)[0]


def _checked_id_number(value: str, today: date) -> tuple[str, date]:
    text = (value or "").strip().upper().replace(" ", "")
    if len(text) == 15 and text.isdigit():
        text = _convert_legacy(text)
    if len(text) != 18:
        raise InvalidNumber("ID number must have 18 characters (or 15 digits for an old card)")
    if not (text[:17].isdigit() and (text[17].isdigit() or text[17] == "X")):
        raise InvalidNumber("ID number must be 17 digits followed by a digit or X")
    try:
        # What ric.get_birth_date does, without compacting the already compact text again.
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidNumber("ID number holds an impossible birth date") from None
    if _check_digit(text[:17]) != text[17]:
        raise InvalidNumber("ID number check digit is wrong")
    place_error = _birth_place_error(text[:6], birth.year)
    if place_error:
        raise InvalidNumber(f"ID number is not valid ({place_error})")
    if birth > today:
        raise InvalidNumber("ID number holds a birth date in the future")
    return text, birth


@lru_cache(maxsize=65536)
def _birth_place_error(address_code: str, year: int) -> str:
    """The one check of ``ric.validate`` not made above: the birth place, which depends only on
    the address code and the birth year. It is a slow table lookup, so it is cached (the batch
    passage sync validates a thousand ID numbers per request)."""
    try:
        ric.get_birth_place(f"{address_code}{year:04d}0101")
    except stdnum_exceptions.ValidationError as exc:
        return str(exc)
    return ""


def _check_digit(first17: str) -> str:
    # stdnum's calc_check_digit takes the whole number and ignores its last character.
    return str(ric.calc_check_digit(first17 + "0"))


def id_number_with_check_digit(first17: str) -> str:
    """Complete 17 digits with their check digit (for demo data and tests)."""
    return first17 + _check_digit(first17)


# --- phones ---------------------------------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value: str) -> str:
    """Validate a mainland mobile number; strips spaces, dashes and a +86/86 prefix."""
    plain = len(value or "") == 11 and value.isascii() and value.isdigit()
    if plain and value[0] == "1" and value[1] in "3456789":
        return value  # what the pattern below accepts, without re.sub
    text = re.sub(r"[\s\-()]", "", value or "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not _MOBILE.match(text):
        raise InvalidNumber("mobile number must be 11 digits starting with 13-19")
    return text


# --- unified social credit codes ------------------------------------------------------------


def normalize_uscc(value: str) -> str:
    text = (value or "").strip().upper().replace(" ", "")
    try:
        return str(uscc.validate(text))
    except stdnum_exceptions.ValidationError as exc:
        raise InvalidNumber(f"unified social credit code is not valid ({exc})") from None


# --- vehicle plates -------------------------------------------------------------------------

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_ORDINARY = re.compile(rf"^[{_PROVINCES}][A-Z][A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳]$")
_NEW_ENERGY = re.compile(rf"^[{_PROVINCES}][A-Z](?:[DF][A-HJ-NP-Z0-9]\d{{4}}|\d{{5}}[DF])$")


def normalize_plate(value: str) -> str:
    """Validate a plate: ordinary (7 characters) or new-energy (8 characters)."""
    text = re.sub(r"[\s·\-.]", "", value or "").upper()
    if _ORDINARY.match(text) or _NEW_ENERGY.match(text):
        return text
    raise InvalidNumber(
        "plate must be a province character, a letter and 5 characters (6 for new-energy)"
    )
