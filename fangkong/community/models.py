"""Community measures: gathering reports, planned family events, the patriotic hygiene
campaign, and publicity that reaches every gacha."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.jurisdiction import JurisdictionQuerySet
from fangkong.core.models import TimeStampedModel

# --- gatherings -------------------------------------------------------------------------------


class GatheringKind(models.TextChoices):
    WEDDING = "wedding", _("Wedding banquet")
    FUNERAL = "funeral", _("Funeral")
    BIRTHDAY = "birthday", _("Birthday or full-month banquet")
    ENTERTAINMENT = "entertainment", _("Entertainment venue")
    RELIGIOUS = "religious", _("Religious activity")
    MARKET = "market", _("Market")
    OTHER = "other", _("Other")


class GatheringSource(models.TextChoices):
    STAFF = "staff", _("Staff")
    PUBLIC = "public", _("Public (QR form)")


class GatheringStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ASSIGNED = "assigned", _("Assigned")
    STOPPED = "stopped", _("Stopped")
    POSTPONED = "postponed", _("Postponed")
    DISSUADED = "dissuaded", _("Dissuaded")
    FALSE_REPORT = "false_report", _("False report")


OPEN_GATHERING_STATUSES = (GatheringStatus.REPORTED, GatheringStatus.ASSIGNED)
HANDLED_GATHERING_STATUSES = (
    GatheringStatus.STOPPED,
    GatheringStatus.POSTPONED,
    GatheringStatus.DISSUADED,
    GatheringStatus.FALSE_REPORT,
)


class GatheringReport(TimeStampedModel):
    """A banquet, market or other gathering somebody reported, and how it was handled."""

    kind = models.CharField(_("kind"), max_length=20, choices=GatheringKind.choices)
    place = models.CharField(_("place"), max_length=200)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    occurs_at = models.DateTimeField(_("time of the gathering"))
    estimated_people = models.PositiveIntegerField(_("estimated people"), default=0)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    source = models.CharField(_("source"), max_length=10, choices=GatheringSource.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=GatheringStatus.choices,
        default=GatheringStatus.REPORTED,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handling_notes = models.TextField(_("handling notes"), blank=True, max_length=2000)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("gathering report")
        verbose_name_plural = _("gathering reports")
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["reported", "assigned"]) | Q(handled_at__isnull=False),
                name="community_gathering_handled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.place}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_GATHERING_STATUSES

    @property
    def minutes_to_handle(self) -> int | None:
        if self.handled_at is None:
            return None
        return int((self.handled_at - self.created_at).total_seconds() // 60)


class Photo(TimeStampedModel):
    """An uploaded photo (EXIF stripped), of a gathering or of a hygiene inspection."""

    image = models.FileField(_("image"), upload_to="community/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    gathering = models.ForeignKey(
        GatheringReport, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    inspection = models.ForeignKey(
        "community.Inspection",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ("pk",)
        constraints = [
            models.CheckConstraint(
                condition=Q(gathering__isnull=False) ^ Q(inspection__isnull=False),
                name="community_photo_has_one_owner",
            ),
        ]


# --- planned family events (红白事报备) ---------------------------------------------------------


class FamilyEventKind(models.TextChoices):
    WEDDING = "wedding", _("Wedding")
    FUNERAL = "funeral", _("Funeral")
    BIRTHDAY = "birthday", _("Birthday or full-month celebration")
    OTHER = "other", _("Other")


class FamilyEventStatus(models.TextChoices):
    DECLARED = "declared", _("Declared")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")
    HELD_SMALL = "held_small", _("Held small under conditions")


class FamilyEvent(TimeStampedModel):
    """A household's planned banquet, its outcome and the follow-up on the day."""

    household_name = models.CharField(_("household head"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=FamilyEventKind.choices)
    planned_on = models.DateField(_("planned date"))
    place = models.CharField(_("place"), max_length=200)
    expected_guests = models.PositiveIntegerField(_("expected guests"), default=0)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=FamilyEventStatus.choices,
        default=FamilyEventStatus.DECLARED,
    )
    postponed_to = models.DateField(_("postponed to"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True, max_length=1000)
    outcome_notes = models.TextField(_("outcome notes"), blank=True, max_length=1000)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True, db_index=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    follow_up_notes = models.TextField(_("follow-up notes"), blank=True, max_length=1000)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("planned family event")
        verbose_name_plural = _("planned family events")
        ordering = ("planned_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="postponed") | Q(postponed_to__isnull=False),
                name="community_family_event_postponed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_name} · {self.get_kind_display()} · {self.planned_on}"

    def follow_up_due(self, today: object | None = None) -> bool:
        day = today or timezone.localdate()
        return (
            self.follow_up_on is not None
            and self.followed_up_at is None
            and self.follow_up_on <= day  # type: ignore[operator]
        )


# --- hygiene campaign -------------------------------------------------------------------------


class HygieneCampaign(TimeStampedModel):
    """A patriotic hygiene campaign (爱国卫生运动) run by an HQ over a period."""

    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    pass_score = models.PositiveSmallIntegerField(_("pass mark"), default=80)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("run by"), on_delete=models.PROTECT
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("hygiene campaign")
        verbose_name_plural = _("hygiene campaigns")
        ordering = ("-starts_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="community_campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One weighted line of a campaign's inspection checklist."""

    campaign = models.ForeignKey(
        HygieneCampaign, on_delete=models.CASCADE, related_name="checklist"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("item"), max_length=120)
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        ordering = ("campaign", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "position"], name="community_checklist_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=100),
                name="community_checklist_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.weight})"


class AreaKind(models.TextChoices):
    RUBBISH = "rubbish", _("Rubbish clean-up")
    TOILETS = "toilets", _("Public toilets")
    MARKETS = "markets", _("Markets")
    LIVESTOCK = "livestock", _("Livestock pens")
    WATER = "water", _("Water sources")
    DISINFECTION = "disinfection", _("Disinfection of public places")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RECTIFYING = "rectifying", _("Rectification required")
    PASSED = "passed", _("Passed")


class HygieneTask(TimeStampedModel):
    """A sanitation task for one area, assigned to a division and a responsible person."""

    campaign = models.ForeignKey(HygieneCampaign, on_delete=models.CASCADE, related_name="tasks")
    area = models.CharField(_("area"), max_length=20, choices=AreaKind.choices)
    title = models.CharField(_("task"), max_length=200)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    responsible_name = models.CharField(_("responsible person"), max_length=60)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=20, blank=True)
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    rectification_due = models.DateField(_("rectification deadline"), null=True, blank=True)
    last_score = models.DecimalField(
        _("latest score"), max_digits=5, decimal_places=1, null=True, blank=True
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("hygiene task")
        verbose_name_plural = _("hygiene tasks")
        ordering = ("due_on", "pk")

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: object | None = None) -> bool:
        day = today or timezone.localdate()
        if self.status == TaskStatus.PASSED:
            return False
        if self.status == TaskStatus.RECTIFYING and self.rectification_due is not None:
            return self.rectification_due < day  # type: ignore[operator]
        return self.due_on < day  # type: ignore[operator]


class Inspection(TimeStampedModel):
    """An inspection of a task against the campaign's weighted checklist."""

    task = models.ForeignKey(HygieneTask, on_delete=models.CASCADE, related_name="inspections")
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    results = models.JSONField(_("checklist results"), default=dict)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    problems = models.TextField(_("problems found"), blank=True, max_length=2000)
    rectification_due = models.DateField(_("rectification deadline"), null=True, blank=True)
    is_reinspection = models.BooleanField(_("re-inspection"), default=False)
    passed = models.BooleanField(_("passed"))

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=Decimal(0)) & Q(score__lte=Decimal(100)),
                name="community_inspection_score_range",
            ),
            models.CheckConstraint(
                condition=Q(passed=True) | Q(rectification_due__isnull=False),
                name="community_inspection_failed_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.score}"


# --- publicity --------------------------------------------------------------------------------


class MaterialKind(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF")
    AUDIO = "audio", _("Audio (for village loudspeakers)")


class Material(TimeStampedModel):
    """Publicity material or a bulletin, published to chosen divisions."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=MaterialKind.choices)
    body = models.TextField(_("text"), blank=True, max_length=20000)
    file = models.FileField(_("file"), upload_to="community/publicity/%Y/%m/", blank=True)
    content_type = models.CharField(_("content type"), max_length=60, blank=True)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("published by"), on_delete=models.PROTECT
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_count = models.PositiveIntegerField(_("gachas to reach"), default=0)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("publicity material")
        verbose_name_plural = _("publicity materials")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.title


class MaterialTarget(models.Model):
    """A division a material is published to (its gachas must pass it on)."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="targets")
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT)
    division_code = models.CharField(max_length=12, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["material", "division"], name="community_material_target_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.division_code


class ConveyMethod(models.TextChoices):
    LOUDSPEAKER = "loudspeaker", _("Village loudspeaker")
    WECHAT = "wechat", _("WeChat group")
    DOOR_TO_DOOR = "door", _("Door to door")
    OTHER = "other", _("Other")


class Conveyance(TimeStampedModel):
    """A gacha/community worker's confirmation that a material was passed on (已传达)."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="conveyances")
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("gacha/community"), on_delete=models.PROTECT
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    method = models.CharField(_("how"), max_length=20, choices=ConveyMethod.choices)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("conveyance")
        verbose_name_plural = _("conveyances")
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["material", "division"], name="community_conveyance_once_per_gacha"
            ),
        ]
