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


class BulletinForm(forms.Form):
    audience = forms.ChoiceField(label=_("To whom"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 350, "data-sms-count": "1"}),
        help_text=_("70 characters make one SMS; at most 5 SMS (350 characters)."),
    )
    divisions = forms.MultipleChoiceField(label=_("Divisions"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, audiences: list[tuple[str, str]], divisions: Any, **kw: Any):
        super().__init__(*args, **kw)
        audience = self.fields["audience"]
        assert isinstance(audience, forms.ChoiceField)
        audience.choices = audiences
        self.division_rows = list(divisions)
        picked = self.fields["divisions"]
        assert isinstance(picked, forms.MultipleChoiceField)
        picked.choices = [(d.code, d.name) for d in self.division_rows]
