"""Pages for assistance applications, and the decision letter."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.assistance import forms, selectors
from fangkong.assistance.models import ApplicationStatus, ApprovalPath
from fangkong.assistance.services import applications, permissions
from fangkong.assistance.views.common import _actor, _page
from fangkong.core.forms import errors_into_form
from fangkong.divisions.models import Division
from fangkong.lib.masking import mask_id_number


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
            "can_enter": actor.has_perm_anywhere(permissions.CASEWORK),
        },
    )


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request, permissions.CASEWORK)
    form = forms.ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = applications.application_submit(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            return redirect("assistance:application-detail", application.pk)
    return render(request, "assistance/application_form.html", {"form": form})


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = _actor(request)
    application = selectors.access_application_by_id(actor, application_id)
    form = forms.StepForm(request.POST or None, one_off=application.is_one_off)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        approve = data["decision"] == "pass"
        try:
            if application.status == ApplicationStatus.BANNER_APPROVAL:
                applications.application_decide(
                    actor=actor,
                    application=application,
                    approve=approve,
                    amount_granted=data.get("amount_granted"),
                    note=data["note"],
                )
            elif application.status == ApplicationStatus.PUBLIC_NOTICE:
                applications.application_notice_close(
                    actor=actor,
                    application=application,
                    objection="" if approve else data["note"] or _("Objection upheld"),
                )
            else:
                applications.application_review(
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
    # Signed by the civil-affairs bureau of the banner the applicant lives in.
    banner = Division.objects.filter(code=application.division_code[:6]).first()
    return render(
        request,
        "assistance/application_letter.html",
        {
            "application": application,
            "id_number": mask_id_number(application.applicant_id_number),
            "banner": banner or application.division,
        },
    )
