"""The events directives raise through the alerts app (kinds are in ``fangkong.alerts.kinds``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fangkong.alerts import kinds
from fangkong.alerts.scheduled import register_sweep
from fangkong.alerts.services import raise_event
from fangkong.directives.models import Assignment, AssignmentStatus, ImplementationReport


def report_returned_alert(
    *, actor: Any, report: ImplementationReport, assignment: Assignment
) -> None:
    """A report sent back alerts its author and the HQ that must report again (once)."""
    raise_event(
        kinds.REPORT_RETURNED,
        key=f"report:{report.pk}",
        division_code=assignment.division_code,
        params={"measure": assignment.measure.title, "comment": report.return_comment},
        url=reverse("directives:assignment-detail", args=[assignment.pk]),
        actor=actor,
        responsible=[report.author],
    )


def measures_due_tomorrow_sweep(now: datetime) -> int:
    """Each morning: every measure due tomorrow and not done alerts the HQ it is assigned to."""
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    due = (
        Assignment.objects.filter(deadline=tomorrow)
        .exclude(status=AssignmentStatus.DONE)
        .select_related("measure")
    )
    raised = 0
    for assignment in due.iterator(chunk_size=500):
        with transaction.atomic():
            event = raise_event(
                kinds.MEASURE_DUE_TOMORROW,
                key=f"due:{assignment.pk}:{tomorrow.isoformat()}",
                division_code=assignment.division_code,
                params={"measure": assignment.measure.title, "deadline": tomorrow.isoformat()},
                url=reverse("directives:assignment-detail", args=[assignment.pk]),
            )
        raised += event is not None
    return raised


register_sweep("directives.measures_due_tomorrow", measures_due_tomorrow_sweep, at=time(9, 0))
