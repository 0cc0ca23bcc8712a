"""Write use cases of accounts: users, memberships, passwords, lockout, device tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import DeviceToken, Membership, User, hash_token
from fangkong.accounts.roles import Perm, Role
from fangkong.core.audit import record_audit
from fangkong.divisions.models import Division

TOKEN_PREFIX = "fk_"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True)
class RoleGrant:
    role: str
    division: Division


def _check_grants(actor: User | None, grants: list[RoleGrant]) -> None:
    if not grants:
        raise ValidationError(_("A user needs at least one role in a division."))
    for grant in grants:
        try:
            Role(grant.role)
        except ValueError:
            raise ValidationError(_("Unknown role: %(role)s") % {"role": grant.role}) from None
        if actor is not None and not actor.can(Perm.USERS_MANAGE, grant.division.code):
            raise PermissionDenied(
                _("%(division)s is outside your jurisdiction.") % {"division": grant.division}
            )


def _primary_code(grants: list[RoleGrant]) -> str:
    return min((g.division.code for g in grants), key=len)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    grants: list[RoleGrant],
    display_name: str = "",
    phone: str = "",
    must_change_password: bool = True,
) -> User:
    """Create a user with roles. ``actor=None`` is the command line (no jurisdiction limit)."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("A user name is required.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("The user name %(name)s is taken.") % {"name": username}}
        )
    _check_grants(actor, grants)
    user = User(
        username=username,
        display_name=display_name.strip(),
        phone=phone.strip(),
        must_change_password=must_change_password,
    )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    for grant in grants:
        Membership.objects.create(
            user=user, role=grant.role, division=grant.division, division_code=grant.division.code
        )
    record_audit(
        actor,
        "user.create",
        user,
        division_code=_primary_code(grants),
        roles=[f"{g.role}@{g.division.code}" for g in grants],
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User | None,
    user: User,
    display_name: str | None = None,
    phone: str | None = None,
    grants: list[RoleGrant] | None = None,
) -> User:
    changed: dict[str, Any] = {}
    fields: list[str] = []
    if display_name is not None and display_name.strip() != user.display_name:
        changed["display_name"] = [user.display_name, display_name.strip()]
        user.display_name = display_name.strip()
        fields.append("display_name")
    if phone is not None and phone.strip() != user.phone:
        changed["phone"] = "changed"
        user.phone = phone.strip()
        fields.append("phone")
    if fields:
        user.save(update_fields=fields)
    if grants is not None:
        _check_grants(actor, grants)
        before = sorted(
            f"{r}@{c}" for r, c in user.memberships.values_list("role", "division_code")
        )
        after = sorted(f"{g.role}@{g.division.code}" for g in grants)
        if before != after:
            if actor is not None and actor.pk == user.pk:
                raise ValidationError(_("You cannot change your own roles."))
            user.memberships.all().delete()
            for grant in grants:
                Membership.objects.create(
                    user=user,
                    role=grant.role,
                    division=grant.division,
                    division_code=grant.division.code,
                )
            changed["roles"] = [before, after]
        user.clear_permission_cache()
    if changed:
        record_audit(actor, "user.update", user, division_code=_user_code(user), changed=changed)
    return user


def _user_code(user: User) -> str:
    codes = list(user.memberships.values_list("division_code", flat=True))
    return min(codes, key=len) if codes else ""


@transaction.atomic
def user_set_active(*, actor: User | None, user: User, active: bool, reason: str = "") -> User:
    if actor is not None and actor.pk == user.pk and not active:
        raise ValidationError(_("You cannot disable your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        # Revoke what lets the user in: device tokens now, sessions on their next request
        # (the authentication middleware refuses inactive users).
        DeviceToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    record_audit(
        actor,
        "user.enable" if active else "user.disable",
        user,
        division_code=_user_code(user),
        reason=reason,
    )
    return user


@transaction.atomic
def user_reset_password(*, actor: User | None, user: User, password: str) -> User:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["password", "must_change_password", "failed_logins", "locked_until"])
    record_audit(actor, "user.reset_password", user, division_code=_user_code(user))
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    if old_password == new_password:
        raise ValidationError({"new_password": _("The new password must differ from the old one.")})
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record_audit(user, "user.change_password", user, division_code=_user_code(user))
    return user


# --- lockout --------------------------------------------------------------------------------


def login_failed(*, user: User) -> User:
    """Count a failed login; the last allowed failure locks the account for a while."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins", "locked_until"])
        if user.failed_logins >= settings.FANGKONG_LOGIN_MAX_FAILURES:
            user.locked_until = timezone.now() + timedelta(
                minutes=settings.FANGKONG_LOGIN_LOCK_MINUTES
            )
            user.failed_logins = 0
            user.save(update_fields=["locked_until", "failed_logins"])
            record_audit(None, "user.lock", user, division_code=_user_code(user))
    return user


def login_succeeded(*, user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


# --- device tokens --------------------------------------------------------------------------


@transaction.atomic
def token_create(*, actor: User | None, user: User, name: str) -> tuple[DeviceToken, str]:
    """Create a device token; returns it and the raw token, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the device it is for.")})
    if not user.is_active:
        raise ValidationError(_("The user is disabled."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = DeviceToken.objects.create(
        user=user, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], token_hash=hash_token(raw)
    )
    record_audit(actor, "token.create", token, division_code=_user_code(user), user=user.username)
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User | None, token: DeviceToken) -> DeviceToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        record_audit(
            actor, "token.revoke", token, division_code=_user_code(token.user), name=token.name
        )
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a raw bearer token, or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        DeviceToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
