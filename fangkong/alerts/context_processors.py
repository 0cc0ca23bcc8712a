from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from fangkong.alerts.selectors import unread_count


def alerts(request: HttpRequest) -> dict[str, Any]:
    """``alerts_unread``: the header badge's count, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"alerts_unread": SimpleLazyObject(lambda: unread_count(user))}
