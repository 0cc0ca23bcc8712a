"""Write use cases of directives: notices, measures, assignments and 落实情况 reports.

Each function validates, writes, bumps the rollups and records the audit entry in one
transaction. Errors are ``ValidationError`` with a message naming what is wrong; jurisdiction
errors on objects the actor cannot see are raised by the gatekeepers in ``selectors`` (404).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump
from fangkong.directives import metrics
from fangkong.directives.alerting import report_returned_alert
from fangkong.directives.models import (
    Assignment,
    AssignmentStatus,
    DailyReportFile,
    ImplementationReport,
    Measure,
    Notice,
    NoticeAttachment,
    NoticeKind,
    ReportAttachment,
    ReportState,
)
from fangkong.directives.parsing import ParsedNotice, cn_numeral, parse_body, parse_notice
from fangkong.divisions.models import Division

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10


@dataclass(frozen=True)
class MeasureInput:
    number: str
    title: str
    text: str


MAX_REPORT_CHARS = 10_000
MAX_FIGURES = 50
# Evidence a report may carry: photos, scans and office documents (no executables, no archives).
REPORT_FILE_TYPES = frozenset(
    {"jpg", "jpeg", "png", "gif", "webp", "heic", "pdf", "doc", "docx", "xls", "xlsx", "txt", "csv"}
)


def _check_attachments(files: Sequence[UploadedFile], *, already: int = 0) -> None:
    if already + len(files) > MAX_ATTACHMENTS:
        raise ValidationError(_("At most %(n)d attachments.") % {"n": MAX_ATTACHMENTS})
    for upload in files:
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                _("Attachment %(name)s is larger than 20 MB.") % {"name": upload.name}
            )


def _check_evidence_types(files: Sequence[UploadedFile]) -> None:
    for upload in files:
        name = upload.name or ""
        extension = name.rpartition(".")[2].lower() if "." in name else ""
        if extension not in REPORT_FILE_TYPES:
            raise ValidationError(
                _(
                    "Attachment %(name)s: this kind of file cannot be attached. Attach photos, "
                    "PDF, Word, Excel or text files."
                )
                % {"name": name or "?"}
            )


def _require_publish(actor: User, division: Division) -> None:
    if not actor.can(Perm.DIRECTIVES_PUBLISH, division.code):
        raise ValidationError(
            _("You may not issue notices for %(division)s.") % {"division": division.name}
        )


@transaction.atomic
def notice_create(
    *,
    actor: User,
    division: Division,
    kind: str,
    title: str,
    date: date,
    body: str,
    doc_number: str = "",
    issuer_name: str = "",
    source: str = "",
    cites: Iterable[str] = (),
    public: bool = False,
    measures: Sequence[MeasureInput] = (),
    attachments: Sequence[UploadedFile] = (),
) -> Notice:
    """Issue a notice of ``division``'s HQ, with its measures and attachments."""
    _require_publish(actor, division)
    if kind not in NoticeKind.values:
        raise ValidationError(_("Unknown kind of notice: %(kind)s.") % {"kind": kind})
    if not title.strip():
        raise ValidationError(_("The notice has no title."))
    if not body.strip():
        raise ValidationError(_("The notice has no text."))
    _check_attachments(attachments)
    notice = Notice(
        kind=kind,
        title=title.strip()[:300],
        division=division,
        division_code=division.code,
        issuer_name=issuer_name.strip()[:200] or division.name,
        doc_number=doc_number.strip()[:100],
        date=date,
        body=body.strip(),
        source=source.strip()[:200],
        cites=list(cites),
        public=public,
        created_by=actor,
    )
    notice.full_clean()
    notice.save()
    Measure.objects.bulk_create(
        Measure(
            notice=notice,
            position=index,
            number=m.number[:8],
            title=m.title.strip()[:300] or m.number,
            text=m.text,
        )
        for index, m in enumerate(measures, start=1)
    )
    for upload in attachments:
        NoticeAttachment.objects.create(notice=notice, file=upload, name=upload.name or "file")
    record_audit(
        actor,
        "notice.create",
        notice,
        kind=kind,
        public=public,
        measures=len(measures),
        attachments=len(attachments),
    )
    return notice


MAX_MEASURES = 99
_LEADING_NUMBER = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．)）])\s*"
)


