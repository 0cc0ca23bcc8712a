"""Forms of the community pages. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.accounts.forms import DivisionCodeField
from fangkong.accounts.models import User
from fangkong.community.models import (
    HANDLED_GATHERING_STATUSES,
    AreaKind,
    ChecklistItem,
    ConveyMethod,
    FamilyEventKind,
    FamilyEventStatus,
    GatheringKind,
    GatheringStatus,
    MaterialKind,
)
from fangkong.divisions.models import Division


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GatheringFields(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of gathering"), choices=GatheringKind.choices)
    place = forms.CharField(label=_("Place"), max_length=200)
    occurs_at = forms.DateTimeField(label=_("When"), widget=DATETIME_WIDGET)
    estimated_people = forms.IntegerField(
        label=_("Estimated number of people"), min_value=0, max_value=100_000, initial=0
    )
    organiser = forms.CharField(label=_("Organiser, if known"), max_length=100, required=False)
    description = forms.CharField(
        label=_("What is happening"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = MultipleFileField(
        label=_("Photos"), help_text=_("Up to 4 photos (JPEG, PNG or WebP, 8 MB each).")
    )


class PublicGatheringForm(GatheringFields):
    """The public phone form reached by QR: a division chosen from the QR's area."""

    division = forms.ChoiceField(label=_("Sumu/town or gacha"))
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=60, required=False)
    reporter_phone = forms.CharField(
        label=_("Your phone (optional)"),
        max_length=20,
        required=False,
        help_text=_("Leave both empty to report anonymously."),
    )
    field_order = ["division", "kind", "place", "occurs_at", "estimated_people"]

    def __init__(self, *args: Any, divisions: list[Division], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.divisions = {d.code: d for d in divisions}
        chooser = self.fields["division"]
        assert isinstance(chooser, forms.ChoiceField)
        chooser.choices = [
            (d.code, ("\u3000" if d.level == "village" else "") + d.name) for d in divisions
        ]

    def clean_division(self) -> Division:
        return self.divisions[self.cleaned_data["division"]]


class StaffGatheringForm(GatheringFields):
    division = DivisionCodeField(
        label=_("Division code"), help_text=_("e.g. 152921110 for 巴彦浩特镇")
    )
    field_order = ["division", "kind", "place", "occurs_at", "estimated_people"]


class GatheringAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("Me")
    )

    def __init__(self, *args: Any, assignees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chooser = self.fields["assignee"]
        assert isinstance(chooser, forms.ModelChoiceField)
        chooser.queryset = assignees


class GatheringHandleForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s.value, s.label) for s in GatheringStatus if s in HANDLED_GATHERING_STATUSES],
    )
    notes = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FamilyEventForm(forms.Form):
    household_name = forms.CharField(label=_("Household head"), max_length=60)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=FamilyEventKind.choices)
    planned_on = forms.DateField(label=_("Planned date"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=200)
    expected_guests = forms.IntegerField(
        label=_("Expected guests"), min_value=0, max_value=100_000, initial=0
    )
    division = DivisionCodeField(label=_("Gacha/community code"))


class FamilyEventOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s.value, s.label) for s in FamilyEventStatus if s != FamilyEventStatus.DECLARED],
    )
    postponed_to = forms.DateField(label=_("Postponed to"), required=False, widget=DATE_WIDGET)
    conditions = forms.CharField(
        label=_("Conditions (when held small)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(forms.Form):
    notes = forms.CharField(
        label=_("What you found on the day"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def parse_checklist(text: str) -> list[tuple[str, int]]:
    """``label | weight`` per line; a clear error names the line."""
    items = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        label, sep, weight = line.rpartition("|")
        if not sep:
            raise forms.ValidationError(
                _("line %(n)d: write the item, a bar and its weight, e.g. 垃圾清运 | 30")
                % {"n": number}
            )
        try:
            value = int(weight.strip())
        except ValueError:
            raise forms.ValidationError(
                _("line %(n)d: the weight must be a whole number.") % {"n": number}
            ) from None
        items.append((label.strip(), value))
    return items


class CampaignForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("object name", "Name"), max_length=120)
    division = DivisionCodeField(label=_("Run by (division code)"))
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_WIDGET)
    pass_score = forms.IntegerField(label=_("Pass mark"), min_value=1, max_value=100, initial=80)
    checklist = forms.CharField(
        label=_("Checklist"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item per line: item | weight (1-100)."),
    )

    def clean_checklist(self) -> list[tuple[str, int]]:
        return parse_checklist(self.cleaned_data["checklist"])


class ChecklistForm(forms.Form):
    checklist = forms.CharField(
        label=_("Checklist"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item per line: item | weight (1-100)."),
    )

    def clean_checklist(self) -> list[tuple[str, int]]:
        return parse_checklist(self.cleaned_data["checklist"])


class TaskForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=AreaKind.choices)
    title = forms.CharField(label=_("Task"), max_length=200)
    division = DivisionCodeField(label=_("Division code"))
    responsible_name = forms.CharField(label=_("Responsible person"), max_length=60)
    responsible_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    due_on = forms.DateField(label=_("Due date"), widget=DATE_WIDGET)


class InspectionForm(forms.Form):
    """One yes/no per checklist item, problems, a deadline when problems are found, photos."""

    problems = forms.CharField(
        label=_("Problems found"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rectification_due = forms.DateField(
        label=_("Rectification deadline"), required=False, widget=DATE_WIDGET
    )
    photos = MultipleFileField(label=_("Photos"))

    def __init__(self, *args: Any, items: list[ChecklistItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.BooleanField(
                label=f"{item.label} ({item.weight})", required=False
            )
        self.order_fields([f"item_{i.pk}" for i in items])

    def results(self) -> dict[int, bool]:
        return {item.pk: bool(self.cleaned_data.get(f"item_{item.pk}")) for item in self.items}


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    body = forms.CharField(
        label=_("Text"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Image, PDF or audio (MP3, WAV, OGG, M4A) for village loudspeakers."),
    )
    division = DivisionCodeField(label=_("Published by (division code)"))
    targets = forms.CharField(
        label=_("Publish to (division codes)"),
        help_text=_("Codes separated by spaces or commas, e.g. 152921 152922102."),
    )

    def clean_targets(self) -> list[Division]:
        field = DivisionCodeField()
        raw = self.cleaned_data["targets"].replace(",", " ").replace("，", " ").split()
        divisions = []
        for code in raw:
            division = field.clean(code)
            if division is not None:
                divisions.append(division)
        if not divisions:
            raise forms.ValidationError(_("Give at least one division code."))
        return divisions


class ConveyanceForm(forms.Form):
    gacha = forms.ChoiceField(label=_("Gacha/community"))
    method = forms.ChoiceField(label=_("How"), choices=ConveyMethod.choices)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args: Any, gachas: list[Division], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gachas = {g.code: g for g in gachas}
        chooser = self.fields["gacha"]
        assert isinstance(chooser, forms.ChoiceField)
        chooser.choices = [(g.code, g.name) for g in gachas]

    def clean_gacha(self) -> Division:
        return self.gachas[self.cleaned_data["gacha"]]
