"""One rate limit for every write the public can make without logging in.

Self-registration, the gathering and unauthorised-checkpoint reports, the help request (page
and API) and the help-request status look-up all go through :func:`allow`: as a decorator on
a Django view (:func:`public_write`) or as a throttle on an API operation
(:class:`PublicWriteThrottle`). Each endpoint counts in its own *scope*; endpoints that do the
same thing (the help request by page and by API) share one.

A client is counted by its address as ``TrustedProxyMiddleware`` left it in ``REMOTE_ADDR``
(behind a trusted proxy: the real client's), an IPv6 address by its /64 network
(``fangkong.lib.netaddr.limit_key``), and stored only as a keyed hash; a logged-in user using
a public page is counted as themselves. ``FANGKONG_PUBLIC_RATE_LIMIT`` (``"10/10m"``: ten
submissions in ten minutes, per client and scope) is the one setting. Only unsafe methods
count; the count happens before the view reads the request, so a refused request does no
work, and an invalid submission counts like any other.

``test_public_write_limits`` walks every URL and API operation: a write reachable without login
that does not go through here fails it.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.throttling import BaseThrottle

from fangkong.core.models import RateLimitHit
from fangkong.lib.netaddr import limit_key

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
DEFAULT_RATE = "10/10m"
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: Counts older than this are deleted (the longest window anyone would configure).
_KEEP = timedelta(days=1)

V = TypeVar("V", bound=Callable[..., HttpResponse])


def parse_rate(text: str) -> tuple[int, int]:
    """``"10/10m"`` → (10, 600): so many requests in so many seconds."""
    match = _RATE.match(text or "")
    if match is None or int(match.group(1)) < 1:
        raise ImproperlyConfigured(
            f"FANGKONG_PUBLIC_RATE_LIMIT={text!r}: expected requests/period such as 10/10m "
            "(s, m, h or d)"
        )
    count, multiple, unit = match.groups()
    seconds = int(multiple or 1) * _UNIT_SECONDS[unit]
    if seconds < 1 or seconds > _KEEP.total_seconds():
        raise ImproperlyConfigured(
            f"FANGKONG_PUBLIC_RATE_LIMIT={text!r}: the period must be between 1s and 1d"
        )
    return int(count), seconds


def rate() -> tuple[int, int]:
    return parse_rate(getattr(settings, "FANGKONG_PUBLIC_RATE_LIMIT", DEFAULT_RATE))


def client_of(request: HttpRequest) -> str:
    """Who is counted: the logged-in user, or the client's network as a keyed hash."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    address = limit_key(str(request.META.get("REMOTE_ADDR", "")))
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()
    return f"ip:{digest[:40]}"


def allow(request: HttpRequest, scope: str) -> int | None:
    """Count this request in ``scope``; None when allowed, else the seconds to wait."""
    if request.method in SAFE_METHODS:
        return None
    limit, seconds = rate()
    client = client_of(request)
    now = timezone.now()
    since = now - timedelta(seconds=seconds)
    with transaction.atomic():
        RateLimitHit.objects.filter(at__lt=now - _KEEP).delete()
        recent = list(
            RateLimitHit.objects.filter(scope=scope, client=client, at__gte=since)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            # Free again when the oldest of the last ``limit`` leaves the window.
            return max(1, math.ceil((recent[-1] - since).total_seconds()))
        RateLimitHit.objects.create(scope=scope, client=client, at=now)
    return None


def refusal_message(wait: int) -> str:
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "Too many submissions from this network. Please try again in %(n)d minute.",
        "Too many submissions from this network. Please try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def refused_page(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(
        request,
        "429.html",
        {"message": refusal_message(wait), "title": _("Too many submissions")},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def public_write(scope: str) -> Callable[[V], V]:
    """Limit a Django view's unsafe requests in ``scope``; refused ones get the 429 page."""

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            wait = allow(request, scope)
            if wait is not None:
                return refused_page(request, wait)
            return view(request, *args, **kwargs)

        wrapper.public_write_scope = scope  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


class PublicWriteThrottle(BaseThrottle):
    """The same limit on an API operation (``throttle=PublicWriteThrottle("scope")``).

    Ninja checks throttles before it reads the body, so a refused request does no work; it
    answers ``Throttled`` (429), which the API's handler words like the page."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self._wait = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        wait = allow(request, self.scope)
        self._wait.value = wait
        return wait is None

    def wait(self) -> float | None:
        value: int | None = getattr(self._wait, "value", None)
        return None if value is None else float(value)
