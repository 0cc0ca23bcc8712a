"""What every assistance page uses: the actor, pagination, the actor's home division."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest

from fangkong.assistance import selectors
from fangkong.divisions.models import Division

PAGE = 50
PERSONAL = "personal_data.view"


def _actor(request: HttpRequest, permission: str = selectors.VIEW) -> Any:
    user = request.user
    if not user.is_authenticated or not user.scope_keys(permission):
        raise Http404
    return user


def _page(request: HttpRequest, qs: Any) -> tuple[Any, str]:
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _home_division(actor: Any) -> Division:
    keys = actor.scope_keys(selectors.VIEW)
    return Division.objects.get(code=min(keys, key=len))
