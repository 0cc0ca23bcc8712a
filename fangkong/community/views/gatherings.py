"""Pages for gathering reports: staff lists, export, handling; the public report form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fangkong.accounts.models import Membership, User
from fangkong.accounts.roles import Perm, roles_with
from fangkong.community import forms, selectors
from fangkong.community.metrics import GATHERINGS_HANDLED, GATHERINGS_OPEN, GATHERINGS_REPORTED
from fangkong.community.models import GatheringKind, GatheringStatus
from fangkong.community.services import gatherings
from fangkong.community.views.common import PAGE_SIZE, _actor, _query
from fangkong.core.audit import record_audit
from fangkong.core.forms import errors_into_form
from fangkong.core.ratelimit import public_write
from fangkong.divisions.models import Division, Level
from fangkong.lib.ids import InvalidNumber, division_scope_key
from fangkong.lib.masking import mask_phone
from fangkong.lib.qr import qr_svg


def _filtered_gatherings(request: HttpRequest, actor: User) -> tuple[str, str, Any]:
    """The list's filters from the query string (unknown values ignored) and the reports."""
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    status = status if status in GatheringStatus.values else ""
    kind = kind if kind in GatheringKind.values else ""
    return status, kind, selectors.gathering_list(actor=actor, status=status, kind=kind)


@login_required
def gathering_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_view(actor)
    status, kind, reports = _filtered_gatherings(request, actor)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "community/gathering_list.html",
        {
            "page": page,
            "query": _query(request),
            "statuses": GatheringStatus.choices,
            "kinds": GatheringKind.choices,
            "status": status,
            "kind": kind,
            "can_handle": actor.has_perm_anywhere(Perm.COMMUNITY_HANDLE),
        },
    )


EXPORT_LIMIT = 100_000


