"""The events returnees raise through the alerts app (kinds are in ``fangkong.alerts.kinds``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from fangkong.alerts import kinds
from fangkong.alerts.services import raise_event
from fangkong.returnees.models import DailyCheck


def fever_alert(*, actor: Any, check: DailyCheck) -> None:
    """A check with a fever reading alerts the responsible worker, the sumu office and the
    banner HQ at once (one event per check; call inside the check's transaction)."""
    if not check.is_fever:
        return
    observation = check.observation
    raise_event(
        kinds.FEVER_RECORDED,
        key=f"check:{check.pk}",
        division_code=observation.division_code,
        params={
            "person": observation.person.name,
            "place": observation.division.short_name,
            "temperature": f"{check.temperature:.1f}",
            "when": timezone.localtime(check.checked_at).strftime("%m-%d %H:%M"),
        },
        url=reverse("returnees:observation-detail", args=[observation.pk]),
        actor=actor,
        responsible=[observation.responsible],
    )
