from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.alerts.models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ("language", "sms", "min_severity", "quiet_start", "quiet_end")
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "language": _("The language of your SMS; the pages follow the language you choose."),
            "min_severity": _("Urgent alerts are always sent, whatever you choose here."),
            "quiet_end": _("No SMS in these hours, except urgent alerts (e.g. 22:00 to 07:00)."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            self.add_error(
                "quiet_end" if end is None else "quiet_start",
                _("Give both ends of the quiet hours, or neither."),
            )
        elif start is not None and start == end:
            self.add_error(
                "quiet_end", _("The quiet hours must end at another time than they start.")
            )
        return data
