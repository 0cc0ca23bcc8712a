"""Reads of alerts: a user's own, and an HQ's unacknowledged events in its jurisdiction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Avg, F, QuerySet
from django.http import Http404

from fangkong.accounts.roles import Perm
from fangkong.alerts.models import Alert, Event

STATES = ("unread", "unacknowledged", "acknowledged")
#: Who oversees alerts in a jurisdiction: whoever sees its dashboard.
OVERSIGHT = Perm.DASHBOARD_VIEW


def my_alerts(
    *, actor: Any, state: str = "", kind: str = "", severity: str = ""
) -> QuerySet[Alert]:
    qs = Alert.objects.filter(recipient=actor).select_related(
        "event", "event__division", "event__acknowledged_by"
    )
    if state == "unread":
        qs = qs.filter(read_at=None)
    elif state == "unacknowledged":
        qs = qs.filter(event__acknowledged_at=None)
    elif state == "acknowledged":
        qs = qs.exclude(event__acknowledged_at=None)
    if kind:
        qs = qs.filter(event__kind=kind)
    if severity:
        qs = qs.filter(event__severity=severity)
    return qs.order_by("-created_at", "-id")


def unread_count(actor: Any) -> int:
    return Alert.objects.filter(recipient=actor, read_at=None).count()


def access_alert(actor: Any, alert_id: int) -> Alert:
    alert = my_alerts(actor=actor).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return alert


def oversight_keys(actor: Any) -> list[str]:
    return actor.scope_keys(OVERSIGHT) if actor.is_authenticated else []


def unacknowledged(*, actor: Any, within: str = "", kind: str = "") -> QuerySet[Event]:
    """Unacknowledged events in the actor's jurisdiction (narrowed to ``within``), oldest first."""
    qs = Event.objects.within_scopes(oversight_keys(actor)).filter(acknowledged_at=None)
    if within:
        qs = qs.filter(division_code__startswith=within)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("division").order_by("created_at", "id")


def unacknowledged_count(*, actor: Any, within: str = "") -> int:
    return unacknowledged(actor=actor, within=within).count()


def mean_time_to_acknowledge(*, actor: Any, within: str = "") -> timedelta | None:
    """The mean time from raising to acknowledging, over acknowledged events in the scope."""
    qs = Event.objects.within_scopes(oversight_keys(actor)).exclude(acknowledged_at=None)
    if within:
        qs = qs.filter(division_code__startswith=within)
    value = qs.aggregate(mean=Avg(F("acknowledged_at") - F("created_at")))["mean"]
    return value if isinstance(value, timedelta) else None
