from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import Perm
from fangkong.accounts.selectors import require_perm
from fangkong.checkpoints import selectors, services
from fangkong.checkpoints.forms import (
    CheckpointEditForm,
    CheckpointRequestForm,
    HandoverForm,
    MinStaffForm,
    PassageForm,
    PassageReturneeForm,
    ReasonForm,
    RepeatForm,
    ResolveForm,
    ShiftForm,
    UnauthorisedReportForm,
)
from fangkong.checkpoints.models import Kind, Passage, ReportStatus, Status, Subject
from fangkong.core.forms import errors_into_form
from fangkong.core.ratelimit import public_write
from fangkong.lib.masking import mask_id_number
from fangkong.passes import views as pass_views
from fangkong.returnees import selectors as returnee_selectors
from fangkong.returnees import services as returnee_services
from fangkong.returnees.models import RegisteredVia, Transport

TRANSITIONS = {
    "approve": services.checkpoint_approve,
    "reject": services.checkpoint_reject,
    "open": services.checkpoint_open,
    "suspend": services.checkpoint_suspend,
    "resume": services.checkpoint_resume,
    "close": services.checkpoint_close,
}
STATUS_CLASS: dict[str, str] = {
    Status.REQUESTED: "st-requested",
    Status.APPROVED: "st-approved",
    Status.REJECTED: "st-rejected",
    Status.OPEN: "st-open",
    Status.SUSPENDED: "st-suspended",
    Status.CLOSED: "st-closed",
}


@login_required
def checkpoint_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, Perm.CHECKPOINTS_VIEW)  # type: ignore[arg-type]
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "")
    qs = selectors.checkpoint_list(actor=actor, status=status, kind=kind, q=q)  # type: ignore[arg-type]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    points = [
        {
            "name": c.name,
            "value": [float(c.longitude), float(c.latitude)],
            "status": c.status,
            "url": f"{c.pk}/",
        }
        for c in qs
        if c.latitude is not None and c.longitude is not None
    ][:2000]
    return render(
        request,
        "checkpoints/checkpoint_list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "filters": {"status": status, "kind": kind, "q": q},
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "status_class": STATUS_CLASS,
            "points": points,
            "can_request": actor.has_perm_anywhere(Perm.CHECKPOINTS_REQUEST),  # type: ignore[union-attr]
            "nav_current": "checkpoints:checkpoint-list",
        },
    )


@login_required
def checkpoint_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, Perm.CHECKPOINTS_REQUEST)  # type: ignore[arg-type]
    form = CheckpointRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            checkpoint = services.checkpoint_request(actor=actor, **data)  # type: ignore[arg-type]
        except PermissionDenied:
            form.add_error("division", _("You may not request checkpoints there."))
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Checkpoint requested; it waits for the HQ's approval."))
            return redirect("checkpoints:checkpoint-detail", checkpoint.pk)
    return render(request, "checkpoints/checkpoint_form.html", {"form": form})


