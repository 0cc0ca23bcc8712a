"""Write use cases of checkpoints: the approval workflow, unauthorised-checkpoint reports,
duty shifts and the passage log (one passage, or a device's batch)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.checkpoints import metrics
from fangkong.checkpoints.models import (
    BANNER_KEY_LENGTH,
    Checkpoint,
    Direction,
    Kind,
    Passage,
    ReportStatus,
    Result,
    Shift,
    Status,
    Subject,
    Transition,
    UnauthorisedReport,
    approval_hq_code,
)
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump, bump_many
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, normalize_plate, parse_id_number

MAX_BATCH = 1000
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_SHIFT = timedelta(hours=24)
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))
# Unauthorised-checkpoint reports per source (a user, or a hashed IP address) per hour.
REPORT_LIMIT_PUBLIC = 3
REPORT_LIMIT_USER = 10


class NotOpen(ValidationError):
    """The checkpoint is not open, so it cannot log passages."""


class RateLimited(ValidationError):
    """Too many reports from one source in the last hour."""


# --- checkpoints: request and status changes --------------------------------------------------


def may_decide(actor: User, checkpoint: Checkpoint) -> bool:
    """Whether ``actor`` commands the HQ that approves this checkpoint (exactly that level)."""
    return checkpoint.approval_code in actor.scope_keys(Perm.CHECKPOINTS_APPROVE)


def _require(actor: User, permission: str, code: str) -> None:
    if not actor.can(permission, code):
        raise PermissionDenied(_("You may not do this for this place."))


def _details_errors(
    *, name: str, department: str, latitude: Decimal | None, longitude: Decimal | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the checkpoint a name.")
    if not department.strip():
        errors["department"] = _("Name the requesting department.")
    if (latitude is None) != (longitude is None):
        errors["longitude"] = _("Give both latitude and longitude, or neither.")
    return errors


def checkpoint_request(
    *,
    actor: User,
    name: str,
    division: Division,
    kind: str,
    department: str,
    reason: str,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    planned_hours: str = "24h",
    min_staff: int = 2,
) -> Checkpoint:
    """Ask the HQ at the right level to approve a new checkpoint."""
    _require(actor, Perm.CHECKPOINTS_REQUEST, division.code)
    errors = _details_errors(
        name=name, department=department, latitude=latitude, longitude=longitude
    )
    if kind not in Kind.values:
        errors["kind"] = _("Choose a kind of checkpoint.")
    if not reason.strip():
        errors["reason"] = _("Say why the checkpoint is needed.")
    if not 1 <= min_staff <= 50:
        errors["min_staff"] = _("A shift needs from 1 to 50 people.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        checkpoint = Checkpoint.objects.create(
            name=name.strip(),
            division=division,
            division_code=division.code,
            kind=kind,
            location=location.strip(),
            latitude=latitude,
            longitude=longitude,
            department=department.strip(),
            reason=reason.strip(),
            planned_hours=planned_hours.strip() or "24h",
            min_staff=min_staff,
            status=Status.REQUESTED,
            approval_code=approval_hq_code(kind, division.code),
            requested_by=actor,
            status_changed_at=now,
        )
        Transition.objects.create(
            checkpoint=checkpoint,
            division_code=checkpoint.division_code,
            from_status="",
            to_status=Status.REQUESTED,
            actor=actor,
            reason=checkpoint.reason,
            at=now,
        )
        record_audit(actor, "checkpoint.request", checkpoint, reason=checkpoint.reason)
        bump(metrics.REQUESTED, checkpoint.division_code, timezone.localdate(now))
    return checkpoint


def _transition(
    *,
    actor: User,
    checkpoint: Checkpoint,
    allowed: Iterable[str],
    to: str,
    verb: str,
    reason: str,
) -> Checkpoint:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for this change.")})
    now = timezone.now()
    with transaction.atomic():
        locked = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
        if locked.status not in allowed:
            raise ValidationError(
                _("This change is not allowed while the checkpoint is %(status)s.")
                % {"status": locked.get_status_display()}
            )
        source = locked.status
        locked.status = to
        locked.status_changed_at = now
        fields = ["status", "status_changed_at", "updated_at"]
        if to in (Status.APPROVED, Status.REJECTED):
            locked.decided_by = actor
            locked.decided_at = now
            fields += ["decided_by", "decided_at"]
        if to == Status.OPEN and locked.opened_at is None:
            locked.opened_at = now
            fields.append("opened_at")
        locked.save(update_fields=fields)
        Transition.objects.create(
            checkpoint=locked,
            division_code=locked.division_code,
            from_status=source,
            to_status=to,
            actor=actor,
            reason=reason.strip(),
            at=now,
        )
        record_audit(
            actor, f"checkpoint.{verb}", locked, reason=reason.strip(), from_status=source, to=to
        )
        day = timezone.localdate(now)
        if to == Status.APPROVED:
            bump(metrics.APPROVED, locked.division_code, day)
        if to == Status.REJECTED:
            bump(metrics.REJECTED, locked.division_code, day)
        if to == Status.OPEN:
            bump(metrics.OPEN, locked.division_code, day, 1)
        if source == Status.OPEN:
            bump(metrics.OPEN, locked.division_code, day, -1)
    checkpoint.refresh_from_db()
    return checkpoint


def _require_decider(actor: User, checkpoint: Checkpoint) -> None:
    if not may_decide(actor, checkpoint):
        raise PermissionDenied(
            _("Only a commander of the HQ at code %(code)s may decide on this checkpoint.")
            % {"code": checkpoint.approval_code}
        )


def checkpoint_approve(*, actor: User, checkpoint: Checkpoint, reason: str) -> Checkpoint:
    _require_decider(actor, checkpoint)
    return _transition(
        actor=actor,
        checkpoint=checkpoint,
        allowed=[Status.REQUESTED],
        to=Status.APPROVED,
        verb="approve",
        reason=reason,
    )


def checkpoint_reject(*, actor: User, checkpoint: Checkpoint, reason: str) -> Checkpoint:
    _require_decider(actor, checkpoint)
    return _transition(
        actor=actor,
        checkpoint=checkpoint,
        allowed=[Status.REQUESTED],
        to=Status.REJECTED,
        verb="reject",
        reason=reason,
    )


def checkpoint_open(*, actor: User, checkpoint: Checkpoint, reason: str) -> Checkpoint:
    """Start work at an approved checkpoint (its requesters or the HQ above)."""
    if not (
        actor.can(Perm.CHECKPOINTS_REQUEST, checkpoint.division_code)
        or actor.can(Perm.CHECKPOINTS_APPROVE, checkpoint.division_code)
    ):
        raise PermissionDenied(_("You may not do this for this place."))
    return _transition(
        actor=actor,
        checkpoint=checkpoint,
        allowed=[Status.APPROVED],
        to=Status.OPEN,
        verb="open",
        reason=reason,
    )


def checkpoint_suspend(*, actor: User, checkpoint: Checkpoint, reason: str) -> Checkpoint:
    _require(actor, Perm.CHECKPOINTS_APPROVE, checkpoint.division_code)
    return _transition(
        actor=actor,
        checkpoint=checkpoint,
        allowed=[Status.OPEN],
        to=Status.SUSPENDED,
        verb="suspend",
        reason=reason,
    )


def checkpoint_resume(*, actor: User, checkpoint: Checkpoint, reason: str) -> Checkpoint:
    _require(actor, Perm.CHECKPOINTS_APPROVE, checkpoint.division_code)
    return _transition(
        actor=actor,
        checkpoint=checkpoint,
        allowed=[Status.SUSPENDED],
        to=Status.OPEN,
        verb="resume",
        reason=reason,
    )


def checkpoint_close(*, actor: User, checkpoint: Checkpoint, reason: str) -> Checkpoint:
    _require(actor, Perm.CHECKPOINTS_APPROVE, checkpoint.division_code)
    return _transition(
        actor=actor,
        checkpoint=checkpoint,
        allowed=[Status.APPROVED, Status.OPEN, Status.SUSPENDED],
        to=Status.CLOSED,
        verb="close",
        reason=reason,
    )


def checkpoint_set_min_staff(*, actor: User, checkpoint: Checkpoint, min_staff: int) -> Checkpoint:
    """Change how many people a shift needs at this checkpoint (the roster keepers' call)."""
    _require(actor, Perm.CHECKPOINTS_REQUEST, checkpoint.division_code)
    if not 1 <= min_staff <= 50:
        raise ValidationError({"min_staff": _("A shift needs from 1 to 50 people.")})
    with transaction.atomic():
        before = checkpoint.min_staff
        checkpoint.min_staff = min_staff
        checkpoint.save(update_fields=["min_staff", "updated_at"])
        record_audit(actor, "checkpoint.set_min_staff", checkpoint, before=before, after=min_staff)
    return checkpoint


EDITABLE_FIELDS = ("name", "location", "latitude", "longitude", "department", "planned_hours")


def checkpoint_update(
    *,
    actor: User,
    checkpoint: Checkpoint,
    name: str,
    department: str,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    planned_hours: str = "24h",
) -> Checkpoint:
    """Correct a checkpoint's details. Its place and kind decide who approves it, so they stay."""
    if not (
        actor.can(Perm.CHECKPOINTS_REQUEST, checkpoint.division_code)
        or actor.can(Perm.CHECKPOINTS_APPROVE, checkpoint.division_code)
    ):
        raise PermissionDenied(_("You may not do this for this place."))
    if checkpoint.status in (Status.REJECTED, Status.CLOSED):
        raise ValidationError(_("A rejected or closed checkpoint is kept as it was."))
    errors = _details_errors(
        name=name, department=department, latitude=latitude, longitude=longitude
    )
    if errors:
        raise ValidationError(errors)
    after: dict[str, Any] = {
        "name": name.strip(),
        "location": location.strip(),
        "latitude": latitude,
        "longitude": longitude,
        "department": department.strip(),
        "planned_hours": planned_hours.strip() or "24h",
    }
    changes = {
        field: {"before": str(getattr(checkpoint, field)), "after": str(value)}
        for field, value in after.items()
        if getattr(checkpoint, field) != value
    }
    if not changes:
        return checkpoint
    with transaction.atomic():
        for field, value in after.items():
            setattr(checkpoint, field, value)
        checkpoint.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
        record_audit(actor, "checkpoint.update", checkpoint, changes=changes)
    return checkpoint


# --- unauthorised checkpoints -----------------------------------------------------------------


def unauthorised_report(
    *,
    actor: User | None,
    division: Division,
    location: str,
    description: str,
    source_key: str,
    reporter_name: str = "",
    reporter_phone: str = "",
) -> UnauthorisedReport:
    """Anyone reports a checkpoint found on a road without approval (rate-limited per source)."""
    errors: dict[str, str] = {}
    if not location.strip():
        errors["location"] = _("Say where the checkpoint is (road, kilometre, landmark).")
    if not description.strip():
        errors["description"] = _("Describe what you saw.")
    if errors:
        raise ValidationError(errors)
    logged_in = actor is not None and actor.is_authenticated
    limit = REPORT_LIMIT_USER if logged_in else REPORT_LIMIT_PUBLIC
    now = timezone.now()
    with transaction.atomic():
        recent = UnauthorisedReport.objects.filter(
            source_key=source_key, created_at__gte=now - timedelta(hours=1)
        ).count()
        if recent >= limit:
            raise RateLimited(
                _("Too many reports in the last hour (at most %(n)d). Please try again later.")
                % {"n": limit}
            )
        report = UnauthorisedReport.objects.create(
            division=division,
            division_code=division.code,
            location=location.strip()[:200],
            description=description.strip(),
            reporter_name=reporter_name.strip()[:60],
            reporter_phone=reporter_phone.strip()[:20],
            reported_by=actor if logged_in else None,
            source_key=source_key,
            created_at=now,
        )
        record_audit(actor if logged_in else None, "checkpoint.unauthorised_report", report)
        bump(metrics.UNAUTHORISED_REPORTED, report.division_code, timezone.localdate(now))
    return report


def unauthorised_resolve(
    *,
    actor: User,
    report: UnauthorisedReport,
    outcome: str,
    note: str,
    checkpoint: Checkpoint | None = None,
) -> UnauthorisedReport:
    """The HQ closes a report: removed, legitimised by an approved checkpoint, or false."""
    _require(actor, Perm.CHECKPOINTS_APPROVE, report.division_code)
    if outcome not in (ReportStatus.REMOVED, ReportStatus.LEGITIMISED, ReportStatus.FALSE_REPORT):
        raise ValidationError({"outcome": _("Choose how the report was resolved.")})
    if not note.strip():
        raise ValidationError({"note": _("Say what was found and done.")})
    if outcome == ReportStatus.LEGITIMISED:
        if checkpoint is None:
            raise ValidationError({"checkpoint": _("Name the approved checkpoint.")})
        if checkpoint.status not in (Status.APPROVED, Status.OPEN, Status.SUSPENDED):
            raise ValidationError({"checkpoint": _("That checkpoint has not been approved.")})
        if not actor.can(Perm.CHECKPOINTS_VIEW, checkpoint.division_code):
            raise ValidationError({"checkpoint": _("No such checkpoint.")})
    else:
        checkpoint = None
    now = timezone.now()
    with transaction.atomic():
        locked = UnauthorisedReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.OPEN:
            raise ValidationError(_("This report has already been resolved."))
        locked.status = outcome
        locked.resolution_note = note.strip()
        locked.resolved_by = actor
        locked.resolved_at = now
        locked.checkpoint = checkpoint
        locked.save(
            update_fields=[
                "status",
                "resolution_note",
                "resolved_by",
                "resolved_at",
                "checkpoint",
                "updated_at",
            ]
        )
        record_audit(
            actor,
            "checkpoint.unauthorised_resolve",
            locked,
            outcome=outcome,
            reason=note.strip(),
            checkpoint=checkpoint.pk if checkpoint else None,
        )
        bump(metrics.UNAUTHORISED_RESOLVED, locked.division_code, timezone.localdate(now))
    return locked


# --- duty shifts ------------------------------------------------------------------------------


def may_serve(user: User, checkpoint: Checkpoint) -> bool:
    """Whether ``user`` may be on a checkpoint's roster: duty rights in its banner."""
    banner = checkpoint.division_code[:BANNER_KEY_LENGTH]
    return any(
        key.startswith(banner) or banner.startswith(key)
        for key in user.scope_keys(Perm.CHECKPOINTS_DUTY)
    )


def _check_shift(
    checkpoint: Checkpoint, starts_at: datetime, ends_at: datetime, people: list[User]
) -> None:
    if checkpoint.status not in (Status.APPROVED, Status.OPEN, Status.SUSPENDED):
        raise ValidationError(_("Rosters are kept only for approved checkpoints."))
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("A shift must end after it starts.")
    elif ends_at - starts_at > MAX_SHIFT:
        errors["ends_at"] = _("A shift lasts at most 24 hours.")
    outside = [str(p) for p in people if not may_serve(p, checkpoint)]
    if outside:
        errors["members"] = _("Not on duty in this checkpoint's banner: %(names)s") % {
            "names": ", ".join(outside)
        }
    if errors:
        raise ValidationError(errors)


def shift_create(
    *,
    actor: User,
    checkpoint: Checkpoint,
    starts_at: datetime,
    ends_at: datetime,
    leader: User,
    members: Iterable[User] = (),
) -> Shift:
    _require(actor, Perm.CHECKPOINTS_REQUEST, checkpoint.division_code)
    people = [leader, *[m for m in members if m.pk != leader.pk]]
    _check_shift(checkpoint, starts_at, ends_at, people)
    with transaction.atomic():
        shift = Shift.objects.create(
            checkpoint=checkpoint,
            division_code=checkpoint.division_code,
            starts_at=starts_at,
            ends_at=ends_at,
            leader=leader,
        )
        shift.members.set(people[1:])
        record_audit(
            actor,
            "checkpoint.shift_create",
            shift,
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
            people=[p.username for p in people],
        )
    return shift


def shift_update(
    *,
    actor: User,
    shift: Shift,
    starts_at: datetime,
    ends_at: datetime,
    leader: User,
    members: Iterable[User] = (),
) -> Shift:
    """Change a shift's times or people; the handover note stays with it."""
    _require(actor, Perm.CHECKPOINTS_REQUEST, shift.division_code)
    people = [leader, *[m for m in members if m.pk != leader.pk]]
    _check_shift(shift.checkpoint, starts_at, ends_at, people)
    before = {
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "people": [shift.leader.username, *sorted(m.username for m in shift.members.all())],
    }
    with transaction.atomic():
        shift.starts_at = starts_at
        shift.ends_at = ends_at
        shift.leader = leader
        shift.save(update_fields=["starts_at", "ends_at", "leader", "updated_at"])
        shift.members.set(people[1:])
        record_audit(
            actor,
            "checkpoint.shift_update",
            shift,
            before=before,
            after={
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "people": [leader.username, *sorted(p.username for p in people[1:])],
            },
        )
    return shift


def shift_delete(*, actor: User, shift: Shift) -> None:
    _require(actor, Perm.CHECKPOINTS_REQUEST, shift.division_code)
    with transaction.atomic():
        record_audit(actor, "checkpoint.shift_delete", shift, starts_at=shift.starts_at)
        shift.delete()


def shift_handover(*, actor: User, shift: Shift, note: str) -> Shift:
    """The leader or a member (or the roster's keepers) writes the note for the next shift."""
    on_shift = shift.leader_id == actor.pk or shift.members.filter(pk=actor.pk).exists()
    if not on_shift:
        _require(actor, Perm.CHECKPOINTS_REQUEST, shift.division_code)
    if not note.strip():
        raise ValidationError({"note": _("Write the handover note.")})
    with transaction.atomic():
        shift.handover_note = note.strip()
        shift.handover_by = actor
        shift.handover_at = timezone.now()
        shift.save(update_fields=["handover_note", "handover_by", "handover_at", "updated_at"])
        record_audit(actor, "checkpoint.shift_handover", shift)
    return shift


# --- passages ---------------------------------------------------------------------------------


class InvalidPassage(ValueError):
    """One passage is not acceptable; ``str(exc)`` names the field and the rule."""


def _text(item: Mapping[str, Any], key: str, max_length: int) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidPassage(f"{key}: must be a string")
    value = value.strip()
    if len(value) > max_length:
        raise InvalidPassage(f"{key}: at most {max_length} characters")
    return value


def _choice(item: Mapping[str, Any], key: str, choices: list[str]) -> str:
    value = item.get(key)
    if value not in choices:
        raise InvalidPassage(f"{key}: must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


_DIRECTIONS = list(Direction.values)
_SUBJECTS = list(Subject.values)
_RESULTS = list(Result.values)


def clean_passage(
    item: Mapping[str, Any], *, checkpoint: Checkpoint, now: datetime
) -> dict[str, Any]:
    """Validate one passage in the wire format; returns the model's field values."""
    raw_at = item.get("at")
    if not isinstance(raw_at, str):
        raise InvalidPassage("at: must be an ISO 8601 time with a UTC offset")
    try:
        at = parse_datetime(raw_at)
    except ValueError:
        at = None
    if at is None:
        raise InvalidPassage(f"at: {raw_at[:40]!r} is not an ISO 8601 time")
    if at.tzinfo is None:
        raise InvalidPassage("at: must carry a UTC offset (e.g. +08:00)")
    if at > now + FUTURE_TOLERANCE:
        raise InvalidPassage("at: more than 5 minutes in the future")
    if checkpoint.opened_at is not None and at < checkpoint.opened_at:
        raise InvalidPassage(
            f"at: before the checkpoint opened ({checkpoint.opened_at.isoformat()})"
        )
    direction = _choice(item, "direction", _DIRECTIONS)
    subject = _choice(item, "subject", _SUBJECTS)
    result = _choice(item, "result", _RESULTS)
    plate = _text(item, "plate", 12)
    if plate:
        try:
            plate = normalize_plate(plate)
        except InvalidNumber as exc:
            raise InvalidPassage(f"plate: {exc}") from None
    elif subject == Subject.VEHICLE:
        raise InvalidPassage("plate: a vehicle needs its plate")
    person_name = _text(item, "person_name", 60)
    id_number = _text(item, "id_number", 20)
    if id_number:
        try:
            id_number = parse_id_number(id_number).number
        except InvalidNumber as exc:
            raise InvalidPassage(f"id_number: {exc}") from None
    if subject == Subject.PERSON and not (person_name or id_number):
        raise InvalidPassage("person_name: a person needs a name or an ID number")
    temperature = item.get("temperature")
    if temperature is not None:
        if isinstance(temperature, bool) or not isinstance(temperature, int | float | str):
            raise InvalidPassage("temperature: must be a number")
        try:
            temperature = Decimal(str(temperature)).quantize(Decimal("0.1"))
        except InvalidOperation:
            raise InvalidPassage("temperature: must be a number") from None
        low, high = TEMPERATURE_RANGE
        if not low <= temperature <= high:
            raise InvalidPassage(f"temperature: {temperature} is outside {low}–{high} °C")
    pass_serial = _text(item, "pass_serial", 40)
    if result == Result.FAST_PASSED and not pass_serial:
        raise InvalidPassage("pass_serial: a fast pass through the green channel needs its serial")
    return {
        "scan_ms": _timing(item, "scan_ms"),
        "log_ms": _timing(item, "log_ms"),
        "at": at,
        "direction": direction,
        "subject": subject,
        "plate": plate,
        "person_name": person_name,
        "id_number": id_number,
        "temperature": temperature,
        "result": result,
        "pass_serial": pass_serial,
    }


def _timing(item: Mapping[str, Any], key: str) -> int | None:
    """An optional timing the duty page adds (``scan_ms``, ``log_ms``); a timing that is not a
    sensible number of milliseconds is dropped, never a reason to lose the passage."""
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 <= value <= MAX_TIMING_MS:
        return None
    return round(value)


def _require_open(checkpoint: Checkpoint) -> None:
    if checkpoint.status != Status.OPEN:
        raise NotOpen(
            _("The checkpoint is %(status)s: only an open checkpoint logs passages.")
            % {"status": checkpoint.get_status_display()}
        )


_COLUMNS = (
    "client_uuid",
    "checkpoint_id",
    "division_code",
    "at",
    "direction",
    "subject",
    "plate",
    "person_name",
    "id_number",
    "temperature",
    "result",
    "pass_serial",
    "inspector_id",
    "created_at",
    "scan_ms",
    "log_ms",
)
_INSERT_CHUNK = 500
MAX_TIMING_MS = 24 * 3600 * 1000
_PG_TYPES = (
    "uuid",
    "bigint",
    "varchar",
    "timestamptz",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "numeric",
    "varchar",
    "varchar",
    "bigint",
    "timestamptz",
    "integer",
    "integer",
)


def _converters() -> list[Any]:
    """Per column, the function that turns a Python value into what the driver takes: the same
    result as ``Field.get_db_prep_save`` for these column types, without its per-call cost."""
    ops = connection.ops
    native_uuid = connection.features.has_native_uuid_field

    def as_uuid(value: uuid.UUID) -> Any:
        return value if native_uuid else value.hex

    if connection.vendor == "sqlite" and connection.timezone_name == "UTC":

        def as_datetime(value: datetime) -> Any:
            # What the SQLite backend's adapt_datetimefield_value returns, at a third the cost.
            return str(value.astimezone(UTC).replace(tzinfo=None))
    else:

        def as_datetime(value: datetime) -> Any:
            return ops.adapt_datetimefield_value(value)

    def as_decimal(value: Decimal | None) -> Any:
        return None if value is None else ops.adapt_decimalfield_value(value, 3, 1)

    def plain(value: Any) -> Any:
        return value

    special = {
        "client_uuid": as_uuid,
        "at": as_datetime,
        "created_at": as_datetime,
        "temperature": as_decimal,
    }
    return [special.get(name, plain) for name in _COLUMNS]


def _insert_passages(rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """INSERT … ON CONFLICT (client_uuid) DO NOTHING; returns the UUIDs actually stored."""
    table = Passage._meta.db_table
    convert = list(zip(_COLUMNS, _converters(), strict=True))
    stored: set[uuid.UUID] = set()
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    row_sql = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _insert_passages_postgresql(cursor, table, columns, convert, rows)
        for i in range(0, len(rows), _INSERT_CHUNK):
            chunk = rows[i : i + _INSERT_CHUNK]
            params = [fn(row[name]) for row in chunk for name, fn in convert]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - names from the model
                + ", ".join([row_sql] * len(chunk))
                + " ON CONFLICT (client_uuid) DO NOTHING RETURNING client_uuid",
                params,
            )
            for (value,) in cursor.fetchall():
                stored.add(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    return stored


def _insert_passages_postgresql(
    cursor: Any, table: str, columns: str, convert: list[Any], rows: list[dict[str, Any]]
) -> set[uuid.UUID]:
    """Skip the UUIDs already stored, COPY the rest; if a concurrent upload stored some of them
    in the meantime (unique violation), fall back to INSERT … ON CONFLICT DO NOTHING."""
    from psycopg import errors as pg_errors

    keys = [row["client_uuid"] for row in rows]
    cursor.execute(
        f"SELECT client_uuid FROM {table} WHERE client_uuid = ANY(%s::uuid[])",  # noqa: S608
        [keys],
    )
    existing = {value for (value,) in cursor.fetchall()}
    new = [row for row in rows if row["client_uuid"] not in existing]
    if not new:
        return set()
    try:
        with (
            transaction.atomic(),
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in new:
                copy.write_row([fn(row[name]) for name, fn in convert])
        return {row["client_uuid"] for row in new}
    except (IntegrityError, pg_errors.UniqueViolation):
        pass
    # One array per column: psycopg sends one parameter per column instead of one per value.
    arrays = [[fn(row[name]) for row in new] for name, fn in convert]
    casts = ", ".join(f"%s::{sql_type}[]" for sql_type in _PG_TYPES)
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({casts}) "  # noqa: S608
        "ON CONFLICT (client_uuid) DO NOTHING RETURNING client_uuid",
        arrays,
    )
    return {value for (value,) in cursor.fetchall()}


def _bump_passages(rows: Iterable[dict[str, Any]]) -> None:
    """A passage counts under its result, and a timed fast pass in the timing histograms."""
    tz = timezone.get_current_timezone()
    bumps: list[tuple[str, str, date, int]] = []
    for row in rows:
        bumps.append(
            (
                metrics.passage_metric(row["result"]),
                row["division_code"],
                row["at"].astimezone(tz).date(),
                1,
            )
        )
        bumps.extend(metrics.fast_pass_bumps(row))
    bump_many(bumps)


def passage_log(
    *,
    actor: User,
    checkpoint: Checkpoint,
    at: datetime,
    direction: str,
    subject: str,
    result: str,
    plate: str = "",
    person_name: str = "",
    id_number: str = "",
    temperature: Decimal | float | None = None,
    pass_serial: str = "",
    client_uuid: uuid.UUID | None = None,
) -> Passage:
    """Log one passage at an open checkpoint (the duty page, a verified green-channel pass).

    Idempotent by ``client_uuid``: logging the same UUID again returns the stored passage.
    Raises ``ValidationError`` naming the field when the passage is not acceptable.
    """
    _require(actor, Perm.CHECKPOINTS_DUTY, checkpoint.division_code)
    _require_open(checkpoint)
    now = timezone.now()
    item = {
        "at": at.isoformat(),
        "direction": direction,
        "subject": subject,
        "result": result,
        "plate": plate or None,
        "person_name": person_name or None,
        "id_number": id_number or None,
        "temperature": None if temperature is None else str(temperature),
        "pass_serial": pass_serial or None,
    }
    try:
        cleaned = clean_passage(item, checkpoint=checkpoint, now=now)
    except InvalidPassage as exc:
        field, _sep, message = str(exc).partition(": ")
        raise ValidationError({field: message}) from None
    key = client_uuid or uuid.uuid4()
    row = {
        **cleaned,
        "client_uuid": key,
        "checkpoint_id": checkpoint.pk,
        "division_code": checkpoint.division_code,
        "inspector_id": actor.pk,
        "created_at": now,
    }
    with transaction.atomic():
        if _insert_passages([row]):
            _bump_passages([row])
            passage = Passage.objects.get(client_uuid=key)
            record_audit(actor, "checkpoint.passage_log", passage, result=passage.result)
            return passage
    existing = Passage.objects.get(client_uuid=key)
    if existing.checkpoint_id != checkpoint.pk:
        raise ValidationError(
            {"client_uuid": _("This UUID was already used for another checkpoint.")}
        )
    return existing


@dataclass(frozen=True)
class SyncResult:
    client_uuid: str
    outcome: str  # "stored" | "duplicate" | "rejected"
    reason: str | None = None


def passages_sync(*, actor: User, checkpoint: Checkpoint, items: list[Any]) -> list[SyncResult]:
    """Store a device's batch of passages, idempotently by ``client_uuid``.

    Every item gets an outcome in request order: ``stored``, ``duplicate`` (already stored, by
    an earlier batch or earlier in this one) or ``rejected`` with the reason. Good items are
    stored even when others are rejected; all in one transaction.
    """
    _require(actor, Perm.CHECKPOINTS_DUTY, checkpoint.division_code)
    _require_open(checkpoint)
    if len(items) > MAX_BATCH:
        raise ValidationError(
            _("A batch holds at most %(max)d passages; this one has %(n)d.")
            % {"max": MAX_BATCH, "n": len(items)}
        )
    now = timezone.now()
    results: list[SyncResult | None] = [None] * len(items)
    rows: list[dict[str, Any]] = []
    row_index: dict[uuid.UUID, int] = {}
    first_seen: dict[uuid.UUID, int] = {}
    for index, item in enumerate(items):
        raw_key = item.get("client_uuid") if isinstance(item, dict) else None
        label = str(raw_key) if raw_key is not None else ""
        if not isinstance(item, dict):
            results[index] = SyncResult(label, "rejected", "item: must be a JSON object")
            continue
        try:
            key = uuid.UUID(str(raw_key)) if isinstance(raw_key, str) else None
        except ValueError:
            key = None
        if key is None:
            results[index] = SyncResult(label, "rejected", "client_uuid: must be a UUID")
            continue
        if key in first_seen:
            results[index] = SyncResult(
                label,
                "duplicate",
                f"client_uuid: same as item {first_seen[key] + 1} of this batch",
            )
            continue
        first_seen[key] = index
        try:
            cleaned = clean_passage(item, checkpoint=checkpoint, now=now)
        except InvalidPassage as exc:
            results[index] = SyncResult(label, "rejected", str(exc))
            continue
        cleaned.update(
            client_uuid=key,
            checkpoint_id=checkpoint.pk,
            division_code=checkpoint.division_code,
            inspector_id=actor.pk,
            created_at=now,
        )
        row_index[key] = index
        rows.append(cleaned)
    with transaction.atomic():
        stored = _insert_passages(rows) if rows else set()
        new_rows = [row for row in rows if row["client_uuid"] in stored]
        _bump_passages(new_rows)
        record_audit(
            actor,
            "checkpoint.passages_sync",
            checkpoint,
            items=len(items),
            stored=len(new_rows),
            duplicate=len(rows) - len(new_rows),
        )
    for row in rows:
        key = row["client_uuid"]
        outcome = "stored" if key in stored else "duplicate"
        results[row_index[key]] = SyncResult(str(items[row_index[key]]["client_uuid"]), outcome)
    # Duplicates within the batch point at an item that may itself have been rejected.
    final: list[SyncResult] = []
    for index, res in enumerate(results):
        assert res is not None
        if res.outcome == "duplicate" and res.reason and items[index] is not None:
            first = results[first_seen[uuid.UUID(str(items[index]["client_uuid"]))]]
            if first is not None and first.outcome == "rejected":
                res = SyncResult(res.client_uuid, "rejected", first.reason)
        final.append(res)
    return final


def passages_view_unmasked(*, actor: User, checkpoint: Checkpoint, count: int) -> None:
    """Seeing passages with full ID numbers is itself an audit entry."""
    with transaction.atomic():
        record_audit(actor, "checkpoint.passages_view_unmasked", checkpoint, count=count)
