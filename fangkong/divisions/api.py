from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from fangkong.core.numbers import number_error
from fangkong.divisions import selectors
from fangkong.divisions.models import Division
from fangkong.divisions.schemas import DivisionOut
from fangkong.lib.ids import InvalidNumber, division_scope_key

router = Router(tags=["divisions"])


class DivisionFilter(Schema):
    q: str = ""
    parent: str = ""
    limit: int = 50


def _out(d: Division) -> DivisionOut:
    return DivisionOut(
        code=d.code,
        full_code=d.full_code,
        name=d.name,
        short_name=d.short_name,
        level=d.level,
        parent=d.parent_code or None,
    )


@router.get("/divisions", response=list[DivisionOut], summary="Search divisions")
def division_list(request: HttpRequest, filters: Query[DivisionFilter]) -> list[DivisionOut]:
    """Search by Chinese name, pinyin (full or initials) or any form of the code;
    ``parent`` lists one division's children."""
    if not 1 <= filters.limit <= 500:
        raise HttpError(422, "limit must be between 1 and 500")
    if filters.parent:
        try:
            division_scope_key(filters.parent)
        except InvalidNumber as exc:
            raise HttpError(422, f"parent: {number_error(exc)}") from None
    rows = selectors.division_search(q=filters.q, parent=filters.parent, limit=filters.limit)
    return [_out(d) for d in rows]


@router.get("/divisions/{code}", response=DivisionOut, summary="One division by code")
def division_detail(request: HttpRequest, code: str) -> DivisionOut:
    division = selectors.division_by_code(code)
    if division is None:
        raise HttpError(404, "Not found")
    return _out(division)
