from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fangkong.accounts.roles import Perm
from fangkong.accounts.selectors import access_division_by_code, require_perm
from fangkong.core.forms import errors_into_form
from fangkong.directives import dailyreport, records, selectors, services
from fangkong.directives.dashboard import build_dashboard
from fangkong.directives.forms import (
    AssignForm,
    AssignmentFilterForm,
    DashboardForm,
    NoticeConfirmForm,
    NoticeEditForm,
    NoticeImportForm,
    NoticeSearchForm,
    NoticeWriteForm,
    ReportForm,
    ReturnForm,
    import_error_message,
)
from fangkong.directives.models import (
    AssignmentStatus,
    DailyReportFile,
    NoticeAttachment,
    ReportAttachment,
)
from fangkong.directives.parsing import (
    MAX_TEXT_CHARS,
    NoticeImportError,
    extract_text_from_upload,
    parse_body,
    parse_notice,
)
from fangkong.divisions.models import Division
from fangkong.lib.qr import qr_svg

PAGE_SIZE = 30


def _errors(form: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def _page(request: HttpRequest, qs: Any) -> tuple[Any, str]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# --- public -----------------------------------------------------------------------------------


@require_safe
def public_notice_list(request: HttpRequest) -> HttpResponse:
    form = NoticeSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    page, query = _page(request, selectors.public_notice_list(q=q))
    return render(
        request, "directives/notice_public_list.html", {"form": form, "page": page, "query": query}
    )


@require_safe
def public_notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = selectors.access_public_notice_by_id(notice_id)
    url = request.build_absolute_uri(reverse("directives:notice-public", args=[notice.pk]))
    svg = qr_svg(url, scale=4).decode()
    svg = svg[svg.find("<svg") :]  # drop the XML declaration for inline use
    return render(
        request,
        "directives/notice_public.html",
        {"notice": notice, "qr": mark_safe(svg), "url": url},  # noqa: S308 - segno's own SVG
    )


# --- notices ----------------------------------------------------------------------------------


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not any(actor.has_perm_anywhere(p) for p in selectors.READ_PERMS):  # type: ignore[union-attr]
        raise Http404
    form = NoticeSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    page, query = _page(request, selectors.notice_list(actor=actor, q=q))  # type: ignore[arg-type]
    return render(
        request,
        "directives/notice_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_publish": actor.has_perm_anywhere(Perm.DIRECTIVES_PUBLISH),  # type: ignore[union-attr]
        },
    )


def _child_divisions(notice_division: Division) -> list[Division]:
    return list(Division.objects.filter(parent=notice_division).order_by("code"))


@login_required
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    actor: Any = request.user
    notice = selectors.access_notice_by_id(actor, notice_id)
    can_publish = actor.can(Perm.DIRECTIVES_PUBLISH, notice.division_code)
    measures = list(notice.measures.order_by("position"))
    assign_form = None
    if can_publish:
        assign_form = AssignForm(
            request.POST or None,
            measures=measures,
            divisions=_child_divisions(notice.division),
        )
        if request.method == "POST" and assign_form.is_valid():
            chosen = [m for m in measures if str(m.pk) in assign_form.cleaned_data["measures"]]
            divisions = list(
                Division.objects.filter(code__in=assign_form.cleaned_data["divisions"])
            )
            try:
                services.measure_assign(
                    actor=actor,
                    measures=chosen,
                    divisions=divisions,
                    deadline=assign_form.cleaned_data["deadline"],
                )
            except ValidationError as exc:
                _errors(assign_form, exc)
            else:
                messages.success(request, _("Measures assigned."))
                return redirect("directives:notice-detail", notice.pk)
    elif request.method == "POST":
        raise Http404
    matrix = selectors.notice_matrix(notice=notice, today=timezone.localdate(), actor=actor)
    return render(
        request,
        "directives/notice_detail.html",
        {
            "notice": notice,
            "measures": measures,
            "matrix": matrix,
            "assign_form": assign_form,
            "can_publish": can_publish,
        },
    )


def _publish_divisions(actor: Any) -> list[Division]:
    return list(
        Division.objects.filter(code__in=actor.scope_keys(Perm.DIRECTIVES_PUBLISH)).order_by("code")
    )


