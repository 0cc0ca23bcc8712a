"""Write use cases of returnees: one transaction each, with its audit entry and rollups."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm
from fangkong.core.audit import record_audit
from fangkong.core.models import EmergencyPeriod
from fangkong.core.numbers import number_error
from fangkong.core.rollups import bump, bump_many
from fangkong.divisions.models import Division, Level
from fangkong.divisions.services import pinyin_keys
from fangkong.lib.ids import (
    InvalidNumber,
    division_scope_key,
    normalize_mobile,
    normalize_plate,
    normalize_uscc,
    parse_id_number,
)
from fangkong.returnees import metrics
from fangkong.returnees.alerting import fever_alert, self_registration_alert
from fangkong.returnees.models import (
    FEVER_FROM,
    ContactMethod,
    Convoy,
    ConvoyKind,
    ConvoyStatus,
    DailyCheck,
    Hold,
    KeyGroup,
    Observation,
    ObservationKind,
    ObservationStatus,
    Passenger,
    Person,
    RegisteredVia,
    ReturnTrip,
    RiskArea,
    Symptom,
    TransitCheck,
    TransitStage,
    Transport,
    TripStatus,
    UnitKind,
    WorkUnit,
    release_holds,
)

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_receipt() -> str:
    return "R" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(9))


def _today() -> date:
    return timezone.localdate()


def _observation_days() -> int:
    period = EmergencyPeriod.current()
    return period.observation_days if period is not None else 14


# --- validation shared by staff entry, self-registration and the import --------------------


@dataclass(slots=True)
class TripData:
    """A returnee's trip as entered: validated by ``trip_data_clean``."""

    id_number: str
    name: str
    mobile: str
    key_group: str
    departure_date: date
    division_code: str
    transport: str = Transport.OTHER
    transport_number: str = ""
    origin_province: str = ""
    origin_city: str = ""
    origin_country: str = ""
    through_risk_area: bool = False
    arrival_date: date | None = None
    work_unit_name: str = ""
    notes: str = ""


@dataclass(slots=True)
class CleanTrip:
    data: TripData
    id_number: str
    birth_date: date
    sex: str
    mobile: str
    division: Division
    risk_area: RiskArea | None


class TripErrors(ValidationError):
    pass


def active_risk_areas() -> list[RiskArea]:
    period = EmergencyPeriod.current()
    qs = RiskArea.objects.filter(active=True)
    if period is not None:
        qs = qs.filter(period__in=[period]) | qs.filter(period__isnull=True)
    return list(qs)


def matching_risk_area(
    province: str, city: str, country: str, areas: Iterable[RiskArea]
) -> RiskArea | None:
    for area in areas:
        if area.matches(province, city) or (country and area.matches(country, "")):
            return area
    return None


_KEY_GROUPS = frozenset(KeyGroup.values)
_TRANSPORTS = frozenset(Transport.values)


def trip_data_clean(
    data: TripData,
    *,
    divisions: dict[str, Division] | None = None,
    risk_areas: list[RiskArea] | None = None,
    today: date | None = None,
) -> CleanTrip:
    """Validate one trip; raise ValidationError({field: [message]}) naming every problem."""
    errors: dict[str, list[str]] = {}
    info = None
    try:
        info = parse_id_number(data.id_number)
    except InvalidNumber as exc:
        errors["id_number"] = [number_error(exc)]
    name = (data.name or "").strip()
    if not name:
        errors["name"] = [_("Name is required.")]
    elif len(name) > 50:
        errors["name"] = [_("Name is longer than 50 characters.")]
    mobile = ""
    if data.mobile:
        try:
            mobile = normalize_mobile(data.mobile)
        except InvalidNumber as exc:
            errors["mobile"] = [number_error(exc)]
    if data.key_group not in _KEY_GROUPS:
        errors["key_group"] = [_("Unknown key group.")]
    if data.transport not in _TRANSPORTS:
        errors["transport"] = [_("Unknown means of transport.")]
    if data.transport == Transport.CAR and data.transport_number:
        try:
            data.transport_number = normalize_plate(data.transport_number)
        except InvalidNumber as exc:
            errors["transport_number"] = [number_error(exc)]
    if data.arrival_date and data.arrival_date < data.departure_date:
        errors["arrival_date"] = [_("The arrival date cannot come before the departure.")]
    if data.departure_date > (today or _today()) + timedelta(days=60):
        errors["departure_date"] = [_("The departure date is too far in the future.")]
    division = None
    try:
        key = division_scope_key(data.division_code)
    except InvalidNumber:
        key = ""
    if key:
        division = divisions.get(key) if divisions is not None else None
        if division is None and divisions is None:
            division = Division.objects.filter(code=key).first()
    if division is None:
        errors["division_code"] = [_("Unknown division code.")]
    elif division.level != Level.VILLAGE:
        errors["division_code"] = [_("The destination must be a gacha, village or community.")]
    if errors:
        raise ValidationError(errors)
    assert info is not None and division is not None
    areas = risk_areas if risk_areas is not None else active_risk_areas()
    area = matching_risk_area(data.origin_province, data.origin_city, data.origin_country, areas)
    return CleanTrip(
        data=data,
        id_number=info.number,
        birth_date=info.birth_date,
        sex=info.sex,
        mobile=mobile,
        division=division,
        risk_area=area,
    )


def _check_actor_over(actor: Any, division_code: str, permission: str) -> None:
    if actor is None or not actor.can(permission, division_code):
        raise ValidationError({"division_code": [_("This division is outside your jurisdiction.")]})


