"""Write use cases of checkpoints: the approval workflow, unauthorised-checkpoint reports,
duty shifts and the passage log (one passage, or a device's batch)."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.checkpoints import metrics
from fangkong.checkpoints.alerting import flagged_passage_alerts, request_waiting_alert
from fangkong.checkpoints.models import (
    BANNER_KEY_LENGTH,
    Checkpoint,
    Direction,
    Kind,
    Passage,
    PassFlag,
    ReportStatus,
    Result,
    Shift,
    Status,
    Subject,
    Transition,
    UnauthorisedReport,
    approval_hq_code,
    shift_times,
)
from fangkong.core.audit import record_audit
from fangkong.core.exceptions import Conflict
from fangkong.core.rollups import bump, bump_many
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, normalize_id_number, normalize_plate
from fangkong.lib.runtime import collector_paused
from fangkong.passes.models import GreenPass

MAX_BATCH = 1000
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_SHIFT = timedelta(hours=24)
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))


class NotOpen(Conflict):
    """The checkpoint is not open, so it cannot log passages."""


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
        request_waiting_alert(actor=actor, checkpoint=checkpoint)
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
    reporter_name: str = "",
    reporter_phone: str = "",
) -> UnauthorisedReport:
    """Anyone reports a checkpoint found on a road without approval (the page is rate-limited
    by ``fangkong.core.ratelimit``)."""
    errors: dict[str, str] = {}
    if not location.strip():
        errors["location"] = _("Say where the checkpoint is (road, kilometre, landmark).")
    if not description.strip():
        errors["description"] = _("Describe what you saw.")
    if errors:
        raise ValidationError(errors)
    logged_in = actor is not None and actor.is_authenticated
    now = timezone.now()
    with transaction.atomic():
        report = UnauthorisedReport.objects.create(
            division=division,
            division_code=division.code,
            location=location.strip()[:200],
            description=description.strip(),
            reporter_name=reporter_name.strip()[:60],
            reporter_phone=reporter_phone.strip()[:20],
            reported_by=actor if logged_in else None,
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


@dataclass(frozen=True)
class Clash:
    """One person of a planned shift already on ``other``, whose times overlap it."""

    person: User
    other: Shift

    def describe(self) -> str:
        return _("%(person)s is already on the shift at %(checkpoint)s, %(span)s.") % {
            "person": self.person,
            "checkpoint": self.other.checkpoint,
            "span": self.other.span_display(),
        }

    def as_record(self) -> dict[str, Any]:
        return {
            "person": self.person.username,
            "shift": self.other.pk,
            "checkpoint": self.other.checkpoint.name,
            "starts_at": self.other.starts_at.isoformat(),
            "ends_at": self.other.ends_at.isoformat(),
        }


class DoubleBooked(Conflict):
    """People of a planned shift are on another shift at the same time (at any checkpoint).
    The roster's keeper may still confirm it with a reason (an override, audited)."""

    api_hint = "Send it again with override_reason to confirm the double booking."

    def __init__(self, clashes: list[Clash]) -> None:
        self.clashes = clashes
        super().__init__([c.describe() for c in clashes], code="double_booked")

    @property
    def details(self) -> dict[str, Any]:
        return {"clashes": [c.as_record() for c in self.clashes]}


def _clashes(
    people: list[User], starts_at: datetime, ends_at: datetime, *, exclude: int | None = None
) -> list[Clash]:
    """Lock the people's rows (so two keepers booking one person at once take turns), then
    find every other shift of theirs that overlaps [starts_at, ends_at). Call inside the
    transaction that writes the shift."""
    ids = sorted({p.pk for p in people})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    others = (
        Shift.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        .filter(Q(leader_id__in=ids) | Q(members__in=ids))
        .exclude(pk=exclude)
        .select_related("checkpoint")
        .prefetch_related("members")
        .distinct()
        .order_by("starts_at", "pk")
    )
    by_id = {p.pk: p for p in people}
    clashes = []
    for other in others:
        on_it = {other.leader_id, *(m.pk for m in other.members.all())}
        clashes += [Clash(by_id[pk], other) for pk in ids if pk in on_it]
    return clashes


