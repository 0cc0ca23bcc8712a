"""Directives API: notices, the importer, the implementation matrix, reports, the dashboard."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Query, Router, Status, UploadedFile
from ninja.errors import HttpError

from fangkong.accounts.roles import Perm
from fangkong.accounts.selectors import access_division_by_code, require_perm
from fangkong.directives import selectors, services
from fangkong.directives.dashboard import Row, StatRow, build_dashboard
from fangkong.directives.models import (
    Assignment,
    AssignmentStatus,
    ImplementationReport,
    Notice,
)
from fangkong.directives.parsing import MAX_TEXT_CHARS, NoticeImportError, cn_numeral, parse_notice
from fangkong.directives.schemas import (
    AssignIn,
    AssignmentDetailOut,
    AssignmentOut,
    ChildOut,
    DashboardOut,
    EvidenceOut,
    FigureOut,
    GroupOut,
    ImplementationReportOut,
    MatrixCellOut,
    MatrixOut,
    MatrixRowOut,
    MeasureOut,
    NoticeChangeIn,
    NoticeIn,
    NoticeOut,
    ParsedOut,
    ParseIn,
    ReporterAssignmentOut,
    ReportIn,
    ReportOut,
    ReturnIn,
    StatisticOut,
)
from fangkong.divisions.selectors import division_by_code

router = Router(tags=["directives"])


def _notice_out(n: Notice) -> NoticeOut:
    return NoticeOut(
        id=n.pk,
        kind=n.kind,
        title=n.title,
        division_code=n.division_code,
        issuer=n.issuer_name,
        doc_number=n.doc_number,
        date=n.date,
        public=n.public,
        source=n.source,
        cites=list(n.cites),
        measures=[
            MeasureOut(number=m.number, title=m.title, text=m.text) for m in n.measures.all()
        ],
    )


@router.get("/directives/notices", response=list[NoticeOut], summary="Notices visible to me")
def notice_list(request: HttpRequest, q: str = "") -> list[NoticeOut]:
    actor: Any = request.auth  # type: ignore[attr-defined]
    rows = selectors.notice_list(actor=actor, q=q).prefetch_related("measures")[:200]
    return [_notice_out(n) for n in rows]


@router.post(
    "/directives/notices", response={201: NoticeOut}, summary="Issue a notice written from scratch"
)
def notice_create(request: HttpRequest, payload: NoticeIn) -> Any:
    actor: Any = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.DIRECTIVES_PUBLISH)
    division = division_by_code(payload.division_code)
    if division is None:
        raise HttpError(422, f"division_code: {payload.division_code} is not a division")
    if len(payload.measures) > services.MAX_MEASURES:
        raise HttpError(422, f"measures: at most {services.MAX_MEASURES}")
    if len(payload.body) > MAX_TEXT_CHARS:
        raise HttpError(422, f"body: at most {MAX_TEXT_CHARS} characters")
    for index, measure in enumerate(payload.measures, start=1):
        if not measure.title.strip():
            raise HttpError(422, f"measures[{index}].title: a measure needs a title")
    notice = services.notice_create(
        actor=actor,
        division=division,
        kind=payload.kind,
        title=payload.title,
        date=payload.date,
        body=payload.body,
        doc_number=payload.doc_number,
        issuer_name=payload.issuer_name,
        public=payload.public,
        measures=[
            services.MeasureInput(cn_numeral(index), m.title, m.text)
            for index, m in enumerate(payload.measures, start=1)
        ],
    )
    return Status(201, _notice_out(notice))


@router.get("/directives/notices/{notice_id}", response=NoticeOut, summary="One notice")
def notice_detail(request: HttpRequest, notice_id: int) -> NoticeOut:
    actor: Any = request.auth  # type: ignore[attr-defined]
    return _notice_out(selectors.access_notice_by_id(actor, notice_id))


@router.patch(
    "/directives/notices/{notice_id}",
    response=NoticeOut,
    summary="Correct a notice's fields (the issuing HQ)",
)
def notice_update(request: HttpRequest, notice_id: int, payload: NoticeChangeIn) -> NoticeOut:
    actor: Any = request.auth  # type: ignore[attr-defined]
    notice = selectors.access_notice_by_id(actor, notice_id, write=True)
    if payload.body is not None and len(payload.body) > MAX_TEXT_CHARS:
        raise HttpError(422, f"body: at most {MAX_TEXT_CHARS} characters")
    fields = {
        name: getattr(notice, name)
        for name in ("kind", "title", "date", "body", "doc_number", "issuer_name", "public")
    }
    fields.update(payload.dict(exclude_none=True))
    notice = services.notice_update(actor=actor, notice=notice, **fields)
    return _notice_out(notice)


@router.post(
    "/directives/import/parse", response=ParsedOut, summary="Parse a pasted notice (no write)"
)
def notice_parse(request: HttpRequest, payload: ParseIn) -> ParsedOut:
    """What the importer finds in pasted text; nothing is stored."""
    actor: Any = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.DIRECTIVES_PUBLISH)
    try:
        parsed = parse_notice(payload.text)
    except NoticeImportError as exc:
        raise HttpError(422, f"text: {exc}") from None
    return ParsedOut(**parsed.as_json_dict())  # type: ignore[arg-type]


@router.get(
    "/directives/notices/{notice_id}/matrix", response=MatrixOut, summary="Measures × divisions"
)
def notice_matrix(request: HttpRequest, notice_id: int) -> MatrixOut:
    actor: Any = request.auth  # type: ignore[attr-defined]
    notice = selectors.access_notice_by_id(actor, notice_id, write=True)
    matrix = selectors.notice_matrix(notice=notice, today=timezone.localdate())
    return MatrixOut(
        divisions=[d.code for d in matrix.divisions],
        overdue=matrix.overdue,
        rows=[
            MatrixRowOut(
                number=row.measure.number,
                title=row.measure.title,
                cells=[
                    MatrixCellOut(
                        assignment_id=c.assignment.pk,
                        division_code=c.assignment.division_code,
                        status=c.assignment.status,
                        returned=c.assignment.returned,
                        overdue=c.overdue,
                        deadline=c.assignment.deadline,
                    )
                    for c in row.cells
                    if c is not None
                ],
            )
            for row in matrix.rows
        ],
    )


MAX_PAGE = 500


def _report_out(r: ImplementationReport) -> ImplementationReportOut:
    return ImplementationReportOut(
        id=r.pk,
        status=r.status,
        state=r.state,
        text=r.text,
        figures=r.figures,
        return_comment=r.return_comment,
        author=str(r.author) if r.author else "",
        created_at=r.created_at,
        evidence=[
            EvidenceOut(
                id=a.pk,
                name=a.name,
                url=reverse("directives:attachment-download", args=["report", a.pk]),
            )
            for a in r.attachments.all()
        ],
    )


def _assignment_fields(a: Assignment, latest: ImplementationReport | None) -> dict[str, Any]:
    notice = a.measure.notice
    return {
        "id": a.pk,
        "notice_id": notice.pk,
        "notice_title": notice.title,
        "notice_doc_number": notice.doc_number,
        "issuer": notice.issuer_name,
        "measure_number": a.measure.number,
        "measure_title": a.measure.title,
        "measure_text": a.measure.text,
        "division_code": a.division_code,
        "division_name": a.division.name,
        "deadline": a.deadline,
        "status": a.status,
        "returned": a.returned,
        "overdue": a.is_overdue_on(timezone.localdate()),
        "latest_report": _report_out(latest) if latest is not None else None,
    }


@router.get(
    "/directives/assignments",
    response=list[ReporterAssignmentOut],
    summary="Measures assigned to my HQ, with the latest report (sent back first; paged)",
)
def assignment_list(
    request: HttpRequest,
    response: HttpResponse,
    status: str = Query("", description="not_started | in_progress | done"),
    returned: bool | None = Query(None, description="true: only those sent back"),
    limit: int = Query(100, ge=1, le=MAX_PAGE, description="At most this many (1–500)"),
    offset: int = Query(0, ge=0, le=1_000_000, description="Skip this many"),
) -> list[ReporterAssignmentOut]:
    """``X-Total-Count`` gives the number of all matches."""
    actor: Any = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.DIRECTIVES_REPORT)
    if status and status not in AssignmentStatus.values:
        raise HttpError(
            422, f"status must be one of {', '.join(AssignmentStatus.values)}, not {status!r}"
        )
    qs = selectors.assignment_list_for_reporter(actor=actor, status=status, returned=returned)
    response["X-Total-Count"] = str(qs.count())
    page = list(qs[offset : offset + limit])
    latest = selectors.latest_reports([a.pk for a in page])
    return [ReporterAssignmentOut(**_assignment_fields(a, latest.get(a.pk))) for a in page]


@router.get(
    "/directives/assignments/{assignment_id}",
    response=AssignmentDetailOut,
    summary="One assignment with all its reports",
)
def assignment_detail(request: HttpRequest, assignment_id: int) -> AssignmentDetailOut:
    actor: Any = request.auth  # type: ignore[attr-defined]
    assignment = selectors.access_assignment_by_id(actor, assignment_id)
    reports = list(
        assignment.reports.select_related("author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )
    return AssignmentDetailOut(
        **_assignment_fields(assignment, reports[0] if reports else None),
        reports=[_report_out(r) for r in reports],
    )


@router.post(
    "/directives/reports/{report_id}/attachments",
    response={201: ImplementationReportOut},
    summary="Add evidence files to my HQ's latest report (multipart, field name: files)",
)
def report_attach(
    request: HttpRequest, report_id: int, files: File[list[UploadedFile]]
) -> Status[ImplementationReportOut]:
    actor: Any = request.auth  # type: ignore[attr-defined]
    report = selectors.access_report_by_id(actor, report_id)
    selectors.access_assignment_by_id(actor, report.assignment_id, write=True)
    report = services.implementation_report_add_attachments(
        actor=actor, report=report, attachments=files
    )
    return Status(201, _report_out(report))


@router.post(
    "/directives/assignments/{assignment_id}/reports",
    response={201: ReportOut},
    summary="Report 落实情况 on an assignment (evidence: then POST its files to "
    "/directives/reports/{id}/attachments)",
)
def report_submit(request: HttpRequest, assignment_id: int, payload: ReportIn) -> Any:
    actor: Any = request.auth  # type: ignore[attr-defined]
    assignment = selectors.access_assignment_by_id(actor, assignment_id, write=True)
    report = services.implementation_report_submit(
        actor=actor,
        assignment=assignment,
        text=payload.text,
        status=payload.status,
        figures=payload.figures,
    )
    return Status(
        201,
        ReportOut(
            id=report.pk, assignment_id=assignment.pk, status=report.status, state=report.state
        ),
    )


@router.get(
    "/directives/dashboard", response=DashboardOut, summary="Dashboard figures of a division"
)
def dashboard(request: HttpRequest, division: str = "", day: date | None = None) -> DashboardOut:
    actor: Any = request.auth  # type: ignore[attr-defined]
    keys = require_perm(actor, Perm.DASHBOARD_VIEW)
    place = access_division_by_code(
        actor, division or min(keys, key=len), permission=Perm.DASHBOARD_VIEW
    )
    dash = build_dashboard(division=place, day=day or timezone.localdate())
    names = dash.metric_names
    stats = {r.name for g in dash.groups for r in g.rows if isinstance(r, StatRow)}
    return DashboardOut(
        division_code=place.code,
        date=dash.day,
        groups=[
            GroupOut(
                app=g.app,
                measures=g.measures,
                title=g.title,
                figures=[
                    FigureOut(
                        metric=r.name,
                        label=r.label,
                        kind=r.kind,
                        today=r.today,
                        value=r.value,
                        change=r.change,
                    )
                    for r in g.rows
                    if isinstance(r, Row)
                ],
                statistics=[
                    StatisticOut(
                        metric=r.name,
                        label=r.label,
                        kind=r.kind,
                        unit=r.unit,
                        today=r.today,
                        to_date=r.value,
                        change=r.change,
                        text=r.headline_text,
                        detail=r.detail,
                    )
                    for r in g.rows
                    if isinstance(r, StatRow)
                ],
            )
            for g in dash.groups
        ],
        children=[
            ChildOut(
                code=c.division.code,
                name=c.division.short_name,
                values={n: v for n, v in zip(names, c.values, strict=True) if isinstance(v, int)},
                statistics={n: v for n, v in zip(names, c.values, strict=True) if n in stats},
            )
            for c in dash.children
        ],
    )


@router.post(
    "/directives/assignments",
    response={201: list[AssignmentOut]},
    summary="Assign measures to divisions with a deadline",
)
def measure_assign(request: HttpRequest, payload: AssignIn) -> Any:
    actor: Any = request.auth  # type: ignore[attr-defined]
    measures = [
        selectors.access_measure_by_id(actor, measure_id, write=True)
        for measure_id in payload.measure_ids
    ]
    divisions = []
    for code in payload.division_codes:
        division = division_by_code(code)
        if division is None:
            raise HttpError(422, f"division_codes: {code} is not a division")
        divisions.append(division)
    assignments = services.measure_assign(
        actor=actor, measures=measures, divisions=divisions, deadline=payload.deadline
    )
    return Status(
        201,
        [
            AssignmentOut(
                id=a.pk,
                measure_id=a.measure_id,
                division_code=a.division_code,
                deadline=a.deadline,
                status=a.status,
            )
            for a in assignments
        ],
    )


@router.post(
    "/directives/reports/{report_id}/return",
    response=ReportOut,
    summary="Send a report back with a comment (issuing HQ)",
)
def report_return(request: HttpRequest, report_id: int, payload: ReturnIn) -> ReportOut:
    actor: Any = request.auth  # type: ignore[attr-defined]
    report = selectors.access_report_by_id(actor, report_id, write=True)
    report = services.implementation_report_return(
        actor=actor, report=report, comment=payload.comment
    )
    return ReportOut(
        id=report.pk, assignment_id=report.assignment_id, status=report.status, state=report.state
    )
