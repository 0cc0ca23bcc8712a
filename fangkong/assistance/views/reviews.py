"""Pages for periodic reviews and their extensions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.assistance import forms, selectors
from fangkong.assistance.services import permissions, reviews
from fangkong.assistance.views.common import _actor, _page
from fangkong.core.forms import errors_into_form
from fangkong.core.models import EmergencyPeriod


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
        _actor(request, permissions.EXTEND)
        if form.is_valid():
            try:
                outcome = reviews.review_extension_apply(
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
            "can_extend": actor.has_perm_anywhere(permissions.EXTEND),
            "extensions": selectors.review_extension_list(actor=actor)[:20],
        },
    )


@login_required
@require_POST
def review_extension_revert(request: HttpRequest, extension_id: int) -> HttpResponse:
    actor = _actor(request, permissions.EXTEND)
    extension = selectors.access_review_extension_by_id(actor, extension_id)
    try:
        restored = reviews.review_extension_revert(actor=actor, extension=extension)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s review dates restored.") % {"n": restored})
    return redirect("assistance:review-list")