def _settle_clashes(actor: User, shift: Shift, clashes: list[Clash], override_reason: str) -> None:
    """Refuse a double booking, or record the keeper's confirmed override with its reason.
    The same person on an identical shift (same checkpoint and times) is a duplicate, never
    confirmed."""
    if not clashes:
        return
    same = [
        c
        for c in clashes
        if c.other.checkpoint_id == shift.checkpoint_id
        and (c.other.starts_at, c.other.ends_at) == (shift.starts_at, shift.ends_at)
    ]
    if same:
        raise ValidationError(
            [
                _("%(person)s is already on this same shift (%(span)s): it would be a copy.")
                % {"person": c.person, "span": c.other.span_display()}
                for c in same
            ],
            code="duplicate_shift",
        )
    if not override_reason.strip():
        raise DoubleBooked(clashes)
    record_audit(
        actor,
        "checkpoint.shift_override",
        shift,
        reason=override_reason.strip(),
        clashes=[c.as_record() for c in clashes],
    )


def shift_create(
    *,
    actor: User,
    checkpoint: Checkpoint,
    starts_at: datetime,
    ends_at: datetime,
    leader: User,
    members: Iterable[User] = (),
    override_reason: str = "",
) -> Shift:
    """Put people on duty. Anyone already on an overlapping shift (at any checkpoint) makes
    it a double booking: refused with ``DoubleBooked`` unless ``override_reason`` is given."""
    _require(actor, Perm.CHECKPOINTS_REQUEST, checkpoint.division_code)
    people = [leader, *[m for m in members if m.pk != leader.pk]]
    _check_shift(checkpoint, starts_at, ends_at, people)
    with transaction.atomic():
        clashes = _clashes(people, starts_at, ends_at)
        shift = Shift.objects.create(
            checkpoint=checkpoint,
            division_code=checkpoint.division_code,
            starts_at=starts_at,
            ends_at=ends_at,
            leader=leader,
        )
        _settle_clashes(actor, shift, clashes, override_reason)
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
    override_reason: str = "",
) -> Shift:
    """Change a shift's times or people; the handover note stays with it. The same
    double-booking rule as ``shift_create`` (the shift itself excluded)."""
    _require(actor, Perm.CHECKPOINTS_REQUEST, shift.division_code)
    people = [leader, *[m for m in members if m.pk != leader.pk]]
    _check_shift(shift.checkpoint, starts_at, ends_at, people)
    before = {
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "people": [shift.leader.username, *sorted(m.username for m in shift.members.all())],
    }
    with transaction.atomic():
        clashes = _clashes(people, starts_at, ends_at, exclude=shift.pk)
        shift.starts_at = starts_at
        shift.ends_at = ends_at
        shift.leader = leader
        _settle_clashes(actor, shift, clashes, override_reason)
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


MAX_REPEAT_DAYS = 31


@dataclass
class PlannedShift:
    """One shift a repeat or a week's copy would create, and what became of it."""

    checkpoint: Checkpoint
    starts_at: datetime
    ends_at: datetime
    leader: User
    members: list[User]
    source: Shift | None = None
    problems: list[str] = dataclasses.field(default_factory=list)
    double_booked: bool = False  # the only problem is a double booking (an override helps)

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    def times_display(self) -> str:
        return shift_times(self.starts_at, self.ends_at)

    def span_display(self) -> str:
        return f"{timezone.localtime(self.starts_at):%m-%d} {self.times_display()}"


