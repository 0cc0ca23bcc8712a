"""Forms of passes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.passes.models import DEFAULT_VALIDITY_DAYS, MAX_VALIDITY_DAYS, Cargo


class PassForm(forms.Form):
    issuer = forms.ChoiceField(label=_("Issuing HQ"))
    plate = forms.CharField(label=_("Plate"), max_length=20, help_text=_("e.g. 蒙M12345"))
    vehicle_type = forms.CharField(label=_("Vehicle type"), max_length=40, required=False)
    owner = forms.CharField(label=_("Owner or company"), max_length=100, required=False)
    driver_name = forms.CharField(label=_("Driver"), max_length=50, required=False)
    driver_id_number = forms.CharField(label=_("Driver's ID number"), max_length=20, required=False)
    driver_phone = forms.CharField(label=_("Driver's mobile"), max_length=20, required=False)
    cargo = forms.ChoiceField(label=_("Cargo"), choices=Cargo.choices)
    origin = forms.CharField(
        label=pgettext_lazy("pass route", "From"),
        max_length=100,
        help_text=_("A division code or a place outside the region"),
    )
    destination = forms.CharField(label=pgettext_lazy("pass route", "To"), max_length=100)
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=MAX_VALIDITY_DAYS,
        initial=DEFAULT_VALIDITY_DAYS,
    )

    def __init__(self, *args: object, issuers: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["issuer"].choices = issuers  # type: ignore[attr-defined]


class BulkForm(forms.Form):
    issuer = forms.ChoiceField(label=_("Issuing HQ"))
    owner = forms.CharField(label=_("Fleet owner or company"), max_length=100, required=False)
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        help_text=_(
            "Columns: plate, vehicle_type, owner, driver_name, driver_id_number, driver_phone, "
            "cargo, origin, destination, days. One pass per row; any error and none is issued."
        ),
    )

    def __init__(self, *args: object, issuers: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["issuer"].choices = issuers  # type: ignore[attr-defined]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