@login_required
def checkpoint_detail(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    actor: Any = request.user
    checkpoint = selectors.access_checkpoint_by_id(actor, checkpoint_id)
    now = timezone.localtime()
    today = now.date()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    # Flagged passages are listed from every day: a flag is for the HQ to follow up.
    flagged = request.GET.get("flagged") == "1"
    passages = list(
        selectors.passage_list(
            actor=actor, checkpoint=checkpoint, since=None if flagged else start, flagged=flagged
        )[:200]
    )
    flagged_count = selectors.passage_list(actor=actor, checkpoint=checkpoint, flagged=True).count()
    unmasked = actor.can(Perm.PERSONAL_DATA, checkpoint.division_code)
    if unmasked and any(p.id_number for p in passages):
        services.passages_view_unmasked(actor=actor, checkpoint=checkpoint, count=len(passages))
    for p in passages:
        p.id_display = p.id_number if unmasked else mask_id_number(p.id_number)  # type: ignore[attr-defined]
    code = checkpoint.division_code
    _mark_returnees(actor, checkpoint.division_code, passages, today)
    can = {
        "approve": services.may_decide(actor, checkpoint),
        "open": actor.can(Perm.CHECKPOINTS_REQUEST, code)
        or actor.can(Perm.CHECKPOINTS_APPROVE, code),
        "command": actor.can(Perm.CHECKPOINTS_APPROVE, code),
        "duty": actor.can(Perm.CHECKPOINTS_DUTY, code),
    }
    duty_url = (
        reverse("checkpoints:duty", args=[checkpoint.pk])
        if can["duty"] and checkpoint.status == Status.OPEN
        else ""
    )
    actions = []
    if checkpoint.status == Status.REQUESTED and can["approve"]:
        actions += ["approve", "reject"]
    if checkpoint.status == Status.APPROVED and can["open"]:
        actions.append("open")
    if checkpoint.status == Status.OPEN and can["command"]:
        actions.append("suspend")
    if checkpoint.status == Status.SUSPENDED and can["command"]:
        actions.append("resume")
    if checkpoint.status in (Status.APPROVED, Status.OPEN, Status.SUSPENDED) and can["command"]:
        actions.append("close")
    shifts = selectors.shifts_between(checkpoint, start, start + timedelta(days=1))
    gaps = (
        selectors.gaps_for(checkpoint, shifts, now, start + timedelta(days=1))
        if checkpoint.status == Status.OPEN
        else []
    )
    return render(
        request,
        "checkpoints/checkpoint_detail.html",
        {
            "checkpoint": checkpoint,
            "status_class": STATUS_CLASS.get(checkpoint.status, ""),
            "actions": actions,
            "reason_form": ReasonForm(),
            "passages": passages,
            "flagged": flagged,
            "flagged_count": flagged_count,
            "hours": selectors.passages_by_hour(checkpoint, day=today),
            "timing": selectors.green_channel_timing(checkpoint, since=start),
            "shifts": shifts,
            "gaps": gaps,
            "transitions": checkpoint.transitions.select_related("actor"),
            "duty_url": duty_url,
            "may_edit": _may_edit_details(actor, checkpoint),
            "passage_form": PassageForm(initial={"at": now})
            if can["duty"] and checkpoint.status == Status.OPEN
            else None,
            "nav_current": "checkpoints:checkpoint-list",
        },
    )


def _may_edit_details(actor: Any, checkpoint: Any) -> bool:
    code = checkpoint.division_code
    return checkpoint.status not in (Status.REJECTED, Status.CLOSED) and bool(
        actor.can(Perm.CHECKPOINTS_REQUEST, code) or actor.can(Perm.CHECKPOINTS_APPROVE, code)
    )


@login_required
def checkpoint_edit(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    """Correct a checkpoint's name, place description, coordinates, department or hours."""
    actor: Any = request.user
    checkpoint = selectors.access_checkpoint_by_id(actor, checkpoint_id)
    if not _may_edit_details(actor, checkpoint):
        raise Http404
    initial = {f: getattr(checkpoint, f) for f in services.EDITABLE_FIELDS}
    form = CheckpointEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkpoint_update(actor=actor, checkpoint=checkpoint, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Checkpoint details saved."))
            return redirect("checkpoints:checkpoint-detail", checkpoint.pk)
    return render(
        request,
        "checkpoints/checkpoint_edit.html",
        {"checkpoint": checkpoint, "form": form, "nav_current": "checkpoints:checkpoint-list"},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def checkpoint_transition(request: HttpRequest, checkpoint_id: int, action: str) -> HttpResponse:
    actor: Any = request.user
    checkpoint = selectors.access_checkpoint_by_id(actor, checkpoint_id)
    service = TRANSITIONS.get(action)
    if service is None:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for this change."))
        return redirect("checkpoints:checkpoint-detail", checkpoint.pk)
    try:
        service(actor=actor, checkpoint=checkpoint, reason=form.cleaned_data["reason"])
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this for this place."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Checkpoint status changed."))
    return redirect("checkpoints:checkpoint-detail", checkpoint.pk)


@login_required
def approval_inbox(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    require_perm(actor, Perm.CHECKPOINTS_APPROVE)
    return render(
        request,
        "checkpoints/approval_inbox.html",
        {
            "requests": selectors.approvals_inbox(actor=actor),
            "reason_form": ReasonForm(),
            "open_reports": selectors.open_report_count(actor=actor),
            "nav_current": "checkpoints:approval-inbox",
        },
    )


@login_required
@require_POST
def passage_create(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    actor: Any = request.user
    checkpoint = selectors.access_checkpoint_by_id(
        actor, checkpoint_id, permission=Perm.CHECKPOINTS_DUTY
    )
    form = PassageForm(request.POST)
    if form.is_valid():
        try:
            passage = services.passage_log(actor=actor, checkpoint=checkpoint, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if passage.flag:
                messages.warning(
                    request,
                    _("Passage logged and flagged for the HQ: %(flag)s.")
                    % {"flag": passage.get_flag_display()},
                )
            else:
                messages.success(request, _("Passage logged."))
    else:
        messages.error(
            request, " ".join(f"{form.fields[f].label}: {e[0]}" for f, e in form.errors.items())
        )
    return redirect("checkpoints:checkpoint-detail", checkpoint.pk)


# --- returnees from passages (issue 4, item 4) ------------------------------------------------


def _registrable(passage: Passage) -> bool:
    return passage.subject == Subject.PERSON and bool(passage.id_number)


def _mark_returnees(actor: Any, code: str, passages: list[Passage], today: date) -> None:
    """Give each passage ``returnee_trip`` (already registered) and ``may_register``."""
    may_register = actor.can(Perm.RETURNEES_REGISTER, code)
    trips = returnee_selectors.recent_trips_by_id_number(
        [p.id_number for p in passages if _registrable(p)], day=today
    )
    for p in passages:
        p.returnee_trip = trips.get(p.id_number.upper()) if _registrable(p) else None  # type: ignore[attr-defined]
        p.may_register = may_register and _registrable(p)  # type: ignore[attr-defined]


@login_required
def passage_register_returnee(
    request: HttpRequest, checkpoint_id: int, passage_id: int
) -> HttpResponse:
    """One click from a passage: register its person as a returnee, prefilled from the passage."""
    actor: Any = request.user
    checkpoint = selectors.access_checkpoint_by_id(
        actor, checkpoint_id, permission=Perm.RETURNEES_REGISTER
    )
    passage = selectors.access_passage_by_id(actor, checkpoint, passage_id)
    back = redirect("checkpoints:checkpoint-detail", checkpoint.pk)
    if not _registrable(passage):
        messages.error(
            request,
            _(
                "Passage at %(time)s has no ID number: "
                "register the returnee from the returnees page."
            )
            % {"time": timezone.localtime(passage.at).strftime("%H:%M")},
        )
        return back
    day = timezone.localdate(passage.at)
    initial = {
        "name": passage.person_name,
        "key_group": "other",
        "departure_date": day,
        "division_code": checkpoint.division_code,
        "transport": Transport.CAR if passage.plate else Transport.OTHER,
        "transport_number": passage.plate,
    }
    form = PassageReturneeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = returnee_services.TripData(id_number=passage.id_number, **form.cleaned_data)
        try:
            trip = returnee_services.returnee_register(
                actor=actor, data=data, registered_via=RegisteredVia.CHECKPOINT
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            name = trip.person.name
            messages.success(request, _("%(name)s is registered as a returnee.") % {"name": name})
            return back
    unmasked = actor.can(Perm.PERSONAL_DATA, checkpoint.division_code)
    return render(
        request,
        "checkpoints/passage_returnee.html",
        {
            "checkpoint": checkpoint,
            "passage": passage,
            "id_display": passage.id_number if unmasked else mask_id_number(passage.id_number),
            "form": form,
            "nav_current": "checkpoints:checkpoint-list",
        },
        status=400 if form.is_bound else 200,
    )


# --- the inspector's duty page (issue 5, item 5) ----------------------------------------------


def _duty_checkpoint(request: HttpRequest, checkpoint_id: int) -> Any:
    """An open checkpoint the user may work; anything else is not found."""
    checkpoint = selectors.access_checkpoint_by_id(
        request.user,  # type: ignore[arg-type]
        checkpoint_id,
        permission=Perm.CHECKPOINTS_DUTY,
    )
    if checkpoint.status != Status.OPEN:
        raise Http404
    return checkpoint


@login_required
def duty_page(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    """The passes app's offline verifier, wired to this checkpoint's passage log."""
    checkpoint = _duty_checkpoint(request, checkpoint_id)
    here = reverse("checkpoints:duty", args=[checkpoint.pk])
    return render(
        request,
        "passes/duty_preview.html",
        {
            **pass_views.duty_context(),
            "checkpoint": checkpoint,
            "batch_url": f"/api/v1/checkpoints/{checkpoint.pk}/passages:batch",
            "sw_url": reverse("checkpoints:duty-sw", args=[checkpoint.pk]),
            "sw_scope": here,
            "nav_current": "checkpoints:my-shifts",
        },
    )


@login_required
def duty_service_worker(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    """The duty page's service worker, served under the page's path so its scope covers it."""
    _duty_checkpoint(request, checkpoint_id)
    return pass_views.duty_service_worker(request)


# --- rosters ----------------------------------------------------------------------------------


def _to_week(checkpoint_id: int, start: date) -> HttpResponse:
    """Back to a checkpoint's roster, at the week that starts on ``start``."""
    return redirect(reverse("checkpoints:roster-week", args=[checkpoint_id]) + f"?start={start}")


@login_required
def roster_week(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    actor: Any = request.user
    checkpoint = selectors.access_checkpoint_by_id(actor, checkpoint_id)
    try:
        start_day = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start_day = timezone.localdate()
    may_edit = actor.can(Perm.CHECKPOINTS_REQUEST, checkpoint.division_code)
    form = None
    staff_form = MinStaffForm(initial={"min_staff": checkpoint.min_staff}) if may_edit else None
    if may_edit and request.method == "POST" and "min_staff" in request.POST:
        staff_form = MinStaffForm(request.POST)
        if staff_form.is_valid():
            services.checkpoint_set_min_staff(
                actor=actor, checkpoint=checkpoint, min_staff=staff_form.cleaned_data["min_staff"]
            )
            messages.success(request, _("Minimum people per shift changed."))
            return redirect(request.get_full_path())
    clashes: list[services.Clash] = []
    if may_edit:
        form = ShiftForm(request.POST or None, candidates=selectors.duty_candidates(checkpoint))
        if request.method == "POST" and "min_staff" not in request.POST and form.is_valid():
            saved, clashes = _save_shift(
                request,
                form,
                lambda reason: services.shift_create(
                    actor=actor, checkpoint=checkpoint, override_reason=reason, **form.cleaned_data
                ),
            )
            if saved:
                messages.success(request, _("Shift added."))
                return redirect(request.get_full_path())
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "checkpoints/roster_week.html",
        {
            "checkpoint": checkpoint,
            "days": selectors.roster_week(checkpoint, start_day=start_day),
            "start_day": start_day,
            "previous": start_day - timedelta(days=7),
            "next": start_day + timedelta(days=7),
            "form": form,
            "clashes": clashes,
            "staff_form": staff_form,
            "nav_current": "checkpoints:checkpoint-list",
        },
        status=400 if form is not None and form.errors else 200,
    )


def _save_shift(
    request: HttpRequest, form: ShiftForm, save: Callable[[str], object]
) -> tuple[bool, list[services.Clash]]:
    """Save through ``save(override_reason)``. A double booking comes back as its clashes, for
    the page's confirm-override step; the reason counts only when that step's button was used."""
    confirmed = "confirm_override" in request.POST
    reason = request.POST.get("override_reason", "").strip() if confirmed else ""
    try:
        save(reason)
    except services.DoubleBooked as exc:
        errors_into_form(form, exc)
        if confirmed:
            form.add_error(None, _("Give the reason for the double booking to confirm it."))
        return False, exc.clashes
    except ValidationError as exc:
        errors_into_form(form, exc)
        return False, []
    return True, []


def _run_plan(
    request: HttpRequest, form: Any, run: Callable[..., list[services.PlannedShift]]
) -> tuple[list[services.PlannedShift] | None, bool]:
    """Preview (``dry_run``) or, with the confirm button, create a repeat or a week's copy.
    Returns the plans to show and whether they were created."""
    confirmed = "confirm" in request.POST
    reason = request.POST.get("override_reason", "").strip()
    try:
        plans = run(override_reason=reason, dry_run=not confirmed)
    except services.PlanRefused as exc:
        form.add_error(
            None, _("Nothing was created: every shift is created or none. See the list below.")
        )
        return exc.plans, False
    except ValidationError as exc:
        errors_into_form(form, exc)
        return None, False
    return plans, confirmed


def _plan_context(plans: list[services.PlannedShift] | None) -> dict[str, Any]:
    refused = [p for p in plans or [] if p.refused]
    return {
        "plans": plans,
        "refused": refused,
        "overridable": bool(refused) and all(p.double_booked for p in refused),
    }


@login_required
def shift_repeat(request: HttpRequest, shift_id: int) -> HttpResponse:
    actor: Any = request.user
    shift = selectors.access_shift_by_id(actor, shift_id)
    if not actor.can(Perm.CHECKPOINTS_REQUEST, shift.division_code):
        raise Http404
    form = RepeatForm(request.POST or None)
    plans = None
    if request.method == "POST" and form.is_valid():
        plans, created = _run_plan(
            request,
            form,
            lambda **kw: services.shift_repeat(
                actor=actor, shift=shift, days=form.cleaned_data["days"], **kw
            ),
        )
        if created and plans:
            messages.success(
                request,
                ngettext("%(n)s shift added.", "%(n)s shifts added.", len(plans))
                % {"n": len(plans)},
            )
            return _to_week(shift.checkpoint_id, timezone.localdate(shift.starts_at))
    return render(
        request,
        "checkpoints/shift_repeat.html",
        {
            "shift": shift,
            "form": form,
            **_plan_context(plans),
            "nav_current": "checkpoints:checkpoint-list",
        },
        status=400 if form.errors else 200,
    )


@login_required
def roster_copy_week(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    """Copy every shift that starts in a week to the next week, after a preview."""
    actor: Any = request.user
    checkpoint = selectors.access_checkpoint_by_id(actor, checkpoint_id)
    if not actor.can(Perm.CHECKPOINTS_REQUEST, checkpoint.division_code):
        raise Http404
    try:
        week_start = date.fromisoformat(request.POST.get("start") or request.GET.get("start", ""))
    except ValueError:
        week_start = timezone.localdate()
    form = forms.Form(data={})  # bound, so a refusal can be added to it
    plans, created = _run_plan(
        request,
        form,
        lambda **kw: services.roster_copy_week(
            actor=actor, checkpoint=checkpoint, week_start=week_start, **kw
        ),
    )
    if created and plans:
        messages.success(
            request,
            ngettext("%(n)s shift added.", "%(n)s shifts added.", len(plans)) % {"n": len(plans)},
        )
        return _to_week(checkpoint.pk, week_start + timedelta(days=7))
    return render(
        request,
        "checkpoints/roster_copy.html",
        {
            "checkpoint": checkpoint,
            "form": form,
            "week_start": week_start,
            "week_end": week_start + timedelta(days=6),
            **_plan_context(plans),
            "nav_current": "checkpoints:checkpoint-list",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def shift_delete(request: HttpRequest, shift_id: int) -> HttpResponse:
    actor: Any = request.user
    shift = selectors.access_shift_by_id(actor, shift_id)
    try:
        services.shift_delete(actor=actor, shift=shift)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Shift removed."))
    return redirect("checkpoints:roster-week", shift.checkpoint_id)


@login_required
def shift_edit(request: HttpRequest, shift_id: int) -> HttpResponse:
    actor: Any = request.user
    shift = selectors.access_shift_by_id(actor, shift_id)
    if not actor.can(Perm.CHECKPOINTS_REQUEST, shift.division_code):
        raise Http404
    initial = {
        "starts_at": timezone.localtime(shift.starts_at),
        "ends_at": timezone.localtime(shift.ends_at),
        "leader": shift.leader_id,
        "members": [m.pk for m in shift.members.all()],
    }
    form = ShiftForm(
        request.POST or None,
        initial=initial,
        candidates=selectors.duty_candidates(shift.checkpoint),
    )
    clashes: list[services.Clash] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved, clashes = _save_shift(
                request,
                form,
                lambda reason: services.shift_update(
                    actor=actor, shift=shift, override_reason=reason, **form.cleaned_data
                ),
            )
        except PermissionDenied:
            raise Http404 from None
        if saved:
            messages.success(request, _("Shift changed."))
            return _to_week(shift.checkpoint_id, timezone.localdate(shift.starts_at))
    return render(
        request,
        "checkpoints/shift_edit.html",
        {
            "shift": shift,
            "form": form,
            "clashes": clashes,
            "nav_current": "checkpoints:checkpoint-list",
        },
        status=400 if form.is_bound else 200,
    )


@login_required
def shift_handover(request: HttpRequest, shift_id: int) -> HttpResponse:
    actor: Any = request.user
    shift = selectors.access_shift_by_id(actor, shift_id)
    form = HandoverForm(request.POST or None, initial={"note": shift.handover_note})
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_handover(actor=actor, shift=shift, note=form.cleaned_data["note"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Handover note saved."))
            return redirect("checkpoints:my-shifts")
    return render(request, "checkpoints/shift_handover.html", {"shift": shift, "form": form})


@login_required
def my_shifts(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    return render(
        request,
        "checkpoints/shift_mine.html",
        {"shifts": selectors.my_shifts(actor=actor), "nav_current": "checkpoints:my-shifts"},
    )


@login_required
def coverage_gaps(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    require_perm(actor, Perm.CHECKPOINTS_VIEW)
    banners = selectors.roster_problems(actor=actor)
    # A double-booked shift is a link only for those who may edit it (never a "not found").
    editable = {
        shift.pk
        for banner in banners
        for item in banner.checkpoints
        for booking in item.double_bookings
        for shift in (booking.first, booking.second)
        if actor.can(Perm.CHECKPOINTS_REQUEST, shift.division_code)
    }
    return render(
        request,
        "checkpoints/coverage_gaps.html",
        {
            "banners": banners,
            "editable": editable,
            "nav_current": "checkpoints:coverage-gaps",
        },
    )


# --- unauthorised checkpoints -----------------------------------------------------------------


@public_write("unauthorised-report")
def report_create(request: HttpRequest) -> HttpResponse:
    """Open to the public: report a checkpoint found on a road without approval."""
    form = UnauthorisedReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unauthorised_report(
                actor=request.user if request.user.is_authenticated else None,
                **data,
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            return render(request, "checkpoints/report_thanks.html")
    return render(request, "checkpoints/report_form.html", {"form": form})


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    require_perm(actor, Perm.CHECKPOINTS_VIEW)
    status = request.GET.get("status", ReportStatus.OPEN)
    page = Paginator(selectors.report_list(actor=actor, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "checkpoints/report_list.html",
        {
            "page": page,
            "query": f"status={status}",
            "status": status,
            "statuses": ReportStatus.choices,
            "nav_current": "checkpoints:report-list",
        },
    )


@login_required
def report_resolve(request: HttpRequest, report_id: int) -> HttpResponse:
    actor: Any = request.user
    report = selectors.access_report_by_id(actor, report_id)
    if not actor.can(Perm.CHECKPOINTS_APPROVE, report.division_code):
        raise Http404
    candidates = selectors.checkpoint_list(actor=actor).filter(
        status__in=[Status.APPROVED, Status.OPEN, Status.SUSPENDED],
        division_code__startswith=report.division_code[:6],
    )
    form = ResolveForm(request.POST or None, checkpoints=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.unauthorised_resolve(actor=actor, report=report, **form.cleaned_data)
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Report resolved."))
            return redirect("checkpoints:report-list")
    return render(request, "checkpoints/report_resolve.html", {"report": report, "form": form})
