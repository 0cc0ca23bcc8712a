"""Reads and gatekeepers of directives. Outside the actor's jurisdiction looks like not found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Q, QuerySet, When
from django.http import Http404

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.directives.models import (
    Assignment,
    AssignmentStatus,
    ImplementationReport,
    Measure,
    Notice,
)
from fangkong.divisions.models import Division

READ_PERMS = (Perm.DIRECTIVES_PUBLISH, Perm.DIRECTIVES_REPORT, Perm.DASHBOARD_VIEW)


def _read_keys(actor: User) -> list[str]:
    if not actor.is_authenticated:
        return []
    keys: set[str] = set()
    for perm in READ_PERMS:
        keys.update(actor.scope_keys(perm))
    return sorted(keys)


def notice_visibility_q(keys: list[str]) -> Q:
    """Notices issued within the keys (HQs above see them) or above them (they apply there)."""
    q = Q(pk__in=[])
    for key in keys:
        q |= Q(division_code__startswith=key)
        prefixes = {key[:n] for n in (2, 4, 6, 9) if n < len(key)}
        if prefixes:
            q |= Q(division_code__in=prefixes)
    return q


def notice_list(*, actor: User, q: str = "") -> QuerySet[Notice]:
    keys = _read_keys(actor)
    qs = Notice.objects.filter(notice_visibility_q(keys)).select_related("division")
    return _search(qs, q)


def public_notice_list(*, q: str = "", kind: str = "") -> QuerySet[Notice]:
    qs = Notice.objects.filter(public=True).select_related("division")
    if kind:
        qs = qs.filter(kind=kind)
    return _search(qs, q)


def _search(qs: QuerySet[Notice], q: str) -> QuerySet[Notice]:
    text = q.strip()[:100]
    if text:
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(doc_number__icontains=text)
            | Q(body__icontains=text)
            | Q(issuer_name__icontains=text)
        )
    return qs.order_by("-date", "-id")


def access_notice_by_id(actor: User, notice_id: int, *, write: bool = False) -> Notice:
    notice = notice_list(actor=actor).filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    if write and not actor.can(Perm.DIRECTIVES_PUBLISH, notice.division_code):
        raise Http404
    return notice


def access_public_notice_by_id(notice_id: int) -> Notice:
    notice = Notice.objects.filter(pk=notice_id, public=True).select_related("division").first()
    if notice is None:
        raise Http404
    return notice


def access_measure_by_id(actor: User, measure_id: int, *, write: bool = False) -> Measure:
    measure = Measure.objects.select_related("notice__division").filter(pk=measure_id).first()
    if measure is None:
        raise Http404
    access_notice_by_id(actor, measure.notice_id, write=write)
    return measure


def can_report_on(actor: User, assignment: Assignment) -> bool:
    """Only the assigned division's own HQ reports its 落实情况 (not the HQs above it)."""
    return assignment.is_reported_by(actor)


def can_open_assignment(actor: User, assignment: Assignment, *, issuer_code: str) -> bool:
    """Who may open an assignment: its reporters, the issuing HQ, HQs over the division."""
    if not actor.is_authenticated:
        return False
    return (
        can_report_on(actor, assignment)
        or actor.can(Perm.DIRECTIVES_PUBLISH, issuer_code)
        or actor.can(Perm.DASHBOARD_VIEW, assignment.division_code)
    )


