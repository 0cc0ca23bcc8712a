"""Pages for sweeps (the visit rounds)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from fangkong.assistance import forms, selectors
from fangkong.assistance.services import permissions, visits
from fangkong.assistance.views.common import _actor, _home_division, _page
from fangkong.core.forms import errors_into_form


@login_required
def sweep_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = forms.SweepForm(request.POST or None)
    if request.method == "POST":
        _actor(request, permissions.CASEWORK)
        if form.is_valid():
            try:
                sweep = visits.sweep_create(actor=actor, **form.cleaned_data)
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
