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
from fangkong.checkpoints.coverage import Gap, gaps_in_hours
from fangkong.checkpoints.models import (
    BANNER_KEY_LENGTH,
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
from fangkong.divisions.models import Division

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
    """Time in [start, end) within the checkpoint's planned hours not covered by a shift of at
    least its minimum people."""
    return gaps_in_hours(
        [(s.starts_at, s.ends_at, s.people) for s in shifts],  # type: ignore[attr-defined]
        planned_hours=checkpoint.planned_hours,
        start=timezone.localtime(start),
        end=timezone.localtime(end),
        min_people=checkpoint.min_staff,
    )


@dataclass(frozen=True)
class DoubleBooking:
    """One person on two shifts whose times overlap."""

    person: User
    first: Shift
    second: Shift


def double_bookings(shifts: list[Shift]) -> list[DoubleBooking]:
    """Every pair of ``shifts`` (with ``leader`` and prefetched ``members``) that puts one
    person on duty twice at the same time."""
    by_person: dict[int, list[Shift]] = defaultdict(list)
    people: dict[int, User] = {}
    for shift in shifts:
        for person in {p.pk: p for p in (shift.leader, *shift.members.all())}.values():
            by_person[person.pk].append(shift)
            people[person.pk] = person
    found = []
    for pk, theirs in by_person.items():
        theirs.sort(key=lambda s: (s.starts_at, s.pk))
        for i, first in enumerate(theirs):
            for second in theirs[i + 1 :]:
                if second.starts_at >= first.ends_at:
                    break
                found.append(DoubleBooking(people[pk], first, second))
    return sorted(found, key=lambda d: (d.first.starts_at, d.person.pk, d.second.pk))


def _people_shifts(people_ids: set[int], start: datetime, end: datetime) -> list[Shift]:
    return list(
        Shift.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .filter(Q(leader_id__in=people_ids) | Q(members__in=people_ids))
        .select_related("checkpoint", "leader")
        .prefetch_related("members")
        .distinct()
    )


@dataclass
class RosterDay:
    day: date
    shifts: list[Shift]  # those that start this day, each shown once
    gaps: list[Gap]
    ends_at: datetime  # the next local midnight, shown as 24:00
    continued: list[Shift]  # the first day only: shifts from the day before, running on


def roster_week(checkpoint: Checkpoint, *, start_day: date) -> list[RosterDay]:
    """Seven local days from ``start_day``: each shift on the day it starts; for an open
    checkpoint, the gaps of each day (counting shifts from the day before that run on).
    A shift whose people are on another shift at the same time carries ``clashes``."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(start_day, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=7)
    shifts = shifts_between(checkpoint, start, end)
    people = {p.pk for s in shifts for p in (s.leader, *s.members.all())}
    clashes: dict[int, list[DoubleBooking]] = defaultdict(list)
    for booking in double_bookings(_people_shifts(people, start, end)) if people else []:
        clashes[booking.first.pk].append(booking)
        clashes[booking.second.pk].append(booking)
    for s in shifts:
        s.clashes = [  # type: ignore[attr-defined]
            (b.person, b.second if b.first.pk == s.pk else b.first) for b in clashes[s.pk]
        ]
    days = []
    for offset in range(7):
        day_start = start + timedelta(days=offset)
        day_end = day_start + timedelta(days=1)
        overlapping = [s for s in shifts if s.starts_at < day_end and s.ends_at > day_start]
        gaps = (
            gaps_for(checkpoint, overlapping, day_start, day_end)
            if checkpoint.status == Status.OPEN
            else []
        )
        days.append(
            RosterDay(
                day_start.date(),
                [s for s in overlapping if s.starts_at >= day_start],
                gaps,
                day_end,
                [s for s in overlapping if s.starts_at < day_start] if offset == 0 else [],
            )
        )
    return days


@dataclass
class CheckpointRoster:
    checkpoint: Checkpoint
    gaps: list[Gap]
    double_bookings: list[DoubleBooking]

    @property
    def gap_minutes(self) -> int:
        return sum(g.minutes for g in self.gaps)


@dataclass
class BannerRoster:
    code: str
    name: str
    checkpoints: list[CheckpointRoster]

    @property
    def gap_minutes(self) -> int:
        return sum(c.gap_minutes for c in self.checkpoints)

    @property
    def gap_hours(self) -> float:
        return round(self.gap_minutes / 60, 1)

    @property
    def double_booking_count(self) -> int:
        return len({id(d) for c in self.checkpoints for d in c.double_bookings})


# Kept for the callers that only need the gaps.
CheckpointGaps = CheckpointRoster


def coverage_gap_list(*, actor: User, now: datetime | None = None) -> list[CheckpointRoster]:
    """For every open checkpoint in the actor's jurisdiction, the gaps of the next 7 days
    (within its planned hours), with the double bookings of its shifts; only checkpoints
    with either."""
    return [c for b in roster_problems(actor=actor, now=now) for c in b.checkpoints]


def roster_problems(*, actor: User, now: datetime | None = None) -> list[BannerRoster]:
    """Gaps and double bookings of the next 7 days, per checkpoint, grouped per banner."""
    start = now or timezone.now()
    end = start + timedelta(days=COVERAGE_DAYS)
    checkpoints = list(
        checkpoint_list(actor=actor).filter(
            status__in=(Status.APPROVED, Status.OPEN, Status.SUSPENDED)
        )
    )
    shifts = list(
        Shift.objects.filter(checkpoint__in=checkpoints, starts_at__lt=end, ends_at__gt=start)
        .select_related("checkpoint", "leader")
        .prefetch_related("members")
        .annotate(people=Count("members", distinct=True) + 1)
        .order_by("starts_at", "pk")
    )
    by_checkpoint: dict[int, list[Shift]] = defaultdict(list)
    for shift in shifts:
        by_checkpoint[shift.checkpoint_id].append(shift)
    bookings: dict[int, list[DoubleBooking]] = defaultdict(list)
    for booking in double_bookings(shifts):
        bookings[booking.first.checkpoint_id].append(booking)
        if booking.second.checkpoint_id != booking.first.checkpoint_id:
            bookings[booking.second.checkpoint_id].append(booking)
    banners: dict[str, list[CheckpointRoster]] = defaultdict(list)
    for checkpoint in checkpoints:
        gaps = (
            gaps_for(checkpoint, by_checkpoint[checkpoint.pk], start, end)
            if checkpoint.status == Status.OPEN
            else []
        )
        if gaps or bookings[checkpoint.pk]:
            banners[checkpoint.division_code[:BANNER_KEY_LENGTH]].append(
                CheckpointRoster(checkpoint, gaps, bookings[checkpoint.pk])
            )
    names = dict(Division.objects.filter(code__in=list(banners)).values_list("code", "name"))
    return [BannerRoster(code, names.get(code, code), banners[code]) for code in sorted(banners)]


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