def measures_from_lines(text: str) -> list[MeasureInput]:
    """Measures written one a line: the title, then its text after the first 。 (or ：).

    A leading number the writer typed (一、 (一) 1.) is dropped: measures are numbered 一、二、…
    in the order written. Raises ``ValidationError`` naming the line that has no title.
    """
    measures: list[MeasureInput] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        line = _LEADING_NUMBER.sub("", raw.strip(), count=1).strip()
        end = re.search(r"[。：:]", line)
        title, rest = (line[: end.start()], line[end.end() :]) if end else (line, "")
        if not title.strip():
            raise ValidationError(
                {"measures": _("Line %(n)d: a measure needs a title.") % {"n": line_no}}
            )
        if len(measures) >= MAX_MEASURES:
            raise ValidationError({"measures": _("At most %(n)d measures.") % {"n": MAX_MEASURES}})
        number = cn_numeral(len(measures) + 1)
        measures.append(MeasureInput(number, title.strip()[:300], rest.strip()))
    return measures


_NOTICE_FIELDS = ("kind", "title", "issuer_name", "doc_number", "date", "body", "public")


@transaction.atomic
def notice_update(
    *,
    actor: User,
    notice: Notice,
    kind: str,
    title: str,
    date: date,
    body: str,
    doc_number: str = "",
    issuer_name: str = "",
    public: bool = False,
    add_attachments: Sequence[UploadedFile] = (),
    remove_attachment_ids: Iterable[int] = (),
) -> Notice:
    """Correct a notice's fields, add attachments and remove some; the issuing HQ stays."""
    notice = Notice.objects.select_for_update().select_related("division").get(pk=notice.pk)
    _require_publish(actor, notice.division)
    if kind not in NoticeKind.values:
        raise ValidationError(_("Unknown kind of notice: %(kind)s.") % {"kind": kind})
    if not title.strip():
        raise ValidationError(_("The notice has no title."))
    if not body.strip():
        raise ValidationError(_("The notice has no text."))
    removed = list(notice.attachments.filter(pk__in=list(remove_attachment_ids)))
    kept = notice.attachments.count() - len(removed)
    if kept + len(add_attachments) > MAX_ATTACHMENTS:
        raise ValidationError(_("At most %(n)d attachments.") % {"n": MAX_ATTACHMENTS})
    _check_attachments(add_attachments)
    new = {
        "kind": kind,
        "title": title.strip()[:300],
        "issuer_name": issuer_name.strip()[:200] or notice.division.name,
        "doc_number": doc_number.strip()[:100],
        "date": date,
        "body": body.strip(),
        "public": public,
    }
    changed = [name for name in _NOTICE_FIELDS if getattr(notice, name) != new[name]]
    if not changed and not removed and not add_attachments:
        return notice
    for name in changed:
        setattr(notice, name, new[name])
    notice.full_clean()
    notice.save(update_fields=[*changed, "updated_at"])
    for attachment in removed:
        attachment.file.delete(save=False)
        attachment.delete()
    for upload in add_attachments:
        NoticeAttachment.objects.create(notice=notice, file=upload, name=upload.name or "file")
    record_audit(
        actor,
        "notice.update",
        notice,
        changed=changed,
        attachments_added=len(add_attachments),
        attachments_removed=[a.name for a in removed],
    )
    return notice


