"""Masking personal data for lists, exports and logs."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """``152921199001010013`` → ``152921********0013``."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """``张三丰`` → ``张**``; for logs where even a name is too much."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
