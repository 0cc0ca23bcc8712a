"""API authentication (session or device token) and ``/me``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.accounts.services import token_authenticate

router = Router(tags=["accounts"])


class BearerToken(HttpBearer):
    """``Authorization: Bearer fk_…``: a device token.

    A caller that sends the header and is not let in by it (an unknown, revoked or malformed
    token, or another scheme) is answered 401 at once, on every method: it does not fall
    through to the session, whose CSRF check would answer a write 403."""

    def __call__(self, request: HttpRequest) -> User | None:
        if not request.META.get("HTTP_AUTHORIZATION"):
            return None  # what ninja answers too, without building ``request.headers`` first
        user: User | None = super().__call__(request)
        if user is None:
            raise AuthenticationError()
        return user

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's login session; unsafe methods also need the CSRF token.

    Only a caller that sends a session cookie is checked for the CSRF token: one without a
    session has nothing a forged request could use, and is answered 401 like any caller
    without credentials."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


API_AUTH = [BearerToken(), SessionAuth()]


class _Anonymous:
    """``request.auth`` of a caller of a public operation with no credentials."""

    is_authenticated = False


ANONYMOUS = _Anonymous()


def anyone(request: HttpRequest) -> _Anonymous:
    return ANONYMOUS


#: A public operation (no login; rate-limited): anyone, except a caller with a bad token.
PUBLIC_AUTH = [BearerToken(), anyone]


class MembershipOut(Schema):
    role: str
    division_code: str
    division_name: str


class MeOut(Schema):
    username: str
    display_name: str
    memberships: list[MembershipOut]
    permissions: dict[str, list[str]]


@router.get("/me", response=MeOut, summary="Who am I, and what may I do where")
def me(request: HttpRequest) -> MeOut:
    user: User = request.auth  # type: ignore[attr-defined]
    memberships = [
        MembershipOut(role=m.role, division_code=m.division_code, division_name=str(m.division))
        for m in user.memberships.select_related("division").order_by("division_code")
    ]
    permissions = {p.value: user.scope_keys(p.value) for p in Perm if user.scope_keys(p.value)}
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        memberships=memberships,
        permissions=permissions,
    )
