from __future__ import annotations

import hashlib
from datetime import datetime
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.roles import ROLE_PERMISSIONS, ROOT_ONLY, Perm, Role
from fangkong.core.jurisdiction import collapse_scopes, in_scopes
from fangkong.core.models import TimeStampedModel

ROOT_SCOPE_MAX_LENGTH = 4  # a league-level scope key (``1529``) or shorter


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    failed_logins = models.PositiveIntegerField(_("failed logins in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("username",)

    def __str__(self) -> str:
        return self.display_name or self.username

    # --- what the user may do -------------------------------------------------------------

    @cached_property
    def _memberships(self) -> list[tuple[str, str]]:
        if not self.is_active or self.pk is None:
            return []
        return list(self.memberships.values_list("role", "division_code"))

    def clear_permission_cache(self) -> None:
        self.__dict__.pop("_memberships", None)

    @property
    def roles(self) -> set[str]:
        return {role for role, _code in self._memberships}

    def scope_keys(self, permission: str) -> list[str]:
        """Scope keys (division-code prefixes) where this user holds ``permission``."""
        perm = Perm(permission)
        keys = [
            code
            for role, code in self._memberships
            if perm in ROLE_PERMISSIONS[Role(role)]
            and (perm not in ROOT_ONLY or len(code) <= ROOT_SCOPE_MAX_LENGTH)
        ]
        return collapse_scopes(keys)

    def own_division_codes(self, permission: str) -> set[str]:
        """The divisions this user serves itself with ``permission`` (membership codes, exact).

        For the few jobs done by a division's own HQ and not by those above it (a banner
        reports its own 落实情况; the league that assigned the measure does not report for it).
        """
        perm = Perm(permission)
        return {code for role, code in self._memberships if perm in ROLE_PERMISSIONS[Role(role)]}

    def has_perm_anywhere(self, permission: str) -> bool:
        return bool(self.scope_keys(permission))

    def can(self, permission: str, division_code: str) -> bool:
        """Whether the user holds ``permission`` over the place ``division_code``."""
        return in_scopes(division_code, self.scope_keys(permission))

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class Membership(TimeStampedModel):
    """A role held in a division: ``commander`` of 阿拉善左旗, ``grassroots`` of a gacha."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=("user", "role", "division"), name="membership_unique_role_division"
            )
        ]
        ordering = ("division_code", "role")

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.division}"


def hash_token(raw: str) -> str:
    """Device tokens carry 256 bits of randomness, so one SHA-256 is enough to store them."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class DeviceToken(TimeStampedModel):
    """A bearer token for a device (a checkpoint phone, another system).

    Shown once, stored hashed.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="device_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("token prefix"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
