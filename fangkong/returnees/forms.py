"""Forms of returnees: staff entry, self-registration, filters, checks, import upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.accounts.models import User
from fangkong.returnees.models import (
    ContactMethod,
    ConvoyKind,
    KeyGroup,
    ObservationKind,
    ObservationStatus,
    RegisteredVia,
    Symptom,
    TransitStage,
    Transport,
    TripStatus,
    UnitKind,
)
from fangkong.returnees.selectors import TripFilters
from fangkong.returnees.services import TripData

DATE = forms.DateInput(attrs={"type": "date"})


class TripForm(forms.Form):
    """A returnee and their trip, as staff (or the person) types it."""

    id_number = forms.CharField(label=_("ID number"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile phone"), max_length=20)
    key_group = forms.ChoiceField(label=_("Key group"), choices=KeyGroup.choices)
    origin_province = forms.CharField(label=_("Origin province"), max_length=50, required=False)
    origin_city = forms.CharField(label=_("Origin city"), max_length=50, required=False)
    origin_country = forms.CharField(
        label=_("Origin country (inbound)"), max_length=50, required=False
    )
    through_risk_area = forms.BooleanField(label=_("Passed through a risk area"), required=False)
    transport = forms.ChoiceField(label=_("Transport"), choices=Transport.choices)
    transport_number = forms.CharField(
        label=_("Train, flight or plate"), max_length=20, required=False
    )
    departure_date = forms.DateField(label=_("Departure date"), widget=DATE)
    arrival_date = forms.DateField(label=_("Arrival date"), widget=DATE, required=False)
    division_code = forms.CharField(
        label=_("Destination community code"),
        max_length=12,
        help_text=_("The 12-digit code of the gacha, village or community"),
    )
    work_unit_name = forms.CharField(label=_("Work unit or school"), max_length=120, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)

    def trip_data(self) -> TripData:
        d = self.cleaned_data
        return TripData(
            id_number=d["id_number"],
            name=d["name"],
            mobile=d["mobile"],
            key_group=d["key_group"],
            departure_date=d["departure_date"],
            arrival_date=d.get("arrival_date"),
            division_code=d["division_code"],
            transport=d["transport"],
            transport_number=d.get("transport_number", ""),
            origin_province=d.get("origin_province", ""),
            origin_city=d.get("origin_city", ""),
            origin_country=d.get("origin_country", ""),
            through_risk_area=d.get("through_risk_area", False),
            work_unit_name=d.get("work_unit_name", ""),
            notes=d.get("notes", ""),
        )

    def add_service_errors(self, errors: dict[str, list[str]] | list[str]) -> None:
        if isinstance(errors, dict):
            for field, messages in errors.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        else:
            for message in errors:
                self.add_error(None, message)


class TripEditForm(TripForm):
    """A registered trip as staff correct it: the person's own fields are not on it."""

    def __init__(self, *args: Any, trip: Any = None, **kwargs: Any) -> None:
        if trip is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "key_group": trip.key_group,
                "origin_province": trip.origin_province,
                "origin_city": trip.origin_city,
                "origin_country": trip.origin_country,
                "through_risk_area": trip.through_risk_area,
                "transport": trip.transport,
                "transport_number": trip.transport_number,
                "departure_date": trip.departure_date,
                "arrival_date": trip.arrival_date,
                "division_code": trip.division.full_code,
                "work_unit_name": trip.work_unit_name,
                "notes": trip.notes,
            }
        super().__init__(*args, **kwargs)
        for name in ("id_number", "name", "mobile"):
            del self.fields[name]

    def trip_data(self) -> TripData:
        d = self.cleaned_data
        return TripData(
            id_number="",
            name="",
            mobile="",
            key_group=d["key_group"],
            departure_date=d["departure_date"],
            arrival_date=d.get("arrival_date"),
            division_code=d["division_code"],
            transport=d["transport"],
            transport_number=d.get("transport_number", ""),
            origin_province=d.get("origin_province", ""),
            origin_city=d.get("origin_city", ""),
            origin_country=d.get("origin_country", ""),
            through_risk_area=d.get("through_risk_area", False),
            work_unit_name=d.get("work_unit_name", ""),
            notes=d.get("notes", ""),
        )