def notice_import(
    *,
    actor: User,
    division: Division,
    text: str,
    kind: str = NoticeKind.NOTICE,
    public: bool = False,
    title: str = "",
    issuer_name: str = "",
    doc_number: str = "",
    date: date | None = None,
    body: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> Notice:
    """Issue a notice from pasted text: the parser's result, with the confirmed corrections.

    A corrected ``body`` replaces the body found, and its measures and cited documents are read
    from it.
    """
    parsed = parse_notice(text)  # NoticeImportError (a ValueError) for unusable input
    if body.strip():
        number = doc_number or parsed.doc_number
        clean, measures, cites = parse_body(body, number)
        parsed = replace(parsed, body=clean, measures=measures, cites=cites)
    return notice_create_from_parsed(
        actor=actor,
        division=division,
        parsed=parsed,
        kind=kind,
        public=public,
        title=title or parsed.title,
        issuer_name=issuer_name or parsed.issuer,
        doc_number=doc_number or parsed.doc_number,
        date=date or parsed.date or timezone.localdate(),
        attachments=attachments,
    )


def notice_create_from_parsed(
    *,
    actor: User,
    division: Division,
    parsed: ParsedNotice,
    kind: str,
    public: bool,
    title: str,
    issuer_name: str,
    doc_number: str,
    date: date,
    attachments: Sequence[UploadedFile] = (),
) -> Notice:
    return notice_create(
        actor=actor,
        division=division,
        kind=kind,
        title=title,
        date=date,
        body=parsed.body,
        doc_number=doc_number,
        issuer_name=issuer_name,
        source=parsed.source,
        cites=parsed.cites,
        public=public,
        measures=[MeasureInput(m.number, m.title, m.text) for m in parsed.measures],
        attachments=attachments,
    )


@transaction.atomic
def measure_assign(
    *, actor: User, measures: Sequence[Measure], divisions: Sequence[Division], deadline: date
) -> list[Assignment]:
    """Assign measures to divisions inside the issuing HQ's jurisdiction, with a deadline.

    An existing assignment keeps its status and gets the new deadline.
    """
    if not measures:
        raise ValidationError(_("Choose at least one measure."))
    if not divisions:
        raise ValidationError(_("Choose at least one division."))
    notices = {m.notice_id: m.notice for m in measures}
    for notice in notices.values():
        _require_publish(actor, notice.division)
        for division in divisions:
            if not division.code.startswith(notice.division_code) or (
                division.code == notice.division_code
            ):
                raise ValidationError(
                    _("%(division)s (%(code)s) is not below %(issuer)s, the issuing HQ.")
                    % {
                        "division": division.name,
                        "code": division.full_code,
                        "issuer": notice.division.name,
                    }
                )
    today = timezone.localdate()
    result: list[Assignment] = []
    created = 0
    for measure in measures:
        for division in divisions:
            assignment, was_created = Assignment.objects.get_or_create(
                measure=measure,
                division=division,
                defaults={"division_code": division.code, "deadline": deadline},
            )
            if was_created:
                created += 1
                bump(metrics.ASSIGNMENTS_OPEN, division.code, today)
            elif assignment.deadline != deadline:
                assignment.deadline = deadline
                assignment.save(update_fields=["deadline", "updated_at"])
            result.append(assignment)
    for notice in notices.values():
        record_audit(
            actor,
            "measure.assign",
            notice,
            measures=[m.number for m in measures if m.notice_id == notice.pk],
            divisions=[d.code for d in divisions],
            deadline=deadline,
            created=created,
        )
    return result


def parse_figures(text: str) -> dict[str, float | int]:
    """Figures typed one per line as ``name: number`` (or ``name = number``, ``name：number``)."""
    figures: dict[str, float | int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        for sep in (":", "：", "="):
            if sep in line:
                name, _sep, value = line.rpartition(sep)
                break
        else:
            raise ValidationError(
                _("Figures, line %(n)d: write it as “name: number”.") % {"n": number}
            )
        name, value = name.strip(), value.strip().replace(",", "")
        if not name:
            raise ValidationError(_("Figures, line %(n)d: the name is missing.") % {"n": number})
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValidationError(
                _("Figures, line %(n)d: “%(value)s” is not a number.")
                % {"n": number, "value": value}
            ) from None
        if not amount.is_finite():
            raise ValidationError(
                _("Figures, line %(n)d: “%(value)s” is not a number.")
                % {"n": number, "value": value}
            )
        figures[name[:100]] = int(amount) if amount == amount.to_integral() else float(amount)
    return figures


def _set_status(assignment: Assignment, status: str, *, returned: bool, today: date) -> None:
    was_done = assignment.status == AssignmentStatus.DONE
    now_done = status == AssignmentStatus.DONE
    if was_done and not now_done:
        bump(metrics.ASSIGNMENTS_OPEN, assignment.division_code, today)
        bump(metrics.ASSIGNMENTS_OVERDUE_DONE, assignment.division_code, today, -1)
    elif now_done and not was_done:
        bump(metrics.ASSIGNMENTS_OPEN, assignment.division_code, today, -1)
        bump(metrics.ASSIGNMENTS_OVERDUE_DONE, assignment.division_code, today)
    assignment.status = status
    assignment.returned = returned
    assignment.save(update_fields=["status", "returned", "updated_at"])


@transaction.atomic
def implementation_report_submit(
    *,
    actor: User,
    assignment: Assignment,
    text: str,
    status: str,
    figures: dict[str, Any] | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> ImplementationReport:
    """The assigned HQ reports 落实情况 on its assignment (any status may follow any other)."""
    if not assignment.is_reported_by(actor):
        raise ValidationError(_("You may not report for this division."))
    if status not in AssignmentStatus.values:
        raise ValidationError(_("Unknown status: %(status)s.") % {"status": status})
    if not text.strip():
        raise ValidationError(_("Describe what was done."))
    if len(text) > MAX_REPORT_CHARS:
        raise ValidationError(
            _("The report has more than %(n)d characters.") % {"n": MAX_REPORT_CHARS}
        )
    if figures and len(figures) > MAX_FIGURES:
        raise ValidationError(_("At most %(n)d figures.") % {"n": MAX_FIGURES})
    _check_attachments(attachments)
    _check_evidence_types(attachments)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    report = ImplementationReport.objects.create(
        assignment=assignment,
        division_code=assignment.division_code,
        text=text.strip(),
        figures=figures or {},
        status=status,
        author=actor,
    )
    for upload in attachments:
        ReportAttachment.objects.create(
            report=report, file=upload, name=(upload.name or "file")[-200:]
        )
    today = timezone.localdate()
    bump(metrics.REPORTS_SUBMITTED, assignment.division_code, today)
    _set_status(assignment, status, returned=False, today=today)
    record_audit(actor, "report.submit", report, status=status, attachments=len(attachments))
    return report


@transaction.atomic
def implementation_report_add_attachments(
    *, actor: User, report: ImplementationReport, attachments: Sequence[UploadedFile]
) -> ImplementationReport:
    """The reporting HQ adds evidence to its latest report while it stands (not sent back)."""
    report = ImplementationReport.objects.select_for_update().get(pk=report.pk)
    assignment = Assignment.objects.get(pk=report.assignment_id)
    if not assignment.is_reported_by(actor):
        raise ValidationError(_("You may not report for this division."))
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("This report has been sent back: submit a new report."))
    latest = assignment.reports.order_by("-created_at", "-id").first()
    if latest is None or latest.pk != report.pk:
        raise ValidationError(_("Evidence can only be added to the latest report."))
    if not attachments:
        raise ValidationError(_("Choose at least one file."))
    _check_attachments(attachments, already=report.attachments.count())
    _check_evidence_types(attachments)
    for upload in attachments:
        ReportAttachment.objects.create(
            report=report, file=upload, name=(upload.name or "file")[-200:]
        )
    record_audit(actor, "report.attach", report, attachments=[a.name for a in attachments])
    return report


@transaction.atomic
def implementation_report_return(
    *, actor: User, report: ImplementationReport, comment: str
) -> ImplementationReport:
    """The issuing HQ sends a submitted report back with a comment (submitted → returned).

    The assignment goes back to "in progress" and is marked as sent back.
    """
    report = ImplementationReport.objects.select_for_update().get(pk=report.pk)
    assignment = Assignment.objects.select_related("measure__notice").get(pk=report.assignment_id)
    if not actor.can(Perm.DIRECTIVES_PUBLISH, assignment.measure.notice.division_code):
        raise ValidationError(_("Only the issuing HQ may send a report back."))
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("This report has already been sent back."))
    if not comment.strip():
        raise ValidationError(_("Say why the report is sent back."))
    latest = assignment.reports.order_by("-created_at", "-id").first()
    if latest is None or latest.pk != report.pk:
        raise ValidationError(_("Only the latest report can be sent back."))
    report.state = ReportState.RETURNED
    report.return_comment = comment.strip()
    report.save(update_fields=["state", "return_comment", "updated_at"])
    today = timezone.localdate()
    bump(metrics.REPORTS_RETURNED, assignment.division_code, today)
    _set_status(assignment, AssignmentStatus.IN_PROGRESS, returned=True, today=today)
    record_audit(actor, "report.return", report, comment=report.return_comment)
    report_returned_alert(actor=actor, report=report, assignment=assignment)
    return report


@transaction.atomic
def daily_report_file_save(
    *, division: Division, day: date, fmt: str, content: bytes, filename: str
) -> DailyReportFile:
    """Keep a daily report made by the evening task (replacing that day's earlier one)."""
    from django.core.files.base import ContentFile

    existing = DailyReportFile.objects.filter(
        division_code=division.code, day=day, format=fmt
    ).first()
    if existing is not None:
        existing.file.delete(save=False)
        existing.delete()
    record = DailyReportFile(division=division, division_code=division.code, day=day, format=fmt)
    record.file.save(filename, ContentFile(content), save=False)
    record.save()
    record_audit(None, "daily_report.make", record, format=fmt, day=day)
    return record
