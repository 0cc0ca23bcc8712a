"""Checkpoints, their approval history, unauthorised-checkpoint reports, duty shifts and the
passage log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fangkong.core.jurisdiction import JurisdictionQuerySet
from fangkong.core.models import TimeStampedModel

LEAGUE_KEY_LENGTH = 4
BANNER_KEY_LENGTH = 6


class Kind(models.TextChoices):
    VILLAGE_ENTRANCE = "village_entrance", _("Village/gacha entrance")
    TOWNSHIP_ROAD = "township_road", _("Township road")
    COUNTY_ROAD = "county_road", _("County road")
    HIGHWAY = "highway", _("Highway")
    BORDER_PORT = "border_port", _("Border port")


# Kinds only the league HQ may approve.
LEAGUE_KINDS = frozenset({Kind.HIGHWAY, Kind.BORDER_PORT})


class Status(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    OPEN = "open", pgettext_lazy("checkpoint status", "Open")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", pgettext_lazy("checkpoint status", "Closed")


def approval_hq_code(kind: str, division_code: str) -> str:
    """The scope key of the HQ that must approve a checkpoint of ``kind`` at ``division_code``:
    the league HQ for highways and border ports (and anything above banner level), otherwise the
    banner HQ of the banner the checkpoint lies in."""
    if kind in LEAGUE_KINDS or len(division_code) < BANNER_KEY_LENGTH:
        return division_code[:LEAGUE_KEY_LENGTH]
    return division_code[:BANNER_KEY_LENGTH]


class Checkpoint(TimeStampedModel):
    """A road checkpoint (卡口/检查站). Its status changes only through services."""

    name = models.CharField(_("name"), max_length=120)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="checkpoints",
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    department = models.CharField(_("requesting department"), max_length=120)
    reason = models.TextField(_("reason"))
    planned_hours = models.CharField(_("planned hours"), max_length=60, default="24h")
    min_staff = models.PositiveSmallIntegerField(_("minimum people per shift"), default=2)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    approval_code = models.CharField(_("approving HQ"), max_length=12)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ("division_code", "name")
        indexes = [models.Index(fields=("status", "division_code"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_staff__gte=1) & Q(min_staff__lte=50),
                name="checkpoint_min_staff_range",
                violation_error_message=_("A shift needs from 1 to 50 people."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="checkpoint_coordinates_both_or_none",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def needs_league_approval(self) -> bool:
        return len(self.approval_code) <= LEAGUE_KEY_LENGTH


class Transition(models.Model):
    """One status change of a checkpoint, with who and why (also in the audit trail)."""

    checkpoint = models.ForeignKey(
        Checkpoint,
        verbose_name=_("checkpoint"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("time"), db_index=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.checkpoint_id}: {self.from_status} → {self.to_status}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REMOVED = "removed", _("Removed")
    LEGITIMISED = "legitimised", _("Legitimised by approval")
    FALSE_REPORT = "false_report", _("False report")


class UnauthorisedReport(TimeStampedModel):
    """A checkpoint somebody found on a road without approval."""

    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    location = models.CharField(_("where"), max_length=200)
    description = models.TextField(_("what was seen"))
    reporter_name = models.CharField(_("your name"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("your phone"), max_length=20, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    resolution_note = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    checkpoint = models.ForeignKey(
        Checkpoint,
        verbose_name=_("approved checkpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("unauthorised checkpoint report")
        verbose_name_plural = _("unauthorised checkpoint reports")
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="legitimised") | Q(checkpoint__isnull=False),
                name="report_legitimised_names_checkpoint",
                violation_error_message=_("A legitimised report names the approved checkpoint."),
            )
        ]

    def __str__(self) -> str:
        return self.location


class Shift(TimeStampedModel):
    """A duty shift at a checkpoint: a leader and members, with a handover note."""

    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("checkpoint"), on_delete=models.CASCADE, related_name="shifts"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="led_shifts",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        related_name="duty_shifts",
        blank=True,
    )
    handover_note = models.TextField(_("handover note"), blank=True)
    handover_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handover by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handover_at = models.DateTimeField(_("handed over"), null=True, blank=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ("starts_at", "id")
        indexes = [models.Index(fields=("checkpoint", "starts_at", "ends_at"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint} {self.starts_at:%Y-%m-%d %H:%M}"

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    @property
    def ends_next_day(self) -> bool:
        """Whether the shift ends on a later local day than it starts (past midnight)."""
        return timezone.localdate(self.ends_at) > timezone.localdate(self.starts_at)

    def times_display(self) -> str:
        """``08:00–20:00``; a shift across midnight ``20:00–次日 08:00``; ending at midnight
        ``16:00–24:00``. Shown on the day the shift starts."""
        return shift_times(self.starts_at, self.ends_at)

    def span_display(self) -> str:
        """The start date too: ``02-10 20:00–次日 08:00``."""
        return f"{timezone.localtime(self.starts_at):%m-%d} {self.times_display()}"


def shift_times(starts_at: datetime, ends_at: datetime) -> str:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    days = (end.date() - start.date()).days
    if days == 1 and end.time() == datetime.min.time():
        return f"{start:%H:%M}–24:00"
    if days == 0:
        return f"{start:%H:%M}–{end:%H:%M}"
    if days == 1:
        return gettext("%(start)s–next day %(end)s") % {
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
        }
    return f"{start:%H:%M}–{end:%m-%d %H:%M}"


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class Subject(models.TextChoices):
    PERSON = "person", _("Person")
    VEHICLE = "vehicle", _("Vehicle")


class Result(models.TextChoices):
    PASSED = "passed", pgettext_lazy("passage result", "Passed")
    FAST_PASSED = "fast_passed", _("Fast-passed (green channel)")
    TURNED_BACK = "turned_back", _("Turned back")
    REFERRED = "referred", _("Referred to observation")
    ESCALATED = "escalated", _("Held, escalated to the HQ")


class PassFlag(models.TextChoices):
    """Why the server flags a fast-passed passage: the pass it names is not good at its time.
    The passage is stored all the same (the vehicle did pass); the flag is for the HQs."""

    REVOKED = "pass_revoked", _("Pass revoked")
    EXPIRED = "pass_expired", _("Pass expired")
    NOT_YET_VALID = "pass_not_yet_valid", _("Pass not valid yet")
    UNKNOWN = "pass_unknown", _("Pass unknown to the server")
    MISSING = "pass_missing", _("No pass serial")


class Passage(models.Model):
    """One person or vehicle passing a checkpoint. ``client_uuid`` makes logging idempotent."""

    client_uuid = models.UUIDField(_("client UUID"), unique=True, default=uuid.uuid4)
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("checkpoint"), on_delete=models.PROTECT, related_name="passages"
    )
    division_code = models.CharField(_("division code"), max_length=12)
    at = models.DateTimeField(_("time"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    subject = models.CharField(_("subject"), max_length=8, choices=Subject.choices)
    plate = models.CharField(_("plate"), max_length=10, blank=True)
    person_name = models.CharField(pgettext_lazy("person name", "name"), max_length=60, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    temperature = models.DecimalField(
        _("temperature"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    pass_serial = models.CharField(_("pass serial"), max_length=40, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received"))
    # Timings the duty page measures for a scanned pass (issue 5, item 6), in milliseconds.
    scan_ms = models.PositiveIntegerField(_("scan to verdict (ms)"), null=True, blank=True)
    log_ms = models.PositiveIntegerField(_("verdict to logged (ms)"), null=True, blank=True)
    # Set by the server when a fast-passed passage names a pass it knows is not good then.
    flag = models.CharField(
        _("flag"), max_length=20, choices=PassFlag.choices, blank=True, default="", db_default=""
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ("-at", "-id")
        indexes = [
            models.Index(fields=("checkpoint", "at")),
            models.Index(fields=("division_code", "at")),
            models.Index(
                fields=("checkpoint", "at"), condition=~Q(flag=""), name="passage_flagged"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature__isnull=True)
                | (Q(temperature__gte=30) & Q(temperature__lte=45)),
                name="passage_temperature_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.at:%Y-%m-%d %H:%M} {self.result}"