def access_assignment_by_id(actor: User, assignment_id: int, *, write: bool = False) -> Assignment:
    """Read: the assigned division or the issuing HQ; write (report): the assigned division."""
    assignment = (
        Assignment.objects.select_related("measure__notice__division", "division")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or not actor.is_authenticated:
        raise Http404
    if write:
        if not can_report_on(actor, assignment):
            raise Http404
        return assignment
    if not can_open_assignment(
        actor, assignment, issuer_code=assignment.measure.notice.division_code
    ):
        raise Http404
    return assignment


def access_report_by_id(
    actor: User, report_id: int, *, write: bool = False
) -> ImplementationReport:
    """Write (send back): the issuing HQ only."""
    report = ImplementationReport.objects.filter(pk=report_id).first()
    if report is None:
        raise Http404
    assignment = access_assignment_by_id(actor, report.assignment_id)
    if write and not actor.can(Perm.DIRECTIVES_PUBLISH, assignment.measure.notice.division_code):
        raise Http404
    report.assignment = assignment
    return report


def assignment_list_for_reporter(
    *, actor: User, status: str = "", returned: bool | None = None
) -> QuerySet[Assignment]:
    """Assignments the actor's own HQ must report on: sent back first, then open by deadline."""
    qs = Assignment.objects.filter(
        division_code__in=sorted(actor.own_division_codes(Perm.DIRECTIVES_REPORT))
    )
    if status:
        qs = qs.filter(status=status)
    if returned is not None:
        qs = qs.filter(returned=returned)
    done_last = Case(When(status=AssignmentStatus.DONE, then=1), default=0)
    return qs.select_related("measure__notice", "division").order_by(
        "-returned", done_last, "deadline", "id"
    )


def latest_reports(assignment_ids: list[int]) -> dict[int, ImplementationReport]:
    """Each assignment's latest report, with its attachments."""
    latest: dict[int, ImplementationReport] = {}
    reports = (
        ImplementationReport.objects.filter(assignment_id__in=assignment_ids)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("assignment_id", "-created_at", "-id")
    )
    for report in reports:
        latest.setdefault(report.assignment_id, report)
    return latest


@dataclass
class MatrixCell:
    assignment: Assignment
    overdue: bool
    report: ImplementationReport | None
    can_open: bool = False


@dataclass
class MatrixRow:
    measure: Measure
    cells: list[MatrixCell | None] = field(default_factory=list)


@dataclass
class Matrix:
    divisions: list[Division]
    rows: list[MatrixRow]
    counts: dict[str, int]
    overdue: int


def notice_matrix(*, notice: Notice, today: date, actor: User | None = None) -> Matrix:
    """Measures × divisions: each cell the assignment, its latest report and an overdue mark.

    With ``actor``, each cell also says whether that user may open it (only then is it a link).
    """
    measures = list(notice.measures.order_by("position"))
    assignments = list(
        Assignment.objects.filter(measure__notice=notice)
        .select_related("division")
        .order_by("division_code")
    )
    latest: dict[int, ImplementationReport] = {}
    for report in ImplementationReport.objects.filter(assignment__measure__notice=notice).order_by(
        "assignment_id", "-created_at", "-id"
    ):
        latest.setdefault(report.assignment_id, report)
    divisions: dict[str, Division] = {}
    for a in assignments:
        divisions.setdefault(a.division_code, a.division)
    columns = sorted(divisions)
    index = {code: i for i, code in enumerate(columns)}
    by_measure: dict[int, list[MatrixCell | None]] = {m.pk: [None] * len(columns) for m in measures}
    counts = {status: 0 for status in AssignmentStatus.values}
    overdue = 0
    for a in assignments:
        can_open = actor is not None and can_open_assignment(
            actor, a, issuer_code=notice.division_code
        )
        cell = MatrixCell(a, a.is_overdue_on(today), latest.get(a.pk), can_open)
        by_measure[a.measure_id][index[a.division_code]] = cell
        counts[a.status] += 1
        overdue += cell.overdue
    rows = [MatrixRow(m, by_measure[m.pk]) for m in measures]
    return Matrix([divisions[c] for c in columns], rows, counts, overdue)


def assignment_summary(*, scope_key: str, today: date) -> dict[str, int]:
    """Assignments to divisions within ``scope_key``: counts by status and overdue."""
    qs = Assignment.objects.within(scope_key)
    summary = {status: 0 for status in AssignmentStatus.values}
    for status in summary:
        summary[status] = qs.filter(status=status).count()
    summary["overdue"] = qs.exclude(status=AssignmentStatus.DONE).filter(deadline__lt=today).count()
    return summary


def overdue_assignments(*, scope_key: str, today: date, limit: int = 50) -> list[Assignment]:
    return list(
        Assignment.objects.within(scope_key)
        .exclude(status=AssignmentStatus.DONE)
        .filter(deadline__lt=today)
        .select_related("measure__notice", "division")
        .order_by("deadline", "division_code")[:limit]
    )
