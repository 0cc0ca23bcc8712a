"""Pages of the assistance app: parse, gatekeep, call one service, respond."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.assistance import forms, selectors, services
from fangkong.assistance.models import (
    ApplicationStatus,
    ApprovalPath,
    Delivery,
    DonorKind,
    HelpChannel,
    HelpStatus,
    Item,
)
from fangkong.assistance.roster import RosterError
from fangkong.core.audit import record_audit
from fangkong.core.forms import errors_into_form
from fangkong.core.models import EmergencyPeriod
from fangkong.divisions.models import Division, Level
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.lib.netaddr import limit_key

PAGE = 50
PERSONAL = "personal_data.view"


def _actor(request: HttpRequest, permission: str = selectors.VIEW) -> Any:
    user = request.user
    if not user.is_authenticated or not user.scope_keys(permission):
        raise Http404
    return user


def _page(request: HttpRequest, qs: Any) -> tuple[Any, str]:
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _home_division(actor: Any) -> Division:
    keys = actor.scope_keys(selectors.VIEW)
    return Division.objects.get(code=min(keys, key=len))


# --- households -----------------------------------------------------------------------------


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
            "can_import": actor.has_perm_anywhere(services.CASEWORK),
        },
    )


@login_required
def household_import(request: HttpRequest) -> HttpResponse:
    actor = _actor(request, services.CASEWORK)
    form = forms.RosterImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.households_import(actor=actor, stream=upload, filename=upload.name)
        except RosterError as exc:
            errors = exc.errors
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
    can_visit = actor.can(services.CASEWORK, household.division_code)
    if request.method == "POST" and "status" in request.POST:
        if not can_visit:
            raise Http404
        if status_form.is_valid():
            try:
                services.household_set_status(
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
                relief.append(services.Relief("cash", data["cash"]))
            if data.get("in_kind"):
                relief.append(
                    services.Relief(
                        "in_kind", data.get("in_kind_value") or Decimal(0), data["in_kind"]
                    )
                )
            sweep = None
            if request.POST.get("sweep"):
                sweep = selectors.access_sweep_by_id(actor, int(request.POST["sweep"]))
            try:
                services.visit_record(
                    actor=actor,
                    household=household,
                    sweep=sweep,
                    channel=data["channel"],
                    needs=data["needs"],
                    relief=relief,
                    **{flag: data[flag] for flag in services.LIVING_FLAGS},
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


# --- sweeps ---------------------------------------------------------------------------------


@login_required
def sweep_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = forms.SweepForm(request.POST or None)
    if request.method == "POST":
        _actor(request, services.CASEWORK)
        if form.is_valid():
            try:
                sweep = services.sweep_create(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                return redirect("assistance:sweep-detail", sweep.pk)
    parent = _home_division(actor)
    return render(
        request,
        "assistance/sweep_list.html",
        {
            "sweeps": selectors.sweep_list(actor=actor)[:100],
            "form": form,
            "coverage": selectors.coverage_by_division(
                actor=actor, parent=parent, since=timezone.now() - timedelta(days=30)
            ),
            "parent": parent,
        },
    )


@login_required
def sweep_detail(request: HttpRequest, sweep_id: int) -> HttpResponse:
    actor = _actor(request)
    sweep = selectors.access_sweep_by_id(actor, sweep_id)
    page, query = _page(request, selectors.households_not_visited(actor=actor, sweep=sweep))
    return render(
        request,
        "assistance/sweep_detail.html",
        {
            "sweep": sweep,
            "page": page,
            "query": query,
            "coverage": selectors.coverage_by_division(
                actor=actor, parent=sweep.division, sweep=sweep
            ),
        },
    )


# --- applications ---------------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    status = request.GET.get("status", "")
    qs = selectors.application_list(
        actor=actor, status=status, overdue=bool(request.GET.get("overdue"))
    )
    page, query = _page(request, qs)
    return render(
        request,
        "assistance/application_list.html",
        {
            "page": page,
            "query": query,
            "statuses": ApplicationStatus.choices,
            "status": status,
            "now": timezone.now(),
            "can_enter": actor.has_perm_anywhere(services.CASEWORK),
        },
    )


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request, services.CASEWORK)
    form = forms.ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            return redirect("assistance:application-detail", application.pk)
    return render(request, "assistance/application_form.html", {"form": form})


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = _actor(request)
    application = selectors.access_application_by_id(actor, application_id)
    form = forms.StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        approve = data["decision"] == "pass"
        try:
            if application.status == ApplicationStatus.BANNER_APPROVAL:
                services.application_decide(
                    actor=actor,
                    application=application,
                    approve=approve,
                    amount_granted=data.get("amount_granted"),
                    note=data["note"],
                )
            elif application.status == ApplicationStatus.PUBLIC_NOTICE:
                services.application_notice_close(
                    actor=actor,
                    application=application,
                    objection="" if approve else data["note"] or _("Objection upheld"),
                )
            else:
                services.application_review(
                    actor=actor, application=application, approve=approve, note=data["note"]
                )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Step recorded."))
            return redirect("assistance:application-detail", application.pk)
    return render(
        request,
        "assistance/application_detail.html",
        {
            "application": application,
            "steps": application.steps.select_related("actor"),
            "form": form,
            "now": timezone.now(),
            "simplified": application.path == ApprovalPath.SIMPLIFIED,
            "id_number": mask_id_number(application.applicant_id_number),
        },
    )


@login_required
def application_letter(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = _actor(request)
    application = selectors.access_application_by_id(actor, application_id)
    if application.is_open:
        raise Http404
    return render(
        request,
        "assistance/application_letter.html",
        {"application": application, "id_number": mask_id_number(application.applicant_id_number)},
    )


# --- reviews --------------------------------------------------------------------------------


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    today = timezone.localdate()
    due_to = today + timedelta(days=90)
    qs = selectors.reviews_due(actor=actor, due_from=today - timedelta(days=365), due_to=due_to)
    page, query = _page(request, qs)
    period = EmergencyPeriod.current()
    initial = (
        {"months": period.review_extension_months}
        if period and period.review_extension_months
        else {}
    )
    form = forms.ExtensionForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST":
        _actor(request, services.EXTEND)
        if form.is_valid():
            try:
                outcome = services.review_extension_apply(
                    actor=actor, dry_run="apply" not in request.POST, **form.cleaned_data
                )
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                if "apply" in request.POST:
                    if outcome.applied:
                        messages.success(
                            request,
                            _("%(n)s reviews extended.") % {"n": outcome.households},
                        )
                    else:
                        messages.info(
                            request,
                            _("This period was already extended; nothing changed."),
                        )
                    return redirect("assistance:review-list")
                preview = outcome.households
    return render(
        request,
        "assistance/review_list.html",
        {
            "page": page,
            "query": query,
            "form": form,
            "preview": preview,
            "can_extend": actor.has_perm_anywhere(services.EXTEND),
            "extensions": selectors.review_extension_list(actor=actor)[:20],
        },
    )


@login_required
@require_POST
def review_extension_revert(request: HttpRequest, extension_id: int) -> HttpResponse:
    actor = _actor(request, services.EXTEND)
    extension = selectors.access_review_extension_by_id(actor, extension_id)
    try:
        restored = services.review_extension_revert(actor=actor, extension=extension)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s review dates restored.") % {"n": restored})
    return redirect("assistance:review-list")


# --- help requests: staff -------------------------------------------------------------------


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
            "can_enter": actor.has_perm_anywhere(services.CASEWORK),
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
    actor = _actor(request, services.CASEWORK)
    form = forms.HelpRequestForm(request.POST or None, divisions=_help_divisions())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        division = Division.objects.get(code=data.pop("division"))
        try:
            help_request = services.help_request_create(
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
                    services.help_request_close(
                        actor=actor, request=help_request, note=form.cleaned_data["note"]
                    )
                else:
                    services.help_request_answer(
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
            "can_answer": actor.can(services.CASEWORK, help_request.division_code),
        },
    )


# --- help requests: the public --------------------------------------------------------------


def _client(request: HttpRequest) -> str:
    return limit_key(str(request.META.get("REMOTE_ADDR", "unknown")))


def help_public_form(request: HttpRequest) -> HttpResponse:
    channel = HelpChannel.QR if request.GET.get("via") == "qr" else HelpChannel.WEB
    initial = {"division": request.GET.get("d", "")}
    form = forms.HelpRequestForm(request.POST or None, initial=initial, divisions=_help_divisions())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        division = Division.objects.get(code=data.pop("division"))
        try:
            help_request = services.help_request_create(
                actor=None, division=division, channel=channel, **data
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            return render(request, "assistance/help_public_done.html", {"item": help_request})
    return render(request, "assistance/help_request_form.html", {"form": form, "staff": False})


def help_public_status(request: HttpRequest) -> HttpResponse:
    form = forms.HelpLookupForm(request.POST or None)
    found = None
    failed = False
    status = 200
    if request.method == "POST":
        client = _client(request)
        if selectors.lookup_blocked(client):
            failed = True
            status = 429
            form.add_error(None, _("Too many attempts. Try again in 15 minutes."))
        elif form.is_valid():
            with transaction.atomic():
                found = selectors.help_request_lookup(
                    client=client,
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
        status=status,
    )


def help_public_qr(request: HttpRequest, code: str) -> HttpResponse:
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise Http404
    url = request.build_absolute_uri(reverse("assistance:help-ask")) + f"?d={code}&via=qr"
    svg = segno.make(url, error="q").svg_inline(scale=6)
    return HttpResponse(svg, content_type="image/svg+xml")


# --- donations and logistics ----------------------------------------------------------------


def _limit_logistics_form(form: Any, actor: Any) -> None:
    form.fields["warehouse"].queryset = selectors.warehouse_list(actor=actor)
    form.fields["item"].queryset = Item.objects.order_by("name")


@login_required
def stock_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    can_distribute = actor.has_perm_anywhere(services.DISTRIBUTE)
    lot_form = forms.LotForm(request.POST if "receive" in request.POST else None)
    plan_form = forms.PlanForm(request.POST if "plan" in request.POST else None)
    _limit_logistics_form(lot_form, actor)
    _limit_logistics_form(plan_form, actor)
    if request.method == "POST":
        _actor(request, services.DISTRIBUTE)
        try:
            if "receive" in request.POST and lot_form.is_valid():
                data = lot_form.cleaned_data
                with transaction.atomic():
                    donor = services.donor_create(
                        actor=actor, kind=DonorKind(data["donor_kind"]), name=data["donor_name"]
                    )
                    services.lot_receive(
                        actor=actor,
                        donor=donor,
                        warehouse=data["warehouse"],
                        item=data["item"],
                        quantity=data["quantity"],
                        expires_on=data["expires_on"],
                        value=data["value"] or Decimal(0),
                    )
                messages.success(request, _("Donation received into stock."))
                return redirect("assistance:stock-list")
            if "plan" in request.POST and plan_form.is_valid():
                deliveries = services.distribution_plan_create(
                    actor=actor, **plan_form.cleaned_data
                )
                messages.success(
                    request,
                    _("%(n)s deliveries planned and taken from stock.") % {"n": len(deliveries)},
                )
                return redirect("assistance:delivery-list")
        except ValidationError as exc:
            errors_into_form(lot_form if "receive" in request.POST else plan_form, exc)
    return render(
        request,
        "assistance/stock_list.html",
        {
            "levels": selectors.stock_levels(actor=actor),
            "lots": selectors.lot_list(actor=actor)[:50],
            "lot_form": lot_form,
            "plan_form": plan_form,
            "can_distribute": can_distribute,
        },
    )


@login_required
def lot_detail(request: HttpRequest, lot_id: int) -> HttpResponse:
    actor = _actor(request)
    lot = selectors.access_lot_by_id(actor, lot_id)
    return render(
        request, "assistance/lot_detail.html", {"lot": lot, "movements": selectors.lot_trace(lot)}
    )


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    page, query = _page(
        request, selectors.delivery_list(actor=actor, status=request.GET.get("status", ""))
    )
    return render(request, "assistance/delivery_list.html", {"page": page, "query": query})


@login_required
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    actor = _actor(request)
    delivery = selectors.access_delivery_by_id(actor, delivery_id)
    form = forms.DeliveryConfirmForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        delivery = selectors.access_delivery_by_id(actor, delivery_id, write=True)
        if form.is_valid():
            try:
                services.delivery_confirm(
                    actor=actor,
                    delivery=delivery,
                    proof_kind=form.cleaned_data["proof_kind"],
                    proof_file=form.cleaned_data.get("proof_file"),
                    receipt_code=form.cleaned_data.get("receipt_code") or "",
                )
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                messages.success(request, _("Delivery confirmed."))
                return redirect("assistance:delivery-detail", delivery.pk)
    return render(
        request,
        "assistance/delivery_detail.html",
        {
            "delivery": delivery,
            "form": form,
            "delivered": delivery.status == Delivery.Status.DELIVERED,
            "can_confirm": actor.can(services.DISTRIBUTE, delivery.division_code),
        },
    )
