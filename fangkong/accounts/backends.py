"""Password authentication with lockout after repeated failures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from fangkong.accounts.models import User
from fangkong.accounts.services import login_failed, login_succeeded


class LockoutModelBackend(ModelBackend):
    """Django's backend, plus: a locked account is refused, failures are counted."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            # Same cost as a real check, so timing does not reveal which names exist.
            User().set_password(password)
            return None
        if user.is_locked():
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            login_succeeded(user=user)
            return user
        if user.is_active:
            login_failed(user=user)
        return None
