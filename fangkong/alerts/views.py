"""The alert centre: my alerts, one alert (read, acknowledge, link), an HQ's unacknowledged."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.alerts import bulletins, selectors, services
from fangkong.alerts.forms import BulletinForm, PreferenceForm
from fangkong.alerts.kinds import KINDS
from fangkong.alerts.models import Bulletin, BulletinStatus, Preference, Severity
from fangkong.core.forms import errors_into_form
from fangkong.divisions.models import Division
from fangkong.lib.masking import mask_phone

PAGE_SIZE = 30


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _kind_choices() -> list[tuple[str, str]]:
    return [(name, str(kind.title)) for name, kind in KINDS.items()]


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    severity = request.GET.get("severity", "")
    if state not in selectors.STATES:
        state = ""
    if kind not in KINDS:
        kind = ""
    if severity not in Severity.values:
        severity = ""
    qs = selectors.my_alerts(actor=actor, state=state, kind=kind, severity=severity)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "alerts/alert_list.html",
        {
            "page": page,
            "query": _query(request),
            "state": state,
            "kind": kind,
            "severity": severity,
            "kinds": _kind_choices(),
            "severities": Severity.choices,
            "can_oversee": bool(selectors.oversight_keys(actor)),
        },
    )


@login_required
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    actor: Any = request.user
    alert = selectors.access_alert(actor, alert_id)
    services.alert_open(actor=actor, alert=alert)
    recipients = (
        alert.event.alerts.select_related("recipient").order_by("recipient__username").all()
    )
    deliveries = alert.deliveries.prefetch_related("log").all()
    return render(
        request,
        "alerts/alert_detail.html",
        {"alert": alert, "recipients": recipients, "deliveries": deliveries},
    )


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    actor: Any = request.user
    alert = selectors.access_alert(actor, alert_id)
    try:
        services.alert_acknowledge(actor=actor, alert=alert)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Alert acknowledged."))
    return redirect("alerts:alert-detail", alert.pk)


@login_required
def oversight(request: HttpRequest) -> HttpResponse:
    """The HQ's list of unacknowledged events in its jurisdiction, oldest first."""
    actor: Any = request.user
    keys = selectors.oversight_keys(actor)
    if not keys:
        raise Http404
    within = request.GET.get("division", "")
    division = None
    if within:
        division = Division.objects.filter(code=within).first()
        if division is None or not any(within.startswith(k) for k in keys):
            raise Http404
    kind = request.GET.get("kind", "")
    if kind not in KINDS:
        kind = ""
    qs = selectors.unacknowledged(actor=actor, within=within, kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    scopes = Division.objects.filter(code__in=keys).order_by("code")
    return render(
        request,
        "alerts/oversight.html",
        {
            "page": page,
            "query": _query(request),
            "division": division,
            "scopes": scopes,
            "kind": kind,
            "kinds": _kind_choices(),
            "mean_ack": selectors.mean_time_to_acknowledge(actor=actor, within=within),
        },
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    current = Preference.objects.filter(user=actor).first()
    form = PreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.preference_save(actor=actor, data=form.cleaned_data)
        messages.success(request, _("Alert preferences saved."))
        return redirect("alerts:preferences")
    return render(
        request,
        "alerts/preferences.html",
        {"form": form, "phone": mask_phone(actor.phone)},
    )


# --- SMS bulletins ---------------------------------------------------------------------------


def _sender_keys(actor: Any) -> list[str]:
    keys = actor.scope_keys(bulletins.SENDER) if actor.is_authenticated else []
    if not keys:
        raise Http404
    return keys


def _bulletin(actor: Any, bulletin_id: int) -> Bulletin:
    keys = _sender_keys(actor)
    bulletin = Bulletin.objects.filter(pk=bulletin_id).first()
    if bulletin is None or not all(
        any(code.startswith(k) for k in keys) for code in bulletin.division_codes
    ):
        raise Http404
    return bulletin


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    keys = _sender_keys(actor)
    qs = Bulletin.objects.within_scopes(keys).select_related("created_by")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "alerts/bulletin_list.html", {"page": page, "query": _query(request)})


@login_required
def bulletin_compose(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    keys = _sender_keys(actor)
    divisions = Division.objects.within_scopes(keys).order_by("code")
    form = BulletinForm(
        request.POST or None,
        audiences=[(a.name, str(a.label)) for a in bulletins.AUDIENCES.values()],
        divisions=divisions,
        initial={"audience": "grassroots"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bulletin = bulletins.bulletin_draft(
                actor=actor,
                audience=data["audience"],
                text=data["text"],
                division_codes=list(data["divisions"]),
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            return redirect("alerts:bulletin-confirm", bulletin.pk)
    return render(
        request,
        "alerts/bulletin_compose.html",
        {"form": form, "segment": bulletins.SEGMENT, "divisions": form.division_rows},
    )


@login_required
def bulletin_confirm(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    actor: Any = request.user
    bulletin = _bulletin(actor, bulletin_id)
    if bulletin.status != BulletinStatus.DRAFT:
        return redirect("alerts:bulletin-detail", bulletin.pk)
    if request.method == "POST":
        try:
            reached = bulletins.bulletin_send(actor=actor, bulletin=bulletin)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The bulletin goes to %(n)d phones.") % {"n": reached})
        return redirect("alerts:bulletin-detail", bulletin.pk)
    rows = bulletins.bulletin_preview(bulletin)
    return render(
        request,
        "alerts/bulletin_confirm.html",
        {
            "bulletin": bulletin,
            "rows": rows,
            "total": sum(r.recipients for r in rows),
            "segments": bulletins.segments(bulletin.text),
            "audience": bulletins.AUDIENCES[bulletin.audience].label,
        },
    )


@login_required
def bulletin_detail(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    actor: Any = request.user
    bulletin = _bulletin(actor, bulletin_id)
    if bulletin.status == BulletinStatus.DRAFT:
        return redirect("alerts:bulletin-confirm", bulletin.pk)
    rows = bulletins.bulletin_counts(bulletin)
    audience = bulletins.AUDIENCES.get(bulletin.audience)
    return render(
        request,
        "alerts/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "rows": rows,
            "total": sum(r.recipients for r in rows),
            "sent": sum(r.sent for r in rows),
            "failed": sum(r.failed for r in rows),
            "segments": bulletins.segments(bulletin.text),
            "audience": audience.label if audience else bulletin.audience,
        },
    )
