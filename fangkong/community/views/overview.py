"""The community overview: figures and what waits, across the four domains."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fangkong.accounts.roles import Perm
from fangkong.community import selectors
from fangkong.community.metrics import (
    GATHERINGS_HANDLED,
    GATHERINGS_OPEN,
    GATHERINGS_REPORTED,
    HYGIENE_INSPECTIONS,
    HYGIENE_SCORE_TENTHS,
    HYGIENE_TASKS_OPEN,
    PUBLICITY_CONVEYED,
    PUBLICITY_TARGETS,
)
from fangkong.community.views.common import _actor


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_view(actor)
    f = selectors.community_figures(actor=actor)
    inspections = f[HYGIENE_INSPECTIONS]["total"]
    targets = f[PUBLICITY_TARGETS]["total"]
    context = {
        "figures": f,
        "reported": f[GATHERINGS_REPORTED],
        "handled": f[GATHERINGS_HANDLED],
        "open": f[GATHERINGS_OPEN],
        "tasks_open": f[HYGIENE_TASKS_OPEN]["total"],
        "inspections": inspections,
        "average_score": (
            round(f[HYGIENE_SCORE_TENTHS]["total"] / 10 / inspections, 1) if inspections else None
        ),
        "coverage": round(100 * f[PUBLICITY_CONVEYED]["total"] / targets) if targets else None,
        "conveyed": f[PUBLICITY_CONVEYED]["total"],
        "targets": targets,
        "open_gatherings": selectors.gathering_list(actor=actor, open_only=True)[:10],
        "due_events": selectors.family_event_list(actor=actor, due_only=True)[:10],
        "overdue_tasks": selectors.task_list(actor=actor, overdue_only=True)[:10],
        "can_handle": actor.has_perm_anywhere(Perm.COMMUNITY_HANDLE),
    }
    return render(request, "community/community_index.html", context)
