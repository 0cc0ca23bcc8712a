from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.core.numbers import number_error
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, division_scope_key, normalize_mobile


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The user name or password is wrong. After %(max)s failed attempts in a row the "
            "account is locked for %(minutes)s minutes."
        ),
    }

    def get_invalid_login_error(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "max": settings.FANGKONG_LOGIN_MAX_FAILURES,
                "minutes": settings.FANGKONG_LOGIN_LOCK_MINUTES,
            },
        )

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username:
            user = User.objects.filter(username__iexact=username.strip()).first()
            if user is not None and user.locked_until and user.is_locked():
                left = (user.locked_until - timezone.now()).total_seconds()
                minutes = max(1, int(left // 60) + 1)
                raise forms.ValidationError(
                    ngettext(
                        "This account is locked after too many failed logins. "
                        "Try again in %(minutes)d minute, or ask your HQ to reset the password.",
                        "This account is locked after too many failed logins. "
                        "Try again in %(minutes)d minutes, or ask your HQ to reset the password.",
                        minutes,
                    )
                    % {"minutes": minutes},
                    code="locked",
                )
        result = super().clean()
        if self.user_cache is not None and self.user_cache.is_locked():
            raise forms.ValidationError(
                _("This account was just locked after too many failed logins."), code="locked"
            )
        return result


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput,
        help_text=_("At least 10 characters, not all digits, not a common password."),
    )
    new_password_again = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class DivisionCodeField(forms.CharField):
    """A division code in any of its written forms: 1529, 152900, 152921102, 152921102000."""

    default_error_messages = {"unknown": _("No division has the code %(code)s.")}

    def to_python(self, value: Any) -> Division | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            key = division_scope_key(text)
        except InvalidNumber as exc:
            raise forms.ValidationError(number_error(exc)) from None
        division = Division.objects.filter(code=key).first()
        if division is None:
            raise forms.ValidationError(self.error_messages["unknown"] % {"code": text})
        return division


class UserForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    division = DivisionCodeField(
        label=_("Division code"),
        help_text=_("e.g. 152921 for 阿拉善左旗; 6- or 12-digit forms work too"),
    )
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("The user must change it at first login."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["username"].disabled = True
            del self.fields["password"]
        else:
            self.fields["password"].required = True

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "")
        if not phone:
            return ""
        try:
            return normalize_mobile(phone)
        except InvalidNumber:
            raise forms.ValidationError(_("Enter an 11-digit mainland mobile number.")) from None


class ResetPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Device name"), max_length=80)
