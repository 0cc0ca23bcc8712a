"""Reads and gatekeepers of the assistance app; outside the jurisdiction is not found."""

from __future__ import annotations

import statistics
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from fangkong.assistance.models import (
    Application,
    ApplicationStatus,
    Delivery,
    HelpRequest,
    HelpStatus,
    Household,
    HouseholdStatus,
    Item,
    Lot,
    ReviewExtension,
    StockMovement,
    Sweep,
    Visit,
    Warehouse,
)
from fangkong.core.jurisdiction import scope_q
from fangkong.divisions.models import Division

VIEW = "assistance.view"
CASEWORK = "assistance.casework"
DISTRIBUTE = "assistance.distribute"


def _keys(actor: Any, permission: str = VIEW) -> list[str]:
    keys = actor.scope_keys(permission) if actor.is_authenticated else []
    if not keys:
        raise Http404
    return keys


# --- households -----------------------------------------------------------------------------


def household_list(
    *, actor: Any, q: str = "", category: str = "", status: str = "", division: str = ""
) -> QuerySet[Household]:
    qs = Household.objects.within_scopes(_keys(actor))
    if division:
        qs = qs.filter(division_code__startswith=division)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if q:
        text = q.strip()
        qs = qs.filter(Q(head_name__icontains=text) | Q(head_id_number__endswith=text))
    return qs.select_related("division").order_by("division_code", "id")


def access_household_by_id(actor: Any, household_id: int, *, write: bool = False) -> Household:
    keys = _keys(actor, CASEWORK if write else VIEW)
    household = (
        Household.objects.within_scopes(keys)
        .select_related("division")
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        raise Http404
    return household


def households_not_visited(
    *, actor: Any, division: str = "", since: datetime | None = None, sweep: Sweep | None = None
) -> QuerySet[Household]:
    """Active households with no visit (in the sweep, or since a moment)."""
    qs = Household.objects.within_scopes(_keys(actor)).filter(status=HouseholdStatus.ACTIVE)
    if division:
        qs = qs.filter(division_code__startswith=division)
    if sweep is not None:
        qs = qs.filter(division_code__startswith=sweep.division_code).exclude(
            Exists(Visit.objects.filter(sweep=sweep, household=OuterRef("pk")))
        )
    elif since is not None:
        qs = qs.filter(Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=since))
    else:
        qs = qs.filter(last_visited_at__isnull=True)
    return qs.select_related("division").order_by("division_code", "id")


def coverage_by_division(
    *, actor: Any, parent: Division, sweep: Sweep | None = None, since: datetime | None = None
) -> list[dict[str, Any]]:
    """Per child division of ``parent``: households, visited, coverage percent."""
    keys = _keys(actor)
    children = list(Division.objects.filter(parent=parent).order_by("code"))
    base = Household.objects.within_scopes(keys).filter(
        status=HouseholdStatus.ACTIVE, division_code__startswith=parent.code
    )
    visited_q: Q | Exists
    if sweep is not None:
        visited_q = Exists(Visit.objects.filter(sweep=sweep, household=OuterRef("pk")))
    else:
        visited_q = Q(last_visited_at__gte=since) if since else Q(last_visited_at__isnull=False)
    result = []
    for child in children or [parent]:
        qs = base.filter(division_code__startswith=child.code)
        total = qs.count()
        visited = qs.filter(visited_q).count()
        result.append(
            {
                "division": child,
                "households": total,
                "visited": visited,
                "percent": round(100 * visited / total) if total else None,
            }
        )
    return result


def access_sweep_by_id(actor: Any, sweep_id: int) -> Sweep:
    sweep = Sweep.objects.within_scopes(_keys(actor)).filter(pk=sweep_id).first()
    if sweep is None:
        raise Http404
    return sweep


def sweep_list(*, actor: Any) -> QuerySet[Sweep]:
    return Sweep.objects.within_scopes(_keys(actor)).select_related("division")


def visit_list(*, actor: Any, household: Household) -> QuerySet[Visit]:
    return household.visits.prefetch_related("relief_actions").select_related("visitor")


# --- applications ---------------------------------------------------------------------------


def application_list(
    *, actor: Any, status: str = "", overdue: bool = False
) -> QuerySet[Application]:
    qs = Application.objects.within_scopes(_keys(actor))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(step_due_at__lt=timezone.now()).exclude(
            status__in=[ApplicationStatus.APPROVED, ApplicationStatus.REJECTED]
        )
    return qs.select_related("division", "entered_by")


def access_application_by_id(
    actor: Any, application_id: int, *, write: bool = False
) -> Application:
    qs = Application.objects.within_scopes(_keys(actor, CASEWORK if write else VIEW))
    application = (
        qs.select_related("division", "entered_by", "decided_by").filter(pk=application_id).first()
    )
    if application is None:
        raise Http404
    return application


# --- reviews --------------------------------------------------------------------------------


def reviews_due(
    *, actor: Any, due_from: date, due_to: date, division: str = ""
) -> QuerySet[Household]:
    qs = Household.objects.within_scopes(_keys(actor)).filter(
        status=HouseholdStatus.ACTIVE, next_review_date__gte=due_from, next_review_date__lte=due_to
    )
    if division:
        qs = qs.filter(division_code__startswith=division)
    return qs.select_related("division").order_by("next_review_date", "id")


def review_extension_list(*, actor: Any) -> QuerySet[ReviewExtension]:
    return ReviewExtension.objects.within_scopes(_keys(actor)).select_related(
        "division", "applied_by", "reverted_by"
    )


