"""Reads of the division tree."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, division_scope_key

_LATIN = re.compile(r"^[a-z]+$")


def division_by_code(code: str) -> Division | None:
    """The division for any written form of its code, or None."""
    try:
        key = division_scope_key(code)
    except InvalidNumber:
        return None
    return Division.objects.filter(code=key).select_related("parent").first()


def division_search(*, q: str = "", parent: str = "", limit: int = 50) -> QuerySet[Division]:
    """Search by Chinese name, pinyin (full or initials) or code.

    ``parent`` limits the search to one division's children.
    """
    qs = Division.objects.select_related("parent")
    if parent:
        try:
            qs = qs.filter(parent__code=division_scope_key(parent))
        except InvalidNumber:
            return qs.none()
    text = q.strip()
    if text:
        lowered = text.lower().replace(" ", "")
        if text.isdigit():
            try:
                key = division_scope_key(text)
            except InvalidNumber:
                key = text
            qs = qs.filter(Q(code__startswith=key) | Q(full_code__startswith=text))
        elif _LATIN.match(lowered):
            qs = qs.filter(Q(pinyin__contains=lowered) | Q(initials__startswith=lowered))
        else:
            qs = qs.filter(Q(name__contains=text) | Q(short_name__contains=text))
    return qs.order_by("code")[:limit] if limit else qs.order_by("code")


def division_children(division: Division | None) -> QuerySet[Division]:
    if division is None:
        return Division.objects.filter(parent__isnull=True).order_by("code")
    return division.children.order_by("code")


def division_ancestors(division: Division) -> list[Division]:
    """From the root down to the division's parent, in one query."""
    prefixes = [division.code[:n] for n in (2, 4, 6, 9) if n < len(division.code)]
    return list(Division.objects.filter(code__in=prefixes).order_by("code"))


def division_root() -> Division | None:
    return Division.objects.filter(parent__isnull=True).order_by("code").first()


def division_counts_by_level(scope_key: str = "") -> dict[str, int]:
    from django.db.models import Count

    qs = Division.objects.all()
    if scope_key:
        qs = qs.within(scope_key)
    return {row["level"]: row["n"] for row in qs.values("level").annotate(n=Count("id"))}