@login_required
def notice_import(request: HttpRequest) -> HttpResponse:
    """Paste or upload (step 1), check what was found (step 2), issue (confirm)."""
    actor: Any = request.user
    require_perm(actor, Perm.DIRECTIVES_PUBLISH)
    issuers = _publish_divisions(actor)
    context: dict[str, Any] = {"issuers": issuers}
    try:
        post = request.POST if request.method == "POST" else None
        files = request.FILES if request.method == "POST" else None
    except RequestDataTooBig:
        error = _(
            "The pasted text or file is too large: a notice has at most %(n)d characters "
            "and a file at most 20 MB."
        ) % {"n": MAX_TEXT_CHARS}
        return render(
            request,
            "directives/notice_import.html",
            {**context, "form": NoticeImportForm(), "error": error},
            status=400,
        )
    if post is not None and post.get("step") == "confirm":
        confirm = NoticeConfirmForm(post, files)
        issuer = next((d for d in issuers if d.code == post.get("issuer")), None)
        if post.get("recheck"):
            # Show the measures read from the corrected text, without the errors of a form
            # that is not being submitted yet; nothing is issued.
            confirm = NoticeConfirmForm(
                initial={
                    **{name: post.get(name, "") for name in confirm.fields if name != "public"},
                    "public": bool(post.get("public")),
                }
            )
        elif confirm.is_valid() and issuer is not None:
            data = confirm.cleaned_data
            try:
                notice = services.notice_import(
                    actor=actor,
                    division=issuer,
                    text=data["text"],
                    kind=data["kind"],
                    public=data["public"],
                    title=data["title"],
                    issuer_name=data["issuer_name"],
                    doc_number=data["doc_number"],
                    date=data["date"],
                    body=data["body"],
                    attachments=data["attachments"],
                )
            except (ValidationError, NoticeImportError) as exc:
                confirm.add_error(
                    None,
                    exc.messages if isinstance(exc, ValidationError) else import_error_message(exc),
                )
            else:
                messages.success(request, _("Notice issued."))
                return redirect("directives:notice-detail", notice.pk)
        elif issuer is None:
            confirm.add_error(None, _("Choose the issuing HQ."))
        parsed = _safe_parse(post.get("text", ""))
        body = post.get("body", "")
        if parsed is not None and body.strip():
            # What will be issued: the measures and cited documents of the corrected text.
            clean, measures, cites = parse_body(body, parsed.doc_number)
            parsed = replace(parsed, body=clean, measures=measures, cites=cites)
        return render(
            request,
            "directives/notice_confirm.html",
            {**context, "form": confirm, "parsed": parsed, "issuer": post.get("issuer")},
        )
    form = NoticeImportForm(post, files)
    if post is not None and form.is_valid():
        upload = form.cleaned_data.get("upload")
        try:
            if upload is not None:
                text = extract_text_from_upload(upload.name or "", upload.read())
            else:
                text = form.cleaned_data["text"]
            parsed = parse_notice(text)
        except NoticeImportError as exc:
            form.add_error(None, import_error_message(exc))
        else:
            # Nothing is made up: a date the text does not give is left for the person to enter.
            confirm = NoticeConfirmForm(
                initial={
                    "kind": "notice",
                    "title": parsed.title,
                    "issuer_name": parsed.issuer,
                    "doc_number": parsed.doc_number,
                    "date": parsed.date,
                    "body": parsed.body,
                    "text": text,
                }
            )
            confirm.mark_not_found(
                [
                    name
                    for name, value in (
                        ("issuer_name", parsed.issuer),
                        ("doc_number", parsed.doc_number),
                        ("date", parsed.date),
                    )
                    if not value
                ]
            )
            return render(
                request,
                "directives/notice_confirm.html",
                {**context, "form": confirm, "parsed": parsed, "issuer": issuers[0].code},
            )
    return render(request, "directives/notice_import.html", {**context, "form": form})


