"""Events raised by the apps and the alerts they give each recipient.

An ``Event`` is one thing that happened (a fever recorded, a truck on a revoked pass), raised
once (``kind`` + ``key`` is unique). Each person in the kind's audience gets an ``Alert``
(their own row: read or not). Acknowledging is done once for the event, by any recipient:
everyone then sees who acknowledged it and when.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.jurisdiction import JurisdictionQuerySet
from fangkong.core.models import CodeField


class Severity(models.TextChoices):
    INFO = "info", _("For information")
    WARNING = "warning", _("Needs attention")
    URGENT = "urgent", _("Urgent")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.URGENT: 2}


class Event(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=120)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    division_code = CodeField(_("division code"), max_length=12)
    params = models.JSONField(_("details"), default=dict)
    url = models.CharField(_("link"), max_length=300, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ("-created_at", "-id")
        constraints = [models.UniqueConstraint(fields=("kind", "key"), name="event_kind_key")]
        indexes = [models.Index(fields=("acknowledged_at", "division_code", "created_at"))]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def kind_spec(self) -> Any:
        from fangkong.alerts.kinds import kind_of

        return kind_of(self.kind)

    def title(self) -> str:
        return self.kind_spec.render_title()

    def text(self) -> str:
        """The event's text in the active language."""
        return self.kind_spec.render_text(self.params)


class Alert(models.Model):
    """One recipient's copy of an event."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="alerts"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    language = models.CharField(_("language"), max_length=10)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=("event", "recipient"), name="alert_event_recipient")
        ]
        indexes = [models.Index(fields=("recipient", "read_at"))]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id}"


class Preference(models.Model):
    """How a user wants alerts beyond the app: language, SMS, quiet hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="alert_preference",
    )
    language = models.CharField(
        _("language of alerts"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    sms = models.BooleanField(_("send alerts by SMS"), default=True)
    min_severity = models.CharField(
        _("SMS from this severity up"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.WARNING,
    )
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert preference")
        verbose_name_plural = _("alert preferences")

    def __str__(self) -> str:
        return str(self.user_id)


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, not sent")
    SENT = "sent", _("Sent")


class Bulletin(models.Model):
    """A short notice an HQ sends by SMS to many: the grassroots workers of chosen divisions,
    or the returnees under observation there. Drafted, shown with its counts, then sent."""

    audience = models.CharField(_("to whom"), max_length=30)
    text = models.CharField(_("text"), max_length=350)
    division_codes = models.JSONField(_("divisions"), default=list)
    division_code = CodeField(_("sending HQ's division"), max_length=12)
    status = models.CharField(
        _("status"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("SMS bulletin")
        verbose_name_plural = _("SMS bulletins")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.text[:20]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """The transactional outbox: one message of one alert by one channel, written in the same
    transaction as the alert and sent by the task worker. One row per alert and channel, so a
    recipient never gets the same alert twice; the gateway is given ``key`` on every attempt."""

    alert = models.ForeignKey(
        Alert,
        verbose_name=_("alert"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    bulletin = models.ForeignKey(
        "Bulletin",
        verbose_name=_("bulletin"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=10, default="sms")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    phone = CodeField(_("phone"), max_length=20)
    division_code = CodeField(_("division code"), max_length=12, blank=True)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    held_for = models.CharField(_("held for"), max_length=20, blank=True)
    claim = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    gateway_id = models.CharField(_("gateway's message id"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("sms", "delivery")
        verbose_name_plural = pgettext_lazy("sms", "deliveries")
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=("alert", "channel"), name="delivery_alert_channel"),
            models.UniqueConstraint(fields=("bulletin", "phone"), name="delivery_bulletin_phone"),
            models.CheckConstraint(
                condition=models.Q(alert__isnull=False, bulletin__isnull=True)
                | models.Q(alert__isnull=True, bulletin__isnull=False),
                name="delivery_of_an_alert_or_a_bulletin",
            ),
        ]
        indexes = [
            models.Index(fields=("status", "next_attempt_at")),
            models.Index(fields=("phone", "sent_at")),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.pk} {self.status}"

    @property
    def key(self) -> str:
        """The idempotency key the gateway sees on every attempt of this message."""
        if self.bulletin_id is not None:
            return f"fk-bulletin-{self.bulletin_id}-{self.pk}"
        return f"fk-alert-{self.alert_id}-{self.channel}"


class AttemptOutcome(models.TextChoices):
    SENDING = "sending", _("No answer yet")
    SENT = "sent", _("Sent")
    RETRY = "retry", _("Will retry")
    FAILED = "failed", _("Failed")
    SUPERSEDED = "superseded", _("Taken over by a later attempt")


class DeliveryAttempt(models.Model):
    """Each attempt to hand a delivery to the gateway, with the gateway's answer."""

    delivery = models.ForeignKey(
        Delivery,
        verbose_name=pgettext_lazy("sms", "delivery"),
        on_delete=models.CASCADE,
        related_name="log",
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=AttemptOutcome.choices, default=AttemptOutcome.SENDING
    )
    http_status = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    answer = models.CharField(_("gateway's answer"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ("delivery", "number", "id")

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {self.outcome}"
