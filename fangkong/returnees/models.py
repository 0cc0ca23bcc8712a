"""Returnees: people, work units, return trips, risk areas, observations and daily checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fangkong.core.jurisdiction import JurisdictionQuerySet
from fangkong.core.models import CodeField, TimeStampedModel

#: A daily check is overdue when none is recorded by this local time.
CHECK_DEADLINE = time(18, 0)
#: From this temperature on, a check is a fever.
FEVER_FROM = Decimal("37.3")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Person(TimeStampedModel):
    """One person, identified by the 18-digit resident ID number (one row per number)."""

    # Unique by a constraint, not ``unique=True``: on PostgreSQL that would add a second,
    # ``varchar_pattern_ops`` index for prefix searches, and ID numbers are only ever matched
    # whole or by their last digits (which no index serves).
    id_number = CodeField(_("ID number"), max_length=18)
    name = models.CharField(pgettext_lazy("person name", "name"), max_length=50)
    # Indexed with the name (Meta.indexes): found by the whole number, and near-duplicates are
    # the same name and phone.
    mobile = CodeField(_("mobile"), max_length=11, blank=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    # Searched by prefix after the jurisdiction filter; not indexed (cheaper bulk loads).
    name_pinyin = models.CharField(_("pinyin"), max_length=200, blank=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, blank=True)
    # Where the person was last routed: the code of their latest trip's destination community
    # (the trip holds the foreign key; see docs/adr/0004). Lists go through trips; a person is
    # found by id, ID number or phone, never by this alone.
    division_code = CodeField(_("division code"), max_length=12)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=("id_number",), name="person_one_per_id_number")
        ]
        indexes = [models.Index(fields=("mobile", "name"), name="person_mobile_name_idx")]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    ORGAN = "organ", _("Party/government organ")
    ENTERPRISE = "enterprise", _("Enterprise")
    INSTITUTION = "institution", _("Public institution")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other")


class WorkUnit(TimeStampedModel):
    """A work unit or school; its ``admins`` confirm their own staff's return."""

    name = models.CharField(_("name"), max_length=120)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unit administrators"),
        blank=True,
        related_name="+",
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("work unit")
        verbose_name_plural = _("work units")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class RiskArea(TimeStampedModel):
    """A place whose travellers are observed; kept by an HQ for an emergency period."""

    province = models.CharField(_("province or country"), max_length=50)
    city = models.CharField(_("city"), max_length=50, blank=True)
    period = models.ForeignKey(
        "core.EmergencyPeriod",
        verbose_name=_("emergency period"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    division_code = models.CharField(_("kept by (division code)"), max_length=12, db_index=True)
    active = models.BooleanField(_("active"), default=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("risk area")
        verbose_name_plural = _("risk areas")
        ordering = ("province", "city")

    def __str__(self) -> str:
        return f"{self.province}{self.city}"

    def matches(self, province: str, city: str) -> bool:
        if not province or not (province.startswith(self.province) or self.province in province):
            return False
        return not self.city or (bool(city) and (self.city in city or city in self.city))


class KeyGroup(models.TextChoices):
    STAFF = "staff", _("Official/enterprise staff")
    INBOUND = "inbound", _("Inbound traveller")
    MIGRANT = "migrant", _("Migrant farmer/herder worker")
    STUDENT = "student", _("University student")
    OTHER = "other", _("Other")


class Transport(models.TextChoices):
    TRAIN = "train", _("Train")
    FLIGHT = "flight", _("Flight")
    COACH = "coach", _("Coach")
    CAR = "car", _("Own car")
    OTHER = "other", _("Other")


class RegisteredVia(models.TextChoices):
    SELF = "self", _("Self-registration")
    STAFF = "staff", _("Staff entry")
    IMPORT = "import", _("Census import")
    CHECKPOINT = "checkpoint", _("Checkpoint")


class TripStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    ARRIVED = "arrived", _("Arrival confirmed")


class ReturnTripQuerySet(JurisdictionQuerySet):
    def for_unit_admin(self, user: object) -> ReturnTripQuerySet:
        return self.filter(work_unit__admins=user)


class ReturnTrip(TimeStampedModel):
    """One journey back; lands in its destination community's queue."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="trips",
        db_index=False,  # the (person, departure_date) constraint's index leads with it
    )
    key_group = models.CharField(_("key group"), max_length=10, choices=KeyGroup.choices)
    origin_province = models.CharField(_("origin province"), max_length=50, blank=True)
    origin_city = models.CharField(_("origin city"), max_length=50, blank=True)
    origin_country = models.CharField(_("origin country"), max_length=50, blank=True)
    through_risk_area = models.BooleanField(_("through a risk area"), default=False)
    risk_area = models.ForeignKey(
        RiskArea,
        verbose_name=_("risk area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    transport = models.CharField(_("transport"), max_length=8, choices=Transport.choices)
    transport_number = models.CharField(_("train, flight or plate"), max_length=20, blank=True)
    departure_date = models.DateField(_("departure date"))
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("destination community"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # queries use division_code
    )
    division_code = CodeField(_("division code"), max_length=12)
    work_unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("work unit or school"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trips",
        db_index=False,  # a partial index (Meta.indexes): most trips name no known unit
    )
    work_unit_name = models.CharField(_("work unit (as given)"), max_length=120, blank=True)
    registered_via = models.CharField(
        _("registered via"), max_length=10, choices=RegisteredVia.choices
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("registering person", "registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Unique by a constraint (no extra pattern index on PostgreSQL): looked up whole only.
    receipt = CodeField(_("receipt number"), max_length=16)
    status = models.CharField(
        _("status"), max_length=10, choices=TripStatus.choices, default=TripStatus.EXPECTED
    )
    arrival_confirmed_at = models.DateTimeField(_("arrival confirmed"), null=True, blank=True)
    back_at_work_at = models.DateTimeField(_("back at work confirmed"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    objects: ClassVar[ReturnTripQuerySet] = ReturnTripQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("return trip")
        verbose_name_plural = _("return trips")
        ordering = ("-id",)
        constraints = [
            models.UniqueConstraint(
                fields=("person", "departure_date"), name="returntrip_one_per_person_and_day"
            ),
            models.UniqueConstraint(fields=("receipt",), name="returntrip_one_per_receipt"),
            models.CheckConstraint(
                condition=Q(arrival_date__isnull=True)
                | Q(arrival_date__gte=models.F("departure_date")),
                name="returntrip_arrives_after_departure",
                violation_error_message=_("The arrival date cannot come before the departure."),
            ),
        ]
        indexes = [
            models.Index(fields=("division_code", "id")),
            models.Index(
                fields=("work_unit",),
                condition=Q(work_unit__isnull=False),
                name="returntrip_work_unit_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.departure_date}"

    @property
    def origin(self) -> str:
        if self.key_group == KeyGroup.INBOUND and self.origin_country:
            return self.origin_country
        return f"{self.origin_province}{self.origin_city}"

    @property
    def needs_observation(self) -> bool:
        """The period's rule: inbound travellers and anyone through a risk area."""
        return self.key_group == KeyGroup.INBOUND or self.through_risk_area


class ObservationKind(models.TextChoices):
    HOME = "home", _("Home observation")
    CENTRALISED = "centralised", _("Centralised observation")


class ObservationStatus(models.TextChoices):
    ACTIVE = "active", _("Under observation")
    RELEASED = "released", _("Released")
    HOSPITAL = "hospital", _("Referred to hospital")
    TRANSFERRED = "transferred", _("Transferred out")
    LOST = "lost", _("Lost contact")


class Observation(TimeStampedModel):
    """Health observation of one trip's traveller; status changes only in services."""

    trip = models.OneToOneField(
        ReturnTrip, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="observation"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="observations"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ObservationKind.choices)
    start_date = models.DateField(_("start"))
    planned_end = models.DateField(_("planned end"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ObservationStatus.choices,
        default=ObservationStatus.ACTIVE,
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_note = models.CharField(_("note on ending"), max_length=300, blank=True)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    division_code = models.CharField(_("division code"), max_length=12)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ("-start_date", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("start_date")),
                name="observation_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=("status", "division_code"))]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.start_date}"

    @property
    def is_active(self) -> bool:
        return self.status == ObservationStatus.ACTIVE

    def is_due_for_release(self, on: date) -> bool:
        return self.is_active and self.planned_end <= on


class Symptom(models.TextChoices):
    FEVER = "fever", _("Fever")
    COUGH = "cough", _("Dry cough")
    FATIGUE = "fatigue", _("Fatigue")
    BREATH = "breath", _("Shortness of breath")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")


class ContactMethod(models.TextChoices):
    VISIT = "visit", _("Door visit")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")
    SELF = "self", _("Self-reported")


class DailyCheck(models.Model):
    """One check of one observation: several a day are allowed, and each is kept (when, by
    whom, how contacted); nothing overwrites a reading."""

    observation = models.ForeignKey(
        Observation,
        verbose_name=_("observation"),
        on_delete=models.CASCADE,
        related_name="checks",
        db_index=False,  # the (observation, day) index leads with it
    )
    day = models.DateField(_("day"))
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.CharField(_("symptoms"), max_length=100, blank=True)
    contact = models.CharField(_("how contacted"), max_length=8, choices=ContactMethod.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    division_code = models.CharField(_("division code"), max_length=12)

    class Meta:
        verbose_name = _("daily check")
        verbose_name_plural = _("daily checks")
        ordering = ("-day", "-checked_at", "-id")
        indexes = [models.Index(fields=("observation", "day"), name="dailycheck_obs_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature__gte=Decimal("34.0")) & Q(temperature__lte=Decimal("43.0")),
                name="dailycheck_temperature_range",
                violation_error_message=_("A body temperature lies between 34.0 and 43.0 °C."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.observation} {self.day} {self.temperature}"

    @property
    def is_fever(self) -> bool:
        return self.temperature >= FEVER_FROM

    @property
    def symptom_list(self) -> list[str]:
        return [s for s in self.symptoms.split(",") if s]

    @property
    def symptom_labels(self) -> list[str]:
        """The symptoms in the reader's language."""
        labels = dict(Symptom.choices)
        return [str(labels.get(s, s)) for s in self.symptom_list]


class HoldCode(models.TextChoices):
    """Why an observation is held back from release."""

    FEVER = "fever", _("Fever reading")
    MISSED_CHECK = "missed_check", _("Day without a check")
    NOT_DUE = "not_due", _("Observation not over yet")


@dataclass(frozen=True)
class Hold:
    """One reason to hold an observation back: a fever reading, a day without a check, or a
    planned end still to come (which no clearance lifts)."""

    code: str
    day: date
    temperature: Decimal | None = None
    checked_at: datetime | None = None

    @property
    def clearable(self) -> bool:
        return self.code != HoldCode.NOT_DUE

    @property
    def text(self) -> str:
        """In the reader's language: what the worker sees beside the person."""
        if self.code == HoldCode.FEVER:
            at = timezone.localtime(self.checked_at) if self.checked_at else None
            return gettext("Fever %(t)s °C at the check of %(when)s") % {
                "t": self.temperature,
                "when": at.strftime("%m-%d %H:%M") if at else self.day.strftime("%m-%d"),
            }
        if self.code == HoldCode.MISSED_CHECK:
            return gettext("No check on %(day)s") % {"day": self.day.strftime("%m-%d")}
        return gettext("Observation runs until %(day)s") % {"day": self.day.isoformat()}

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "day": self.day.isoformat(),
            "temperature": None if self.temperature is None else str(self.temperature),
            "checked_at": None if self.checked_at is None else self.checked_at.isoformat(),
        }


def release_holds(
    observation: Observation, checks: Iterable[DailyCheck], today: date
) -> list[Hold]:
    """Why ``observation`` may not simply be released on ``today``: every fever reading it
    has (whichever check of the day), every day of its period (start to the day before the
    planned end, up to yesterday) without a check, and a planned end still to come."""
    holds: list[Hold] = []
    if observation.planned_end > today:
        holds.append(Hold(HoldCode.NOT_DUE, observation.planned_end))
    checked: set[date] = set()
    fevers: list[Hold] = []
    for check in sorted(checks, key=lambda c: (c.day, c.checked_at)):
        checked.add(check.day)
        if check.is_fever:
            fevers.append(Hold(HoldCode.FEVER, check.day, check.temperature, check.checked_at))
    holds.extend(fevers)
    last = min(observation.planned_end - timedelta(days=1), today - timedelta(days=1))
    day = observation.start_date
    while day <= last:
        if day not in checked:
            holds.append(Hold(HoldCode.MISSED_CHECK, day))
        day += timedelta(days=1)
    return holds


def check_deadline_passed(now: datetime | None = None) -> bool:
    """Whether today's 18:00 (local time) has passed."""
    local = timezone.localtime(now or timezone.now())
    return local.time() >= CHECK_DEADLINE


# --- organised transport (运输组织, 在途防控) ---------------------------------------------------


class ConvoyStatus(models.TextChoices):
    PLANNED = "planned", _("Planned: manifest open")
    CONFIRMED = "confirmed", _("Manifest confirmed")


class ConvoyKind(models.TextChoices):
    COACH = "coach", _("Chartered coach")
    TRAIN = "train", _("Train carriage")


class Convoy(TimeStampedModel):
    """A chartered coach or train carriage bringing workers or students back point to point."""

    kind = models.CharField(_("kind"), max_length=8, choices=ConvoyKind.choices)
    vehicle = models.CharField(_("vehicle (plate or train and carriage)"), max_length=40)
    driver_name = models.CharField(_("driver or attendant"), max_length=50)
    driver_mobile = models.CharField(_("driver's mobile"), max_length=11)
    route = models.CharField(_("route"), max_length=200)
    departure_at = models.DateTimeField(_("departure"))
    key_group = models.CharField(_("key group"), max_length=10, choices=KeyGroup.choices)
    seats_per_row = models.PositiveSmallIntegerField(_("seats per row"), default=4)
    status = models.CharField(
        _("status"), max_length=10, choices=ConvoyStatus.choices, default=ConvoyStatus.PLANNED
    )
    confirmed_at = models.DateTimeField(_("manifest confirmed"), null=True, blank=True)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("organising division"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("organised transport")
        verbose_name_plural = _("organised transports")
        ordering = ("-departure_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_per_row__gte=1) & Q(seats_per_row__lte=6),
                name="convoy_seats_per_row_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.route}"

    def neighbours(self, seat: int) -> set[int]:
        """Seats around ``seat`` (same row either side, and the rows in front and behind)."""
        per_row = self.seats_per_row
        row, col = divmod(seat - 1, per_row)
        result = set()
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                r, c = row + dr, col + dc
                if (dr or dc) and r >= 0 and 0 <= c < per_row:
                    result.add(r * per_row + c + 1)
        return result


class Passenger(models.Model):
    """One seat of a convoy's manifest; becomes a return trip when the manifest is confirmed."""

    convoy = models.ForeignKey(
        Convoy,
        verbose_name=_("organised transport"),
        on_delete=models.CASCADE,
        related_name="passengers",
    )
    seat = models.PositiveSmallIntegerField(_("seat"))
    id_number = models.CharField(_("ID number"), max_length=18)
    name = models.CharField(pgettext_lazy("person name", "name"), max_length=50)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("destination community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    work_unit_name = models.CharField(_("work unit or school"), max_length=120, blank=True)
    trip = models.ForeignKey(
        ReturnTrip,
        verbose_name=_("trip"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    flagged = models.BooleanField(_("flagged"), default=False)
    flag_reason = models.CharField(_("why flagged"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("passenger")
        verbose_name_plural = _("passengers")
        ordering = ("seat",)
        constraints = [
            models.UniqueConstraint(fields=("convoy", "seat"), name="passenger_one_per_seat"),
            models.UniqueConstraint(
                fields=("convoy", "id_number"), name="passenger_once_per_convoy"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seat} {self.name}"


class TransitStage(models.TextChoices):
    BOARDING = "boarding", _("At boarding")
    ARRIVAL = "arrival", _("On arrival")


class TransitCheck(models.Model):
    """A passenger's temperature at boarding or on arrival."""

    passenger = models.ForeignKey(
        Passenger, verbose_name=_("passenger"), on_delete=models.CASCADE, related_name="checks"
    )
    stage = models.CharField(_("stage"), max_length=8, choices=TransitStage.choices)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("in-transit check")
        verbose_name_plural = _("in-transit checks")
        constraints = [
            models.UniqueConstraint(
                fields=("passenger", "stage"), name="transitcheck_once_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.passenger} {self.stage} {self.temperature}"

    @property
    def is_fever(self) -> bool:
        return self.temperature >= FEVER_FROM


class CensusJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    CHECKING = "checking", _("Checking rows")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CensusJob(TimeStampedModel):
    """A large census file imported in the background; the page polls its progress."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    filename = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to="census/", blank=True)
    default_division = models.CharField(_("default community code"), max_length=12, blank=True)
    skip_bad_rows = models.BooleanField(_("skip bad rows"), default=False)
    dry_run = models.BooleanField(_("only check"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=CensusJobStatus.choices, default=CensusJobStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)

    class Meta:
        verbose_name = _("census import job")
        verbose_name_plural = _("census import jobs")

    def __str__(self) -> str:
        return f"{self.filename} {self.status}"

    @property
    def percent(self) -> int:
        if self.status in (CensusJobStatus.DONE, CensusJobStatus.FAILED):
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(90 * self.rows_checked / self.rows_total))