# --- registration --------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def _char_pinyin(char: str) -> tuple[str, str]:
    return pinyin_keys(char)


@lru_cache(maxsize=65536)
def name_pinyin_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a person's name, character by character (cached, so that a
    census of 100,000 names costs a few thousand look-ups)."""
    parts = [_char_pinyin(char) for char in name]
    return "".join(p[0] for p in parts), "".join(p[1] for p in parts)


def _person_fields(clean: CleanTrip) -> dict[str, Any]:
    pinyin, initials = name_pinyin_keys(clean.data.name.strip())
    return {
        "name": clean.data.name.strip(),
        "mobile": clean.mobile,
        "birth_date": clean.birth_date,
        "sex": clean.sex,
        "name_pinyin": pinyin,
        "name_initials": initials,
        "division_code": clean.division.code,
    }


def _trip_fields(clean: CleanTrip, work_unit: WorkUnit | None) -> dict[str, Any]:
    d = clean.data
    return {
        "key_group": d.key_group,
        "origin_province": d.origin_province.strip(),
        "origin_city": d.origin_city.strip(),
        "origin_country": d.origin_country.strip(),
        "through_risk_area": bool(d.through_risk_area or clean.risk_area is not None),
        "risk_area": clean.risk_area,
        "transport": d.transport,
        "transport_number": d.transport_number.strip(),
        "arrival_date": d.arrival_date,
        "division": clean.division,
        "division_code": clean.division.code,
        "work_unit": work_unit,
        "work_unit_name": d.work_unit_name.strip(),
        "notes": d.notes.strip(),
    }


def _find_work_unit(name: str, division_code: str) -> WorkUnit | None:
    text = (name or "").strip()
    if not text:
        return None
    banner = division_code[:6]
    return WorkUnit.objects.filter(name=text, division_code__startswith=banner).first()


def returnee_register(
    *,
    actor: Any,
    data: TripData,
    registered_via: str = RegisteredVia.STAFF,
    work_unit: WorkUnit | None = None,
) -> ReturnTrip:
    """Register (or update) a returnee's trip; the trip lands in its community's queue.

    ``actor`` is None only for self-registration. Staff and checkpoint registration need
    ``returnees.register`` over the destination. The same person and departure date is the
    same trip: a second registration updates it. Raises ValidationError naming the fields.
    Checkpoints call this with ``registered_via="checkpoint"``.
    """
    if registered_via not in RegisteredVia.values:
        raise ValueError(f"unknown registered_via {registered_via!r}")
    clean = trip_data_clean(data)
    if registered_via != RegisteredVia.SELF:
        _check_actor_over(actor, clean.division.code, Perm.RETURNEES_REGISTER)
    if work_unit is None:
        work_unit = _find_work_unit(data.work_unit_name, clean.division.code)
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(id_number=clean.id_number).first()
        fields = _person_fields(clean)
        if person is None:
            person = Person.objects.create(id_number=clean.id_number, **fields)
        else:
            if registered_via == RegisteredVia.SELF:
                # The public page never renames a known person, changes their phone or moves
                # them to another community (whose staff would then see their record): anyone
                # may type an ID number there. The trip itself goes where the poster says.
                keep = ("name", "mobile", "name_pinyin", "name_initials", "division_code")
                fields = {k: v for k, v in fields.items() if k not in keep}
            for key, value in fields.items():
                setattr(person, key, value)
            person.save(update_fields=[*fields, "updated_at"])
        trip = ReturnTrip.objects.filter(person=person, departure_date=data.departure_date).first()
        trip_fields = _trip_fields(clean, work_unit)
        if trip is None:
            trip = ReturnTrip.objects.create(
                person=person,
                departure_date=data.departure_date,
                registered_via=registered_via,
                registered_by=actor if actor is not None and actor.pk else None,
                receipt=new_receipt(),
                **trip_fields,
            )
            day = _today()
            bump(metrics.REGISTERED, trip.division_code, day)
            bump(metrics.by_group(trip.key_group), trip.division_code, day)
            verb = "returnee.register"
        else:
            if trip.status != TripStatus.EXPECTED:
                # An arrived trip stays where it arrived.
                trip_fields.pop("division")
                trip_fields.pop("division_code")
            day = timezone.localdate(trip.created_at)
            old = (trip.division_code, trip.key_group)
            new = (trip_fields.get("division_code", trip.division_code), trip_fields["key_group"])
            if old != new:
                bump_many(
                    [
                        (metrics.REGISTERED, old[0], day, -1),
                        (metrics.by_group(old[1]), old[0], day, -1),
                        (metrics.REGISTERED, new[0], day, 1),
                        (metrics.by_group(new[1]), new[0], day, 1),
                    ]
                )
            for key, value in trip_fields.items():
                setattr(trip, key, value)
            trip.save(update_fields=[*trip_fields, "updated_at"])
            verb = "returnee.update"
        record_audit(actor, verb, trip, via=registered_via)
        if registered_via == RegisteredVia.SELF and verb == "returnee.register":
            self_registration_alert(trip=trip)
    return trip


#: The fields of a trip that ``trip_update`` may change (the person's own are kept).
TRIP_EDIT_FIELDS = (
    "key_group",
    "origin_province",
    "origin_city",
    "origin_country",
    "through_risk_area",
    "risk_area",
    "transport",
    "transport_number",
    "departure_date",
    "arrival_date",
    "division",
    "division_code",
    "work_unit",
    "work_unit_name",
    "notes",
)


def trip_update(*, actor: Any, trip: ReturnTrip, data: TripData) -> ReturnTrip:
    """Edit a registered trip: staff who may register in the trip's community (and, when it
    moves, in the new one). The person (ID number, name, phone) stays as it is; an arrived trip
    stays in the community where it arrived. Audited with the names of the changed fields;
    an edit that changes nothing writes nothing. Raises ValidationError naming the fields."""
    _check_actor_over(actor, trip.division_code, Perm.RETURNEES_REGISTER)
    person = trip.person
    data.id_number = person.id_number
    data.name = person.name
    data.mobile = person.mobile
    clean = trip_data_clean(data)
    errors: dict[str, list[str]] = {}
    if clean.division.code != trip.division_code:
        if trip.status != TripStatus.EXPECTED:
            errors["division_code"] = [
                _("An arrived trip stays in the community where it arrived.")
            ]
        elif not (actor is not None and actor.can(Perm.RETURNEES_REGISTER, clean.division.code)):
            errors["division_code"] = [_("This division is outside your jurisdiction.")]
    if (
        data.departure_date != trip.departure_date
        and ReturnTrip.objects.filter(person_id=trip.person_id, departure_date=data.departure_date)
        .exclude(pk=trip.pk)
        .exists()
    ):
        errors["departure_date"] = [
            _("This person already has a trip leaving on that day: edit that trip instead.")
        ]
    if errors:
        raise ValidationError(errors)
    work_unit = trip.work_unit
    if (data.work_unit_name or "").strip() != trip.work_unit_name or (
        clean.division.code[:6] != trip.division_code[:6]
    ):
        work_unit = _find_work_unit(data.work_unit_name, clean.division.code)
    values = _trip_fields(clean, work_unit)
    values["departure_date"] = data.departure_date
    changed = [
        name
        for name in TRIP_EDIT_FIELDS
        if name not in ("division", "risk_area", "work_unit")
        and getattr(trip, name) != values[name]
    ]
    for name in ("division", "risk_area", "work_unit"):
        new = values[name]
        if getattr(trip, f"{name}_id") != (new.pk if new is not None else None):
            changed.append(name)
    if not changed:
        return trip
    with transaction.atomic():
        locked = ReturnTrip.objects.select_for_update().get(pk=trip.pk)
        if locked.status != trip.status:
            raise ValidationError(_("The trip changed meanwhile: open it again."))
        day = timezone.localdate(trip.created_at)
        old = (trip.division_code, trip.key_group)
        new_key = (values["division_code"], values["key_group"])
        if old != new_key:
            bump_many(
                [
                    (metrics.REGISTERED, old[0], day, -1),
                    (metrics.by_group(old[1]), old[0], day, -1),
                    (metrics.REGISTERED, new_key[0], day, 1),
                    (metrics.by_group(new_key[1]), new_key[0], day, 1),
                ]
            )
        for name in TRIP_EDIT_FIELDS:
            setattr(trip, name, values[name])
        trip.save(update_fields=[*TRIP_EDIT_FIELDS, "updated_at"])
        record_audit(actor, "returnee.edit", trip, changed=sorted(changed), was=old[0])
    return trip


# --- routing -------------------------------------------------------------------------------


def trip_confirm_arrival(
    *,
    actor: Any,
    trip: ReturnTrip,
    observe: bool | None = None,
    kind: str = ObservationKind.HOME,
    place: str = "",
) -> ReturnTrip:
    """The community confirms the arrival (from ``expected`` only) and, when the period's rule
    calls for it (inbound or through a risk area) or ``observe`` is set, starts observation."""
    _check_actor_over(actor, trip.division_code, Perm.RETURNEES_OBSERVE)
    with transaction.atomic():
        updated = ReturnTrip.objects.filter(pk=trip.pk, status=TripStatus.EXPECTED).update(
            status=TripStatus.ARRIVED,
            arrival_confirmed_at=timezone.now(),
            arrival_date=trip.arrival_date or _today(),
            updated_at=timezone.now(),
        )
        if not updated:
            raise ValidationError(_("This arrival has already been confirmed."))
        trip.refresh_from_db()
        bump(metrics.ARRIVED, trip.division_code, _today())
        record_audit(actor, "returnee.arrive", trip)
        should_observe = trip.needs_observation if observe is None else observe
        if should_observe and not Observation.objects.filter(trip=trip).exists():
            observation_start(actor=actor, trip=trip, kind=kind, place=place)
    return trip


def trip_confirm_back_at_work(*, actor: Any, trip: ReturnTrip) -> ReturnTrip:
    """The work unit (or school) confirms its own person is back; once only."""
    unit = trip.work_unit
    if unit is None or actor is None or not unit.admins.filter(pk=actor.pk).exists():
        raise ValidationError(_("Only the administrators of this work unit may confirm."))
    with transaction.atomic():
        updated = ReturnTrip.objects.filter(pk=trip.pk, back_at_work_at__isnull=True).update(
            back_at_work_at=timezone.now(), updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError(_("The return to work has already been confirmed."))
        trip.refresh_from_db()
        record_audit(actor, "returnee.back_at_work", trip, unit=unit.pk)
    return trip


# --- observation ---------------------------------------------------------------------------


def observation_start(
    *,
    actor: Any,
    trip: ReturnTrip,
    kind: str = ObservationKind.HOME,
    place: str = "",
    start_date: date | None = None,
    responsible: Any = None,
) -> Observation:
    """Start observation of a trip's traveller for the period's number of days."""
    _check_actor_over(actor, trip.division_code, Perm.RETURNEES_OBSERVE)
    if kind not in ObservationKind.values:
        raise ValidationError({"kind": [_("Unknown kind of observation.")]})
    start = start_date or _today()
    with transaction.atomic():
        if Observation.objects.filter(trip=trip).exists():
            raise ValidationError(_("This trip is already under observation."))
        observation = Observation.objects.create(
            trip=trip,
            person_id=trip.person_id,
            kind=kind,
            start_date=start,
            planned_end=start + timedelta(days=_observation_days()),
            place=place.strip(),
            responsible=responsible if responsible is not None else actor,
            division_id=trip.division_id,
            division_code=trip.division_code,
        )
        bump(metrics.UNDER_OBSERVATION, observation.division_code, _today())
        record_audit(actor, "observation.start", observation, kind=kind)
    return observation


def observation_reassign(*, actor: Any, observation: Observation, responsible: Any) -> Observation:
    """Hand an observation (under observation or lost contact) to another responsible worker:
    an active user who runs observation over its community. Audited with both workers."""
    _check_actor_over(actor, observation.division_code, Perm.RETURNEES_OBSERVE)
    if responsible is None or not getattr(responsible, "is_active", False):
        raise ValidationError({"responsible": [_("Choose an active user.")]})
    responsible.clear_permission_cache()
    if not responsible.can(Perm.RETURNEES_OBSERVE, observation.division_code):
        raise ValidationError(
            {"responsible": [_("The responsible worker must run observation in this community.")]}
        )
    if responsible.pk == observation.responsible_id:
        raise ValidationError({"responsible": [_("This worker is already responsible.")]})
    with transaction.atomic():
        previous = observation.responsible_id
        updated = Observation.objects.filter(
            pk=observation.pk, status__in=(ObservationStatus.ACTIVE, ObservationStatus.LOST)
        ).update(responsible=responsible, updated_at=timezone.now())
        if not updated:
            raise ValidationError(_("An ended observation keeps its responsible worker."))
        observation.refresh_from_db()
        record_audit(
            actor,
            "observation.reassign",
            observation,
            previous=previous,
            responsible=responsible.pk,
        )
    return observation


#: Where an observation may go, and from where.
END_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ObservationStatus.HOSPITAL: (ObservationStatus.ACTIVE, ObservationStatus.LOST),
    ObservationStatus.TRANSFERRED: (ObservationStatus.ACTIVE, ObservationStatus.LOST),
    ObservationStatus.LOST: (ObservationStatus.ACTIVE,),
}


def observation_end(
    *, actor: Any, observation: Observation, status: str, note: str = ""
) -> Observation:
    """Refer to hospital, transfer out or mark lost contact (from the allowed states); release
    is ``observation_release``."""
    _check_actor_over(actor, observation.division_code, Perm.RETURNEES_OBSERVE)
    if status == ObservationStatus.RELEASED:
        # One rule decides release (fever readings, missed checks, clearance).
        raise ValidationError(_("Release goes through the release step, which checks the period."))
    sources = END_TRANSITIONS.get(status)
    if sources is None:
        raise ValidationError({"status": [_("Unknown status.")]})
    with transaction.atomic():
        updated = Observation.objects.filter(pk=observation.pk, status__in=sources).update(
            status=status, ended_at=timezone.now(), end_note=note.strip(), updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError(
                _("An observation that is %(status)s cannot change to that.")
                % {"status": observation.get_status_display()}
            )
        was_active = observation.status == ObservationStatus.ACTIVE
        observation.refresh_from_db()
        if was_active:
            bump(metrics.UNDER_OBSERVATION, observation.division_code, _today(), -1)
        record_audit(actor, f"observation.{status}", observation, note=note.strip())
    return observation


def observation_resume(*, actor: Any, observation: Observation) -> Observation:
    """Contact found again: lost contact → under observation."""
    _check_actor_over(actor, observation.division_code, Perm.RETURNEES_OBSERVE)
    with transaction.atomic():
        updated = Observation.objects.filter(
            pk=observation.pk, status=ObservationStatus.LOST
        ).update(status=ObservationStatus.ACTIVE, ended_at=None, updated_at=timezone.now())
        if not updated:
            raise ValidationError(_("Only an observation that lost contact can resume."))
        observation.refresh_from_db()
        bump(metrics.UNDER_OBSERVATION, observation.division_code, _today())
        record_audit(actor, "observation.resume", observation)
    return observation


@dataclass(frozen=True)
class Clearance:
    """A named clearance: who lets a held person go, and why (e.g. a doctor's all-clear)."""

    by: str
    reason: str


class ReleaseResult:
    RELEASED = "released"
    HELD = "held"
    NOT_ACTIVE = "not_active"  # already released, ended or lost contact: nothing changed
    NOT_FOUND = "not_found"  # no such observation, or outside the actor's jurisdiction


@dataclass
class ReleaseOutcome:
    id: int
    result: str
    holds: list[Hold]
    status: str = ""
    name: str = ""
    cleared: bool = False


#: At most this many observations in one release.
RELEASE_MAX = 500


def clearance_clean(by: str, reason: str) -> Clearance | None:
    """None when both are empty; a clear error when only one is given or either is too long."""
    by, reason = (by or "").strip(), (reason or "").strip()
    if not by and not reason:
        return None
    errors: dict[str, list[str]] = {}
    if not by:
        errors["clearance_by"] = [_("Name who gives the clearance.")]
    elif len(by) > 50:
        errors["clearance_by"] = [_("At most 50 characters.")]
    if not reason:
        errors["clearance_reason"] = [_("Say why the held person may be released.")]
    elif len(reason) > 300:
        errors["clearance_reason"] = [_("At most 300 characters.")]
    if errors:
        raise ValidationError(errors)
    return Clearance(by, reason)


def observation_release(
    *, actor: Any, observation_ids: Iterable[int], clearance: Clearance | None = None
) -> list[ReleaseOutcome]:
    """Release observations whose period is over, one outcome per id (in the order given).

    An observation with a fever reading or a day without a check in its period is held with
    the reasons (``models.release_holds``), unless ``clearance`` names who lets it go and why;
    a planned end still to come always holds. Each release is audited, with the clearance and
    what it overrode. The rows are locked first, so two releases at once cannot both release
    one person (the second finds it ``not_active``); ids outside the actor's jurisdiction
    read as ``not_found``, exactly like ids that do not exist.
    """
    ids = list(dict.fromkeys(int(i) for i in observation_ids))
    if not ids:
        raise ValidationError({"ids": [_("Choose at least one person.")]})
    if len(ids) > RELEASE_MAX:
        raise ValidationError({"ids": [_("At most %(n)d people at once.") % {"n": RELEASE_MAX}]})
    keys = actor.scope_keys(Perm.RETURNEES_OBSERVE) if actor is not None else []
    today = _today()
    outcomes: dict[int, ReleaseOutcome] = {}
    with transaction.atomic():
        locked = list(
            Observation.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("person")
            .order_by("pk")
        )
        rows = [o for o in locked if any(o.division_code.startswith(k) for k in keys)]
        checks: dict[int, list[DailyCheck]] = {o.pk: [] for o in rows}
        for check in DailyCheck.objects.filter(observation_id__in=list(checks)):
            checks[check.observation_id].append(check)
        now = timezone.now()
        released: list[Observation] = []
        for obs in rows:
            outcome = ReleaseOutcome(obs.pk, ReleaseResult.HELD, [], obs.status, obs.person.name)
            outcomes[obs.pk] = outcome
            if obs.status != ObservationStatus.ACTIVE:
                outcome.result = ReleaseResult.NOT_ACTIVE
                continue
            outcome.holds = release_holds(obs, checks[obs.pk], today)
            if any(not h.clearable for h in outcome.holds):
                continue
            if outcome.holds and clearance is None:
                continue
            updated = Observation.objects.filter(pk=obs.pk, status=ObservationStatus.ACTIVE).update(
                status=ObservationStatus.RELEASED, ended_at=now, updated_at=now
            )
            if not updated:  # changed under us despite the lock (SQLite has no row locks)
                outcome.result = ReleaseResult.NOT_ACTIVE
                continue
            obs.status, obs.ended_at = ObservationStatus.RELEASED, now
            outcome.result, outcome.status = ReleaseResult.RELEASED, obs.status
            released.append(obs)
            if outcome.holds:
                assert clearance is not None
                outcome.cleared = True
                record_audit(
                    actor,
                    "observation.release_cleared",
                    obs,
                    cleared_by=clearance.by,
                    reason=clearance.reason,
                    overridden=[h.as_dict() for h in outcome.holds],
                )
            else:
                record_audit(actor, "observation.released", obs)
        bump_many(
            [(metrics.UNDER_OBSERVATION, o.division_code, today, -1) for o in released]
            + [(metrics.RELEASED, o.division_code, today, 1) for o in released]
        )
    return [outcomes.get(i) or ReleaseOutcome(i, ReleaseResult.NOT_FOUND, []) for i in ids]


def check_record(
    *,
    actor: Any,
    observation: Observation,
    temperature: Decimal | str | float,
    symptoms: Iterable[str] = (),
    contact: str = ContactMethod.VISIT,
    note: str = "",
    checked_at: datetime | None = None,
) -> DailyCheck:
    """Record a check of an active observation: every check is kept, several a day if
    needed (when, by whom, how contacted); nothing overwrites an earlier reading.

    ``checked_at`` is when the check was made, if earlier than now (a check made with no
    signal arrives later): it dates the check and its figures, never in the future and never
    before the observation began.

    The dashboard's figures count people, not readings: ``checks_done`` bumps on the
    observation's first check of the day, ``fever`` on its first fever reading of the day,
    whichever check of the day that is. The observation row is locked, so a check and a
    release of the same person happen one after the other, never across each other.
    """
    _check_actor_over(actor, observation.division_code, Perm.RETURNEES_OBSERVE)
    errors: dict[str, list[str]] = {}
    try:
        temp = Decimal(str(temperature)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        temp = Decimal(0)
    if not temp.is_finite():  # NaN or infinity: no reading
        temp = Decimal(0)
    if not Decimal("34.0") <= temp <= Decimal("43.0"):
        errors["temperature"] = [_("A body temperature lies between 34.0 and 43.0 °C.")]
    chosen = [s for s in symptoms if s]
    if any(s not in Symptom.values for s in chosen):
        errors["symptoms"] = [_("Unknown symptom.")]
    if contact not in ContactMethod.values:
        errors["contact"] = [_("Unknown way of contact.")]
    now = timezone.now()
    at = now if checked_at is None else checked_at
    if timezone.is_naive(at):
        errors["checked_at"] = [_("Give the time of the check with its time zone.")]
    elif at > now + timedelta(minutes=5):
        errors["checked_at"] = [_("A check cannot be recorded for a time still to come.")]
    elif timezone.localdate(at) < observation.start_date:
        errors["checked_at"] = [
            _("The observation began on %(day)s: a check cannot come before it.")
            % {"day": observation.start_date.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate(at)
    with transaction.atomic():
        locked = Observation.objects.select_for_update().filter(pk=observation.pk).first()
        if locked is None or locked.status != ObservationStatus.ACTIVE:
            raise ValidationError(_("Checks are recorded only while under observation."))
        earlier = list(
            DailyCheck.objects.filter(observation=locked, day=today).values_list(
                "temperature", flat=True
            )
        )
        check = DailyCheck.objects.create(
            observation=locked,
            day=today,
            temperature=temp,
            symptoms=",".join(sorted(set(chosen))),
            contact=contact,
            note=note.strip(),
            checked_by=actor,
            checked_at=at,
            division_code=locked.division_code,
        )
        if not earlier:
            bump(metrics.CHECKS_DONE, locked.division_code, today)
        if check.is_fever and not any(t >= FEVER_FROM for t in earlier):
            bump(metrics.FEVER, locked.division_code, today)
        record_audit(actor, "observation.check", locked, temperature=str(temp), check=check.pk)
        fever_alert(actor=actor, check=check)
    return check


# --- units, risk areas, merge ---------------------------------------------------------------


def work_unit_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    division_code: str,
    uscc: str = "",
    admins: Iterable[Any] = (),
) -> WorkUnit:
    errors: dict[str, list[str]] = {}
    code = ""
    if not name.strip():
        errors["name"] = [_("Name is required.")]
    if kind not in UnitKind.values:
        errors["kind"] = [_("Unknown kind of unit.")]
    credit: str | None = None
    if uscc.strip():
        try:
            credit = normalize_uscc(uscc)
        except InvalidNumber as exc:
            errors["uscc"] = [number_error(exc)]
        else:
            if WorkUnit.objects.filter(uscc=credit).exists():
                errors["uscc"] = [_("A unit with this credit code already exists.")]
    try:
        code = division_scope_key(division_code)
    except InvalidNumber:
        errors["division_code"] = [_("Unknown division code.")]
    division = Division.objects.filter(code=code).first() if code else None
    if code and division is None:
        errors["division_code"] = [_("Unknown division code.")]
    admins = list(admins)
    if division is not None:
        admin_error = _unit_admins_error(admins, division.code)
        if admin_error:
            errors["admins"] = [admin_error]
    if errors:
        raise ValidationError(errors)
    assert division is not None
    _check_actor_over(actor, division.code, Perm.RETURNEES_REGISTER)
    with transaction.atomic():
        unit = WorkUnit.objects.create(
            name=name.strip(),
            kind=kind,
            uscc=credit,
            division=division,
            division_code=division.code,
        )
        unit.admins.set(admins)
        record_audit(actor, "workunit.create", unit, admins=[u.pk for u in admins])
    return unit


def _unit_admins_error(admins: list[Any], division_code: str) -> str:
    for user in admins:
        if not getattr(user, "is_active", False) or not user.can(
            Perm.RETURNEES_UNIT, division_code
        ):
            return _(
                "%(user)s is not a work unit administrator of this place: give them the role first."
            ) % {"user": user}
    return ""


def work_unit_set_admins(*, actor: Any, unit: WorkUnit, admins: Iterable[Any]) -> WorkUnit:
    """Name the users who confirm this unit's own staff (each holds the unit administrator
    role over the unit's place); staff who may register there decide. Audited."""
    _check_actor_over(actor, unit.division_code, Perm.RETURNEES_REGISTER)
    chosen = list(admins)
    error = _unit_admins_error(chosen, unit.division_code)
    if error:
        raise ValidationError({"admins": [error]})
    with transaction.atomic():
        before = sorted(unit.admins.values_list("pk", flat=True))
        after = sorted(u.pk for u in chosen)
        if before != after:
            unit.admins.set(chosen)
            record_audit(actor, "workunit.admins", unit, before=before, after=after)
    return unit


def risk_area_create(*, actor: Any, province: str, city: str = "") -> RiskArea:
    """An HQ adds a place to the current period's risk-area list."""
    keys = actor.scope_keys(Perm.DIRECTIVES_PUBLISH) if actor is not None else []
    if not keys:
        raise ValidationError(_("Only an HQ may keep the risk-area list."))
    if not province.strip():
        raise ValidationError({"province": [_("Province or country is required.")]})
    with transaction.atomic():
        area = RiskArea.objects.create(
            province=province.strip(),
            city=city.strip(),
            period=EmergencyPeriod.current(),
            division_code=min(keys, key=len),
        )
        record_audit(actor, "riskarea.create", area)
    return area


def risk_area_deactivate(*, actor: Any, area: RiskArea) -> RiskArea:
    if actor is None or not any(
        area.division_code.startswith(k) for k in actor.scope_keys(Perm.DIRECTIVES_PUBLISH)
    ):
        raise ValidationError(_("Only the HQ that keeps this list may change it."))
    with transaction.atomic():
        area.active = False
        area.save(update_fields=["active", "updated_at"])
        record_audit(actor, "riskarea.deactivate", area)
    return area


def person_merge(*, actor: Any, keep: Person, merge: Person) -> Person:
    """Merge a near-duplicate into ``keep``: trips and observations follow; audited."""
    if keep.pk == merge.pk:
        raise ValidationError(_("A person cannot be merged into themselves."))
    keys = actor.scope_keys(Perm.RETURNEES_REGISTER) if actor is not None else []
    for person in (keep, merge):
        if not any(person.division_code.startswith(k) for k in keys):
            raise ValidationError(_("Both people must be inside your jurisdiction."))
    with transaction.atomic():
        kept_days = set(keep.trips.values_list("departure_date", flat=True))
        clashing = merge.trips.filter(departure_date__in=kept_days)
        if clashing.exists():
            raise ValidationError(
                _("Both people have a trip leaving on the same day: edit one trip first.")
            )
        moved = ReturnTrip.objects.filter(person=merge).update(person=keep)
        Observation.objects.filter(person=merge).update(person=keep)
        record_audit(
            actor,
            "person.merge",
            keep,
            merged_id=merge.pk,
            merged_id_number=merge.id_number[:6] + "…" + merge.id_number[-4:],
            trips=moved,
        )
        merge.delete()
    return keep


# --- public page and personal data --------------------------------------------------------


def personal_data_viewed(*, actor: Any, person: Person, division_code: str) -> None:
    """Audit that ``actor`` saw a person's unmasked ID number and phone."""
    with transaction.atomic():
        record_audit(actor, "person.view_unmasked", person, division_code=division_code)


def trips_exported(*, actor: Any, count: int, unmasked: bool, filters: dict[str, Any]) -> None:
    """Audit an export of the returnee list."""
    keys = actor.scope_keys(Perm.RETURNEES_VIEW)
    with transaction.atomic():
        record_audit(
            actor,
            "returnee.export",
            None,
            division_code=min(keys, key=len) if keys else "",
            count=count,
            unmasked=unmasked,
            filters=filters,
        )


# --- organised transport ----------------------------------------------------------------------


def convoy_create(
    *,
    actor: Any,
    kind: str,
    vehicle: str,
    driver_name: str,
    driver_mobile: str,
    route: str,
    departure_at: Any,
    key_group: str,
    division_code: str,
    seats_per_row: int = 4,
) -> Convoy:
    """Plan a chartered coach or train carriage; its manifest is open until confirmed."""
    errors: dict[str, list[str]] = {}
    if kind not in ConvoyKind.values:
        errors["kind"] = [_("Unknown kind of transport.")]
    if not vehicle.strip():
        errors["vehicle"] = [_("The vehicle is required.")]
    elif kind == ConvoyKind.COACH:
        try:
            vehicle = normalize_plate(vehicle)
        except InvalidNumber as exc:
            errors["vehicle"] = [number_error(exc)]
    try:
        mobile = normalize_mobile(driver_mobile)
    except InvalidNumber as exc:
        errors["driver_mobile"] = [number_error(exc)]
        mobile = ""
    if key_group not in _KEY_GROUPS:
        errors["key_group"] = [_("Unknown key group.")]
    if not 1 <= seats_per_row <= 6:
        errors["seats_per_row"] = [_("A row has from 1 to 6 seats.")]
    try:
        division = Division.objects.filter(code=division_scope_key(division_code)).first()
    except InvalidNumber:
        division = None
    if division is None:
        errors["division_code"] = [_("Unknown division code.")]
    if errors:
        raise ValidationError(errors)
    assert division is not None
    _check_actor_over(actor, division.code, Perm.RETURNEES_REGISTER)
    with transaction.atomic():
        convoy = Convoy.objects.create(
            kind=kind,
            vehicle=vehicle.strip(),
            driver_name=driver_name.strip(),
            driver_mobile=mobile,
            route=route.strip(),
            departure_at=departure_at,
            key_group=key_group,
            seats_per_row=seats_per_row,
            division=division,
            division_code=division.code,
        )
        record_audit(actor, "convoy.create", convoy)
    return convoy


MANIFEST_FILE_BYTES = 2 * 1024 * 1024
MANIFEST_MAX_ROWS = 2000


def manifest_lines_from_file(data: bytes, filename: str) -> str:
    """A manifest spreadsheet (xlsx, or CSV in UTF-8 or GBK) as the lines
    ``convoy_add_passengers`` takes: one line a row, so that a problem's line number is the
    row number; a header row (no seat number first) is left out."""
    from fangkong.lib.spreadsheet import Columns, SpreadsheetError, read_spreadsheet

    try:
        sheet = read_spreadsheet(
            data,
            filename,
            columns=Columns({}),
            header_keys=(),
            max_rows=MANIFEST_MAX_ROWS,
            max_bytes=MANIFEST_FILE_BYTES,
        )
    except SpreadsheetError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    rows = sheet.rows

    def cell(value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value if value is not None else "").replace("\t", " ").strip()

    lines = []
    for row in rows:
        cells = [cell(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        lines.append("\t".join(cells) if cells and cells[0].isdigit() else "")
    return "\n".join(lines)


def convoy_add_passengers(*, actor: Any, convoy: Convoy, lines: str) -> list[Passenger]:
    """Add manifest lines ``seat, name, ID number, mobile, community code[, work unit]``
    (comma, tab or Chinese comma separated). All or nothing: errors name the line."""
    _check_actor_over(actor, convoy.division_code, Perm.RETURNEES_REGISTER)
    if convoy.status != ConvoyStatus.PLANNED:
        raise ValidationError(_("The manifest is confirmed: it can no longer change."))
    import re

    errors: list[str] = []
    rows: list[Passenger] = []
    taken_seats = set(convoy.passengers.values_list("seat", flat=True))
    taken_ids = set(convoy.passengers.values_list("id_number", flat=True))
    for number, raw in enumerate(lines.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in re.split(r"[,\t，]", raw)]
        if len(parts) < 5:
            errors.append(
                _("line %(n)d: expected seat, name, ID number, mobile, community code")
                % {"n": number}
            )
            continue
        seat_text, name, id_text, mobile_text, code = parts[:5]
        problems = []
        seat = int(seat_text) if seat_text.isdigit() else 0
        if seat < 1:
            problems.append(_("seat must be a number from 1"))
        elif seat in taken_seats:
            problems.append(_("seat %(s)d is taken") % {"s": seat})
        try:
            info = parse_id_number(id_text)
        except InvalidNumber as exc:
            problems.append(number_error(exc))
            info = None
        if info is not None and info.number in taken_ids:
            problems.append(_("this person is already on the manifest"))
        try:
            mobile = normalize_mobile(mobile_text) if mobile_text else ""
        except InvalidNumber as exc:
            problems.append(number_error(exc))
            mobile = ""
        try:
            division = Division.objects.filter(
                code=division_scope_key(code), level=Level.VILLAGE
            ).first()
        except InvalidNumber:
            division = None
        if division is None:
            problems.append(_("unknown community code %(c)s") % {"c": code})
        if not name:
            problems.append(_("name is required"))
        if problems:
            errors.append(
                _("line %(n)d: %(p)s") % {"n": number, "p": "; ".join(str(p) for p in problems)}
            )
            continue
        assert info is not None and division is not None
        taken_seats.add(seat)
        taken_ids.add(info.number)
        rows.append(
            Passenger(
                convoy=convoy,
                seat=seat,
                id_number=info.number,
                name=name,
                mobile=mobile,
                division=division,
                work_unit_name=parts[5] if len(parts) > 5 else "",
            )
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Passenger.objects.bulk_create(rows)
        record_audit(actor, "convoy.manifest_add", convoy, passengers=len(rows))
    return rows


def convoy_confirm_manifest(*, actor: Any, convoy: Convoy) -> Convoy:
    """Confirm the manifest (planned → confirmed): every passenger's trip is registered at
    once, in one transaction; an error names the seat and nothing is registered."""
    _check_actor_over(actor, convoy.division_code, Perm.RETURNEES_REGISTER)
    passengers = list(convoy.passengers.select_related("division"))
    if not passengers:
        raise ValidationError(_("The manifest is empty."))
    departure = timezone.localdate(convoy.departure_at)
    with transaction.atomic():
        updated = Convoy.objects.filter(pk=convoy.pk, status=ConvoyStatus.PLANNED).update(
            status=ConvoyStatus.CONFIRMED, confirmed_at=timezone.now(), updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError(_("The manifest is already confirmed."))
        for passenger in passengers:
            data = TripData(
                id_number=passenger.id_number,
                name=passenger.name,
                mobile=passenger.mobile,
                key_group=convoy.key_group,
                departure_date=departure,
                division_code=passenger.division.code,
                transport=Transport.COACH if convoy.kind == ConvoyKind.COACH else Transport.TRAIN,
                transport_number=convoy.vehicle,
                origin_province=convoy.route.split("→")[0].strip()[:50],
                work_unit_name=passenger.work_unit_name,
                notes=str(_("Organised transport, seat %(s)d") % {"s": passenger.seat}),
            )
            try:
                trip = returnee_register(actor=actor, data=data)
            except ValidationError as exc:
                raise ValidationError(
                    _("seat %(s)d: %(m)s") % {"s": passenger.seat, "m": " ".join(exc.messages)}
                ) from None
            passenger.trip = trip
            passenger.save(update_fields=["trip"])
        convoy.refresh_from_db()
        record_audit(actor, "convoy.confirm", convoy, passengers=len(passengers))
    return convoy


def transit_check_record(
    *, actor: Any, passenger: Passenger, stage: str, temperature: Decimal | str | float
) -> TransitCheck:
    """Record a passenger's temperature at boarding or on arrival; a fever flags the
    passenger and the seats around them."""
    convoy = passenger.convoy
    _check_actor_over(actor, convoy.division_code, Perm.RETURNEES_REGISTER)
    if stage not in TransitStage.values:
        raise ValidationError({"stage": [_("Unknown stage.")]})
    try:
        temp = Decimal(str(temperature)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        temp = Decimal(0)
    if not Decimal("34.0") <= temp <= Decimal("43.0"):
        raise ValidationError(
            {"temperature": [_("A body temperature lies between 34.0 and 43.0 °C.")]}
        )
    with transaction.atomic():
        check, _created = TransitCheck.objects.update_or_create(
            passenger=passenger,
            stage=stage,
            defaults={"temperature": temp, "checked_by": actor, "checked_at": timezone.now()},
        )
        if check.is_fever:
            reason = str(
                _("Fever %(t)s °C on board, seat %(s)d") % {"t": temp, "s": passenger.seat}
            )
            Passenger.objects.filter(pk=passenger.pk).update(flagged=True, flag_reason=reason)
            Passenger.objects.filter(
                convoy=convoy, seat__in=convoy.neighbours(passenger.seat), flagged=False
            ).update(flagged=True, flag_reason=reason)
            passenger.refresh_from_db()
        record_audit(actor, "convoy.transit_check", convoy, seat=passenger.seat, stage=stage)
    return check
