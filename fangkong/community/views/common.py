"""What every community page uses: the actor, the page size, the query string."""

from __future__ import annotations

from django.http import HttpRequest

from fangkong.accounts.models import User

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
