"""The events returnees raise through the alerts app (kinds are in ``fangkong.alerts.kinds``)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangkong.alerts import kinds
from fangkong.alerts.bulletins import register_audience
from fangkong.alerts.scheduled import register_sweep
from fangkong.alerts.services import raise_event
from fangkong.core.jurisdiction import scope_q
from fangkong.returnees.models import DailyCheck, Observation, ObservationStatus, ReturnTrip


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


def self_registration_alert(*, trip: ReturnTrip) -> None:
    """A trip registered on the public page alerts the workers of its community (once)."""
    raise_event(
        kinds.SELF_REGISTERED,
        key=f"trip:{trip.pk}",
        division_code=trip.division_code,
        params={
            "person": trip.person.name,
            "place": trip.division.short_name,
            "arrival": trip.arrival_date.isoformat() if trip.arrival_date else "—",
        },
        url=reverse("returnees:trip-detail", args=[trip.pk]),
    )


def overdue_checks_sweep(now: datetime) -> int:
    """At 18:00: each observation under way with no check today alerts its responsible worker
    and the sumu office (one event per observation and day)."""
    day = timezone.localdate(now)
    checked = DailyCheck.objects.filter(observation=OuterRef("pk"), day=day)
    late = (
        Observation.objects.filter(status=ObservationStatus.ACTIVE, start_date__lte=day)
        .exclude(Exists(checked))
        .select_related("person", "division", "responsible")
    )
    raised = 0
    for observation in late.iterator(chunk_size=500):
        with transaction.atomic():
            event = raise_event(
                kinds.CHECK_OVERDUE,
                key=f"overdue:{observation.pk}:{day.isoformat()}",
                division_code=observation.division_code,
                params={
                    "person": observation.person.name,
                    "place": observation.division.short_name,
                    "day": day.strftime("%m-%d"),
                },
                url=reverse("returnees:observation-detail", args=[observation.pk]),
                responsible=[observation.responsible],
            )
        raised += event is not None
    return raised


register_sweep("returnees.checks_overdue", overdue_checks_sweep, at=time(18, 0))


def _observed_phones(codes: list[str]) -> list[tuple[str, str]]:
    rows = (
        Observation.objects.filter(scope_q(codes), status=ObservationStatus.ACTIVE)
        .exclude(person__mobile="")
        .values_list("person__mobile", "division_code")
    )
    return list(rows)


register_audience(
    "observed_returnees", gettext_lazy("Returnees under observation"), _observed_phones
)
