"""Vehicles, drivers, green-channel passes, signing keys and the pass-check log."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import ClassVar, NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.jurisdiction import JurisdictionQuerySet
from fangkong.core.models import TimeStampedModel
from fangkong.lib.masking import mask_id_number, mask_phone

DEFAULT_VALIDITY_DAYS = 7
MAX_VALIDITY_DAYS = 30


class Cargo(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency supplies")
    MEDICAL = "medical", _("Medical supplies")
    PRODUCTION = "production", _("Production materials")
    DAILY = "daily", _("Daily necessities")


class Vehicle(TimeStampedModel):
    """A supply vehicle, registered by an HQ. ``plate`` is normalised (``lib.ids``)."""

    plate = models.CharField(_("plate"), max_length=8, unique=True)
    vehicle_type = models.CharField(_("vehicle type"), max_length=40, blank=True)
    owner = models.CharField(_("owner or company"), max_length=100, blank=True)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("registered by"), on_delete=models.PROTECT
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ("plate",)

    def __str__(self) -> str:
        return self.plate


class Driver(TimeStampedModel):
    """A driver; the ID number is unique and shown masked everywhere."""

    name = models.CharField(pgettext_lazy("person name", "name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("registered by"), on_delete=models.PROTECT
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("driver")
        verbose_name_plural = _("drivers")
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} {self.masked_id_number}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class SigningKey(models.Model):
    """The public half of an HQ's pass-signing key (or of the league root key).

    The private half is a 0600 file ``<kid>.pem`` under ``settings.FANGKONG_KEY_DIR``, never in
    the database. A rotated key keeps ``valid_until`` = the end of its last pass, so verifiers
    trust it exactly as long as a pass it signed can be valid.
    """

    kid = models.CharField(_("key id"), max_length=16, unique=True)
    public_key = models.TextField(_("public key (base64 SPKI)"))
    is_root = models.BooleanField(_("league root key"), default=False)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("HQ"), on_delete=models.PROTECT
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ("division_code", "-valid_from")
        constraints = [
            # One current (not retired) signing key per HQ, and one current root key.
            models.UniqueConstraint(
                fields=["division_code", "is_root"],
                condition=Q(retired_at__isnull=True),
                name="passes_one_current_key_per_hq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division_code} {self.kid}"


class PassStanding(NamedTuple):
    """What the server knows of one pass, to judge a passage logged on it."""

    serial: str
    valid_from: datetime
    valid_until: datetime
    revoked_at: datetime | None
    division_code: str = ""  # the issuing HQ

    def problem_at(self, at: datetime) -> str | None:
        """``revoked``, ``expired`` or ``not_yet_valid`` when the pass was not good at ``at``
        (a pass revoked later was good then), else None. Devices give times to the second,
        so a revocation counts from the start of its second."""
        if self.revoked_at is not None and self.revoked_at.replace(microsecond=0) <= at:
            return "revoked"
        if at >= self.valid_until:
            return "expired"
        if at < self.valid_from:
            return "not_yet_valid"
        return None


class PassQuerySet(JurisdictionQuerySet):
    def valid_at(self, at: datetime) -> PassQuerySet:
        return self.filter(status=GreenPass.Status.ISSUED, valid_from__lte=at, valid_until__gt=at)

    def standings(self, serials: Collection[str]) -> dict[str, PassStanding]:
        """The passes known among ``serials``, by serial: one query for a whole batch (a
        checkpoint judges every fast-passed passage by it, wherever the pass was issued)."""
        if not serials:
            return {}
        rows = self.filter(serial__in=list(serials)).values_list(
            "serial", "valid_from", "valid_until", "revoked_at", "division_code"
        )
        return {row[0]: PassStanding(*row) for row in rows}


class GreenPass(TimeStampedModel):
    """A green-channel pass. ``division`` is the issuing HQ; ``code`` the signed ``FK1:`` text."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    serial = models.CharField(_("serial"), max_length=32, unique=True)
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.PROTECT, related_name="passes"
    )
    driver = models.ForeignKey(
        Driver,
        verbose_name=_("driver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="passes",
    )
    cargo = models.CharField(_("cargo"), max_length=20, choices=Cargo.choices)
    origin = models.CharField(_("origin"), max_length=100)
    destination = models.CharField(_("destination"), max_length=100)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("issuing HQ"), on_delete=models.PROTECT
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    kid = models.CharField(_("key id"), max_length=16)
    code = models.TextField(_("signed code"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("revocation reason"), max_length=200, blank=True)

    objects: ClassVar[PassQuerySet] = PassQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("green-channel pass")
        verbose_name_plural = _("green-channel passes")
        ordering = ("-valid_from", "-id")
        indexes = [models.Index(fields=["status", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")),
                name="passes_validity_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(status="revoked", revoked_at__isnull=False)
                | (~Q(status="revoked") & Q(revoked_at__isnull=True)),
                name="passes_revoked_iff_revoked_at",
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    def is_valid_at(self, at: datetime) -> bool:
        return self.status == self.Status.ISSUED and self.valid_from <= at < self.valid_until

    def status_at(self, at: datetime) -> str:
        """The status as of ``at``: an issued pass past its end reads as expired."""
        if self.status == self.Status.ISSUED and at >= self.valid_until:
            return self.Status.EXPIRED
        return self.status


class PassCheck(models.Model):
    """A pass verified at a checkpoint, or a passage logged from the inspector's page.

    ``client_uuid`` makes a device's retries idempotent. ``checkpoint_id`` is the checkpoint's
    id (the checkpoints app owns that table; no foreign key, so each app migrates alone).
    ``scan_ms``/``log_ms``: scan → verdict and verdict → logged passage, measured on the page.
    """

    class Result(models.TextChoices):
        PASSED = "passed", pgettext_lazy("passage result", "Passed")
        FAST_PASSED = "fast_passed", _("Fast-passed (green channel)")
        TURNED_BACK = "turned_back", _("Turned back")
        REFERRED = "referred", _("Referred to observation")

    client_uuid = models.UUIDField(_("client UUID"), unique=True)
    checkpoint_id = models.BigIntegerField(_("checkpoint"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("time"), db_index=True)
    direction = models.CharField(_("direction"), max_length=3, default="in")
    subject = models.CharField(_("subject"), max_length=7, default="vehicle")
    plate = models.CharField(_("plate"), max_length=8, blank=True)
    person_name = models.CharField(pgettext_lazy("person name", "name"), max_length=50, blank=True)
    temperature = models.DecimalField(
        _("temperature"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    verdict = models.CharField(_("verdict"), max_length=20, blank=True)
    pass_serial = models.CharField(_("pass serial"), max_length=32, blank=True, db_index=True)
    scan_ms = models.PositiveIntegerField(_("scan to verdict (ms)"), null=True, blank=True)
    log_ms = models.PositiveIntegerField(_("verdict to log (ms)"), null=True, blank=True)
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("pass check")
        verbose_name_plural = _("pass checks")
        ordering = ("-at",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.plate or self.person_name} {self.result}"


class TrustState(models.Model):
    """One row: a random token replaced whenever keys or revocations change, so each server
    process knows when to rebuild its cached trust list."""

    token = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = _("trust-list state")

    def __str__(self) -> str:
        return self.token
