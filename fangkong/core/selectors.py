"""Reads of the core app: the audit trail within an actor's jurisdiction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from fangkong.core.jurisdiction import Actor, scope_q
from fangkong.core.models import AuditEntry, EmergencyPeriod

AUDIT_PERMISSION = "audit.view"


def audit_list(
    *,
    actor: Actor,
    username: str = "",
    verb: str = "",
    target: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries the actor may see, newest first.

    Entries carry the division of the thing acted on; an HQ sees the entries of its own
    jurisdiction. Entries without a division (region-wide acts such as emergency periods)
    are shown only to league-level commanders, whose scope covers everything.
    """
    keys = actor.scope_keys(AUDIT_PERMISSION)
    visible = scope_q(keys)
    if any(len(key) <= 4 for key in keys):
        visible |= Q(division_code="")
    qs = AuditEntry.objects.filter(visible).select_related("actor")
    if username:
        qs = qs.filter(actor_username__icontains=username.strip())
    if verb:
        qs = qs.filter(verb__startswith=verb.strip())
    if target:
        text = target.strip()
        if ":" in text:
            kind, _sep, ident = text.partition(":")
            qs = qs.filter(target_type__icontains=kind, target_id=ident)
        else:
            qs = qs.filter(Q(target_repr__icontains=text) | Q(target_id=text))
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("-created_at", "-id")


def audit_verbs() -> list[str]:
    return list(AuditEntry.objects.order_by().values_list("verb", flat=True).distinct()[:200])


def emergency_period_list() -> QuerySet[EmergencyPeriod]:
    return EmergencyPeriod.objects.all()


def emergency_period_current() -> EmergencyPeriod | None:
    return EmergencyPeriod.current()


def describe_period(period: EmergencyPeriod | None) -> dict[str, Any]:
    if period is None:
        return {}
    return {
        "name": period.name,
        "level": period.level,
        "observation_days": period.observation_days,
        "simplified_assistance_approval": period.simplified_assistance_approval,
        "review_extension_months": period.review_extension_months,
    }
