from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts import selectors, services
from fangkong.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    ResetPasswordForm,
    TokenForm,
    UserForm,
)
from fangkong.accounts.home import cards_for
from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm, Role
from fangkong.core.forms import errors_into_form
from fangkong.core.selectors import emergency_period_current

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    memberships = user.memberships.select_related("division").order_by("division_code")
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": memberships,
            "period": emergency_period_current(),
            "roles": sorted(user.roles),
            "cards": cards_for(user),
        },
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


# --- user management ------------------------------------------------------------------------


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_perm(actor, Perm.USERS_MANAGE)
    active_param = request.GET.get("active", "")
    active = {"1": True, "0": False}.get(active_param)
    users = selectors.user_list(
        actor=actor, q=request.GET.get("q", ""), role=request.GET.get("role", ""), active=active
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "roles": Role.choices, "filters": request.GET},
    )


def _grants_from(form: UserForm) -> list[services.RoleGrant]:
    return [services.RoleGrant(form.cleaned_data["role"], form.cleaned_data["division"])]


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_perm(actor, Perm.USERS_MANAGE)
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=actor,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                phone=form.cleaned_data["phone"],
                grants=_grants_from(form),
            )
        except PermissionDenied as exc:
            form.add_error("division", str(exc))
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("accounts:user-detail", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _actor(request)
    user = selectors.access_user_by_id(actor, user_id)
    writable = True
    try:
        selectors.access_user_by_id(actor, user_id, write=True)
    except Exception:
        writable = False
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "writable": writable,
            "tokens": user.device_tokens.all(),
            "reset_form": ResetPasswordForm(),
        },
    )


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _actor(request)
    user = selectors.access_user_by_id(actor, user_id, write=True)
    first = user.memberships.select_related("division").first()
    initial = {
        "username": user.username,
        "display_name": user.display_name,
        "phone": user.phone,
        "role": first.role if first else "",
        "division": first.division.code if first else "",
    }
    form = UserForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                actor=actor,
                user=user,
                display_name=form.cleaned_data["display_name"],
                phone=form.cleaned_data["phone"],
                grants=_grants_from(form),
            )
        except PermissionDenied as exc:
            form.add_error("division", str(exc))
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:user-detail", user_id=user.pk)
    return render(
        request, "accounts/user_form.html", {"form": form, "creating": False, "subject": user}
    )


@login_required
@require_POST
def user_set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _actor(request)
    user = selectors.access_user_by_id(actor, user_id, write=True)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(
            actor=actor, user=user, active=active, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("User enabled.") if active else _("User disabled."))
    return redirect("accounts:user-detail", user_id=user.pk)


@login_required
@require_POST
def user_reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _actor(request)
    user = selectors.access_user_by_id(actor, user_id, write=True)
    form = ResetPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.user_reset_password(
                actor=actor, user=user, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Password reset; the user must change it at the next login.")
            )
    return redirect("accounts:user-detail", user_id=user.pk)


# --- device tokens --------------------------------------------------------------------------


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = services.token_create(
                actor=actor, user=actor, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/token_list.html",
        {"form": form, "raw_token": raw, "tokens": actor.device_tokens.all()},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    actor = _actor(request)
    token = selectors.access_token_by_id(actor, token_id)
    services.token_revoke(actor=actor, token=token)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    if token.user_id == actor.pk:
        return redirect("accounts:token-list")
    return redirect("accounts:user-detail", user_id=token.user_id)
