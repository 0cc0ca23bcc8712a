"""Rollup metrics of returnees, read by the dashboard (see ``fangkong.core.rollups``).

``returnees.checks_done`` and ``returnees.fever`` count people (observations), not readings:
an observation checked three times on a day counts once in ``checks_done`` that day, and once
in ``fever`` if any of its readings that day was a fever, whichever check it was.
``returnees.checks_overdue`` is not stored: it is the level of ``returnees.under_observation``
minus ``returnees.checks_done`` today once 18:00 passes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from fangkong.core.rollups import (
    Column,
    RecordList,
    happened,
    happened_on,
    in_state,
    register_metric,
    register_records,
)

REGISTERED = "returnees.registered"
ARRIVED = "returnees.arrived"
UNDER_OBSERVATION = "returnees.under_observation"
RELEASED = "returnees.released"
CHECKS_DONE = "returnees.checks_done"
FEVER = "returnees.fever"
GROUP_PREFIX = "returnees.by_group."


def by_group(group: str) -> str:
    return GROUP_PREFIX + group


def _counts(qs: QuerySet[Any], field: str) -> Iterable[tuple[str, date, int]]:
    rows = (
        qs.annotate(day=TruncDate(field))
        .values("division_code", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        yield row["division_code"], row["day"], row["n"]


def _registered() -> Iterable[tuple[str, date, int]]:
    from fangkong.returnees.models import ReturnTrip

    return _counts(ReturnTrip.objects.all(), "created_at")


def _group(group: str) -> Callable[[], Iterable[tuple[str, date, int]]]:
    def recount() -> Iterable[tuple[str, date, int]]:
        from fangkong.returnees.models import ReturnTrip

        return _counts(ReturnTrip.objects.filter(key_group=group), "created_at")

    return recount


def _arrived() -> Iterable[tuple[str, date, int]]:
    from fangkong.returnees.models import ReturnTrip

    return _counts(
        ReturnTrip.objects.filter(arrival_confirmed_at__isnull=False), "arrival_confirmed_at"
    )


def _under_observation() -> Iterable[tuple[str, date, int]]:
    from fangkong.returnees.models import Observation, ObservationStatus

    totals: dict[tuple[str, date], int] = {}
    for code, day, n in _counts(Observation.objects.all(), "created_at"):
        totals[(code, day)] = totals.get((code, day), 0) + n
    ended = Observation.objects.exclude(status=ObservationStatus.ACTIVE).filter(
        ended_at__isnull=False
    )
    for code, day, n in _counts(ended, "ended_at"):
        totals[(code, day)] = totals.get((code, day), 0) - n
    return [(code, day, n) for (code, day), n in totals.items()]


def _released() -> Iterable[tuple[str, date, int]]:
    from fangkong.returnees.models import Observation, ObservationStatus

    return _counts(Observation.objects.filter(status=ObservationStatus.RELEASED), "ended_at")


def _checks() -> Iterable[tuple[str, date, int]]:
    from fangkong.returnees.models import DailyCheck

    rows = (
        DailyCheck.objects.values("division_code", "day")
        .annotate(n=Count("observation", distinct=True))
        .order_by()
    )
    return [(r["division_code"], r["day"], r["n"]) for r in rows]


def _fever() -> Iterable[tuple[str, date, int]]:
    from fangkong.returnees.models import FEVER_FROM, DailyCheck

    rows = (
        DailyCheck.objects.filter(temperature__gte=FEVER_FROM)
        .values("division_code", "day")
        .annotate(n=Count("observation", distinct=True))
        .order_by()
    )
    return [(r["division_code"], r["day"], r["n"]) for r in rows]


def register() -> None:
    from fangkong.returnees.models import KeyGroup

    register_metric(REGISTERED, _("Returnees registered"), "flow", recount=_registered)
    register_metric(ARRIVED, _("Arrivals confirmed"), "flow", recount=_arrived)
    register_metric(UNDER_OBSERVATION, _("Under observation"), "stock", recount=_under_observation)
    register_metric(RELEASED, _("Released from observation"), "flow", recount=_released)
    register_metric(CHECKS_DONE, _("Daily checks done"), "flow", recount=_checks)
    register_metric(FEVER, _("Fever found at a daily check"), "flow", recount=_fever)
    for group in KeyGroup:
        register_metric(
            by_group(group.value),
            _group_label(group.label),
            "flow",
            recount=_group(group.value),
        )
    _register_records()


def _trips(**filters: Any) -> Callable[[], QuerySet[Any]]:
    def queryset() -> QuerySet[Any]:
        from fangkong.returnees.models import ReturnTrip

        return ReturnTrip.objects.filter(**filters).select_related("person").order_by("-id")

    return queryset


def _local(moment: Any) -> str:
    from django.utils import timezone

    return "" if moment is None else timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _trip_url(trip: Any) -> str:
    from django.urls import reverse

    return reverse("returnees:trip-detail", args=[trip.pk])


def _observation_url(observation: Any) -> str:
    from django.urls import reverse

    return reverse("returnees:observation-detail", args=[observation.observation_id])


def _register_records() -> None:
    from fangkong.returnees.models import KeyGroup, Observation, ObservationStatus

    name = Column(_("Name"), lambda r: r.person.name)
    trip_columns = [
        name,
        Column(_("Key group"), lambda r: r.get_key_group_display()),
        Column(_("Registered"), lambda r: _local(r.created_at)),
    ]
    register_records(
        REGISTERED, RecordList(happened(_trips(), "created_at"), trip_columns, _trip_url)
    )
    for group in KeyGroup:
        register_records(
            by_group(group.value),
            RecordList(
                happened(_trips(key_group=group.value), "created_at"), trip_columns, _trip_url
            ),
        )
    register_records(
        ARRIVED,
        RecordList(
            happened(_trips(), "arrival_confirmed_at"),
            [name, Column(_("Arrival confirmed"), lambda r: _local(r.arrival_confirmed_at))],
            _trip_url,
        ),
    )

    def observations() -> QuerySet[Any]:
        return Observation.objects.select_related("person").order_by("-id")

    observation_columns = [
        Column(_("Name"), lambda o: o.person.name),
        Column(_("Kind"), lambda o: o.get_kind_display()),
        Column(_("Start"), lambda o: o.start_date.isoformat()),
        Column(_("Planned end"), lambda o: o.planned_end.isoformat()),
    ]

    def observation_url(o: Any) -> str:
        from django.urls import reverse

        return reverse("returnees:observation-detail", args=[o.pk])

    # In observation at the end of the day: begun by then and not ended by then.
    register_records(
        UNDER_OBSERVATION,
        RecordList(
            in_state(
                observations,
                "created_at",
                lambda end: (
                    ~Q(status=ObservationStatus.ACTIVE)
                    & Q(ended_at__isnull=False, ended_at__lt=end)
                ),
            ),
            observation_columns,
            observation_url,
        ),
    )
    register_records(
        RELEASED,
        RecordList(
            happened(lambda: observations().filter(status=ObservationStatus.RELEASED), "ended_at"),
            [*observation_columns[:2], Column(_("Released"), lambda o: _local(o.ended_at))],
            observation_url,
        ),
    )

    check_columns = [
        Column(_("Name"), lambda c: c.observation.person.name),
        Column(_("Day"), lambda c: c.day.isoformat()),
        Column(_("Checked at"), lambda c: _local(c.checked_at)),
        Column(_("Temperature (°C)"), lambda c: c.temperature, numeric=True),
    ]
    register_records(
        CHECKS_DONE,
        RecordList(happened_on(_person_days(fever=False), "day"), check_columns, _observation_url),
    )
    register_records(
        FEVER,
        RecordList(happened_on(_person_days(fever=True), "day"), check_columns, _observation_url),
    )


def _person_days(*, fever: bool) -> Callable[[], QuerySet[Any]]:
    """The rows behind ``checks_done`` and ``fever``, which count people, not readings: one
    row per observation and day (its last check that day, or its last fever reading)."""

    def queryset() -> QuerySet[Any]:
        from django.db.models import Max

        from fangkong.returnees.models import FEVER_FROM, DailyCheck

        checks = DailyCheck.objects.all()
        if fever:
            checks = checks.filter(temperature__gte=FEVER_FROM)
        last = checks.values("observation", "day").annotate(last=Max("id")).values("last")
        return (
            DailyCheck.objects.filter(id__in=last)
            .select_related("observation__person")
            .order_by("-day", "-id")
        )

    return queryset


def _group_label_now(group: Any) -> str:
    return str(_("Returnees registered: %(group)s") % {"group": group})


# Evaluated when shown, in the reader's language.
_group_label = lazy(_group_label_now, str)


def metric_names() -> list[str]:
    from fangkong.returnees.models import KeyGroup

    return [
        REGISTERED,
        ARRIVED,
        UNDER_OBSERVATION,
        RELEASED,
        CHECKS_DONE,
        FEVER,
        *(by_group(g.value) for g in KeyGroup),
    ]
