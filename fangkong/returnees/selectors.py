"""Reads and gatekeepers of returnees. Outside the actor's jurisdiction looks like not found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm, Role, roles_with
from fangkong.core.jurisdiction import scope_q
from fangkong.lib.ids import SCOPE_KEY_LENGTHS, InvalidNumber, division_scope_key
from fangkong.returnees.models import (
    FEVER_FROM,
    CensusJob,
    Convoy,
    DailyCheck,
    Observation,
    ObservationStatus,
    Passenger,
    Person,
    ReturnTrip,
    RiskArea,
    TripStatus,
    WorkUnit,
    check_deadline_passed,
)

_LATIN = re.compile(r"^[a-z]+$")
_ID_LIKE = re.compile(r"^\d{6,17}[\dXx]?$")


@dataclass
class TripFilters:
    q: str = ""
    key_group: str = ""
    status: str = ""
    observation: str = ""  # "active", "none" or an ObservationStatus
    division: str = ""
    arrived_from: date | None = None
    arrived_to: date | None = None
    departed_from: date | None = None
    departed_to: date | None = None
    work_unit: int | None = None
    risk_area: str = ""  # "yes" / "no"
    registered_via: str = ""


def _text_q(text: str) -> Q:
    text = text.strip()
    lowered = text.lower().replace(" ", "")
    if not text:
        return Q()
    if text.isdigit() and len(text) == 11:
        return Q(person__mobile=text)
    if _ID_LIKE.match(text) and len(text) == 18:
        return Q(person__id_number=text.upper())
    if text.isdigit() and len(text) <= 4:
        return Q(person__id_number__endswith=text) | Q(person__mobile__endswith=text)
    if _LATIN.match(lowered):
        return Q(person__name_initials__startswith=lowered) | Q(
            person__name_pinyin__startswith=lowered
        )
    if re.match(r"^[\u4e00-\u9fff]{1,10}$", text):
        plate_like = Q(transport_number__iexact=text)
        return Q(person__name__startswith=text) | plate_like
    return Q(transport_number__iexact=text.replace(" ", "").upper()) | Q(
        person__mobile__startswith=text
    )


def trip_list(
    *, actor: Any, filters: TripFilters | None = None, permission: str = Perm.RETURNEES_VIEW
) -> QuerySet[ReturnTrip]:
    """Trips in the actor's jurisdiction (or, for a unit administrator, their units' staff)."""
    f = filters or TripFilters()
    keys = actor.scope_keys(permission) if actor.is_authenticated else []
    qs = ReturnTrip.objects.all()
    if keys:
        qs = qs.filter(scope_q(keys))
    elif actor.is_authenticated and actor.has_perm_anywhere(Perm.RETURNEES_UNIT):
        qs = qs.for_unit_admin(actor)
    else:
        return qs.none()
    if f.q:
        qs = qs.filter(_text_q(f.q))
    if f.key_group:
        qs = qs.filter(key_group=f.key_group)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.observation == "none":
        qs = qs.filter(observation__isnull=True)
    elif f.observation:
        qs = qs.filter(observation__status=f.observation)
    if f.division:
        try:
            qs = qs.filter(division_code__startswith=division_scope_key(f.division))
        except InvalidNumber:
            return qs.none()
    if f.arrived_from:
        qs = qs.filter(arrival_date__gte=f.arrived_from)
    if f.arrived_to:
        qs = qs.filter(arrival_date__lte=f.arrived_to)
    if f.departed_from:
        qs = qs.filter(departure_date__gte=f.departed_from)
    if f.departed_to:
        qs = qs.filter(departure_date__lte=f.departed_to)
    if f.work_unit:
        qs = qs.filter(work_unit_id=f.work_unit)
    if f.risk_area == "yes":
        qs = qs.filter(through_risk_area=True)
    elif f.risk_area == "no":
        qs = qs.filter(through_risk_area=False)
    if f.registered_via:
        qs = qs.filter(registered_via=f.registered_via)
    return qs.select_related("person", "division", "work_unit", "observation").order_by("-id")


def queue_list(*, actor: Any) -> QuerySet[ReturnTrip]:
    """The community queue: expected trips in the places the actor observes."""
    keys = actor.scope_keys(Perm.RETURNEES_OBSERVE)
    return (
        ReturnTrip.objects.filter(scope_q(keys), status=TripStatus.EXPECTED)
        .select_related("person", "division", "work_unit")
        .order_by("arrival_date", "id")
    )


def unit_trip_list(*, actor: Any) -> QuerySet[ReturnTrip]:
    """A unit administrator's returning staff (or a school's students)."""
    return (
        ReturnTrip.objects.for_unit_admin(actor)
        .select_related("person", "division", "work_unit")
        .order_by("back_at_work_at", "-id")
    )


def access_trip_by_id(actor: Any, trip_id: int, *, write: bool = False) -> ReturnTrip:
    permission = Perm.RETURNEES_OBSERVE if write else Perm.RETURNEES_VIEW
    trip = (
        ReturnTrip.objects.select_related("person", "division", "work_unit")
        .filter(pk=trip_id)
        .first()
    )
    if trip is None or not actor.is_authenticated:
        raise Http404
    if actor.can(permission, trip.division_code):
        return trip
    if not write and actor.can(Perm.RETURNEES_REGISTER, trip.division_code):
        return trip
    if trip.work_unit_id and trip.work_unit.admins.filter(pk=actor.pk).exists():
        return trip
    raise Http404


def access_trip_for_edit(actor: Any, trip_id: int) -> ReturnTrip:
    """A trip the actor may edit: registering is allowed over its community."""
    trip = (
        ReturnTrip.objects.select_related("person", "division", "work_unit")
        .filter(pk=trip_id)
        .first()
    )
    if (
        trip is None
        or not actor.is_authenticated
        or not actor.can(Perm.RETURNEES_REGISTER, trip.division_code)
    ):
        raise Http404
    return trip


def access_person_by_id(actor: Any, person_id: int) -> Person:
    """A person with any trip the actor may see."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not actor.is_authenticated:
        raise Http404
    keys = actor.scope_keys(Perm.RETURNEES_VIEW)
    visible = person.trips.filter(scope_q(keys)).exists() or any(
        person.division_code.startswith(k) for k in keys
    )
    if not visible:
        raise Http404
    return person