def access_review_extension_by_id(actor: Any, extension_id: int) -> ReviewExtension:
    found = (
        ReviewExtension.objects.within_scopes(_keys(actor, "assistance.extend"))
        .filter(pk=extension_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- help requests --------------------------------------------------------------------------


def help_request_list(
    *, actor: Any, status: str = "", overdue: bool = False, assigned_to_me: bool = False
) -> QuerySet[HelpRequest]:
    keys = _keys(actor)
    qs = HelpRequest.objects.within_scopes(keys)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=HelpStatus.OPEN, deadline_at__lt=timezone.now())
    if assigned_to_me:
        qs = qs.filter(assigned_code__in=keys)
    return qs.select_related("division").order_by("deadline_at" if overdue else "-created_at")


def help_requests_overdue(*, actor: Any, now: datetime | None = None) -> QuerySet[HelpRequest]:
    return (
        HelpRequest.objects.within_scopes(_keys(actor))
        .filter(status=HelpStatus.OPEN, deadline_at__lt=now or timezone.now())
        .order_by("deadline_at", "id")
    )


def access_help_request_by_id(actor: Any, request_id: int, *, write: bool = False) -> HelpRequest:
    qs = HelpRequest.objects.within_scopes(_keys(actor, CASEWORK if write else VIEW))
    found = qs.select_related("division", "responded_by").filter(pk=request_id).first()
    if found is None:
        raise Http404
    return found


def help_request_lookup(*, receipt_number: str, phone_last4: str) -> HelpRequest | None:
    """The public status look-up. None for a wrong receipt or wrong digits alike (every
    attempt counts against the client's limit: ``fangkong.core.ratelimit``)."""
    found = (
        HelpRequest.objects.filter(receipt_number=receipt_number.strip().upper())
        .select_related("division")
        .first()
    )
    if found is None or not phone_last4 or found.phone[-4:] != phone_last4.strip():
        return None
    return found


def help_stats_by_division(*, actor: Any, parent: Division) -> list[dict[str, Any]]:
    """Open, overdue and median response minutes per child division."""
    keys = _keys(actor)
    now = timezone.now()
    base = HelpRequest.objects.filter(scope_q(keys), division_code__startswith=parent.code)
    rows = []
    for child in Division.objects.filter(parent=parent).order_by("code") or [parent]:
        qs = base.filter(division_code__startswith=child.code)
        counts = qs.aggregate(
            open=Count("id", filter=Q(status=HelpStatus.OPEN)),
            overdue=Count("id", filter=Q(status=HelpStatus.OPEN, deadline_at__lt=now)),
        )
        minutes = [
            (r - c).total_seconds() / 60
            for c, r in qs.filter(responded_at__isnull=False).values_list(
                "created_at", "responded_at"
            )[:5000]
        ]
        rows.append(
            {
                "division": child,
                "open": counts["open"],
                "overdue": counts["overdue"],
                "median_minutes": round(statistics.median(minutes)) if minutes else None,
            }
        )
    return rows


# --- donations ------------------------------------------------------------------------------


def warehouse_list(*, actor: Any) -> QuerySet[Warehouse]:
    return Warehouse.objects.within_scopes(_keys(actor)).order_by("name")


def access_warehouse_by_id(actor: Any, warehouse_id: int, *, write: bool = False) -> Warehouse:
    found = (
        Warehouse.objects.within_scopes(_keys(actor, DISTRIBUTE if write else VIEW))
        .filter(pk=warehouse_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def stock_levels(*, actor: Any, warehouse: Warehouse | None = None) -> list[dict[str, Any]]:
    """Stock per warehouse and item: the sum of the ledger."""
    qs = StockMovement.objects.filter(
        warehouse__in=warehouse_list(actor=actor) if warehouse is None else [warehouse]
    )
    rows = qs.values("warehouse__name", "item_id", "item__name", "item__unit").annotate(
        total=Sum("quantity")
    )
    return [
        {
            "warehouse": r["warehouse__name"],
            "item": r["item__name"],
            "unit": r["item__unit"],
            "quantity": (r["total"] or Decimal(0)).normalize(),
        }
        for r in rows.order_by("warehouse__name", "item__name")
    ]


def item_list() -> QuerySet[Item]:
    return Item.objects.order_by("name")


def lot_list(*, actor: Any) -> QuerySet[Lot]:
    return Lot.objects.filter(warehouse__in=warehouse_list(actor=actor)).select_related(
        "donor", "item", "warehouse"
    )


def access_lot_by_id(actor: Any, lot_id: int) -> Lot:
    found = lot_list(actor=actor).filter(pk=lot_id).first()
    if found is None:
        raise Http404
    return found


def lot_trace(lot: Lot) -> QuerySet[StockMovement]:
    """Where each item of a donation went: its ledger rows with delivery and household."""
    return lot.movements.select_related("delivery__household", "delivery__delivered_by").order_by(
        "at", "id"
    )


def delivery_list(*, actor: Any, status: str = "") -> QuerySet[Delivery]:
    qs = Delivery.objects.within_scopes(_keys(actor))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("household", "item", "warehouse")


def access_delivery_by_id(actor: Any, delivery_id: int, *, write: bool = False) -> Delivery:
    found = (
        Delivery.objects.within_scopes(_keys(actor, DISTRIBUTE if write else VIEW))
        .select_related("household", "item", "warehouse")
        .filter(pk=delivery_id)
        .first()
    )
    if found is None:
        raise Http404
    return found
