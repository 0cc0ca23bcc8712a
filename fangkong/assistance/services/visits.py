"""Visits to households, and the sweeps that send caseworkers to every household."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.assistance import metrics
from fangkong.assistance.models import Household, ReliefAction, Sweep, Visit
from fangkong.assistance.services.permissions import CASEWORK, _require
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division


@transaction.atomic
def sweep_create(*, actor: Any, division: Division, title: str, due_date: date) -> Sweep:
    _require(actor, CASEWORK, division.code)
    sweep = Sweep.objects.create(
        division=division,
        division_code=division.code,
        title=title,
        due_date=due_date,
        created_by=actor,
    )
    record_audit(actor, "sweep.create", sweep, due_date=due_date)
    return sweep


@dataclass(frozen=True)
class Relief:
    kind: str
    amount: Decimal
    description: str = ""


LIVING_FLAGS = (
    "food_short",
    "medicine_short",
    "heating_short",
    "water_short",
    "fodder_short",
    "income_lost",
)


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    household: Household,
    channel: str,
    sweep: Sweep | None = None,
    visited_at: datetime | None = None,
    needs: str = "",
    relief: list[Relief] | None = None,
    **living: bool,
) -> Visit:
    _require(actor, CASEWORK, household.division_code)
    if sweep is not None and not household.division_code.startswith(sweep.division_code):
        raise ValidationError(_("This household is not part of the sweep's division."))
    unknown = set(living) - set(LIVING_FLAGS)
    if unknown:
        raise ValidationError(f"unknown living status: {', '.join(sorted(unknown))}")
    for action in relief or []:
        if action.amount < 0:
            raise ValidationError(_("A relief amount cannot be negative."))
    when = visited_at or timezone.now()
    visit = Visit.objects.create(
        household=household,
        sweep=sweep,
        division_code=household.division_code,
        visited_at=when,
        visitor=actor,
        channel=channel,
        needs=needs,
        **living,
    )
    ReliefAction.objects.bulk_create(
        [
            ReliefAction(visit=visit, kind=a.kind, amount=a.amount, description=a.description)
            for a in relief or []
        ]
    )
    Household.objects.filter(pk=household.pk).filter(
        Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=when)
    ).update(last_visited_at=when)
    bump(metrics.HOUSEHOLDS_VISITED, household.division_code, metrics.day_of(when))
    record_audit(
        actor,
        "visit.record",
        visit,
        household=household.pk,
        channel=channel,
        relief=[{"kind": a.kind, "amount": a.amount} for a in relief or []],
    )
    return visit
