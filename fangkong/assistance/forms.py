from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.accounts.forms import DivisionCodeField
from fangkong.assistance.models import (
    ApplicationKind,
    Category,
    Channel,
    Delivery,
    HelpCategory,
    HouseholdStatus,
    Item,
    Urgency,
    Warehouse,
)

DATE = forms.DateInput(attrs={"type": "date"})


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or ID number ending"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", "—"), *Category.choices]
    )


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Civil-affairs roster (xlsx)"),
        help_text=_(
            "One row per person: 户编号, 姓名, 与户主关系, 身份证号, 联系电话, 区划代码, 类别, "
            "月保障金, 下次核查日期, 住址. The head's row (户主) carries the household."
        ),
    )


class HouseholdStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=HouseholdStatus.choices)
    reason = forms.CharField(label=_("Reason for the change"), max_length=200)


class VisitForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    food_short = forms.BooleanField(label=_("Short of food"), required=False)
    medicine_short = forms.BooleanField(label=_("Short of medicine"), required=False)
    heating_short = forms.BooleanField(label=_("Short of heating fuel"), required=False)
    water_short = forms.BooleanField(label=_("Short of water"), required=False)
    fodder_short = forms.BooleanField(label=_("Short of fodder for livestock"), required=False)
    income_lost = forms.BooleanField(label=_("Lost income"), required=False)
    needs = forms.CharField(
        label=_("Needs"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cash = forms.DecimalField(
        label=_("Temporary cash assistance (yuan)"), required=False, min_value=0, decimal_places=2
    )
    in_kind = forms.CharField(label=_("In-kind relief given"), required=False)
    in_kind_value = forms.DecimalField(
        label=_("In-kind value (yuan)"), required=False, min_value=0, decimal_places=2
    )


class SweepForm(forms.Form):
    division = DivisionCodeField(label=_("Division code"))
    title = forms.CharField(label=_("Title"), max_length=120)
    due_date = forms.DateField(label=_("Visit everyone by"), widget=DATE)


class ApplicationForm(forms.Form):
    division = DivisionCodeField(label=_("Gacha/community code"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ApplicationKind.choices)
    applicant_name = forms.CharField(label=_("Applicant"), max_length=60)
    applicant_id_number = forms.CharField(label=_("ID number"), max_length=18)
    applicant_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    amount_requested = forms.DecimalField(
        label=_("Amount requested (yuan)"),
        help_text=_("Temporary aid: the one-off amount. Other kinds: the amount per month."),
        min_value=0,
        decimal_places=2,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class StepForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("pass", _("Pass / approve")),
            ("reject", pgettext_lazy("application decision", "Reject")),
        ],
    )
    amount_granted = forms.DecimalField(
        label=_("Amount granted (yuan per month)"), required=False, min_value=0, decimal_places=2
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, one_off: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if one_off:  # a one-off grant is paid once, never worded as monthly
            self.fields["amount_granted"].label = _("Amount granted, paid once (yuan)")


class ExtensionForm(forms.Form):
    division = DivisionCodeField(label=_("Division code"))
    due_from = forms.DateField(label=_("Reviews due from"), widget=DATE)
    due_to = forms.DateField(label=_("Reviews due to"), widget=DATE)
    months = forms.IntegerField(label=_("Extend by (months)"), min_value=1, max_value=24)


class HelpRequestForm(forms.Form):
    division = forms.ChoiceField(label=_("Your gacha/community"))
    name = forms.CharField(label=_("Your name"), max_length=60)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("What do you need"), choices=HelpCategory.choices)
    urgency = forms.ChoiceField(label=_("How urgent"), choices=Urgency.choices)
    description = forms.CharField(
        label=_("Describe the need"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, divisions: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["division"].choices = divisions  # type: ignore[attr-defined]


class HelpLookupForm(forms.Form):
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=16)
    phone_last4 = forms.RegexField(
        label=_("Last 4 digits of your phone"),
        regex=r"^\d{4}$",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class AnswerForm(forms.Form):
    note = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class LotForm(forms.Form):
    donor_kind = forms.ChoiceField(
        label=_("Donor kind"),
        choices=[("person", pgettext_lazy("donor type", "Person")), ("company", _("Company"))],
    )
    donor_name = forms.CharField(label=_("Donor"), max_length=120)
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.all())
    quantity = forms.DecimalField(label=_("Quantity"), decimal_places=3)
    expires_on = forms.DateField(label=_("Expires"), required=False, widget=DATE)
    value = forms.DecimalField(label=_("Value (yuan)"), required=False, decimal_places=2)


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Item"), max_length=80, help_text=_("e.g. 医用口罩, 84消毒液"))
    unit = forms.CharField(
        label=_("Unit"),
        max_length=20,
        help_text=_("What one counts: 只, 个, 瓶, 升, 袋, 公斤"),
        widget=forms.TextInput(attrs={"list": "item-units"}),
    )
    whole_units = forms.BooleanField(
        label=_("Counted in whole units"),
        required=False,
        initial=True,
        help_text=_("Untick for goods measured in parts (升, 公斤)."),
    )


class PlanForm(forms.Form):
    plan_name = forms.CharField(label=_("Plan"), max_length=120)
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.all())
    quantity_each = forms.DecimalField(label=_("Quantity per household"), decimal_places=3)
    division = DivisionCodeField(label=_("Division code"))
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", "—"), *Category.choices]
    )


class DeliveryConfirmForm(forms.Form):
    proof_kind = forms.ChoiceField(label=_("Proof"), choices=Delivery.Proof.choices)
    receipt_code = forms.CharField(label=_("Recipient's receipt code"), required=False)
    proof_file = forms.ImageField(label=_("Photo or signature"), required=False)
