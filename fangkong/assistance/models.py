"""Vulnerable households: registry, visits, applications, reviews, help requests, donations."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.jurisdiction import JurisdictionQuerySet
from fangkong.core.models import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class Category(models.TextChoices):
    DIBAO = "dibao", _("Minimum living allowance (dibao)")
    TEKUN = "tekun", _("Extreme poverty (tekun)")
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    DISABLED = "disabled", pgettext_lazy("household category", "Disabled")
    LEFT_BEHIND = "left_behind", _("Left-behind children")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("household status", "Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", pgettext_lazy("household status", "Closed")


class Household(TimeStampedModel):
    """One household on the civil-affairs roster; the head is the person of record."""

    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    head_name = models.CharField(_("head of household"), max_length=60)
    head_id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    head_phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    monthly_allowance = models.DecimalField(
        _("monthly allowance (yuan)"), max_digits=9, decimal_places=2, default=0
    )
    status = models.CharField(
        _("status"), max_length=10, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    next_review_date = models.DateField(_("next review"), null=True, blank=True)
    last_visited_at = models.DateTimeField(_("last visited"), null=True, blank=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ("division_code", "id")
        indexes = [
            models.Index(fields=("division_code", "next_review_date")),
            models.Index(fields=("division_code", "last_visited_at")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_allowance__gte=0), name="household_allowance_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.head_name} ({self.get_category_display()})"


class HouseholdMember(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(pgettext_lazy("person name", "name"), max_length=60)
    relation = models.CharField(_("relation to the head"), max_length=20)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ("household", "id")

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


# --- visits ---------------------------------------------------------------------------------


class Sweep(TimeStampedModel):
    """Every household of a division visited by a date."""

    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    title = models.CharField(_("title"), max_length=120)
    due_date = models.DateField(_("visit everyone by"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("sweep")
        verbose_name_plural = _("sweeps")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class Visit(TimeStampedModel):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="visits"
    )
    sweep = models.ForeignKey(
        Sweep, null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    visited_at = models.DateTimeField(_("visited"))
    visitor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    food_short = models.BooleanField(_("short of food"), default=False)
    medicine_short = models.BooleanField(_("short of medicine"), default=False)
    heating_short = models.BooleanField(_("short of heating fuel"), default=False)
    water_short = models.BooleanField(_("short of water"), default=False)
    fodder_short = models.BooleanField(_("short of fodder for livestock"), default=False)
    income_lost = models.BooleanField(_("lost income"), default=False)
    needs = models.TextField(_("needs"), blank=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ("-visited_at",)
        indexes = [models.Index(fields=("sweep", "household"))]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_at:%Y-%m-%d}"


class ReliefKind(models.TextChoices):
    CASH = "cash", _("Temporary cash assistance")
    IN_KIND = "in_kind", _("In-kind relief")


class ReliefAction(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="relief_actions")
    kind = models.CharField(_("relief"), max_length=10, choices=ReliefKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=9, decimal_places=2)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("relief action")
        verbose_name_plural = _("relief actions")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="relief_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


# --- applications ---------------------------------------------------------------------------


class ApplicationKind(models.TextChoices):
    DIBAO = "dibao", _("Minimum living allowance (dibao)")
    TEKUN = "tekun", _("Extreme poverty (tekun)")
    TEMPORARY = "temporary", _("Temporary assistance")


class ApprovalPath(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SIMPLIFIED = "simplified", _("Simplified (emergency period)")


class ApplicationStatus(models.TextChoices):
    GACHA_REVIEW = "gacha_review", _("Gacha review")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    SUMU_REVIEW = "sumu_review", _("Sumu review")
    COMBINED_REVIEW = "combined_review", _("Combined review")
    BANNER_APPROVAL = "banner_approval", _("Banner civil-affairs approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("application status", "Rejected")


class Application(TimeStampedModel):
    number = models.CharField(_("application number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ApplicationKind.choices)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    applicant_name = models.CharField(_("applicant"), max_length=60)
    applicant_id_number = models.CharField(_("ID number"), max_length=18)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    amount_requested = models.DecimalField(
        _("amount requested (yuan per month)"), max_digits=9, decimal_places=2
    )
    reason = models.TextField(_("reason"))
    path = models.CharField(_("approval path"), max_length=10, choices=ApprovalPath.choices)
    path_reason = models.CharField(_("why this path"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices)
    step_due_at = models.DateTimeField(_("step due"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("public notice ends"), null=True, blank=True)
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    amount_granted = models.DecimalField(
        _("amount granted"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    decision_note = models.TextField(_("decision note"), blank=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gte=0), name="application_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant_name}"

    @property
    def is_open(self) -> bool:
        return self.status not in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)

    @property
    def is_one_off(self) -> bool:
        """Temporary assistance is paid once; dibao and tekun are monthly allowances."""
        return self.kind == ApplicationKind.TEMPORARY

    def is_overdue_at(self, when: datetime) -> bool:
        return self.is_open and self.step_due_at is not None and self.step_due_at < when


class ApplicationStep(models.Model):
    """One step taken on an application: who, when, from which status to which."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @property
    def to_status_label(self) -> str:
        """The status reached, in the reader's language (never the stored code)."""
        if self.to_status in ApplicationStatus.values:
            return str(ApplicationStatus(self.to_status).label)
        return self.to_status


# --- reviews --------------------------------------------------------------------------------


