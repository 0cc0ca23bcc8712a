"""Reads and gatekeepers of passes. Outside the actor's jurisdiction looks like not found."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, division_scope_key, normalize_plate
from fangkong.passes.models import GreenPass, PassCheck, Vehicle


def pass_list(
    *, actor: User, q: str = "", status: str = "", at: datetime | None = None
) -> QuerySet[GreenPass]:
    """Passes issued by HQs inside the actor's ``passes.view`` jurisdiction."""
    qs = GreenPass.objects.within_scopes(actor.scope_keys(Perm.PASSES_VIEW)).select_related(
        "vehicle", "driver", "division"
    )
    text = q.strip()
    if text:
        try:
            plate = normalize_plate(text)
        except InvalidNumber:
            plate = text.upper()
        qs = qs.filter(Q(vehicle__plate__contains=plate) | Q(serial__icontains=text))
    if status and at is not None:
        if status == GreenPass.Status.EXPIRED:
            qs = qs.filter(
                Q(status=GreenPass.Status.EXPIRED)
                | Q(status=GreenPass.Status.ISSUED, valid_until__lte=at)
            )
        elif status == GreenPass.Status.ISSUED:
            qs = qs.filter(status=GreenPass.Status.ISSUED, valid_until__gt=at)
        else:
            qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def access_pass_by_id(actor: User, pass_id: int, *, write: bool = False) -> GreenPass:
    perm = Perm.PASSES_ISSUE if write else Perm.PASSES_VIEW
    green = (
        GreenPass.objects.within_scopes(actor.scope_keys(perm))
        .select_related("vehicle", "driver", "division", "issued_by")
        .filter(pk=pass_id)
        .first()
    )
    if green is None:
        raise Http404
    return green


def access_pass_by_serial(actor: User, serial: str, *, write: bool = False) -> GreenPass:
    perm = Perm.PASSES_ISSUE if write else Perm.PASSES_VIEW
    green = GreenPass.objects.within_scopes(actor.scope_keys(perm)).filter(serial=serial).first()
    if green is None:
        raise Http404
    return green


def pass_codes_for_plate(*, plate: str, at: datetime) -> list[str]:
    """Signed codes of a plate's issued, unexpired passes, for checkpoints anywhere (a pass is
    checked wherever the truck drives; the code is what the truck carries anyway)."""
    try:
        normal = normalize_plate(plate)
    except InvalidNumber:
        return []
    return list(
        GreenPass.objects.filter(
            vehicle__plate=normal, status=GreenPass.Status.ISSUED, valid_until__gt=at
        )
        .order_by("valid_from")
        .values_list("code", flat=True)[:5]
    )


def vehicle_list(*, actor: User) -> QuerySet[Vehicle]:
    return Vehicle.objects.within_scopes(actor.scope_keys(Perm.PASSES_VIEW)).order_by("plate")


def issuing_divisions(actor: User) -> QuerySet[Division]:
    """The HQs in whose name the actor may issue: the divisions of their transport roles."""
    return Division.objects.filter(code__in=actor.scope_keys(Perm.PASSES_ISSUE)).order_by("code")


def may_verify(actor: User) -> bool:
    return actor.is_authenticated and (
        actor.has_perm_anywhere(Perm.PASSES_VIEW) or actor.has_perm_anywhere(Perm.CHECKPOINTS_DUTY)
    )


def green_channel_timings(
    *, actor: User, checkpoint_id: int | None = None
) -> dict[str, float | None]:
    """Median milliseconds from scan to verdict and from verdict to logged passage, for
    green-channel (fast-passed) vehicles the actor may see."""
    keys = actor.scope_keys(Perm.CHECKPOINTS_VIEW) + actor.scope_keys(Perm.PASSES_VIEW)
    qs = PassCheck.objects.within_scopes(keys).filter(
        result=PassCheck.Result.FAST_PASSED, subject="vehicle"
    )
    if checkpoint_id is not None:
        qs = qs.filter(checkpoint_id=checkpoint_id)
    rows = list(qs.values_list("scan_ms", "log_ms")[:10_000])
    scans = [s for s, _ in rows if s is not None]
    logs = [v for _, v in rows if v is not None]
    return {
        "scan_ms": statistics.median(scans) if scans else None,
        "log_ms": statistics.median(logs) if logs else None,
        "count": float(len(rows)),
    }


def place_names(values: Iterable[str]) -> dict[str, str]:
    """The name to show for each route end: a division code becomes the division's name (one
    query for all of them); a place outside the region, or an unknown code, stays as written."""
    keys: dict[str, str] = {}
    for value in values:
        try:
            keys[value] = division_scope_key(value)
        except InvalidNumber:
            continue
    names = dict(Division.objects.filter(code__in=set(keys.values())).values_list("code", "name"))
    return {value: names.get(keys.get(value, ""), value) for value in values}


def with_route_names(passes: Iterable[GreenPass]) -> None:
    """Set ``origin_name`` and ``destination_name`` on each pass, for pages and prints."""
    rows = list(passes)
    names = place_names([p.origin for p in rows] + [p.destination for p in rows])
    for green in rows:
        green.origin_name = names[green.origin]  # type: ignore[attr-defined]
        green.destination_name = names[green.destination]  # type: ignore[attr-defined]
