"""The checkpoint figures the dashboard reads (``fangkong.core.rollups``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import cast

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangkong.checkpoints.models import (
    Passage,
    ReportStatus,
    Result,
    Status,
    Transition,
    UnauthorisedReport,
)
from fangkong.core.rollups import register_metric

REQUESTED = "checkpoints.requested"
APPROVED = "checkpoints.approved"
REJECTED = "checkpoints.rejected"
OPEN = "checkpoints.open"
UNAUTHORISED_REPORTED = "checkpoints.unauthorised_reported"
UNAUTHORISED_RESOLVED = "checkpoints.unauthorised_resolved"


def passage_metric(result: str) -> str:
    return f"checkpoints.passages.{result}"


def _transition_flow(to_status: str) -> Iterable[tuple[str, date, int]]:
    counts: Counter[tuple[str, date]] = Counter()
    for code, at in Transition.objects.filter(to_status=to_status).values_list(
        "division_code", "at"
    ):
        counts[(code, timezone.localdate(at))] += 1
    return [(code, day, n) for (code, day), n in counts.items()]


def _open_stock() -> Iterable[tuple[str, date, int]]:
    counts: Counter[tuple[str, date]] = Counter()
    rows = Transition.objects.filter(from_status=Status.OPEN) | Transition.objects.filter(
        to_status=Status.OPEN
    )
    for code, at, src, dst in rows.values_list("division_code", "at", "from_status", "to_status"):
        day = timezone.localdate(at)
        if dst == Status.OPEN:
            counts[(code, day)] += 1
        if src == Status.OPEN:
            counts[(code, day)] -= 1
    return [(code, day, n) for (code, day), n in counts.items()]


def _reports_made() -> Iterable[tuple[str, date, int]]:
    counts: Counter[tuple[str, date]] = Counter()
    for code, at in UnauthorisedReport.objects.values_list("division_code", "created_at"):
        counts[(code, timezone.localdate(at))] += 1
    return [(code, day, n) for (code, day), n in counts.items()]


def _reports_resolved() -> Iterable[tuple[str, date, int]]:
    counts: Counter[tuple[str, date]] = Counter()
    qs = UnauthorisedReport.objects.exclude(status=ReportStatus.OPEN).filter(
        resolved_at__isnull=False
    )
    for code, at in qs.values_list("division_code", "resolved_at"):
        counts[(code, timezone.localdate(at))] += 1
    return [(code, day, n) for (code, day), n in counts.items()]


def _passages(result: str) -> Iterable[tuple[str, date, int]]:
    rows = (
        Passage.objects.filter(result=result)
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("division_code", "day")
        .annotate(n=Count("id"))
    )
    return [(row["division_code"], row["day"], row["n"]) for row in rows]


def _(text: str) -> str:
    return cast(str, gettext_lazy(text))


def register() -> None:
    register_metric(
        REQUESTED, _("Checkpoints requested"), "flow", lambda: _transition_flow(Status.REQUESTED)
    )
    register_metric(
        APPROVED, _("Checkpoints approved"), "flow", lambda: _transition_flow(Status.APPROVED)
    )
    register_metric(
        REJECTED, _("Checkpoint requests rejected"), "flow", lambda: _transition_flow("rejected")
    )
    register_metric(OPEN, _("Checkpoints open"), "stock", _open_stock)
    register_metric(
        UNAUTHORISED_REPORTED, _("Unauthorised checkpoints reported"), "flow", _reports_made
    )
    register_metric(
        UNAUTHORISED_RESOLVED,
        _("Unauthorised checkpoint reports resolved"),
        "flow",
        _reports_resolved,
    )
    for result in Result:
        register_metric(
            passage_metric(result.value),
            _("Passages: %(result)s") % {"result": result.label},
            "flow",
            lambda r=result.value: _passages(r),  # type: ignore[misc]
        )