class PlanRefused(Conflict):
    """Some shifts of a plan are refused, so none was created (all or nothing)."""

    def __init__(self, plans: list[PlannedShift]) -> None:
        self.plans = plans
        refused = [p for p in plans if p.refused]
        super().__init__(
            [f"{p.span_display()}: {' '.join(p.problems)}" for p in refused],
            code="plan_refused",
        )

    def api_detail(self, summary: str) -> str:
        refused = sum(p.refused for p in self.plans)
        return f"{refused} of {len(self.plans)} shifts are refused, so none was created. {summary}"

    @property
    def details(self) -> dict[str, Any]:
        return {
            "shifts": [
                {
                    "starts_at": p.starts_at,
                    "ends_at": p.ends_at,
                    "leader": p.leader.username,
                    "members": sorted(m.username for m in p.members),
                    "refused": p.refused,
                    "double_booked": p.double_booked,
                    "problems": p.problems,
                }
                for p in self.plans
            ]
        }


def _create_planned(
    actor: User, plans: list[PlannedShift], override_reason: str, *, dry_run: bool, verb: str
) -> list[PlannedShift]:
    """Create every planned shift through ``shift_create`` (the same rules, double bookings
    included), all or nothing: one refusal and none is kept, with every refusal listed.
    ``dry_run`` does the same and keeps nothing: the preview of the confirm step."""
    created: list[Shift] = []
    with transaction.atomic():
        for plan in plans:
            try:
                created.append(
                    shift_create(
                        actor=actor,
                        checkpoint=plan.checkpoint,
                        starts_at=plan.starts_at,
                        ends_at=plan.ends_at,
                        leader=plan.leader,
                        members=plan.members,
                        override_reason=override_reason,
                    )
                )
            except DoubleBooked as exc:
                plan.problems, plan.double_booked = list(exc.messages), True
            except ValidationError as exc:
                plan.problems, plan.double_booked = list(exc.messages), False
        refused = any(p.refused for p in plans)
        if refused or dry_run:
            transaction.set_rollback(True)
        elif created:
            record_audit(
                actor,
                verb,
                plans[0].checkpoint,
                shifts=[s.pk for s in created],
                override_reason=override_reason.strip(),
            )
    if refused and not dry_run:
        raise PlanRefused(plans)
    return plans


def shift_repeat(
    *, actor: User, shift: Shift, days: int, override_reason: str = "", dry_run: bool = False
) -> list[PlannedShift]:
    """The same shift (times, leader, members) on each of the next ``days`` days."""
    _require(actor, Perm.CHECKPOINTS_REQUEST, shift.division_code)
    if not 1 <= days <= MAX_REPEAT_DAYS:
        raise ValidationError(
            {"days": _("Repeat on 1 to %(max)s days.") % {"max": MAX_REPEAT_DAYS}}
        )
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    members = list(shift.members.all())
    plans = [
        PlannedShift(
            shift.checkpoint,
            start + timedelta(days=n),
            end + timedelta(days=n),
            shift.leader,
            members,
            source=shift,
        )
        for n in range(1, days + 1)
    ]
    return _create_planned(
        actor, plans, override_reason, dry_run=dry_run, verb="checkpoint.shift_repeat"
    )


def roster_copy_week(
    *,
    actor: User,
    checkpoint: Checkpoint,
    week_start: date,
    override_reason: str = "",
    dry_run: bool = False,
) -> list[PlannedShift]:
    """Every shift that starts in the 7 days from ``week_start``, again 7 days later."""
    _require(actor, Perm.CHECKPOINTS_REQUEST, checkpoint.division_code)
    tz = timezone.get_current_timezone()
    since = datetime.combine(week_start, datetime.min.time(), tzinfo=tz)
    sources = list(
        checkpoint.shifts.filter(starts_at__gte=since, starts_at__lt=since + timedelta(days=7))
        .select_related("leader")
        .prefetch_related("members")
        .order_by("starts_at", "pk")
    )
    if not sources:
        raise ValidationError(
            _("No shift starts in the week from %(day)s: nothing to copy.")
            % {"day": f"{week_start:%m-%d}"}
        )
    plans = [
        PlannedShift(
            checkpoint,
            timezone.localtime(s.starts_at) + timedelta(days=7),
            timezone.localtime(s.ends_at) + timedelta(days=7),
            s.leader,
            list(s.members.all()),
            source=s,
        )
        for s in sources
    ]
    return _create_planned(
        actor, plans, override_reason, dry_run=dry_run, verb="checkpoint.roster_copy_week"
    )


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


