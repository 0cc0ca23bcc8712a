from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import EmergencyPeriod


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("Actor"), required=False)
    verb = forms.CharField(label=_("Action"), required=False)
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
