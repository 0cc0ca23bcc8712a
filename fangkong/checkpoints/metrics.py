"""The checkpoint figures the dashboard reads (``fangkong.core.rollups``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangkong.checkpoints.models import (
    Passage,
    ReportStatus,
    Result,
    Status,
    Subject,
    Transition,
    UnauthorisedReport,
)
from fangkong.core.rollups import STATISTICS, Median, register_median, register_metric

REQUESTED = "checkpoints.requested"
APPROVED = "checkpoints.approved"
REJECTED = "checkpoints.rejected"
OPEN = "checkpoints.open"
UNAUTHORISED_REPORTED = "checkpoints.unauthorised_reported"
UNAUTHORISED_RESOLVED = "checkpoints.unauthorised_resolved"
# Green passes checked on the duty page: every passage logged with a pass serial; and the fast
# passes the server flagged because the pass they name was not good (or named none).
PASSES_CHECKED = "checkpoints.passes_checked"
PASSAGES_FLAGGED = "checkpoints.passages.flagged"
# Medians of the two times the duty page measures for a green-channel (fast-passed) vehicle.
FAST_SCAN_MEDIAN = "checkpoints.fast_pass.scan_ms"
FAST_LOG_MEDIAN = "checkpoints.fast_pass.log_ms"
FAST_PASS_TIMINGS = {FAST_SCAN_MEDIAN: "scan_ms", FAST_LOG_MEDIAN: "log_ms"}
#: Bucket bounds in milliseconds: finer below a second, where a working scan lands. Each bucket
#: is a metric read by every dashboard, so there are few of them.
FAST_PASS_BOUNDS_MS = (200, 400, 700, 1000, 2000, 5000, 15000, 60000)


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
    return _passage_counts(Passage.objects.filter(result=result))


def _passage_counts(qs: Any) -> Iterable[tuple[str, date, int]]:
    rows = (
        qs.annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("division_code", "day")
        .annotate(n=Count("id"))
    )
    return [(row["division_code"], row["day"], row["n"]) for row in rows]


def passage_bumps(row: dict[str, object]) -> list[tuple[str, str, date, int]]:
    """Every bump of one stored passage: its result, a pass checked or flagged, its timings."""
    at = cast(datetime, row["at"])
    day = at.astimezone(timezone.get_current_timezone()).date()
    code = cast(str, row["division_code"])
    bumps = [(passage_metric(cast(str, row["result"])), code, day, 1)]
    if row.get("pass_serial"):
        bumps.append((PASSES_CHECKED, code, day, 1))
    if row.get("flag"):
        bumps.append((PASSAGES_FLAGGED, code, day, 1))
    bumps.extend(fast_pass_bumps(row))
    return bumps


def fast_pass_bumps(row: dict[str, object]) -> list[tuple[str, str, date, int]]:
    """The histogram bumps of one stored passage (a timed, fast-passed vehicle), if any."""
    if row["result"] != Result.FAST_PASSED or row["subject"] != Subject.VEHICLE:
        return []
    at = cast(datetime, row["at"])
    day = at.astimezone(timezone.get_current_timezone()).date()
    bumps = []
    for name, field in FAST_PASS_TIMINGS.items():
        value = row.get(field)
        if value is not None:
            median = cast(Median, STATISTICS[name])
            bumps.append(
                (median.bucket_metric(cast(int, value)), cast(str, row["division_code"]), day, 1)
            )
    return bumps


def _fast_pass_buckets(name: str) -> Iterable[tuple[int, str, date, int]]:
    median = cast(Median, STATISTICS[name])
    field = FAST_PASS_TIMINGS[name]
    rows = (
        Passage.objects.filter(
            result=Result.FAST_PASSED, subject=Subject.VEHICLE, **{f"{field}__isnull": False}
        )
        .annotate(
            day=TruncDate("at", tzinfo=timezone.get_current_timezone()),
            bucket=median.bucket_expression(field),
        )
        .values("division_code", "day", "bucket")
        .annotate(n=Count("id"))
    )
    return [(row["bucket"], row["division_code"], row["day"], row["n"]) for row in rows]


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
    register_metric(
        PASSES_CHECKED,
        _("Green passes checked at checkpoints"),
        "flow",
        lambda: _passage_counts(Passage.objects.exclude(pass_serial="")),
    )
    register_metric(
        PASSAGES_FLAGGED,
        _("Fast passes flagged: the pass was not good"),
        "flow",
        lambda: _passage_counts(Passage.objects.exclude(flag="")),
    )
    register_median(
        FAST_SCAN_MEDIAN,
        _("Median fast-pass time: scan to verdict"),
        unit="ms",
        bounds=FAST_PASS_BOUNDS_MS,
        recount=lambda: _fast_pass_buckets(FAST_SCAN_MEDIAN),
    )
    register_median(
        FAST_LOG_MEDIAN,
        _("Median fast-pass time: verdict to logged passage"),
        unit="ms",
        bounds=FAST_PASS_BOUNDS_MS,
        recount=lambda: _fast_pass_buckets(FAST_LOG_MEDIAN),
    )