@login_required
def gathering_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as xlsx; reporters' phones masked unless the role needs them; audited."""
    import io

    import xlsxwriter

    actor = _actor(request)
    selectors.require_view(actor)
    status, kind, reports = _filtered_gatherings(request, actor)
    reports = reports[:EXPORT_LIMIT]
    buffer = io.BytesIO()
    # Text stays text: nothing a reporter typed can become a formula or a link.
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(_("Gathering reports")[:31])
    bold = book.add_format({"bold": True})
    header = [
        _("Reported"),
        _("Kind"),
        _("Status"),
        _("Division"),
        _("Place"),
        _("Time of the gathering"),
        _("Estimated people"),
        _("Organiser"),
        _("Reporter"),
        _("Reporter's phone"),
        _("Handled"),
        _("Minutes to handle"),
    ]
    sheet.write_row(0, 0, header, bold)
    count = 0
    for count, r in enumerate(reports, start=1):
        phone = r.reporter_phone
        if phone and not actor.can(Perm.PERSONAL_DATA, r.division_code):
            phone = mask_phone(phone)
        minutes = ""
        if r.handled_at:
            minutes = str(int((r.handled_at - r.created_at).total_seconds() // 60))
        sheet.write_row(
            count,
            0,
            [
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                r.get_kind_display(),
                r.get_status_display(),
                r.division.name,
                r.place,
                timezone.localtime(r.occurs_at).strftime("%Y-%m-%d %H:%M"),
                r.estimated_people,
                r.organiser,
                r.reporter_name,
                phone,
                timezone.localtime(r.handled_at).strftime("%Y-%m-%d %H:%M") if r.handled_at else "",
                minutes,
            ],
        )
    book.close()
    with transaction.atomic():
        record_audit(
            actor,
            "community.gatherings.export",
            None,
            division_code=min(selectors.view_keys(actor), key=len),
            rows=count,
            status=status,
            kind=kind,
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="gatherings-{stamp}.xlsx"'
    return response


@login_required
def gathering_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_handle(actor)
    form = forms.StaffGatheringForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = gatherings.gathering_report(
                actor=actor,
                kind=data["kind"],
                place=data["place"],
                division=data["division"],
                occurs_at=data["occurs_at"],
                estimated_people=data["estimated_people"] or 0,
                organiser=data["organiser"],
                description=data["description"],
                photos=data["photos"],
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Gathering report recorded."))
            return redirect("community:gathering-detail", report.pk)
    return render(request, "community/gathering_form.html", {"form": form})


def _assignees(report: Any) -> Any:
    code = report.division_code
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    roles = [r.value for r in roles_with(Perm.COMMUNITY_HANDLE)]
    user_ids = Membership.objects.filter(division_code__in=prefixes, role__in=roles).values(
        "user_id"
    )
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("username")


@login_required
def gathering_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = _actor(request)
    report = selectors.access_gathering_by_id(actor, report_id)
    can_handle = actor.can(Perm.COMMUNITY_HANDLE, report.division_code)
    show_phone = actor.can(Perm.PERSONAL_DATA, report.division_code)
    if show_phone and report.reporter_phone:
        with transaction.atomic():
            record_audit(actor, "gathering.view_personal", report)
    return render(
        request,
        "community/gathering_detail.html",
        {
            "report": report,
            "photos": report.photos.all(),
            "can_handle": can_handle,
            "reporter_phone": report.reporter_phone
            if show_phone
            else mask_phone(report.reporter_phone),
            "assign_form": forms.GatheringAssignForm(assignees=_assignees(report))
            if can_handle and report.status == GatheringStatus.REPORTED
            else None,
            "handle_form": forms.GatheringHandleForm()
            if can_handle and report.status == GatheringStatus.ASSIGNED
            else None,
        },
    )


@login_required
@require_POST
def gathering_assign(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = _actor(request)
    report = selectors.access_gathering_by_id(actor, report_id, write=True)
    form = forms.GatheringAssignForm(request.POST, assignees=_assignees(report))
    if form.is_valid():
        try:
            gatherings.gathering_assign(
                actor=actor, report=report, assignee=form.cleaned_data["assignee"]
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("Assigned."))
    else:
        messages.error(request, _("Choose somebody who may handle gatherings there."))
    return redirect("community:gathering-detail", report.pk)


@login_required
@require_POST
def gathering_handle(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = _actor(request)
    report = selectors.access_gathering_by_id(actor, report_id, write=True)
    form = forms.GatheringHandleForm(request.POST)
    if form.is_valid():
        try:
            gatherings.gathering_handle(
                actor=actor,
                report=report,
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("Handling recorded."))
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return redirect("community:gathering-detail", report.pk)


@login_required
def gathering_stats(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    keys = selectors.require_view(actor)
    wanted = request.GET.get("division", "")
    parent = ""
    if wanted:
        try:
            parent = division_scope_key(wanted)
        except InvalidNumber:
            raise Http404 from None
    division, rows = selectors.gathering_stats(actor=actor, parent=parent)
    f = selectors.community_figures(actor=actor)
    # A way up only to a division the actor may see: never a link that answers "not found".
    above = division.parent if division is not None else None
    up = above if above is not None and any(above.code.startswith(k) for k in keys) else None
    return render(
        request,
        "community/gathering_stats.html",
        {
            "division": division,
            "up": up,
            "rows": rows,
            "kinds": GatheringKind.choices,
            "reported": f[GATHERINGS_REPORTED],
            "handled": f[GATHERINGS_HANDLED],
            "open": f[GATHERINGS_OPEN],
            "scopes": keys,
        },
    )


def _public_divisions(code: str) -> tuple[Division, list[Division]]:
    try:
        key = division_scope_key(code) if code else ""
    except InvalidNumber:
        raise Http404 from None
    root = (
        Division.objects.filter(code=key).first()
        if key
        else Division.objects.filter(parent__isnull=True).order_by("code").first()
    )
    if root is None:
        raise Http404
    below = Division.objects.filter(
        code__startswith=root.code, level__in=[Level.TOWNSHIP, Level.VILLAGE]
    ).order_by("code")
    divisions = list(below)
    if root.level in (Level.TOWNSHIP, Level.VILLAGE) and root not in divisions:
        divisions.insert(0, root)
    return root, divisions


@public_write("gathering-report")
def public_report(request: HttpRequest) -> HttpResponse:
    """The public phone form reached by QR: no login, anonymous allowed, rate-limited."""
    code = request.GET.get("d", "")
    root, divisions = _public_divisions(code)
    form = forms.PublicGatheringForm(
        request.POST or None, request.FILES or None, divisions=divisions
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            gatherings.gathering_report(
                actor=None,
                kind=data["kind"],
                place=data["place"],
                division=data["division"],
                occurs_at=data["occurs_at"],
                estimated_people=data["estimated_people"] or 0,
                organiser=data["organiser"],
                description=data["description"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                photos=data["photos"],
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            return redirect(reverse("community:public-report-thanks") + f"?d={root.code}")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "community/public_report.html",
        {"form": form, "root": root},
        status=status,
    )


@require_safe
def public_report_thanks(request: HttpRequest) -> HttpResponse:
    return render(
        request, "community/public_report_thanks.html", {"code": request.GET.get("d", "")}
    )


@login_required
def gathering_qr(request: HttpRequest) -> HttpResponse:
    """The QR code a sumu or gacha prints: it opens the public report form for its area."""
    actor = _actor(request)
    keys = selectors.require_view(actor)
    code = request.GET.get("d", "") or keys[0]
    try:
        key = division_scope_key(code)
    except InvalidNumber:
        raise Http404 from None
    if not any(key.startswith(k) for k in keys):
        raise Http404
    division = Division.objects.filter(code=key).first()
    if division is None:
        raise Http404
    url = request.build_absolute_uri(reverse("community:public-report") + f"?d={key}")
    svg = qr_svg(url, scale=8).decode()
    svg = svg.split("?>", 1)[-1]
    return render(
        request, "community/gathering_qr.html", {"division": division, "url": url, "svg": svg}
    )


@login_required
def photo_file(request: HttpRequest, photo_id: int) -> FileResponse:
    photo = selectors.access_photo_by_id(_actor(request), photo_id)
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
