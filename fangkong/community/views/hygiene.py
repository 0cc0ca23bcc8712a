"""Pages for the patriotic hygiene campaign: campaigns, tasks, inspections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm
from fangkong.community import forms, selectors
from fangkong.community.models import TaskStatus
from fangkong.community.services import hygiene
from fangkong.community.views.common import _actor
from fangkong.core.forms import errors_into_form


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_view(actor)
    return render(
        request,
        "community/campaign_list.html",
        {
            "campaigns": selectors.campaign_list(actor=actor),
            "overdue": selectors.task_list(actor=actor, overdue_only=True)[:100],
            "can_handle": actor.has_perm_anywhere(Perm.COMMUNITY_HANDLE),
            "today": timezone.localdate(),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_handle(actor)
    form = forms.CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = hygiene.campaign_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Campaign created."))
            return redirect("community:campaign-detail", campaign.pk)
    return render(request, "community/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = _actor(request)
    campaign = selectors.access_campaign_by_id(actor, campaign_id)
    can_configure = actor.can(Perm.COMMUNITY_HANDLE, campaign.division_code) and not (
        campaign.tasks.filter(inspections__isnull=False).exists()
    )
    items = campaign.checklist.all()
    checklist_form = forms.ChecklistForm(
        initial={"checklist": "\n".join(f"{i.label} | {i.weight}" for i in items)}
    )
    if request.method == "POST":
        if not actor.can(Perm.COMMUNITY_HANDLE, campaign.division_code):
            raise Http404
        checklist_form = forms.ChecklistForm(request.POST)
        if checklist_form.is_valid():
            try:
                hygiene.campaign_set_checklist(
                    actor=actor,
                    campaign=campaign,
                    checklist=checklist_form.cleaned_data["checklist"],
                )
            except ValidationError as exc:
                errors_into_form(checklist_form, exc)
            else:
                messages.success(request, _("Checklist saved."))
                return redirect("community:campaign-detail", campaign.pk)
    tasks = selectors.task_list(actor=actor, campaign=campaign)
    today = timezone.localdate()
    return render(
        request,
        "community/campaign_detail.html",
        {
            "campaign": campaign,
            "checklist": items,
            "checklist_form": checklist_form if can_configure or checklist_form.errors else None,
            "tasks": tasks,
            "ranking": selectors.campaign_ranking(actor=actor, campaign=campaign),
            "today": today,
            "can_handle": actor.has_perm_anywhere(Perm.COMMUNITY_HANDLE),
        },
    )


@login_required
def task_create(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.require_handle(actor)
    campaign = selectors.access_campaign_by_id(actor, campaign_id)
    form = forms.TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hygiene.task_create(actor=actor, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Task added."))
            return redirect("community:campaign-detail", campaign.pk)
    return render(request, "community/task_form.html", {"form": form, "campaign": campaign})


@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = _actor(request)
    task = selectors.access_task_by_id(actor, task_id)
    items = list(task.campaign.checklist.all())
    can_handle = actor.can(Perm.COMMUNITY_HANDLE, task.division_code)
    form = forms.InspectionForm(items=items)
    if request.method == "POST":
        task = selectors.access_task_by_id(actor, task_id, write=True)
        form = forms.InspectionForm(request.POST, request.FILES, items=items)
        if form.is_valid():
            try:
                hygiene.inspection_record(
                    actor=actor,
                    task=task,
                    results=form.results(),
                    problems=form.cleaned_data["problems"],
                    rectification_due=form.cleaned_data["rectification_due"],
                    photos=form.cleaned_data["photos"],
                )
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                messages.success(request, _("Inspection recorded."))
                return redirect("community:task-detail", task.pk)
    inspections = task.inspections.select_related("inspector").prefetch_related("photos")
    labels = {str(item.pk): item.label for item in items}
    return render(
        request,
        "community/task_detail.html",
        {
            "task": task,
            "inspections": inspections,
            "labels": labels,
            "form": form if can_handle and task.status != TaskStatus.PASSED else None,
            "overdue": task.is_overdue(),
        },
    )