class ReviewExtension(TimeStampedModel):
    """A commander moved every review due in [due_from, due_to] in a division by N months."""

    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    due_from = models.DateField(_("due from"))
    due_to = models.DateField(_("due to"))
    months = models.PositiveSmallIntegerField(_("months"))
    household_count = models.PositiveIntegerField(_("households"), default=0)
    applied_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reverted_at = models.DateTimeField(_("reverted"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("review extension")
        verbose_name_plural = _("review extensions")
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("division_code", "due_from", "due_to"),
                condition=Q(reverted_at__isnull=True),
                name="review_extension_once_per_window",
            ),
            models.CheckConstraint(
                condition=Q(months__gte=1) & Q(months__lte=24), name="review_extension_months"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division_code} {self.due_from}–{self.due_to} +{self.months}"


class ReviewExtensionItem(models.Model):
    extension = models.ForeignKey(ReviewExtension, on_delete=models.CASCADE, related_name="items")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    old_date = models.DateField()
    new_date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("extension", "household"), name="review_extension_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.old_date} → {self.new_date}"


# --- help requests --------------------------------------------------------------------------


class HelpCategory(models.TextChoices):
    FOOD = "food", _("Food")
    MEDICINE = "medicine", _("Medicine")
    MEDICAL_TRANSPORT = "medical_transport", _("Medical transport")
    HEATING = "heating", _("Heating")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


class HelpChannel(models.TextChoices):
    WEB = "web", _("Phone form")
    QR = "qr", _("QR code")
    HOTLINE = "hotline", _("Hotline")


class HelpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("help request status", "Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", pgettext_lazy("help request status", "Closed")


class HelpLevel(models.TextChoices):
    GACHA = "gacha", _("Gacha/community")
    SUMU = "sumu", _("Sumu/town")
    BANNER = "banner", _("Banner")


class HelpRequest(TimeStampedModel):
    receipt_number = models.CharField(_("receipt number"), max_length=16, unique=True)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    name = models.CharField(pgettext_lazy("person name", "name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20)
    address = models.CharField(_("address"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=HelpCategory.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    description = models.TextField(_("what is needed"))
    channel = models.CharField(_("channel"), max_length=10, choices=HelpChannel.choices)
    entered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=HelpStatus.choices, default=HelpStatus.OPEN
    )
    level = models.CharField(
        _("answered by"), max_length=10, choices=HelpLevel.choices, default=HelpLevel.GACHA
    )
    assigned_code = models.CharField(_("assigned to division"), max_length=12, db_index=True)
    deadline_at = models.DateTimeField(_("answer by"))
    escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response_note = models.TextField(_("answer"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ("-created_at",)
        indexes = [
            models.Index(
                fields=("status", "deadline_at"),
                name="help_open_deadline",
                condition=Q(status="open"),
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    def is_overdue_at(self, when: datetime) -> bool:
        return self.status == HelpStatus.OPEN and self.deadline_at < when

    @property
    def response_minutes(self) -> int | None:
        if self.responded_at is None:
            return None
        return int((self.responded_at - self.created_at).total_seconds() // 60)


# --- donations and logistics ----------------------------------------------------------------


class DonorKind(models.TextChoices):
    PERSON = "person", pgettext_lazy("donor type", "Person")
    COMPANY = "company", _("Company")


class Donor(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=10, choices=DonorKind.choices)
    name = models.CharField(_("name"), max_length=120)
    contact = models.CharField(_("contact"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Warehouse(TimeStampedModel):
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    name = models.CharField(_("name"), max_length=120, unique=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """A type of relief goods and the one unit it is counted in: stock of an item is a count of
    that unit. The same goods in another unit (消毒液 in 瓶 and in 升) is another item."""

    name = models.CharField(pgettext_lazy("relief item", "item"), max_length=80)
    unit = models.CharField(_("unit"), max_length=20)
    whole_units = models.BooleanField(_("counted in whole units"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("relief item", "item")
        verbose_name_plural = _("items")
        ordering = ("name", "unit")
        constraints = [
            models.UniqueConstraint(fields=("name", "unit"), name="assistance_item_name_unit")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Lot(TimeStampedModel):
    """One received donation line: what came from whom into which warehouse.

    ``remaining`` is the lot's stock (the sum of its ledger rows), kept on the row so that a
    distribution can lock the lots it draws from.
    """

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="lots")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="lots")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    remaining = models.DecimalField(_("remaining"), max_digits=12, decimal_places=3)
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    value = models.DecimalField(_("value (yuan)"), max_digits=12, decimal_places=2, default=0)
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("donation lot")
        verbose_name_plural = _("donation lots")
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="lot_quantity_positive"),
            models.CheckConstraint(condition=Q(remaining__gte=0), name="lot_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity} ({self.donor})"


class Delivery(TimeStampedModel):
    """Goods for one household: drawn from stock when created, delivered with proof."""

    class Status(models.TextChoices):
        PENDING = "pending", _("On the way")
        DELIVERED = "delivered", _("Delivered")

    class Proof(models.TextChoices):
        PHOTO = "photo", _("Photo")
        SIGNATURE = "signature", _("Signature on the phone")
        RECEIPT_CODE = "receipt_code", _("Recipient's receipt code")

    plan_name = models.CharField(_("plan"), max_length=120)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="deliveries")
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="deliveries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="deliveries")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    receipt_code = models.CharField(_("receipt code"), max_length=8)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    delivered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    proof_kind = models.CharField(_("proof"), max_length=20, choices=Proof.choices, blank=True)
    proof_file = models.FileField(_("proof file"), upload_to="assistance/proofs/", blank=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="delivery_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.item.name} × {self.quantity} → {self.household.head_name}"


class StockMovement(models.Model):
    """The ledger: every movement of stock is a row; stock is their sum."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Received")
        DISTRIBUTION = "distribution", _("Distributed")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ("at", "id")
        indexes = [models.Index(fields=("warehouse", "item"))]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"
