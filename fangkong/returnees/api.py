"""JSON API of returnees: the same services as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from fangkong.accounts.roles import Perm
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.returnees import selectors, services
from fangkong.returnees.models import (
    DailyCheck,
    Hold,
    Observation,
    RegisteredVia,
    ReturnTrip,
    release_holds,
)
from fangkong.returnees.schemas import (
    CheckIn,
    CheckOut,
    HoldOut,
    ObservationDetailOut,
    ObservationFilterIn,
    ObservationOut,
    ObservationPage,
    ObservationSummaryOut,
    ReleaseIn,
    ReleaseItemOut,
    ReleaseOut,
    TripFilterIn,
    TripIn,
    TripOut,
    TripPage,
)

router = Router(tags=["returnees"])
PAGE_SIZE = 50


def _out(trip: ReturnTrip, actor: Any) -> TripOut:
    full = actor.can(Perm.PERSONAL_DATA, trip.division_code)
    person = trip.person
    observation = getattr(trip, "observation", None) if hasattr(trip, "observation") else None
    return TripOut(
        id=trip.pk,
        person_id=person.pk,
        name=person.name,
        id_number=person.id_number if full else mask_id_number(person.id_number),
        mobile=person.mobile if full else mask_phone(person.mobile),
        key_group=trip.key_group,
        origin=trip.origin,
        through_risk_area=trip.through_risk_area,
        transport=trip.transport,
        transport_number=trip.transport_number,
        departure_date=trip.departure_date,
        arrival_date=trip.arrival_date,
        division_code=trip.division_code,
        work_unit=trip.work_unit.name if trip.work_unit else trip.work_unit_name,
        registered_via=trip.registered_via,
        status=trip.status,
        receipt=trip.receipt,
        created_at=trip.created_at,
        observation=ObservationOut(
            id=observation.pk,
            kind=observation.kind,
            status=observation.status,
            start_date=observation.start_date,
            planned_end=observation.planned_end,
        )
        if observation is not None
        else None,
    )


def _check_out(check: DailyCheck) -> CheckOut:
    return CheckOut(
        id=check.pk,
        observation_id=check.observation_id,
        day=check.day,
        checked_at=check.checked_at,
        checked_by=check.checked_by.username if check.checked_by else "",
        temperature=float(check.temperature),
        symptoms=check.symptom_list,
        symptom_names=check.symptom_labels,
        contact=check.contact,
        note=check.note,
        fever=check.is_fever,
    )


def _hold_out(hold: Hold) -> HoldOut:
    return HoldOut(
        code=hold.code,
        day=hold.day,
        temperature=None if hold.temperature is None else str(hold.temperature),
        checked_at=hold.checked_at,
        text=hold.text,
    )


def _observation_fields(obs: Observation, *, full: bool) -> dict[str, Any]:
    person = obs.person
    return {
        "id": obs.pk,
        "person_id": person.pk,
        "trip_id": obs.trip_id,
        "name": person.name,
        "id_number": person.id_number if full else mask_id_number(person.id_number),
        "mobile": person.mobile if full else mask_phone(person.mobile),
        "kind": obs.kind,
        "status": obs.status,
        "start_date": obs.start_date,
        "planned_end": obs.planned_end,
        "place": obs.place,
        "division_code": obs.division_code,
        "responsible": obs.responsible.username if obs.responsible else "",
    }


def _actor(request: HttpRequest, *permissions: str) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    if not any(actor.scope_keys(p) for p in permissions):
        raise HttpError(404, "Not found")
    return actor


@router.get("/returnees", response=TripPage, summary="Returnees (trips) with filters")
def trip_list(request: HttpRequest, filters: Query[TripFilterIn]) -> TripPage:
    actor = _actor(request, Perm.RETURNEES_VIEW, Perm.RETURNEES_UNIT)
    values = filters.dict()
    page = max(1, values.pop("page"))
    qs = selectors.trip_list(actor=actor, filters=selectors.TripFilters(**values))
    start = (page - 1) * PAGE_SIZE
    rows = list(qs[start : start + PAGE_SIZE + 1])
    return TripPage(
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        items=[_out(t, actor) for t in rows[:PAGE_SIZE]],
    )


@router.post("/returnees", response={201: TripOut}, summary="Register a returnee's trip")
def trip_create(request: HttpRequest, payload: TripIn) -> Status[TripOut]:
    actor = _actor(request, Perm.RETURNEES_REGISTER)
    trip = services.returnee_register(
        actor=actor,
        data=services.TripData(**payload.dict()),
        registered_via=RegisteredVia.STAFF,
    )
    return Status(201, _out(trip, actor))


@router.get("/returnees/{trip_id}", response=TripOut, summary="One returnee trip")
def trip_detail(request: HttpRequest, trip_id: int) -> TripOut:
    actor = _actor(request, Perm.RETURNEES_VIEW, Perm.RETURNEES_UNIT, Perm.RETURNEES_REGISTER)
    try:
        trip = selectors.access_trip_by_id(actor, trip_id)
    except Http404:
        raise HttpError(404, "Not found") from None
    return _out(trip, actor)


@router.post(
    "/observations/{observation_id}/checks",
    response={201: CheckOut},
    summary="Record a check of an observation (several a day are kept, none overwritten)",
)
def check_create(request: HttpRequest, observation_id: int, payload: CheckIn) -> Status[CheckOut]:
    actor = _actor(request, Perm.RETURNEES_OBSERVE)
    try:
        observation = selectors.access_observation_by_id(actor, observation_id, write=True)
    except Http404:
        raise HttpError(404, "Not found") from None
    check = services.check_record(
        actor=actor,
        observation=observation,
        temperature=str(payload.temperature),
        symptoms=payload.symptoms,
        contact=payload.contact,
        note=payload.note,
        checked_at=payload.checked_at,
    )
    return Status(201, _check_out(check))


@router.post(
    "/observations/release",
    response=ReleaseOut,
    summary="Release observations at the end of their period",
    description=(
        "Answers per id: `released`, `held` (a fever reading, a day without a check, or a "
        "planned end still to come, each in `reasons`), `not_active` (already released or "
        "ended) or `not_found` (no such observation, or outside your jurisdiction). A "
        "`clearance` (who, why) releases those held for a fever or a missed check; it is "
        "recorded in the audit trail."
    ),
)
def observation_release(request: HttpRequest, payload: ReleaseIn) -> ReleaseOut:
    actor = _actor(request, Perm.RETURNEES_OBSERVE)
    clearance = (
        services.clearance_clean(payload.clearance.by, payload.clearance.reason)
        if payload.clearance is not None
        else None
    )
    if payload.clearance is not None and clearance is None:
        raise ValidationError({"clearance": [_("Name who gives the clearance, and why.")]})
    outcomes = services.observation_release(
        actor=actor, observation_ids=payload.ids, clearance=clearance
    )
    results = [
        ReleaseItemOut(
            id=o.id,
            result=o.result,
            status=o.status,
            cleared=o.cleared,
            reasons=[_hold_out(h) for h in o.holds],
        )
        for o in outcomes
    ]
    return ReleaseOut(
        released=sum(r.result == services.ReleaseResult.RELEASED for r in results),
        held=sum(r.result == services.ReleaseResult.HELD for r in results),
        results=results,
    )


@router.get(
    "/observations",
    response=ObservationPage,
    summary="Observations in your jurisdiction, by status",
    description=(
        "Paged by `page` (50 a page; `has_next` says whether another follows). ID numbers "
        "and phones are masked here; the detail shows them to roles that may see them."
    ),
)
def observation_list(request: HttpRequest, filters: Query[ObservationFilterIn]) -> ObservationPage:
    actor = _actor(request, Perm.RETURNEES_VIEW)
    qs = selectors.observation_list(actor=actor, status=filters.status)
    start = (filters.page - 1) * PAGE_SIZE
    rows = list(qs[start : start + PAGE_SIZE + 1])
    return ObservationPage(
        page=filters.page,
        has_next=len(rows) > PAGE_SIZE,
        items=[
            ObservationSummaryOut(
                **_observation_fields(o, full=False),
                checked_today=o.checked_today,  # type: ignore[attr-defined]
                had_fever=o.had_fever,  # type: ignore[attr-defined]
            )
            for o in rows[:PAGE_SIZE]
        ],
    )


@router.get(
    "/observations/{observation_id}",
    response=ObservationDetailOut,
    summary="One observation with all its checks",
    description=(
        "Every check, newest first (several a day are kept), and what would hold its release "
        "today. Outside your jurisdiction reads as 404, like an id that does not exist."
    ),
)
def observation_detail(request: HttpRequest, observation_id: int) -> ObservationDetailOut:
    actor = _actor(request, Perm.RETURNEES_VIEW)
    try:
        obs = selectors.access_observation_by_id(actor, observation_id)
    except Http404:
        raise HttpError(404, "Not found") from None
    full = actor.can(Perm.PERSONAL_DATA, obs.division_code)
    if full:
        services.personal_data_viewed(
            actor=actor, person=obs.person, division_code=obs.division_code
        )
    checks = list(obs.checks.select_related("checked_by").order_by("-checked_at", "-id"))
    today = timezone.localdate()
    return ObservationDetailOut(
        **_observation_fields(obs, full=full),
        checked_today=any(c.day == today for c in checks),
        had_fever=any(c.is_fever for c in checks),
        ended_at=obs.ended_at,
        end_note=obs.end_note,
        checks=[_check_out(c) for c in checks],
        holds=[_hold_out(h) for h in release_holds(obs, checks, today)],
    )
