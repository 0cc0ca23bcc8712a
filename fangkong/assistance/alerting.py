"""The events assistance raises through the alerts app (kinds are in ``fangkong.alerts.kinds``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fangkong.alerts import kinds
from fangkong.alerts.scheduled import register_sweep
from fangkong.alerts.services import raise_event
from fangkong.assistance.models import HelpRequest, HelpStatus
from fangkong.divisions.models import Division

#: A help request this close to its deadline, still unanswered, alerts the office it rests with.
DUE_SOON = timedelta(hours=1)


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _place(code: str) -> str:
    division = Division.objects.filter(code=code).first()
    return str(division) if division is not None else code


def help_overdue_alert(*, request: HelpRequest) -> None:
    """A request escalated past its deadline alerts the office it now rests with (once per
    escalation: the key names the new deadline)."""
    raise_event(
        kinds.HELP_REQUEST_OVERDUE,
        key=f"help:{request.pk}:{request.deadline_at.isoformat()}",
        division_code=request.division_code,
        params={
            "receipt": request.receipt_number,
            "place": _place(request.division_code),
            "office": _place(request.assigned_code),
            "deadline": _when(request.deadline_at),
        },
        url=reverse("assistance:help-detail", args=[request.pk]),
        places={"assigned": request.assigned_code},
    )


def help_due_soon_sweep(now: datetime) -> int:
    """Every open request due within the hour alerts the office it rests with (once per
    deadline)."""
    soon = HelpRequest.objects.filter(
        status=HelpStatus.OPEN, deadline_at__gt=now, deadline_at__lte=now + DUE_SOON
    )
    raised = 0
    for request in soon.iterator(chunk_size=500):
        with transaction.atomic():
            event = raise_event(
                kinds.HELP_REQUEST_DUE_SOON,
                key=f"help_soon:{request.pk}:{request.deadline_at.isoformat()}",
                division_code=request.division_code,
                params={
                    "receipt": request.receipt_number,
                    "place": _place(request.division_code),
                    "deadline": _when(request.deadline_at),
                },
                url=reverse("assistance:help-detail", args=[request.pk]),
                places={"assigned": request.assigned_code},
            )
        raised += event is not None
    return raised


register_sweep("assistance.help_due_soon", help_due_soon_sweep, every=timedelta(minutes=10))
