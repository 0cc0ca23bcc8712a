"""The directives app's own rollup metrics (registered in ``DirectivesConfig.ready``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_noop

from fangkong.core.rollups import Column, RecordList, happened, in_state, register_metric
from fangkong.core.rollups import register_records as _register

ASSIGNMENTS_OPEN = "directives.assignments.open"
ASSIGNMENTS_OVERDUE_DONE = "directives.assignments.done"
REPORTS_SUBMITTED = "directives.reports.submitted"
REPORTS_RETURNED = "directives.reports.returned"


def _by_day(qs: Any, field: str) -> Iterable[tuple[str, date, int]]:
    rows = qs.annotate(day=TruncDate(field)).values("division_code", "day").annotate(n=Count("id"))
    return [(row["division_code"], row["day"], row["n"]) for row in rows]


def _recount_open() -> Iterable[tuple[str, date, int]]:
    from fangkong.directives.models import Assignment, AssignmentStatus

    return _by_day(Assignment.objects.exclude(status=AssignmentStatus.DONE), "created_at")


def _recount_done() -> Iterable[tuple[str, date, int]]:
    from fangkong.directives.models import Assignment, AssignmentStatus

    return _by_day(Assignment.objects.filter(status=AssignmentStatus.DONE), "updated_at")


def _recount_submitted() -> Iterable[tuple[str, date, int]]:
    from fangkong.directives.models import ImplementationReport

    return _by_day(ImplementationReport.objects.all(), "created_at")


def _recount_returned() -> Iterable[tuple[str, date, int]]:
    from fangkong.directives.models import ImplementationReport, ReportState

    return _by_day(ImplementationReport.objects.filter(state=ReportState.RETURNED), "updated_at")


def register() -> None:
    register_metric(
        ASSIGNMENTS_OPEN, gettext_noop("Measures assigned, not yet done"), "stock", _recount_open
    )
    register_metric(
        ASSIGNMENTS_OVERDUE_DONE, gettext_noop("Measures carried out"), "stock", _recount_done
    )
    register_metric(
        REPORTS_SUBMITTED,
        gettext_noop("Implementation reports submitted"),
        "flow",
        _recount_submitted,
    )
    register_metric(
        REPORTS_RETURNED,
        gettext_noop("Implementation reports sent back"),
        "flow",
        _recount_returned,
    )

    _register_records()


def _register_records() -> None:
    from django.urls import reverse

    from fangkong.directives.models import (
        Assignment,
        AssignmentStatus,
        ImplementationReport,
        ReportState,
    )

    def assignments() -> Any:
        return Assignment.objects.select_related("measure__notice", "division").order_by(
            "deadline", "division_code"
        )

    def measure(a: Any) -> str:
        return f"{a.measure.notice.title[:30]} {a.measure.number}、{a.measure.title}"

    columns = [
        Column(gettext_noop("Measure"), measure),
        Column(gettext_noop("Deadline"), lambda a: a.deadline.isoformat()),
        Column(gettext_noop("Status"), lambda a: a.get_status_display()),
    ]

    def url(a: Any) -> str:
        return reverse("directives:assignment-detail", args=[a.pk])

    _register(
        ASSIGNMENTS_OPEN,
        RecordList(
            in_state(lambda: assignments().exclude(status=AssignmentStatus.DONE), "created_at"),
            columns,
            url,
        ),
    )
    _register(
        ASSIGNMENTS_OVERDUE_DONE,
        RecordList(
            in_state(lambda: assignments().filter(status=AssignmentStatus.DONE), "updated_at"),
            columns,
            url,
        ),
    )

    def reports() -> Any:
        return ImplementationReport.objects.select_related("assignment__measure__notice").order_by(
            "-created_at"
        )

    report_columns = [
        Column(gettext_noop("Measure"), lambda r: measure(r.assignment)),
        Column(gettext_noop("Status"), lambda r: r.get_status_display()),
    ]

    def report_url(r: Any) -> str:
        return reverse("directives:assignment-detail", args=[r.assignment_id])

    _register(
        REPORTS_SUBMITTED,
        RecordList(happened(reports, "created_at"), report_columns, report_url),
    )
    _register(
        REPORTS_RETURNED,
        RecordList(
            happened(lambda: reports().filter(state=ReportState.RETURNED), "updated_at"),
            report_columns,
            report_url,
        ),
    )
