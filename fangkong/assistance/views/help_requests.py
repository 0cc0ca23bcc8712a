"""Pages for help requests: staff handling, and the public's form and status."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fangkong.assistance import forms, selectors
from fangkong.assistance.models import HelpChannel, HelpStatus
from fangkong.assistance.services import help_requests, permissions
from fangkong.assistance.views.common import PERSONAL, _actor, _home_division, _page
from fangkong.core.forms import errors_into_form
from fangkong.core.ratelimit import public_write
from fangkong.divisions.models import Division, Level
from fangkong.lib.masking import mask_phone


@login_required
def help_request_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    status = request.GET.get("status", "")
    qs = selectors.help_request_list(
        actor=actor,
        status=status,
        overdue=bool(request.GET.get("overdue")),
        assigned_to_me=bool(request.GET.get("mine")),
    )
    page, query = _page(request, qs)
    home = _home_division(actor)
    return render(
        request,
        "assistance/help_request_list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "statuses": HelpStatus.choices,
            "now": timezone.now(),
            "stats": selectors.help_stats_by_division(actor=actor, parent=home),
            "home": home,
            "can_enter": actor.has_perm_anywhere(permissions.CASEWORK),
        },
    )


def _help_divisions() -> list[tuple[str, str]]:
    rows = Division.objects.filter(level__in=[Level.VILLAGE, Level.TOWNSHIP]).select_related(
        "parent"
    )
    return [
        (d.code, f"{d.parent.short_name if d.parent else ''} {d.short_name}".strip())
        for d in rows.order_by("code")
    ]


@login_required
def help_request_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request, permissions.CASEWORK)
    form = forms.HelpRequestForm(request.POST or None, divisions=_help_divisions())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        division = Division.objects.get(code=data.pop("division"))
        try:
            help_request = help_requests.help_request_create(
                actor=actor, division=division, channel=HelpChannel.HOTLINE, **data
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(
                request,
                _("Request recorded; receipt number %(n)s.") % {"n": help_request.receipt_number},
            )
            return redirect("assistance:help-detail", help_request.pk)
    return render(request, "assistance/help_request_form.html", {"form": form, "staff": True})


@login_required
def help_request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = _actor(request)
    help_request = selectors.access_help_request_by_id(actor, request_id)
    form = forms.AnswerForm(request.POST or None)
    if request.method == "POST":
        help_request = selectors.access_help_request_by_id(actor, request_id, write=True)
        if form.is_valid():
            try:
                if "close" in request.POST:
                    help_requests.help_request_close(
                        actor=actor, request=help_request, note=form.cleaned_data["note"]
                    )
                else:
                    help_requests.help_request_answer(
                        actor=actor, request=help_request, note=form.cleaned_data["note"]
                    )
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("assistance:help-detail", help_request.pk)
    unmasked = actor.can(PERSONAL, help_request.division_code)
    return render(
        request,
        "assistance/help_request_detail.html",
        {
            "item": help_request,
            "phone": help_request.phone if unmasked else mask_phone(help_request.phone),
            "form": form,
            "now": timezone.now(),
            "can_answer": actor.can(permissions.CASEWORK, help_request.division_code),
        },
    )


# --- help requests: the public --------------------------------------------------------------


@public_write("help-request")
def help_public_form(request: HttpRequest) -> HttpResponse:
    channel = HelpChannel.QR if request.GET.get("via") == "qr" else HelpChannel.WEB
    initial = {"division": request.GET.get("d", "")}
    form = forms.HelpRequestForm(request.POST or None, initial=initial, divisions=_help_divisions())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        division = Division.objects.get(code=data.pop("division"))
        try:
            help_request = help_requests.help_request_create(
                actor=None, division=division, channel=channel, **data
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            return render(request, "assistance/help_public_done.html", {"item": help_request})
    return render(request, "assistance/help_request_form.html", {"form": form, "staff": False})


@public_write("help-status")
def help_public_status(request: HttpRequest) -> HttpResponse:
    form = forms.HelpLookupForm(request.POST or None)
    found = None
    failed = False
    if request.method == "POST" and form.is_valid():
        found = selectors.help_request_lookup(
            receipt_number=form.cleaned_data["receipt_number"],
            phone_last4=form.cleaned_data["phone_last4"],
        )
        if found is None:
            failed = True
            form.add_error(
                None, _("No request matches this receipt number and these phone digits.")
            )
    return render(
        request,
        "assistance/help_public_status.html",
        {"form": form, "item": found, "failed": failed},
    )


@require_safe
def help_public_qr(request: HttpRequest, code: str) -> HttpResponse:
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise Http404
    url = request.build_absolute_uri(reverse("assistance:help-ask")) + f"?d={code}&via=qr"
    svg = segno.make(url, error="q").svg_inline(scale=6)
    return HttpResponse(svg, content_type="image/svg+xml")
