"""Sliding session expiry without a database write on every request.

A session expires after ``SESSION_COOKIE_AGE`` of inactivity. Django's
``SESSION_SAVE_EVERY_REQUEST`` would slide the expiry by rewriting the session row on every
request, which at the evening peak is one more write per page for every worker. Instead, a
signed-in user's session is saved (and so its expiry slid forward) at most once every
``FANGKONG_SESSION_REFRESH_SECONDS``; the expiry is therefore at most that much earlier than
with a write per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

#: The session key holding when the session was last slid forward (seconds since the epoch).
SEEN_KEY = "_fk_refreshed"


class SlidingSessionMiddleware:
    """Marks a signed-in session modified when its last refresh is older than the interval."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.interval = int(getattr(settings, "FANGKONG_SESSION_REFRESH_SECONDS", 300))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if not isinstance(seen, int) or not 0 <= now - seen < self.interval:
                request.session[SEEN_KEY] = now  # modified: saved with a fresh expiry
        return self.get_response(request)
