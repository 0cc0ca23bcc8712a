"""Pages for planned family events."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm
from fangkong.community import forms, selectors
from fangkong.community.models import FamilyEventStatus
from fangkong.community.services import family_events
from fangkong.community.views.common import PAGE_SIZE, _actor, _query
from fangkong.core.forms import errors_into_form
from fangkong.lib.masking import mask_phone


@login_required
def family_event_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_view(actor)
    status = request.GET.get("status", "")
    due = request.GET.get("due") == "1"
    events = selectors.family_event_list(
        actor=actor, status=status if status in FamilyEventStatus.values else "", due_only=due
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    show = actor.has_perm_anywhere(Perm.PERSONAL_DATA)
    for event in page:
        event.phone_shown = (  # type: ignore[attr-defined]
            event.phone
            if show and actor.can(Perm.PERSONAL_DATA, event.division_code)
            else mask_phone(event.phone)
        )
    return render(
        request,
        "community/family_event_list.html",
        {
            "page": page,
            "query": _query(request),
            "statuses": FamilyEventStatus.choices,
            "status": status,
            "due": due,
            "today": timezone.localdate(),
            "can_handle": actor.has_perm_anywhere(Perm.COMMUNITY_HANDLE),
        },
    )


@login_required
def family_event_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_handle(actor)
    form = forms.FamilyEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = family_events.family_event_declare(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Planned family event recorded."))
            return redirect("community:family-event-detail", event.pk)
    return render(request, "community/family_event_form.html", {"form": form})


@login_required
def family_event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = _actor(request)
    event = selectors.access_family_event_by_id(actor, event_id)
    can_handle = actor.can(Perm.COMMUNITY_HANDLE, event.division_code)
    outcome_form = forms.FamilyEventOutcomeForm()
    follow_form = forms.FollowUpForm()
    if request.method == "POST":
        event = selectors.access_family_event_by_id(actor, event_id, write=True)
        action = request.POST.get("action")
        try:
            if action == "outcome":
                outcome_form = forms.FamilyEventOutcomeForm(request.POST)
                if outcome_form.is_valid():
                    family_events.family_event_record_outcome(
                        actor=actor, event=event, **outcome_form.cleaned_data
                    )
                    messages.success(request, _("Outcome recorded."))
                    return redirect("community:family-event-detail", event.pk)
            elif action == "follow_up":
                follow_form = forms.FollowUpForm(request.POST)
                if follow_form.is_valid():
                    family_events.family_event_follow_up(
                        actor=actor, event=event, notes=follow_form.cleaned_data["notes"]
                    )
                    messages.success(request, _("Follow-up recorded."))
                    return redirect("community:family-event-detail", event.pk)
        except ValidationError as exc:
            errors_into_form(outcome_form if action == "outcome" else follow_form, exc)
    show = actor.can(Perm.PERSONAL_DATA, event.division_code)
    return render(
        request,
        "community/family_event_detail.html",
        {
            "event": event,
            "phone": event.phone if show else mask_phone(event.phone),
            "can_handle": can_handle,
            "outcome_form": outcome_form,
            "follow_form": follow_form,
            "declared": event.status == FamilyEventStatus.DECLARED,
        },
    )
