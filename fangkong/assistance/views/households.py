"""Pages for households: the list, the roster import, one household."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.assistance import forms, selectors
from fangkong.assistance.services import households, permissions, visits
from fangkong.assistance.views.common import PERSONAL, _actor, _page
from fangkong.core.audit import record_audit
from fangkong.core.forms import errors_into_form
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.lib.spreadsheet import SpreadsheetError


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = forms.HouseholdFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if request.GET.get("not_visited"):
        qs = selectors.households_not_visited(actor=actor)
    else:
        qs = selectors.household_list(
            actor=actor, q=filters.get("q", ""), category=filters.get("category", "")
        )
    page, query = _page(request, qs)
    for h in page.object_list:
        h.masked_id = mask_id_number(h.head_id_number)
        h.masked_phone = mask_phone(h.head_phone)
    return render(
        request,
        "assistance/household_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_import": actor.has_perm_anywhere(permissions.CASEWORK),
        },
    )


@login_required
def household_import(request: HttpRequest) -> HttpResponse:
    actor = _actor(request, permissions.CASEWORK)
    form = forms.RosterImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = households.households_import(actor=actor, stream=upload, filename=upload.name)
        except SpreadsheetError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _("Roster imported: %(created)s new, %(updated)s updated, %(members)s members.")
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "members": result.members,
                },
            )
            return redirect("assistance:household-list")
    return render(request, "assistance/household_import.html", {"form": form, "errors": errors})


@login_required
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = _actor(request)
    household = selectors.access_household_by_id(actor, household_id)
    unmasked = actor.can(PERSONAL, household.division_code)
    if unmasked:
        with transaction.atomic():
            record_audit(actor, "household.view_personal", household)
    form = forms.VisitForm(None if "status" in request.POST else request.POST or None)
    status_form = forms.HouseholdStatusForm(request.POST if "status" in request.POST else None)
    can_visit = actor.can(permissions.CASEWORK, household.division_code)
    if request.method == "POST" and "status" in request.POST:
        if not can_visit:
            raise Http404
        if status_form.is_valid():
            try:
                households.household_set_status(
                    actor=actor, household=household, **status_form.cleaned_data
                )
            except ValidationError as exc:
                errors_into_form(status_form, exc)
            else:
                messages.success(request, _("Status changed."))
                return redirect("assistance:household-detail", household.pk)
    elif request.method == "POST":
        if not can_visit:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            relief = []
            if data.get("cash"):
                relief.append(visits.Relief("cash", data["cash"]))
            if data.get("in_kind"):
                relief.append(
                    visits.Relief(
                        "in_kind", data.get("in_kind_value") or Decimal(0), data["in_kind"]
                    )
                )
            sweep = None
            if request.POST.get("sweep"):
                sweep = selectors.access_sweep_by_id(actor, int(request.POST["sweep"]))
            try:
                visits.visit_record(
                    actor=actor,
                    household=household,
                    sweep=sweep,
                    channel=data["channel"],
                    needs=data["needs"],
                    relief=relief,
                    **{flag: data[flag] for flag in visits.LIVING_FLAGS},
                )
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                messages.success(request, _("Visit recorded."))
                return redirect("assistance:household-detail", household.pk)
    return render(
        request,
        "assistance/household_detail.html",
        {
            "household": household,
            "id_number": household.head_id_number
            if unmasked
            else mask_id_number(household.head_id_number),
            "phone": household.head_phone if unmasked else mask_phone(household.head_phone),
            "members": [
                {
                    "name": m.name,
                    "relation": m.relation,
                    "id_number": m.id_number if unmasked else mask_id_number(m.id_number),
                    "phone": m.phone if unmasked else mask_phone(m.phone),
                }
                for m in household.members.all()
            ],
            "visits": selectors.visit_list(actor=actor, household=household),
            "form": form,
            "status_form": status_form,
            "can_visit": can_visit,
            "sweeps": selectors.sweep_list(actor=actor).filter(due_date__gte=timezone.localdate())[
                :20
            ],
        },
    )