def _text(value: Any, key: str, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidPassage(f"{key}: must be a string")
    value = value.strip()
    if len(value) > max_length:
        raise InvalidPassage(f"{key}: at most {max_length} characters")
    return value


def _choice(value: Any, key: str, choices: frozenset[str], listed: str) -> str:
    if not (isinstance(value, str) and value in choices):
        raise InvalidPassage(f"{key}: must be one of {listed}, not {value!r}")
    return str(value)


_DIRECTIONS = frozenset(Direction.values)
_SUBJECTS = frozenset(Subject.values)
_RESULTS = frozenset(Result.values)
_DIRECTIONS_LISTED = ", ".join(Direction.values)
_SUBJECTS_LISTED = ", ".join(Subject.values)
_RESULTS_LISTED = ", ".join(Result.values)
_TENTH = Decimal("0.1")
_VEHICLE, _PERSON, _FAST_PASSED = str(Subject.VEHICLE), str(Subject.PERSON), str(Result.FAST_PASSED)
_MISSING, _UNKNOWN = str(PassFlag.MISSING), str(PassFlag.UNKNOWN)
_PROBLEM_FLAGS = {
    "revoked": str(PassFlag.REVOKED),
    "expired": str(PassFlag.EXPIRED),
    "not_yet_valid": str(PassFlag.NOT_YET_VALID),
}


def passage_cleaner(
    *, checkpoint: Checkpoint, now: datetime, extra: Mapping[str, Any] | None = None
) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A function that validates one passage in the wire format and returns the model's field
    values, raising ``InvalidPassage`` naming the field and the rule.

    ``extra`` (field values common to the batch) is merged into every result. Made once per
    batch: the bounds are computed once, and a plate, ID number or temperature
    that recurs within the batch is checked once (the check depends only on the value and on
    ``now``, both fixed for the batch).
    """
    latest = now + FUTURE_TOLERANCE
    opened_at = checkpoint.opened_at
    common = dict(extra or {})
    today = date.today()
    low, high = TEMPERATURE_RANGE
    plates: dict[str, str | InvalidPassage] = {}
    id_numbers: dict[str, str | InvalidPassage] = {}
    temperatures: dict[Any, Decimal | InvalidPassage] = {}

    def plate_of(text: str) -> str:
        found = plates.get(text)
        if found is None:
            try:
                found = normalize_plate(text)
            except InvalidNumber as exc:
                found = InvalidPassage(f"plate: {exc}")
            plates[text] = found
        if isinstance(found, InvalidPassage):
            raise found
        return found

    def id_number_of(text: str) -> str:
        found = id_numbers.get(text)
        if found is None:
            try:
                found = normalize_id_number(text, today=today)
            except InvalidNumber as exc:
                found = InvalidPassage(f"id_number: {exc}")
            id_numbers[text] = found
        if isinstance(found, InvalidPassage):
            raise found
        return found

    def temperature_of(value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidPassage("temperature: must be a number")
        found = temperatures.get(value)
        if found is None:
            try:
                number = Decimal(str(value)).quantize(_TENTH)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                found = InvalidPassage("temperature: must be a number")
            else:
                if low <= number <= high:
                    found = number
                else:
                    found = InvalidPassage(f"temperature: {number} is outside {low}–{high} °C")
            temperatures[value] = found
        if isinstance(found, InvalidPassage):
            raise found
        return found

    def clean(item: Mapping[str, Any]) -> dict[str, Any]:
        get = item.get
        raw_at = get("at")
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
        if at > latest:
            raise InvalidPassage("at: more than 5 minutes in the future")
        if opened_at is not None and at < opened_at:
            raise InvalidPassage(f"at: before the checkpoint opened ({opened_at.isoformat()})")
        # The common case (a plain string that is a valid choice, an absent text) is decided
        # inline; everything else goes through _choice and _text for the exact message.
        direction = get("direction")
        if direction.__class__ is not str or direction not in _DIRECTIONS:
            direction = _choice(direction, "direction", _DIRECTIONS, _DIRECTIONS_LISTED)
        subject = get("subject")
        if subject.__class__ is not str or subject not in _SUBJECTS:
            subject = _choice(subject, "subject", _SUBJECTS, _SUBJECTS_LISTED)
        result = get("result")
        if result.__class__ is not str or result not in _RESULTS:
            result = _choice(result, "result", _RESULTS, _RESULTS_LISTED)
        plate = get("plate")
        plate = "" if plate is None else _text(plate, "plate", 12)
        if plate:
            plate = plate_of(plate)
        elif subject == _VEHICLE:
            raise InvalidPassage("plate: a vehicle needs its plate")
        person_name = get("person_name")
        person_name = "" if person_name is None else _text(person_name, "person_name", 60)
        id_number = get("id_number")
        id_number = "" if id_number is None else _text(id_number, "id_number", 20)
        if id_number:
            id_number = id_number_of(id_number)
        if subject == _PERSON and not (person_name or id_number):
            raise InvalidPassage("person_name: a person needs a name or an ID number")
        temperature = get("temperature")
        if temperature is not None:
            temperature = temperature_of(temperature)
        pass_serial = get("pass_serial")
        pass_serial = "" if pass_serial is None else _text(pass_serial, "pass_serial", 40)
        scan_ms = get("scan_ms")
        log_ms = get("log_ms")
        return {
            **common,
            "scan_ms": None if scan_ms is None else _timing(scan_ms),
            "log_ms": None if log_ms is None else _timing(log_ms),
            "at": at,
            "direction": direction,
            "subject": subject,
            "plate": plate,
            "person_name": person_name,
            "id_number": id_number,
            "temperature": temperature,
            "result": result,
            "pass_serial": pass_serial,
            "flag": "",
        }

    return clean


def flag_fast_passes(rows: Iterable[dict[str, Any]]) -> None:
    """Set the ``flag`` of each fast-passed row whose pass the server knows is not good at the
    row's time (revoked, expired, not valid yet), does not know, or that names no pass. One
    query for all the rows. A flagged row is stored all the same: the vehicle did pass."""
    fast = [row for row in rows if row["result"] == _FAST_PASSED]
    if not fast:
        return
    standings = GreenPass.objects.standings({row["pass_serial"] for row in fast} - {""})
    for row in fast:
        serial = row["pass_serial"]
        standing = standings.get(serial) if serial else None
        if not serial:
            row["flag"] = _MISSING
        elif standing is None:
            row["flag"] = _UNKNOWN
        else:
            problem = standing.problem_at(row["at"])
            row["flag"] = _PROBLEM_FLAGS[problem] if problem else ""
            row["issuer_code"] = standing.division_code  # not stored: whom a flag alerts


def clean_passage(
    item: Mapping[str, Any], *, checkpoint: Checkpoint, now: datetime
) -> dict[str, Any]:
    """Validate one passage in the wire format; returns the model's field values."""
    return passage_cleaner(checkpoint=checkpoint, now=now)(item)


def _timing(value: Any) -> int | None:
    """An optional timing the duty page adds (``scan_ms``, ``log_ms``); a timing that is not a
    sensible number of milliseconds is dropped, never a reason to lose the passage."""
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
    "flag",
)
_INSERT_CHUNK = 500
MAX_TIMING_MS = 24 * 3600 * 1000


