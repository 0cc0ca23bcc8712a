"""``/api/v1/alerts``: the actor's own alerts, and acknowledging one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from fangkong.alerts import selectors, services
from fangkong.alerts.kinds import KINDS
from fangkong.alerts.models import Alert, Severity
from fangkong.alerts.schemas import AlertOut, AlertPage

router = Router(tags=["alerts"])
PAGE_SIZE = 50


def _out(alert: Alert) -> AlertOut:
    event = alert.event
    return AlertOut(
        id=alert.pk,
        event_id=event.pk,
        kind=event.kind,
        severity=event.severity,
        title=event.title(),
        text=event.text(),
        division_code=event.division_code,
        place=event.division.short_name if event.division else "",
        url=event.url,
        created_at=alert.created_at,
        read_at=alert.read_at,
        acknowledged_at=event.acknowledged_at,
        acknowledged_by=str(event.acknowledged_by) if event.acknowledged_by else None,
    )


@router.get("/alerts", response=AlertPage, summary="My alerts (paged, newest first)")
def alert_list(
    request: HttpRequest, state: str = "", kind: str = "", severity: str = "", page: int = 1
) -> AlertPage:
    actor: Any = request.auth  # type: ignore[attr-defined]
    if state and state not in selectors.STATES:
        raise HttpError(422, f"state: one of {', '.join(selectors.STATES)}")
    if kind and kind not in KINDS:
        raise HttpError(422, f"kind: one of {', '.join(sorted(KINDS))}")
    if severity and severity not in Severity.values:
        raise HttpError(422, f"severity: one of {', '.join(Severity.values)}")
    if page < 1:
        raise HttpError(422, "page: from 1")
    qs = selectors.my_alerts(actor=actor, state=state, kind=kind, severity=severity)
    start = (page - 1) * PAGE_SIZE
    rows = list(qs[start : start + PAGE_SIZE + 1])
    return AlertPage(
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        count=qs.count(),
        unread=selectors.unread_count(actor),
        items=[_out(a) for a in rows[:PAGE_SIZE]],
    )


@router.post("/alerts/{alert_id}/ack", response=AlertOut, summary="Acknowledge one of my alerts")
def alert_ack(request: HttpRequest, alert_id: int) -> AlertOut:
    actor: Any = request.auth  # type: ignore[attr-defined]
    alert = selectors.access_alert(actor, alert_id)
    services.alert_acknowledge(actor=actor, alert=alert)
    return _out(selectors.access_alert(actor, alert_id))
