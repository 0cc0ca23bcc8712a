from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.directives.models import AssignmentStatus, NoticeKind
from fangkong.directives.parsing import MAX_TEXT_CHARS, NoticeImportError


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class NoticeSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class NoticeImportForm(forms.Form):
    """Step 1: paste the text or upload a .docx / .txt file."""

    text = forms.CharField(
        label=_("Pasted text"),
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Paste the notice as copied from a web page or a Word file."),
    )
    upload = forms.FileField(
        label=_("or a .docx / .txt file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.txt"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("upload"):
            raise forms.ValidationError(_("Paste the text or choose a file."))
        return data


class NoticeConfirmForm(forms.Form):
    """Step 2: check and correct what the importer found, then issue the notice."""

    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    issuer_name = forms.CharField(label=_("Issuer as written"), max_length=200, required=False)
    doc_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    public = forms.BooleanField(label=_("Public (on the public notice list)"), required=False)
    body = forms.CharField(
        label=_("Text of the notice"),
        max_length=MAX_TEXT_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Correct it if something that is not the notice's was left in: the measures are "
            "read again from this text when the notice is issued."
        ),
    )
    text = forms.CharField(widget=forms.HiddenInput, max_length=MAX_TEXT_CHARS)
    attachments = MultipleFileField(label=_("Attachments"))

    #: Shown under a field the importer did not find in the text.
    NOT_FOUND = {
        "issuer_name": _("Not found in the text: enter the issuer as the notice names it."),
        "doc_number": _("No number found in the text: enter it if the notice has one."),
        "date": _("No date found in the text (or no year): enter the notice's date."),
    }

    def mark_not_found(self, names: list[str]) -> None:
        """Flag the fields the importer left empty, for the person to fill in."""
        for name in names:
            self.fields[name].help_text = self.NOT_FOUND[name]
            self.fields[name].widget.attrs["class"] = "not-found"


class NoticeFieldsForm(forms.Form):
    """The fields of a notice a person writes or corrects (not imported from text)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    issuer_name = forms.CharField(
        label=_("Issuer as written"),
        max_length=200,
        required=False,
        help_text=_("Left empty: the issuing HQ's name."),
    )
    doc_number = forms.CharField(
        label=_("Document number"),
        max_length=100,
        required=False,
        help_text=_("e.g. 左防指发〔2020〕3号"),
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    public = forms.BooleanField(label=_("Public (on the public notice list)"), required=False)
    body = forms.CharField(
        label=_("Text"), max_length=MAX_TEXT_CHARS, widget=forms.Textarea(attrs={"rows": 14})
    )


class NoticeWriteForm(NoticeFieldsForm):
    """A notice written from scratch: its issuing HQ, fields, measures and attachments."""

    issuer = forms.ChoiceField(label=_("Issuing HQ"))
    measures = forms.CharField(
        label=_("Measures"),
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One measure a line: its title, then its text after the first 。 "
            "They are numbered 一、二、… in this order."
        ),
    )
    attachments = MultipleFileField(label=_("Attachments"))
    field_order = ["issuer", "kind", "title", "issuer_name", "doc_number", "date", "public"]

    def __init__(self, *args: Any, issuers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [(d.code, d.name) for d in issuers]  # type: ignore[attr-defined]


class NoticeEditForm(NoticeFieldsForm):
    """Correct a notice: its fields, new attachments, attachments to remove."""

    attachments = MultipleFileField(label=_("Add attachments"))
    remove = forms.MultipleChoiceField(
        label=_("Remove attachments"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, attachments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remove"].choices = [(str(a.pk), a.name) for a in attachments]  # type: ignore[attr-defined]
        if not attachments:
            del self.fields["remove"]


class AssignForm(forms.Form):
    measures = forms.MultipleChoiceField(label=_("Measures"), widget=forms.CheckboxSelectMultiple)
    divisions = forms.MultipleChoiceField(label=_("Divisions"), widget=forms.CheckboxSelectMultiple)
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, measures: Any, divisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measures"].choices = [(str(m.pk), str(m)) for m in measures]  # type: ignore[attr-defined]
        self.fields["divisions"].choices = [(d.code, d.short_name) for d in divisions]  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AssignmentStatus.choices)
    text = forms.CharField(
        label=pgettext_lazy("directive implementation", "What was done"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
    )
    figures = forms.CharField(
        label=_("Figures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. “checkpoints set up: 12”."),
        max_length=5_000,
    )
    attachments = MultipleFileField(
        label=_("Evidence (photos, files)"),
        help_text=_("Photos, PDF, Word, Excel or text files: at most 10, each up to 20 MB."),
    )


class AssignmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *AssignmentStatus.choices],
    )
    returned = forms.BooleanField(label=_("Sent back only"), required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5_000
    )


class DashboardForm(forms.Form):
    division = forms.CharField(required=False, max_length=20)
    date = forms.DateField(required=False)
    metric = forms.CharField(required=False, max_length=64)


IMPORT_ERRORS = {
    "file_too_large": _("The file is larger than 20 MB."),
    "not_docx": _("The file is not a Word (.docx) document. Save old .doc files as .docx first."),
    "docx_too_large": _("The Word document's text is too large to import."),
    "bad_docx": _("The Word document is damaged, encrypted or unreadable."),
    "not_text": _("The file is not a text file in UTF-8 or GB18030 encoding."),
    "unsupported_file": _("Only .docx and .txt files can be imported."),
    "text_too_large": _("The text is too long to be a notice: paste only the notice itself."),
    "empty": _("The text is empty."),
    "nothing_found": _(
        "No notice text was found in what was pasted: only a site's menus, footers, links or "
        "headings. Copy the notice itself, from its title to its date, and paste it again."
    ),
}


def import_error_message(error: NoticeImportError) -> str:
    """The importer's error in the user's language (its code picks the message)."""
    message = IMPORT_ERRORS.get(error.code)
    return str(message) if message is not None else str(error)