def _converters() -> list[Any]:
    """Per column, the function that turns a Python value into what the driver takes: the same
    result as ``Field.get_db_prep_save`` for these column types, without its per-call cost."""
    ops = connection.ops
    native_uuid = connection.features.has_native_uuid_field

    def as_uuid(value: uuid.UUID | str) -> Any:
        if native_uuid:
            return value
        return value.hex if isinstance(value, uuid.UUID) else value.replace("-", "")

    if connection.vendor == "sqlite" and connection.timezone_name == "UTC":

        def as_datetime(value: datetime) -> Any:
            # What the SQLite backend's adapt_datetimefield_value returns, at a third the cost.
            return str(value.astimezone(UTC).replace(tzinfo=None))
    else:

        def as_datetime(value: datetime) -> Any:
            return ops.adapt_datetimefield_value(value)

    def as_decimal(value: Decimal | None) -> Any:
        return None if value is None else ops.adapt_decimalfield_value(value, 3, 1)

    if connection.vendor == "postgresql":
        # psycopg takes UUIDs (or their text), aware datetimes and Decimals as they are: the
        # backend's adapt_* functions return them unchanged.
        return [_plain for _name in _COLUMNS]
    special = {
        "client_uuid": as_uuid,
        "at": as_datetime,
        "created_at": as_datetime,
        "temperature": as_decimal,
    }
    return [special.get(name, _plain) for name in _COLUMNS]


