from __future__ import annotations

from ninja import Schema


class DivisionOut(Schema):
    code: str
    full_code: str
    name: str
    short_name: str
    level: str
    parent: str | None