@login_required
def notice_write(request: HttpRequest) -> HttpResponse:
    """Write a notice from scratch: fields, measures one a line, attachments."""
    actor: Any = request.user
    require_perm(actor, Perm.DIRECTIVES_PUBLISH)
    issuers = _publish_divisions(actor)
    if request.method == "POST":
        form = NoticeWriteForm(request.POST, request.FILES, issuers=issuers)
    else:
        form = NoticeWriteForm(
            issuers=issuers, initial={"kind": "notice", "date": timezone.localdate()}
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        issuer = next(d for d in issuers if d.code == data["issuer"])
        try:
            notice = services.notice_create(
                actor=actor,
                division=issuer,
                kind=data["kind"],
                title=data["title"],
                date=data["date"],
                body=data["body"],
                doc_number=data["doc_number"],
                issuer_name=data["issuer_name"],
                public=data["public"],
                measures=services.measures_from_lines(data["measures"]),
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Notice issued."))
            return redirect("directives:notice-detail", notice.pk)
    return render(request, "directives/notice_write.html", {"form": form})


@login_required
def notice_edit(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Correct a notice's fields and attachments (the issuing HQ only)."""
    actor: Any = request.user
    notice = selectors.access_notice_by_id(actor, notice_id, write=True)
    attachments = list(notice.attachments.all())
    if request.method == "POST":
        form = NoticeEditForm(request.POST, request.FILES, attachments=attachments)
    else:
        form = NoticeEditForm(
            attachments=attachments,
            initial={
                "kind": notice.kind,
                "title": notice.title,
                "issuer_name": notice.issuer_name,
                "doc_number": notice.doc_number,
                "date": notice.date,
                "public": notice.public,
                "body": notice.body,
            },
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.notice_update(
                actor=actor,
                notice=notice,
                kind=data["kind"],
                title=data["title"],
                date=data["date"],
                body=data["body"],
                doc_number=data["doc_number"],
                issuer_name=data["issuer_name"],
                public=data["public"],
                add_attachments=data["attachments"],
                remove_attachment_ids=[int(pk) for pk in data.get("remove", [])],
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Notice saved."))
            return redirect("directives:notice-detail", notice.pk)
    return render(request, "directives/notice_edit.html", {"form": form, "notice": notice})


def _safe_parse(text: str) -> Any:
    try:
        return parse_notice(text)
    except NoticeImportError:
        return None


# --- implementation ---------------------------------------------------------------------------


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    require_perm(actor, Perm.DIRECTIVES_REPORT)
    form = AssignmentFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.assignment_list_for_reporter(
        actor=actor,
        status=data.get("status") or "",
        returned=True if data.get("returned") else None,
    )
    page, query = _page(request, qs)
    latest = selectors.latest_reports([a.pk for a in page])
    rows = [(a, latest.get(a.pk)) for a in page]
    return render(
        request,
        "directives/assignment_list.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "form": form,
            "today": timezone.localdate(),
        },
    )


@login_required
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    actor: Any = request.user
    assignment = selectors.access_assignment_by_id(actor, assignment_id)
    can_report = selectors.can_report_on(actor, assignment)
    notice = assignment.measure.notice
    can_return = actor.can(Perm.DIRECTIVES_PUBLISH, notice.division_code)
    form = (
        ReportForm(
            request.POST or None, request.FILES or None, initial={"status": assignment.status}
        )
        if can_report
        else None
    )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.implementation_report_submit(
                    actor=actor,
                    assignment=assignment,
                    text=data["text"],
                    status=data["status"],
                    figures=services.parse_figures(data["figures"]),
                    attachments=data["attachments"],
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("Report submitted."))
                return redirect("directives:assignment-detail", assignment.pk)
    reports = list(assignment.reports.prefetch_related("attachments").select_related("author"))
    latest = reports[0] if reports else None
    # Once done and standing, the form folds away behind "report again"; sent back, it is open.
    form_open = form is not None and (
        bool(form.errors) or latest is None or assignment.status != AssignmentStatus.DONE
    )
    return render(
        request,
        "directives/assignment_detail.html",
        {
            "assignment": assignment,
            "notice": notice,
            "reports": reports,
            "latest": latest,
            "form": form,
            "form_open": form_open,
            "can_return": can_return,
            "return_form": ReturnForm(),
            "overdue": assignment.is_overdue_on(timezone.localdate()),
        },
    )


@login_required
@require_POST
def report_return(request: HttpRequest, report_id: int) -> HttpResponse:
    actor: Any = request.user
    report = selectors.access_report_by_id(actor, report_id, write=True)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.implementation_report_return(
                actor=actor, report=report, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Report sent back."))
    else:
        messages.error(request, _("Say why the report is sent back."))
    return redirect("directives:assignment-detail", report.assignment_id)


@require_safe
def attachment_download(request: HttpRequest, kind: str, attachment_id: int) -> FileResponse:
    """A notice's attachment (public notices: anyone) or a report's (who may see the report)."""
    actor: Any = request.user
    name, file = "", None
    if kind == "notice":
        notice_attachment = NoticeAttachment.objects.filter(pk=attachment_id).first()
        if notice_attachment is None:
            raise Http404
        if not notice_attachment.notice.public:
            selectors.access_notice_by_id(actor, notice_attachment.notice_id)
        name, file = notice_attachment.name, notice_attachment.file
    elif kind == "report":
        report_attachment = ReportAttachment.objects.filter(pk=attachment_id).first()
        if report_attachment is None:
            raise Http404
        selectors.access_report_by_id(actor, report_attachment.report_id)
        name, file = report_attachment.name, report_attachment.file
    if file is None:
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=name)


# --- dashboard and daily report ---------------------------------------------------------------


def _dashboard_scope(request: HttpRequest) -> tuple[Any, Division, date, str]:
    actor: Any = request.user
    keys = require_perm(actor, Perm.DASHBOARD_VIEW)
    form = DashboardForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    code = data.get("division") or min(keys, key=len)
    division = access_division_by_code(actor, code, permission=Perm.DASHBOARD_VIEW)
    day = data.get("date") or timezone.localdate()
    return actor, division, day, data.get("metric") or ""


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor, division, day, metric = _dashboard_scope(request)
    dash = build_dashboard(division=division, day=day, selected=metric, compare=False)
    records.attach_links(dash)
    labels = {r.name: r.label for g in dash.groups for r in g.rows}
    index = dash.metric_names.index(dash.selected) if dash.selected else -1
    chart = {
        "metric": labels.get(dash.selected, ""),
        "children": [c.division.short_name for c in dash.children],
        "childValues": [c.values[index] for c in dash.children] if index >= 0 else [],
        "days": [d.strftime("%m-%d") for d, _v in dash.series],
        "series": [v for _d, v in dash.series],
    }
    keys = actor.scope_keys(Perm.DASHBOARD_VIEW)
    up = [a for a in dash.ancestors if any(a.code.startswith(k) for k in keys)]
    files = DailyReportFile.objects.filter(division_code=division.code).order_by("-day")[:10]
    return render(
        request,
        "directives/dashboard.html",
        {
            "dash": dash,
            "labels": [labels[n] for n in dash.metric_names],
            "chart": chart,
            "up": up,
            "files": files,
            "day": day,
        },
    )


RECORDS_PAGE_SIZE = 50


@login_required
def figure_records(request: HttpRequest) -> HttpResponse:
    """The list behind one figure of the dashboard or the daily report: the records it counts,
    in the division and on the day, as many as the figure says."""
    _actor, division, day, metric = _dashboard_scope(request)
    which = request.GET.get("which", "today")
    if which not in ("today", "total"):
        raise Http404
    found = records.records_for(metric, division=division, day=day, which=which)
    if found is None:
        raise Http404
    page = Paginator(found.rows, RECORDS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(
        {"metric": metric, "division": division.code, "date": day.isoformat(), "which": which}
    )
    return render(
        request,
        "directives/figure_records.html",
        {
            "found": found,
            "page": page,
            "rows": records.table(found, page.object_list),
            "query": query,
            "day": day,
            "division": division,
            "back": f"{reverse('directives:dashboard')}?division={division.code}&date={day}",
        },
    )


@login_required
def daily_report(request: HttpRequest) -> HttpResponse:
    _actor, division, day, _metric = _dashboard_scope(request)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "pdf", "html"):
        raise Http404
    notes = request.GET.get("notes", "")[:2000]
    report = dailyreport.build_daily_report(division=division, day=day, notes=notes)
    if fmt == "html":  # the 日报 as a page: every figure opens the list behind it
        records.attach_links(report.dashboard)
        names, labels, lines = dailyreport.division_table(report)
        return render(
            request,
            "directives/daily_report.html",
            {
                "report": report,
                "groups": [
                    (g, [(dailyreport.figure_line(r), r) for r in g.rows])
                    for g in report.dashboard.groups
                ],
                "division_rows": records.division_rows(report, names, lines),
                "division_labels": labels,
                "implementation": dailyreport.implementation_lines(report),
                "query": urlencode({"division": division.code, "date": day.isoformat()}),
            },
        )
    content = dailyreport.render(report, fmt)
    types = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }
    response = HttpResponse(content, content_type=types[fmt])
    response["Content-Disposition"] = f'attachment; filename="{dailyreport.filename(report, fmt)}"'
    return response


@login_required
def daily_report_file(request: HttpRequest, file_id: int) -> FileResponse:
    actor: Any = request.user
    record = (
        DailyReportFile.objects.visible_to(actor, Perm.DASHBOARD_VIEW).filter(pk=file_id).first()
    )
    if record is None:
        raise Http404
    return FileResponse(
        record.file.open("rb"),
        as_attachment=True,
        filename=f"daily-report-{record.division_code}-{record.day}.{record.format}",
    )