def _plain(value: Any) -> Any:
    return value


def _canonical_uuid(value: Any) -> str:
    """``str(uuid.UUID(value))`` for what the database hands back (a UUID, or SQLite's hex)."""
    if isinstance(value, str) and len(value) == 32 and value.islower():
        # SQLite's 32 lowercase hex digits: cut into the canonical groups.
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _db_rows(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows as tuples of driver values in ``_COLUMNS`` order."""
    pick = itemgetter(*_COLUMNS)
    special = [(i, fn) for i, fn in enumerate(_converters()) if fn is not _plain]
    if not special:
        return [pick(row) for row in rows]
    converted = []
    for row in rows:
        values = list(pick(row))
        for i, fn in special:
            values[i] = fn(values[i])
        converted.append(tuple(values))
    return converted


def _insert_passages(rows: list[dict[str, Any]]) -> set[str]:
    """INSERT … ON CONFLICT (client_uuid) DO NOTHING; returns the UUIDs actually stored, in
    their canonical text form (each row's ``client_uuid`` is a ``uuid.UUID`` or that text)."""
    table = Passage._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    row_sql = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    values = _db_rows(rows)
    stored: set[str] = set()
    with connection.cursor() as cursor:
        for i in range(0, len(values), _INSERT_CHUNK):
            chunk = values[i : i + _INSERT_CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - names from the model
                + ", ".join([row_sql] * len(chunk))
                + " ON CONFLICT (client_uuid) DO NOTHING RETURNING client_uuid",
                [value for row in chunk for value in row],
            )
            stored.update(_canonical_uuid(value) for (value,) in cursor.fetchall())
    return stored


def _insert_new_passages(rows: list[dict[str, Any]]) -> None:
    """Write rows whose UUIDs were not stored a moment ago, by the cheapest bulk path: COPY on
    PostgreSQL, ``executemany`` on SQLite. A concurrent upload of the same UUIDs in the meantime
    makes it fail on the unique key (and the caller redo it with ``_insert_passages``)."""
    table = Passage._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    values = _db_rows(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                write_row = copy.write_row
                for row in values:
                    write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from the model
            f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})",
            values,
        )


