from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.jurisdiction import JurisdictionQuerySet


class CodeField(models.CharField):
    """Text that is a code, compared byte by byte: ID numbers, phone numbers, division codes,
    receipt numbers.

    On PostgreSQL its column takes the "C" collation. The database's own collation may be a
    locale's (it is C.UTF-8 or zh_CN.UTF-8 on most servers): every comparison then goes
    through the locale, which makes each insert into a unique or ordinary index on the
    column several times dearer (a census import spends most of its database time there),
    and a prefix ``LIKE`` (``division_code__startswith``) cannot use a plain index. Codes
    have no locale order, so nothing is lost. SQLite compares text bytewise already.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql" and not getattr(self, "db_collation", None):
            params["collation"] = "C"
        return params


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One thing somebody did, written in the same transaction as the thing itself."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_username = models.CharField(_("actor user name"), max_length=150, blank=True)
    verb = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("object type"), max_length=64, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=200, blank=True)
    division_code = models.CharField(_("division code"), max_length=12, blank=True, db_index=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("target_type", "target_id"))]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.verb} {self.target_repr}"
        )


class ResponseLevel(models.TextChoices):
    LEVEL_I = "I", _("Level I (particularly serious)")
    LEVEL_II = "II", _("Level II (serious)")
    LEVEL_III = "III", _("Level III (relatively serious)")
    LEVEL_IV = "IV", _("Level IV (general)")


class EmergencyPeriodQuerySet(models.QuerySet):
    def active_at(self, when: datetime) -> EmergencyPeriodQuerySet:
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=when), starts_at__lte=when)


class EmergencyPeriod(TimeStampedModel):
    """A declared emergency response and the policy switches later capabilities read."""

    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("response level"), max_length=3, choices=ResponseLevel.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    simplified_assistance_approval = models.BooleanField(
        _("simplified assistance approval"), default=False
    )
    review_extension_months = models.PositiveSmallIntegerField(
        _("review extension (months)"), default=0
    )
    observation_days = models.PositiveSmallIntegerField(_("observation days"), default=14)
    notes = models.TextField(_("notes"), blank=True)

    objects: ClassVar[EmergencyPeriodQuerySet] = EmergencyPeriodQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("emergency period")
        verbose_name_plural = _("emergency periods")
        ordering = ("-starts_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="emergency_period_ends_after_start",
                violation_error_message=_("The end must come after the start."),
            ),
            models.CheckConstraint(
                condition=Q(observation_days__gte=1) & Q(observation_days__lte=60),
                name="emergency_period_observation_days_range",
                violation_error_message=_("Observation lasts from 1 to 60 days."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_at(self, when: datetime) -> bool:
        return self.starts_at <= when and (self.ends_at is None or when < self.ends_at)

    @classmethod
    def current(cls, when: datetime | None = None) -> EmergencyPeriod | None:
        return cls.objects.active_at(when or timezone.now()).order_by("-starts_at").first()


class DailyCount(models.Model):
    """One metric for one division on one day; see ``fangkong.core.rollups``."""

    metric = models.CharField(max_length=64)
    division_code = models.CharField(max_length=12)
    day = models.DateField()
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=("metric", "division_code", "day"), name="daily_count_unique"
            )
        ]
        indexes = [
            models.Index(fields=("division_code", "metric", "day")),
            # "What happened on or after this day": the recent end of the rollups.
            models.Index(fields=("day", "metric", "division_code"), name="daily_count_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.division_code} {self.day}: {self.value}"


class RunningCount(models.Model):
    """The sum of all of a metric's daily counts for one division (see core.rollups).

    Kept by the same upserts as ``DailyCount``, so that a total never has to add up history.
    """

    metric = models.CharField(max_length=64)
    division_code = models.CharField(max_length=12)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("running count")
        verbose_name_plural = _("running counts")
        constraints = [
            models.UniqueConstraint(fields=("metric", "division_code"), name="running_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.division_code}: {self.value}"


class RateLimitHit(models.Model):
    """One counted request of a public write (``fangkong.core.ratelimit``); kept a day."""

    scope = models.CharField(max_length=40)
    client = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=("scope", "client", "at"))]

    def __str__(self) -> str:
        return f"{self.scope} {self.client[:11]} {self.at:%Y-%m-%d %H:%M}"
