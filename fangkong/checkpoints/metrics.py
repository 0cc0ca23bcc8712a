"""The checkpoint figures the dashboard reads (``fangkong.core.rollups``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from functools import partial
from operator import attrgetter
from typing import Any, cast

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import lazy
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
from fangkong.core.rollups import (
    STATISTICS,
    Column,
    Median,
    RecordList,
    happened,
    register_median,
    register_metric,
    register_records,
)

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


def _passages_label_now(result: object) -> str:
    return str(gettext_lazy("Passages: %(result)s")) % {"result": result}


# Evaluated when shown, in the reader's language (a lazy label formatted at start-up would
# keep the language of the process that started).
_passages_label = lazy(_passages_label_now, str)


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
            _passages_label(result.label),
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
    _register_records()


def _local(moment: datetime | None) -> str:
    return "" if moment is None else timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _checkpoint_url(row: Any) -> str:
    from django.urls import reverse

    return reverse("checkpoints:checkpoint-detail", args=[row.checkpoint_id])


def _open_at_end(scope_key: str, day: date, which: str) -> Any:
    """Checkpoints open at the end of the day: more changes into ``open`` than out of it by
    then (the recount's +1 and -1, so the list and the figure agree)."""
    from django.db.models import F, Q

    from fangkong.checkpoints.models import Checkpoint
    from fangkong.core.rollups import day_bounds

    _start, end = day_bounds(day)
    before = Q(transitions__at__lt=end)
    return (
        Checkpoint.objects.filter(division_code__startswith=scope_key)
        .annotate(
            ins=Count("transitions", filter=before & Q(transitions__to_status=Status.OPEN)),
            outs=Count("transitions", filter=before & Q(transitions__from_status=Status.OPEN)),
        )
        .filter(ins__gt=F("outs"))
        .order_by("name")
    )


def _transitions_to(status: str) -> Any:
    return Transition.objects.filter(to_status=status).select_related("checkpoint").order_by("-at")


def _register_records() -> None:
    transitions = [
        Column(_("Checkpoint"), lambda t: t.checkpoint.name),
        Column(_("Time"), lambda t: _local(t.at)),
        Column(_("Reason"), lambda t: t.reason),
    ]
    for name, status in ((REQUESTED, Status.REQUESTED), (APPROVED, Status.APPROVED)):
        register_records(
            name,
            RecordList(
                happened(
                    partial(_transitions_to, status),
                    "at",
                ),
                transitions,
                _checkpoint_url,
            ),
        )
    register_records(
        REJECTED,
        RecordList(
            happened(
                lambda: (
                    Transition.objects.filter(to_status="rejected")
                    .select_related("checkpoint")
                    .order_by("-at")
                ),
                "at",
            ),
            transitions,
            _checkpoint_url,
        ),
    )

    def checkpoint_url(c: Any) -> str:
        from django.urls import reverse

        return reverse("checkpoints:checkpoint-detail", args=[c.pk])

    register_records(
        OPEN,
        RecordList(
            _open_at_end,
            [
                Column(_("Checkpoint"), lambda c: c.name),
                Column(_("Kind"), lambda c: c.get_kind_display()),
            ],
            checkpoint_url,
        ),
    )
    reports = [
        Column(_("Location"), lambda r: r.location),
        Column(_("Reported"), lambda r: _local(r.created_at)),
        Column(_("Status"), lambda r: r.get_status_display()),
    ]
    register_records(
        UNAUTHORISED_REPORTED,
        RecordList(
            happened(lambda: UnauthorisedReport.objects.order_by("-created_at"), "created_at"),
            reports,
        ),
    )
    register_records(
        UNAUTHORISED_RESOLVED,
        RecordList(
            happened(
                lambda: (
                    UnauthorisedReport.objects.exclude(status=ReportStatus.OPEN)
                    .filter(resolved_at__isnull=False)
                    .order_by("-resolved_at")
                ),
                "resolved_at",
            ),
            reports,
        ),
    )
    passage_columns = [
        Column(_("Checkpoint"), lambda p: p.checkpoint.name),
        Column(_("Time"), lambda p: _local(p.at)),
        Column(_("Subject"), lambda p: p.get_subject_display()),
        Column(_("Plate or name"), lambda p: p.plate or p.person_name),
        Column(_("Result"), lambda p: p.get_result_display()),
        Column(_("Pass serial"), lambda p: p.pass_serial),
        Column(_("Flag"), lambda p: p.get_flag_display() if p.flag else ""),
    ]

    def passages(**filters: Any) -> Any:
        def queryset() -> Any:
            qs = Passage.objects.select_related("checkpoint").order_by("-at", "-id")
            return qs.filter(**filters)

        return queryset

    for result in Result:
        register_records(
            passage_metric(result.value),
            RecordList(
                happened(passages(result=result.value), "at"), passage_columns, _checkpoint_url
            ),
        )
    register_records(
        PASSES_CHECKED,
        RecordList(
            happened(
                lambda: passages()().exclude(pass_serial=""),
                "at",
            ),
            passage_columns,
            _checkpoint_url,
        ),
    )
    register_records(
        PASSAGES_FLAGGED,
        RecordList(
            happened(lambda: passages()().exclude(flag=""), "at"), passage_columns, _checkpoint_url
        ),
    )
    for name, field in FAST_PASS_TIMINGS.items():
        register_records(
            name,
            RecordList(
                happened(
                    passages(
                        result=Result.FAST_PASSED,
                        subject=Subject.VEHICLE,
                        **{f"{field}__isnull": False},
                    ),
                    "at",
                ),
                [
                    *passage_columns[:4],
                    Column(_("Milliseconds"), attrgetter(field), numeric=True),
                ],
                _checkpoint_url,
                value=attrgetter(field),
            ),
        )