class SelfRegistrationForm(TripForm):
    """The public page: the community is fixed by the poster; no notes, no unit lookups."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division_code"].widget = forms.HiddenInput()
        self.fields["division_code"].required = False
        del self.fields["notes"]
        for name in ("id_number", "mobile"):
            self.fields[name].widget.attrs["inputmode"] = "numeric" if name == "mobile" else "text"
            self.fields[name].widget.attrs["autocomplete"] = "off"


class TripFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    key_group = forms.ChoiceField(
        label=_("Key group"), choices=[("", _("All")), *KeyGroup.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Arrival"), choices=[("", _("All")), *TripStatus.choices], required=False
    )
    observation = forms.ChoiceField(
        label=_("Observation"),
        choices=[("", _("All")), ("none", _("Not observed")), *ObservationStatus.choices],
        required=False,
    )
    division = forms.CharField(label=_("Division code"), required=False, max_length=12)
    arrived_from = forms.DateField(label=_("Arrived from"), required=False, widget=DATE)
    arrived_to = forms.DateField(label=_("Arrived until"), required=False, widget=DATE)
    departed_from = forms.DateField(label=_("Departed from"), required=False, widget=DATE)
    departed_to = forms.DateField(label=_("Departed until"), required=False, widget=DATE)
    work_unit = forms.IntegerField(label=_("Unit id"), required=False, widget=forms.HiddenInput)
    risk_area = forms.ChoiceField(
        label=_("Risk area"),
        choices=[("", _("All")), ("yes", _("Through a risk area")), ("no", _("Not through"))],
        required=False,
    )
    registered_via = forms.ChoiceField(
        label=_("Registered via"),
        choices=[("", _("All")), *RegisteredVia.choices],
        required=False,
    )

    def filters(self) -> TripFilters:
        if not self.is_valid():
            return TripFilters()
        d = self.cleaned_data
        return TripFilters(
            q=d.get("q") or "",
            key_group=d.get("key_group") or "",
            status=d.get("status") or "",
            observation=d.get("observation") or "",
            division=d.get("division") or "",
            arrived_from=d.get("arrived_from"),
            arrived_to=d.get("arrived_to"),
            departed_from=d.get("departed_from"),
            departed_to=d.get("departed_to"),
            work_unit=d.get("work_unit"),
            risk_area=d.get("risk_area") or "",
            registered_via=d.get("registered_via") or "",
        )


class ArrivalForm(forms.Form):
    observe = forms.ChoiceField(
        label=_("Observation"),
        choices=[
            ("auto", _("As the rules say")),
            ("yes", _("Observe")),
            ("no", _("Do not observe")),
        ],
        initial="auto",
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ObservationKind.choices)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class CheckForm(forms.Form):
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact = forms.ChoiceField(
        label=_("How contacted"), choices=ContactMethod.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=pgettext_lazy("remark", "Note"), max_length=300, required=False)


class EndForm(forms.Form):
    """Hospital, transfer or lost contact; release has its own step (``ClearanceForm``)."""

    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (s.value, s.label)
            for s in ObservationStatus
            if s not in (ObservationStatus.ACTIVE, ObservationStatus.RELEASED)
        ],
    )
    note = forms.CharField(label=pgettext_lazy("remark", "Note"), max_length=300, required=False)


class ClearanceForm(forms.Form):
    """The release confirm step: a named clearance for the held people ticked there."""

    clearance_by = forms.CharField(
        label=_("Clearance given by"),
        max_length=50,
        required=False,
        help_text=_("Who lets the held people go, e.g. the doctor who examined them"),
    )
    clearance_reason = forms.CharField(
        label=_("Why they may be released"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReassignForm(forms.Form):
    """Hand an observation to another worker of its community."""

    responsible = forms.ModelChoiceField(
        label=_("Responsible worker"), queryset=User.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates


class UnitAdminsForm(forms.Form):
    """The users who confirm a unit's own staff, chosen among the unit administrators."""

    admins = forms.ModelMultipleChoiceField(
        label=_("Unit administrators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["admins"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = candidates


class WorkUnitForm(UnitAdminsForm):
    name = forms.CharField(label=pgettext_lazy("object name", "Name"), max_length=120)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    division_code = forms.CharField(label=_("Division code"), max_length=12)
    field_order = ("name", "uscc", "kind", "division_code", "admins")


class RiskAreaForm(forms.Form):
    province = forms.CharField(label=_("Province or country"), max_length=50)
    city = forms.CharField(label=_("City"), max_length=50, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Census file (xlsx or CSV)"))
    division = forms.CharField(
        label=_("Default community code"),
        max_length=12,
        required=False,
        help_text=_("Used for rows without a destination code"),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Import the good rows and skip the bad ones"), required=False
    )
    dry_run = forms.BooleanField(label=_("Only check, import nothing"), required=False)


class ConvoyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ConvoyKind.choices)
    vehicle = forms.CharField(label=_("Vehicle (plate, or train and carriage)"), max_length=40)
    driver_name = forms.CharField(label=_("Driver or attendant"), max_length=50)
    driver_mobile = forms.CharField(label=_("Driver's mobile"), max_length=20)
    route = forms.CharField(
        label=_("Route"), max_length=200, help_text=_("e.g. 呼和浩特 → 巴彦浩特")
    )
    departure_at = forms.DateTimeField(
        label=_("Departure"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    key_group = forms.ChoiceField(label=_("Key group"), choices=KeyGroup.choices)
    seats_per_row = forms.IntegerField(
        label=_("Seats per row"), min_value=1, max_value=6, initial=4
    )
    division_code = forms.CharField(label=_("Organising division code"), max_length=12)


class ManifestForm(forms.Form):
    lines = forms.CharField(
        label=_("Passengers, one a line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("seat, name, ID number, mobile, community code[, work unit or school]"),
        required=False,
    )
    file = forms.FileField(
        label=_("Or import a manifest (xlsx or CSV)"),
        required=False,
        help_text=_("The same columns, one passenger a row; a header row is skipped"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("lines", "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Type the passengers or choose a manifest file."))
        return data


class TransitCheckForm(forms.Form):
    passenger = forms.IntegerField(widget=forms.HiddenInput)
    stage = forms.ChoiceField(label=_("Stage"), choices=TransitStage.choices)
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
