from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.accounts.forms import DivisionCodeField
from fangkong.accounts.models import User
from fangkong.checkpoints.models import Checkpoint, Direction, Kind, ReportStatus, Result, Subject
from fangkong.returnees.models import KeyGroup, Transport

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CheckpointRequestForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("object name", "Name"), max_length=120)
    division = DivisionCodeField(
        label=_("Division code"), help_text=_("Where the checkpoint is, e.g. 152921110")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
    )
    department = forms.CharField(label=_("Requesting department"), max_length=120)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    planned_hours = forms.CharField(
        label=_("Planned hours"),
        max_length=60,
        initial="24h",
        help_text=_("e.g. 24h or 06:00-22:00"),
    )
    min_staff = forms.IntegerField(
        label=_("Minimum people per shift"), initial=2, min_value=1, max_value=50
    )


class CheckpointEditForm(forms.Form):
    """The details that can be corrected; place and kind decide the approving HQ and stay."""

    name = CheckpointRequestForm.base_fields["name"]
    location = CheckpointRequestForm.base_fields["location"]
    latitude = CheckpointRequestForm.base_fields["latitude"]
    longitude = CheckpointRequestForm.base_fields["longitude"]
    department = CheckpointRequestForm.base_fields["department"]
    planned_hours = CheckpointRequestForm.base_fields["planned_hours"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ShiftForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME_WIDGET)
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=User.objects.none())
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["leader"].queryset = candidates  # type: ignore[attr-defined]
            self.fields["members"].queryset = candidates  # type: ignore[attr-defined]


class RepeatForm(forms.Form):
    days = forms.IntegerField(
        label=_("Repeat on the next … days"),
        min_value=1,
        max_value=31,
        initial=5,
        help_text=_("The same times and people, once a day, from the day after this shift."),
    )


class HandoverForm(forms.Form):
    note = forms.CharField(label=_("Handover note"), widget=forms.Textarea(attrs={"rows": 3}))


class UnauthorisedReportForm(forms.Form):
    division = DivisionCodeField(
        label=_("Division code"),
        help_text=_("The banner, sumu or gacha where it is, e.g. 152921 for 阿拉善左旗"),
    )
    location = forms.CharField(label=_("Where"), max_length=200)
    description = forms.CharField(
        label=_("What was seen"), widget=forms.Textarea(attrs={"rows": 3})
    )
    reporter_name = forms.CharField(label=_("Your name"), max_length=60, required=False)
    reporter_phone = forms.CharField(label=_("Your phone"), max_length=20, required=False)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in ReportStatus.choices if c[0] != ReportStatus.OPEN],
    )
    note = forms.CharField(
        label=_("What was found and done"), widget=forms.Textarea(attrs={"rows": 2})
    )
    checkpoint = forms.ModelChoiceField(
        label=_("Approved checkpoint (when legitimised)"),
        queryset=Checkpoint.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, checkpoints: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if checkpoints is not None:
            self.fields["checkpoint"].queryset = checkpoints  # type: ignore[attr-defined]


class PassageForm(forms.Form):
    at = forms.DateTimeField(label=_("Time"), widget=DATETIME_WIDGET)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    subject = forms.ChoiceField(label=_("Subject"), choices=Subject.choices)
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    person_name = forms.CharField(label=_("Name"), max_length=60, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"), max_digits=3, decimal_places=1, required=False
    )
    result = forms.ChoiceField(label=_("Result"), choices=Result.choices)
    pass_serial = forms.CharField(label=_("Pass serial"), max_length=40, required=False)


class MinStaffForm(forms.Form):
    min_staff = forms.IntegerField(label=_("Minimum people per shift"), min_value=1, max_value=50)


class PassageReturneeForm(forms.Form):
    """Register the person of a passage as a returnee; the ID number comes from the passage."""

    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    key_group = forms.ChoiceField(label=_("Key group"), choices=KeyGroup.choices)
    departure_date = forms.DateField(
        label=_("Departure date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    division_code = forms.CharField(
        label=_("Destination (division code)"),
        max_length=12,
        help_text=_("The gacha, village or community the person returns to"),
    )
    transport = forms.ChoiceField(label=_("Means of transport"), choices=Transport.choices)
    transport_number = forms.CharField(
        label=_("Plate or trip number"), max_length=20, required=False
    )
    origin_province = forms.CharField(
        label=_("Coming from (province)"), max_length=40, required=False
    )
    origin_city = forms.CharField(label=_("Coming from (city)"), max_length=40, required=False)
