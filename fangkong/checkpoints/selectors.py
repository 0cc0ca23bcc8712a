"""Reads and gatekeepers of checkpoints. Outside the actor's jurisdiction looks like not found."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.http import Http404
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.checkpoints.coverage import Gap, coverage_gaps
from fangkong.checkpoints.models import (
    Checkpoint,
    Passage,
    ReportStatus,
    Result,
    Shift,
    Status,
    Subject,
    UnauthorisedReport,
)
from fangkong.core.jurisdiction import scope_q

COVERAGE_DAYS = 7


def checkpoint_list(
    *, actor: User, status: str = "", kind: str = "", q: str = ""
) -> QuerySet[Checkpoint]:
    qs = Checkpoint.objects.within_scopes(actor.scope_keys(Perm.CHECKPOINTS_VIEW)).select_related(
        "division"
    )
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if q.strip():
        text = q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(location__icontains=text))
    return qs.order_by("division_code", "name", "pk")


def access_checkpoint_by_id(
    actor: User, checkpoint_id: int, *, permission: str = Perm.CHECKPOINTS_VIEW
) -> Checkpoint:
    if not actor.is_authenticated:
        raise Http404
    checkpoint = (
        Checkpoint.objects.within_scopes(actor.scope_keys(permission))
        .select_related("division", "requested_by", "decided_by")
        .filter(pk=checkpoint_id)
        .first()
    )
    if checkpoint is None:
        raise Http404
    return checkpoint


def checkpoint_for_duty(actor: User, checkpoint_id: int) -> Checkpoint:
    """The checkpoint where ``actor`` logs passages (a device's batch upload): the same rule as
    ``access_checkpoint_by_id`` with ``CHECKPOINTS_DUTY``, read without the related rows the
    batch does not need. Outside the actor's jurisdiction looks like not found."""
    if not actor.is_authenticated:
        raise Http404
    checkpoint = Checkpoint.objects.filter(pk=checkpoint_id).first()
    if checkpoint is None or not actor.can(Perm.CHECKPOINTS_DUTY, checkpoint.division_code):
        raise Http404
    return checkpoint


def approvals_inbox(*, actor: User) -> QuerySet[Checkpoint]:
    """Requests waiting for exactly the HQs this actor commands."""
    codes = actor.scope_keys(Perm.CHECKPOINTS_APPROVE)
    return (
        Checkpoint.objects.filter(status=Status.REQUESTED, approval_code__in=codes)
        .select_related("division", "requested_by")
        .order_by("created_at")
    )


def report_list(*, actor: User, status: str = "") -> QuerySet[UnauthorisedReport]:
    qs = UnauthorisedReport.objects.within_scopes(
        actor.scope_keys(Perm.CHECKPOINTS_VIEW)
    ).select_related("division", "resolved_by", "checkpoint")
    if status:
        qs = qs.filter(status=status)
    return qs


def access_report_by_id(actor: User, report_id: int) -> UnauthorisedReport:
    report = (
        report_list(actor=actor).filter(pk=report_id).first() if actor.is_authenticated else None
    )
    if report is None:
        raise Http404
    return report


def open_report_count(*, actor: User) -> int:
    return report_list(actor=actor, status=ReportStatus.OPEN).count()


def access_shift_by_id(actor: User, shift_id: int) -> Shift:
    if not actor.is_authenticated:
        raise Http404
    shift = (
        Shift.objects.filter(scope_q(actor.scope_keys(Perm.CHECKPOINTS_VIEW)) | _mine(actor))
        .select_related("checkpoint", "leader")
        .filter(pk=shift_id)
        .first()
    )
    if shift is None:
        raise Http404
    return shift


def _mine(actor: User) -> Q:
    return Q(leader=actor) | Q(members=actor)


def shifts_between(checkpoint: Checkpoint, start: datetime, end: datetime) -> list[Shift]:
    return list(
        checkpoint.shifts.filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("leader")
        .prefetch_related("members")
        .annotate(people=Count("members", distinct=True) + 1)
        .order_by("starts_at")
    )


def gaps_for(
    checkpoint: Checkpoint, shifts: list[Shift], start: datetime, end: datetime
) -> list[Gap]:
    return coverage_gaps(
        [(s.starts_at, s.ends_at, s.people) for s in shifts],  # type: ignore[attr-defined]
        start=start,
        end=end,
        min_people=checkpoint.min_staff,
    )


@dataclass
class RosterDay:
    day: date
    shifts: list[Shift]
    gaps: list[Gap]
    ends_at: datetime  # the next local midnight, shown as 24:00


def roster_week(checkpoint: Checkpoint, *, start_day: date) -> list[RosterDay]:
    """Seven local days from ``start_day``: the shifts and, for an open checkpoint, the gaps."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(start_day, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=7)
    shifts = shifts_between(checkpoint, start, end)
    days = []
    for offset in range(7):
        day_start = start + timedelta(days=offset)
        day_end = day_start + timedelta(days=1)
        todays = [s for s in shifts if s.starts_at < day_end and s.ends_at > day_start]
        gaps = (
            gaps_for(checkpoint, todays, day_start, day_end)
            if checkpoint.status == Status.OPEN
            else []
        )
        days.append(RosterDay(day_start.date(), todays, gaps, day_end))
    return days


@dataclass
class CheckpointGaps:
    checkpoint: Checkpoint
    gaps: list[Gap]


def coverage_gap_list(*, actor: User, now: datetime | None = None) -> list[CheckpointGaps]:
    """For every open checkpoint in the actor's jurisdiction, the gaps of the next 7 days."""
    start = now or timezone.now()
    end = start + timedelta(days=COVERAGE_DAYS)
    checkpoints = list(checkpoint_list(actor=actor, status=Status.OPEN))
    by_checkpoint: dict[int, list[Shift]] = defaultdict(list)
    shifts = (
        Shift.objects.filter(checkpoint__in=checkpoints, starts_at__lt=end, ends_at__gt=start)
        .annotate(people=Count("members", distinct=True) + 1)
        .order_by("starts_at")
    )
    for shift in shifts:
        by_checkpoint[shift.checkpoint_id].append(shift)
    result = []
    for checkpoint in checkpoints:
        gaps = gaps_for(checkpoint, by_checkpoint[checkpoint.pk], start, end)
        if gaps:
            result.append(CheckpointGaps(checkpoint, gaps))
    return result


def my_shifts(*, actor: User, now: datetime | None = None) -> QuerySet[Shift]:
    start = (now or timezone.now()) - timedelta(hours=12)
    return (
        Shift.objects.filter(_mine(actor), ends_at__gt=start)
        .select_related("checkpoint", "leader")
        .prefetch_related("members")
        .distinct()
        .order_by("starts_at")
    )


def passage_list(
    *, actor: User, checkpoint: Checkpoint, since: datetime | None = None, flagged: bool = False
) -> QuerySet[Passage]:
    """The checkpoint's passages, latest first; ``flagged``: only those the server flagged."""
    qs = checkpoint.passages.select_related("inspector").order_by("-at", "-id")
    if since is not None:
        qs = qs.filter(at__gte=since)
    if flagged:
        qs = qs.exclude(flag="")
    return qs


def passages_by_hour(checkpoint: Checkpoint, *, day: date) -> list[int]:
    """Passages in each local hour of ``day`` (24 numbers)."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    rows = (
        checkpoint.passages.filter(at__gte=start, at__lt=start + timedelta(days=1))
        .annotate(hour=ExtractHour("at", tzinfo=tz))
        .values("hour")
        .annotate(n=Count("id"))
    )
    hours = [0] * 24
    for row in rows:
        hours[row["hour"]] = row["n"]
    return hours


def duty_candidates(checkpoint: Checkpoint) -> QuerySet[User]:
    """People who may be put on this checkpoint's roster (duty rights in its banner)."""
    from fangkong.accounts.models import Membership
    from fangkong.accounts.roles import roles_with

    banner = checkpoint.division_code[:6]
    prefixes = [banner[:n] for n in (2, 4, 6)]
    inside = Membership.objects.filter(
        Q(division_code__startswith=banner) | Q(division_code__in=prefixes),
        role__in=roles_with(Perm.CHECKPOINTS_DUTY),
    )
    return User.objects.filter(is_active=True, pk__in=inside.values("user_id")).order_by("username")


def access_passage_by_id(actor: User, checkpoint: Checkpoint, passage_id: int) -> Passage:
    """A passage of a checkpoint the caller already reached through ``access_checkpoint_by_id``."""
    passage = checkpoint.passages.filter(pk=passage_id).first()
    if passage is None:
        raise Http404
    return passage


@dataclass(frozen=True)
class GreenChannelTiming:
    count: int
    scan_ms: float | None
    log_ms: float | None


def green_channel_timing(checkpoint: Checkpoint, *, since: datetime) -> GreenChannelTiming:
    """Median scan → verdict and verdict → logged times of fast-passed vehicles since ``since``
    (only passages the duty page timed)."""
    rows = list(
        checkpoint.passages.filter(
            at__gte=since, subject=Subject.VEHICLE, result=Result.FAST_PASSED
        ).values_list("scan_ms", "log_ms")
    )
    scans = [s for s, _ in rows if s is not None]
    logs = [g for _, g in rows if g is not None]
    return GreenChannelTiming(
        count=len(rows),
        scan_ms=median(scans) if scans else None,
        log_ms=median(logs) if logs else None,
    )
