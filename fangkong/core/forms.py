from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fangkong.core.audit_labels import VERB_LABELS
from fangkong.core.models import EmergencyPeriod


def errors_into_form(form: Any, exc: ValidationError) -> None:
    """A service's ValidationError on the form: on the fields it names, else above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("Actor"), required=False)
    # Picked by name; a prefix such as ``checkpoint`` in the address still filters a whole app.
    verb = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        widget=forms.Select(choices=[("", _("All actions")), *sorted(VERB_LABELS.items())]),
    )
    target = forms.CharField(
        label=_("Object"), required=False, help_text=_("Name, id, or type:id such as user:12")
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class EmergencyPeriodForm(forms.ModelForm):
    class Meta:
        model = EmergencyPeriod
        fields = (
            "name",
            "level",
            "starts_at",
            "ends_at",
            "observation_days",
            "simplified_assistance_approval",
            "review_extension_months",
            "notes",
        )
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
