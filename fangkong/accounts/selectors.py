"""Reads and gatekeepers of accounts.

Gatekeepers (``access_*``) return the object or raise ``Http404``: outside the actor's
jurisdiction looks exactly like not found.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from fangkong.accounts.models import DeviceToken, Membership, User
from fangkong.accounts.roles import Perm
from fangkong.core.jurisdiction import scope_q
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, division_scope_key


def require_perm(actor: User, permission: str) -> list[str]:
    """The actor's scope keys for ``permission``; 404 when there are none."""
    keys = actor.scope_keys(permission) if actor.is_authenticated else []
    if not keys:
        raise Http404
    return keys


def access_division_by_code(actor: User, code: str, *, permission: str) -> Division:
    """A division inside the actor's jurisdiction for ``permission``, by any form of its code."""
    try:
        key = division_scope_key(code)
    except InvalidNumber:
        raise Http404 from None
    if not actor.can(permission, key):
        raise Http404
    division = Division.objects.filter(code=key).first()
    if division is None:
        raise Http404
    return division


def user_list(
    *, actor: User, q: str = "", role: str = "", active: bool | None = None
) -> QuerySet[User]:
    """Users holding any membership inside the actor's user-management jurisdiction."""
    keys = actor.scope_keys(Perm.USERS_MANAGE)
    inside = Membership.objects.filter(scope_q(keys), user=OuterRef("pk"))
    qs = User.objects.filter(Exists(inside))
    if q:
        text = q.strip()
        qs = qs.filter(
            Q(username__icontains=text) | Q(display_name__icontains=text) | Q(phone__endswith=text)
        )
    if role:
        qs = qs.filter(memberships__role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.distinct().prefetch_related("memberships__division").order_by("username")


def access_user_by_id(actor: User, user_id: int, *, write: bool = False) -> User:
    """A user the actor may see (any membership inside) or change (every membership inside)."""
    keys = actor.scope_keys(Perm.USERS_MANAGE)
    user = user_list(actor=actor).filter(pk=user_id).first()
    if user is None:
        raise Http404
    if write:
        codes = [m.division_code for m in user.memberships.all()]
        if not codes or not all(any(c.startswith(k) for k in keys) for c in codes):
            raise Http404
    return user


def access_token_by_id(actor: User, token_id: int) -> DeviceToken:
    token = DeviceToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise Http404
    if token.user_id != actor.pk:
        access_user_by_id(actor, token.user_id, write=True)
    return token


def divisions_for_grants(actor: User) -> QuerySet[Division]:
    """Divisions in which the actor may give roles."""
    return Division.objects.within_scopes(actor.scope_keys(Perm.USERS_MANAGE)).order_by("code")