def _stored_uuids(keys: list[str]) -> set[str]:
    """Which of these canonical UUIDs are stored already: one query with one parameter."""
    table = Passage._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT client_uuid::text FROM {table} "  # noqa: S608 - names from the model
                "WHERE client_uuid = ANY(string_to_array(%s, ',')::uuid[])",
                [",".join(keys)],
            )
            return {value for (value,) in cursor.fetchall()}
        as_uuid = _converters()[0]
        cursor.execute(
            f"SELECT client_uuid FROM {table} "  # noqa: S608 - names from the model
            "WHERE client_uuid IN (SELECT value FROM json_each(%s))",
            [json.dumps([as_uuid(key) for key in keys])],
        )
        return {_canonical_uuid(value) for (value,) in cursor.fetchall()}


def _bump_passages(rows: Iterable[dict[str, Any]]) -> None:
    """A passage counts under its result, a pass checked or flagged, and a timed fast pass in
    the timing histograms (``metrics.passage_bumps``)."""
    bumps: list[tuple[str, str, date, int]] = []
    for row in rows:
        bumps.extend(metrics.passage_bumps(row))
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
        flag_fast_passes([row])
        if _insert_passages([row]):
            _bump_passages([row])
            flagged_passage_alerts(actor=actor, checkpoint=checkpoint, rows=[row])
            passage = Passage.objects.get(client_uuid=key)
            record_audit(
                actor, "checkpoint.passage_log", passage, result=passage.result, flag=passage.flag
            )
            return passage
    existing = Passage.objects.get(client_uuid=key)
    if existing.checkpoint_id != checkpoint.pk:
        raise ValidationError(
            {"client_uuid": _("This UUID was already used for another checkpoint.")}
        )
    return existing


class SyncResult(NamedTuple):
    client_uuid: str
    outcome: str  # "stored" | "duplicate" | "rejected"
    reason: str | None = None


# The canonical text of a UUID, as ``str(uuid.UUID(...))`` writes it; other spellings that
# ``uuid.UUID`` accepts (capitals, braces, no hyphens, ``urn:uuid:``) go through it.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _uuid_key(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None
    if _CANONICAL_UUID.fullmatch(raw):
        return raw
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def passages_sync(*, actor: User, checkpoint: Checkpoint, items: list[Any]) -> list[SyncResult]:
    """Store a device's batch of passages, idempotently by ``client_uuid``.

    Every item gets an outcome in request order: ``stored``, ``duplicate`` (already stored, by
    an earlier batch or earlier in this one) or ``rejected`` with the reason. Good items are
    stored even when others are rejected; all in one transaction. A stored fast pass on a pass
    the server knows is not good is flagged, and its reason is the flag (``pass_revoked``,
    ``pass_expired``, ``pass_not_yet_valid``, ``pass_unknown``, ``pass_missing``).
    """
    _require(actor, Perm.CHECKPOINTS_DUTY, checkpoint.division_code)
    _require_open(checkpoint)
    if len(items) > MAX_BATCH:
        raise ValidationError(
            _("A batch holds at most %(max)d passages; this one has %(n)d.")
            % {"max": MAX_BATCH, "n": len(items)}
        )
    with collector_paused():
        return _passages_sync(actor, checkpoint, items)