def access_observation_by_id(
    actor: Any, observation_id: int, *, write: bool = False
) -> Observation:
    permission = Perm.RETURNEES_OBSERVE if write else Perm.RETURNEES_VIEW
    obs = (
        Observation.objects.select_related("person", "trip", "division", "responsible")
        .filter(pk=observation_id)
        .first()
    )
    if obs is None or not actor.is_authenticated or not actor.can(permission, obs.division_code):
        raise Http404
    return obs


def responsible_candidates(observation: Observation) -> QuerySet[User]:
    """Active users who run observation over the observation's community (a membership with
    the right role in the community or a division above it)."""
    code = observation.division_code
    prefixes = [code[:n] for n in SCOPE_KEY_LENGTHS if n <= len(code)]
    return (
        User.objects.filter(
            is_active=True,
            memberships__role__in=roles_with(Perm.RETURNEES_OBSERVE),
            memberships__division_code__in=prefixes,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def observation_list(
    *, actor: Any, status: str = ObservationStatus.ACTIVE
) -> QuerySet[Observation]:
    keys = actor.scope_keys(Perm.RETURNEES_VIEW)
    qs = Observation.objects.filter(scope_q(keys))
    if status:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    checked = DailyCheck.objects.filter(observation=OuterRef("pk"), day=today)
    fever = DailyCheck.objects.filter(observation=OuterRef("pk"), temperature__gte=FEVER_FROM)
    return (
        qs.annotate(checked_today=Exists(checked), had_fever=Exists(fever))
        .select_related("person", "division", "trip", "responsible")
        .order_by("planned_end", "id")
    )


def overdue_list(*, actor: Any, now: Any = None) -> QuerySet[Observation]:
    """Active observations without a check today, once 18:00 (local) has passed."""
    if not check_deadline_passed(now):
        return Observation.objects.none()
    return observation_list(actor=actor).filter(checked_today=False)  # type: ignore[misc]


def due_for_release_list(*, actor: Any) -> QuerySet[Observation]:
    """Active observations whose planned end has come, in the places the actor observes, with
    their checks (for ``models.release_holds``)."""
    today = timezone.localdate()
    keys = actor.scope_keys(Perm.RETURNEES_OBSERVE)
    checked = DailyCheck.objects.filter(observation=OuterRef("pk"), day=today)
    return (
        Observation.objects.filter(
            scope_q(keys), status=ObservationStatus.ACTIVE, planned_end__lte=today
        )
        .annotate(checked_today=Exists(checked))
        .select_related("person", "division", "responsible")
        .prefetch_related("checks")
        .order_by("planned_end", "id")
    )


def fever_list(*, scope_keys: list[str], day: date) -> QuerySet[Observation]:
    """Observations with a fever reading on ``day``, whichever check of the day it was: the
    people behind the ``returnees.fever`` figure of that day (it counts each once)."""
    fevers = DailyCheck.objects.filter(scope_q(scope_keys), day=day, temperature__gte=FEVER_FROM)
    return (
        Observation.objects.filter(pk__in=fevers.values("observation_id"))
        .select_related("person", "division")
        .order_by("division_code", "id")
    )


def person_near_duplicates(person: Person) -> QuerySet[Person]:
    """Same name and phone, different ID number."""
    if not person.mobile:
        return Person.objects.none()
    return Person.objects.filter(name=person.name, mobile=person.mobile).exclude(pk=person.pk)


def near_duplicate_ids(person_ids: list[int]) -> set[int]:
    """Of these people, those who have a near-duplicate (for flagging a list page)."""
    people = Person.objects.filter(pk__in=person_ids).exclude(mobile="")
    twins = Person.objects.filter(name=OuterRef("name"), mobile=OuterRef("mobile")).exclude(
        pk=OuterRef("pk")
    )
    return set(people.filter(Exists(twins)).values_list("pk", flat=True))


def work_unit_list(*, actor: Any) -> QuerySet[WorkUnit]:
    keys = actor.scope_keys(Perm.RETURNEES_VIEW)
    return WorkUnit.objects.filter(scope_q(keys)).order_by("name")


def access_work_unit_by_id(actor: Any, unit_id: int, *, write: bool = False) -> WorkUnit:
    """A unit in the actor's jurisdiction (to see it), or where they may register (to edit)."""
    unit = WorkUnit.objects.filter(pk=unit_id).select_related("division").first()
    permission = Perm.RETURNEES_REGISTER if write else Perm.RETURNEES_VIEW
    if unit is None or not actor.is_authenticated or not actor.can(permission, unit.division_code):
        raise Http404
    return unit


def unit_admin_candidates(*, actor: Any, keep: WorkUnit | None = None) -> QuerySet[User]:
    """Active users holding the unit administrator role inside the actor's jurisdiction (and
    the present administrators of ``keep``, so that a form shows them)."""
    keys = actor.scope_keys(Perm.RETURNEES_REGISTER)
    inside = Q(pk__in=[])
    for key in keys:
        inside |= Q(memberships__division_code__startswith=key)
    chosen = User.objects.filter(inside, is_active=True, memberships__role=Role.UNIT_ADMIN)
    present = Q(pk__in=keep.admins.values("pk")) if keep is not None else Q(pk__in=[])
    return User.objects.filter(Q(pk__in=chosen.values("pk")) | present).order_by(
        "display_name", "username"
    )


def risk_area_list() -> QuerySet[RiskArea]:
    return RiskArea.objects.filter(active=True).order_by("province", "city")


def access_risk_area_by_id(actor: Any, area_id: int) -> RiskArea:
    area = RiskArea.objects.filter(pk=area_id).first()
    keys = actor.scope_keys(Perm.DIRECTIVES_PUBLISH)
    if area is None or not any(area.division_code.startswith(k) for k in keys):
        raise Http404
    return area


def convoy_list(*, actor: Any) -> QuerySet[Convoy]:
    keys = actor.scope_keys(Perm.RETURNEES_REGISTER) + actor.scope_keys(Perm.RETURNEES_VIEW)
    return Convoy.objects.filter(scope_q(keys)).select_related("division")


def access_convoy_by_id(actor: Any, convoy_id: int, *, write: bool = False) -> Convoy:
    convoy = Convoy.objects.select_related("division").filter(pk=convoy_id).first()
    if convoy is None or not actor.is_authenticated:
        raise Http404
    allowed = actor.can(Perm.RETURNEES_REGISTER, convoy.division_code) or (
        not write and actor.can(Perm.RETURNEES_VIEW, convoy.division_code)
    )
    if not allowed:
        raise Http404
    return convoy


def convoy_passengers(convoy: Convoy) -> QuerySet[Passenger]:
    return convoy.passengers.select_related("division", "trip").prefetch_related("checks")


def access_census_job_by_id(actor: Any, job_id: int) -> CensusJob:
    """Only the uploader sees a job (it may name rows of personal data)."""
    job = CensusJob.objects.filter(pk=job_id, actor_id=actor.pk).first()
    if job is None:
        raise Http404
    return job


def recent_trips_by_id_number(
    id_numbers: list[str], *, day: date, days: int = 30
) -> dict[str, ReturnTrip]:
    """The latest trip of each person (by ID number) departing in the ``days`` up to ``day``.

    Checkpoints use it to show a passage as already registered as a returnee.
    """
    numbers = {n.upper() for n in id_numbers if n}
    if not numbers:
        return {}
    trips = (
        ReturnTrip.objects.select_related("person")
        .filter(
            person__id_number__in=numbers,
            departure_date__lte=day,
            departure_date__gte=day - timedelta(days=days),
        )
        .order_by("departure_date", "pk")
    )
    return {trip.person.id_number: trip for trip in trips}
