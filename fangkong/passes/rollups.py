"""Recounts of the passes metrics from the source tables (``fangkong rebuild_rollups``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.lib.signing import Reason

#: One flow metric per verdict, ``passes.verified.<reason>``: checks logged at checkpoints.
VERIFIED_LABELS = {
    Reason.VALID.value: _("Pass checks: valid"),
    Reason.BAD_PREFIX.value: _("Pass checks: not a pass"),
    Reason.BAD_BASE45.value: _("Pass checks: unreadable code"),
    Reason.BAD_COMPRESSION.value: _("Pass checks: damaged code"),
    Reason.BAD_CBOR.value: _("Pass checks: malformed pass"),
    Reason.TRUST_LIST_EXPIRED.value: _("Pass checks: trust list out of date"),
    Reason.UNKNOWN_KID.value: _("Pass checks: unknown issuer key"),
    Reason.BAD_SIGNATURE.value: _("Pass checks: forged signature"),
    Reason.NOT_YET_VALID.value: _("Pass checks: not yet valid"),
    Reason.EXPIRED.value: _("Pass checks: expired"),
    Reason.REVOKED.value: _("Pass checks: revoked"),
}


def day(value: datetime) -> date:
    return timezone.localdate(value)


def valid_deltas(
    *, valid_from: datetime, valid_until: datetime, revoked_at: datetime | None
) -> list[tuple[date, int]]:
    """A pass counts as valid from its first day until the day it expires or is revoked."""
    end = valid_until if revoked_at is None else min(valid_until, max(revoked_at, valid_from))
    return [(day(valid_from), 1), (day(end), -1)]


def recount_issued() -> Iterable[tuple[str, date, int]]:
    from fangkong.passes.models import GreenPass

    counts: Counter[tuple[str, date]] = Counter()
    for code, created in GreenPass.objects.values_list("division_code", "created_at"):
        counts[(code, day(created))] += 1
    return [(code, d, n) for (code, d), n in counts.items()]


def recount_valid() -> Iterable[tuple[str, date, int]]:
    from fangkong.passes.models import GreenPass

    counts: Counter[tuple[str, date]] = Counter()
    rows = GreenPass.objects.values_list("division_code", "valid_from", "valid_until", "revoked_at")
    for code, start, end, revoked in rows:
        for d, delta in valid_deltas(valid_from=start, valid_until=end, revoked_at=revoked):
            counts[(code, d)] += delta
    return [(code, d, n) for (code, d), n in counts.items() if n]


def recount_verified(reason: str) -> Callable[[], Iterable[tuple[str, date, int]]]:
    def recount() -> Iterable[tuple[str, date, int]]:
        from fangkong.passes.models import PassCheck

        counts: Counter[tuple[str, date]] = Counter()
        for code, at in PassCheck.objects.filter(verdict=reason).values_list("division_code", "at"):
            counts[(code, day(at))] += 1
        return [(code, d, n) for (code, d), n in counts.items()]

    return recount


def _local(moment: datetime | None) -> str:
    return "" if moment is None else timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _checks_with(model: Any, verdict: str) -> Any:
    return model.objects.filter(verdict=verdict).order_by("-at")


def register_records() -> None:
    """The lists behind the passes figures (``rollups.RecordList``)."""
    from django.db.models import Q
    from django.urls import reverse

    from fangkong.core.rollups import Column, RecordList, happened, in_state
    from fangkong.core.rollups import register_records as register
    from fangkong.passes.models import GreenPass, PassCheck

    pass_columns = [
        Column(_("Serial"), lambda g: g.serial),
        Column(_("Plate"), lambda g: g.vehicle.plate),
        Column(_("Valid from"), lambda g: _local(g.valid_from)),
        Column(_("Valid until"), lambda g: _local(g.valid_until)),
        Column(_("Status"), lambda g: g.get_status_display()),
    ]

    def pass_url(g: GreenPass) -> str:
        return reverse("passes:pass-detail", args=[g.pk])

    register(
        "passes.issued",
        RecordList(
            happened(
                lambda: GreenPass.objects.select_related("vehicle").order_by("-created_at"),
                "created_at",
            ),
            pass_columns,
            pass_url,
        ),
    )
    # Valid at the end of the day: begun, not expired and not revoked by then (``valid_deltas``).
    register(
        "passes.valid",
        RecordList(
            in_state(
                lambda: GreenPass.objects.select_related("vehicle").order_by("-valid_from"),
                "valid_from",
                lambda end: Q(valid_until__lt=end) | Q(revoked_at__lt=end),
            ),
            pass_columns,
            pass_url,
        ),
    )
    check_columns = [
        Column(_("Time"), lambda c: _local(c.at)),
        Column(_("Plate"), lambda c: c.plate),
        Column(_("Pass serial"), lambda c: c.pass_serial),
        Column(_("Result"), lambda c: c.get_result_display()),
    ]
    for reason in VERIFIED_LABELS:
        register(
            f"passes.verified.{reason}",
            RecordList(
                happened(partial(_checks_with, PassCheck, reason), "at"),
                check_columns,
            ),
        )