def _passages_sync(actor: User, checkpoint: Checkpoint, items: list[Any]) -> list[SyncResult]:
    now = timezone.now()
    results: list[SyncResult | None] = [None] * len(items)
    first_seen: dict[str, int] = {}
    # 1. Each item's UUID: unusable ones are rejected, repeats within the batch are duplicates.
    candidates: list[tuple[int, dict[str, Any], str]] = []
    canonical = _CANONICAL_UUID.fullmatch
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            results[index] = SyncResult("", "rejected", "item: must be a JSON object")
            continue
        raw_key = item.get("client_uuid")
        key: str | None
        if raw_key.__class__ is str and canonical(raw_key) is not None:
            key = raw_key  # the usual spelling, as _uuid_key would return it
        else:
            key = _uuid_key(raw_key)
        if key is None:
            label = str(raw_key) if raw_key is not None else ""
            results[index] = SyncResult(label, "rejected", "client_uuid: must be a UUID")
            continue
        first = first_seen.get(key)
        if first is not None:
            results[index] = SyncResult(
                str(raw_key), "duplicate", f"client_uuid: same as item {first + 1} of this batch"
            )
            continue
        first_seen[key] = index
        candidates.append((index, item, key))
    # 2. A UUID already stored is a duplicate whatever the item says now (a device's retry of
    # what it sent before); the others are validated.
    existing = _stored_uuids([key for _index, _item, key in candidates]) if candidates else set()
    clean = passage_cleaner(
        checkpoint=checkpoint,
        now=now,
        extra={
            "checkpoint_id": checkpoint.pk,
            "division_code": checkpoint.division_code,
            "inspector_id": actor.pk,
            "created_at": now,
        },
    )
    rows: list[dict[str, Any]] = []
    row_index: list[int] = []
    for index, item, key in candidates:
        if key in existing:
            results[index] = SyncResult(item["client_uuid"], "duplicate")
            continue
        try:
            row = clean(item)
        except InvalidPassage as exc:
            results[index] = SyncResult(item["client_uuid"], "rejected", str(exc))
            continue
        row["client_uuid"] = key
        row_index.append(index)
        rows.append(row)
    # 3. A fast pass on a pass the server knows is not good is stored, flagged: one query.
    flag_fast_passes(rows)
    # 4. The new rows, their rollups and the audit entry in one transaction.
    stored = _store_passages(actor, checkpoint, rows, items=len(items))
    for row, index in zip(rows, row_index, strict=True):
        if row["client_uuid"] in stored:
            results[index] = SyncResult(items[index]["client_uuid"], "stored", row["flag"] or None)
        else:
            results[index] = SyncResult(items[index]["client_uuid"], "duplicate")
    # Duplicates within the batch point at an item that may itself have been rejected.
    final: list[SyncResult] = []
    for res in results:
        assert res is not None
        if res.outcome == "duplicate" and res.reason:
            first_result = results[first_seen[_uuid_key(res.client_uuid) or ""]]
            if first_result is not None and first_result.outcome == "rejected":
                res = SyncResult(res.client_uuid, "rejected", first_result.reason)
        final.append(res)
    return final


def _store_passages(
    actor: User, checkpoint: Checkpoint, rows: list[dict[str, Any]], *, items: int
) -> set[str]:
    """Store the rows (none of them stored a moment ago) with their rollups and the batch's
    audit entry; returns the UUIDs stored. The rows go in by the bulk path (COPY, or
    ``executemany``); should a concurrent upload have stored some of them since, the transaction
    is rolled back and done again with INSERT … ON CONFLICT DO NOTHING, which stores exactly the
    others."""

    def store(insert: Callable[[], set[str]]) -> set[str]:
        with transaction.atomic():
            stored = insert() if rows else set()
            new_rows = [row for row in rows if row["client_uuid"] in stored]
            _bump_passages(new_rows)
            flagged_passage_alerts(actor=actor, checkpoint=checkpoint, rows=new_rows)
            record_audit(
                actor,
                "checkpoint.passages_sync",
                checkpoint,
                items=items,
                stored=len(new_rows),
                duplicate=len(rows) - len(new_rows),
            )
        return stored

    if rows:
        unique_violation: tuple[type[Exception], ...] = (IntegrityError,)
        if connection.vendor == "postgresql":
            from psycopg import errors as pg_errors  # COPY's errors come from the driver

            unique_violation += (pg_errors.UniqueViolation,)

        def insert_all() -> set[str]:
            _insert_new_passages(rows)
            return {row["client_uuid"] for row in rows}

        try:
            return store(insert_all)
        except unique_violation:
            pass
    return store(lambda: _insert_passages(rows))


def passages_view_unmasked(*, actor: User, checkpoint: Checkpoint, count: int) -> None:
    """Seeing passages with full ID numbers is itself an audit entry."""
    with transaction.atomic():
        record_audit(actor, "checkpoint.passages_view_unmasked", checkpoint, count=count)
