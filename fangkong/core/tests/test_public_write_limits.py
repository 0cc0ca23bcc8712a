"""Every write the public can make without logging in goes through the one rate limit.

The walk takes every URL the resolver knows (the pages of every app and every path of the JSON
API), asks each with every unsafe method as an anonymous client, twice, with the limit set to
one request: a request that is not turned away for want of a login (a redirect to the login
page, 401, 403) or for its method (405) reached a public write, and its second try must be
refused with 429. A new public form or API operation without ``fangkong.core.ratelimit``
fails here; so does a public page that answers a POST it does not need (give it
``require_safe``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, UUIDConverter
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from fangkong.accounts.api import anyone
from fangkong.api import api
from fangkong.core.models import RateLimitHit
from fangkong.core.ratelimit import PublicWriteThrottle, parse_rate
from fangkong.test import BaseTestCase

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")

#: Unauthenticated writes that are not public submissions, and why.
EXEMPT = {
    "accounts:login": "the login form: failed logins lock the account (FANGKONG_LOGIN_*)",
    "admin:login": "the admin's login form, the same accounts and the same lockout",
    "set_language": "stores the chosen language in a cookie; writes nothing on the server",
    "api-v1:verify": "a roadside scan: authenticated by the verifier's own device token",
    "passes-verify-api": "the same scan operation, matched ahead of the API",
    "admin:logout": "logging out: nothing to write for somebody not logged in",
    "api-v1:openapi-json": "Ninja's read-only schema view, whatever the method",
    "api-v1:openapi-view": "Ninja's read-only docs page, whatever the method",
    "api-v1:api-root": "Ninja's catch-all: 404 for every method",
}
#: What the walk must find among the limited writes (it proves the walk itself works).
KNOWN_PUBLIC = {
    "returnees:self-register",
    "community:public-report",
    "checkpoints:report-create",
    "assistance:help-ask",
    "assistance:help-status",
    "api-v1:help_public_create",
    "api-v1:help_public_status",
}

_SAMPLE = {
    IntConverter: "1",
    SlugConverter: "x",
    PathConverter: "x",
    UUIDConverter: str(uuid.UUID(int=1)),
}


def _sample_route(pattern: Any) -> str | None:
    """A concrete path for one URL pattern, or None for a regex we cannot fill in."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        converters = pattern.converters
        return re.sub(
            r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>",
            lambda m: _SAMPLE.get(type(converters[m.group("name")]), "x"),
            route,
        )
    regex = str(pattern._regex).lstrip("^").rstrip("$").replace("\\Z", "")
    if re.search(r"[()\[\]*+?{}|]", regex.replace("\\.", ".")):
        return None
    return regex.replace("\\", "")


def endpoints() -> Iterator[tuple[str, str]]:
    """(URL name, sample path) for every pattern the project routes."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            part = _sample_route(entry.pattern)
            if part is None:
                continue
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + part, inner)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else f"{prefix}{part}"
                yield name, "/" + prefix + part

    yield from walk(get_resolver().url_patterns, "", "")


def _protected(response: Any) -> bool:
    if response.status_code in (401, 403, 405):
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return any(location.startswith(page) for page in LOGIN_PAGES)


@override_settings(FANGKONG_PUBLIC_RATE_LIMIT="1/1h")
class PublicWriteLimitTests(BaseTestCase):
    def test_every_unauthenticated_write_is_rate_limited(self) -> None:
        walked = 0
        limited: dict[str, str] = {}
        unlimited: list[str] = []
        for name, path in endpoints():
            walked += 1
            for method in UNSAFE:
                client = Client(REMOTE_ADDR=f"198.51.100.{walked % 250 + 1}")
                first = client.generic(method, path)
                if _protected(first):
                    continue
                second = client.generic(method, path)
                if second.status_code == 429:
                    limited[name] = path
                    assert second["Retry-After"].isdigit(), (name, method)
                    body = second.content.decode()
                    if second["Content-Type"].startswith("application/json"):
                        body = second.json()["detail"]
                    assert "提交过于频繁" in body, (name, method, body[-600:])
                elif name not in EXEMPT:
                    unlimited.append(
                        f"{method} {path} ({name}): {first.status_code} then {second.status_code}"
                    )
        assert not unlimited, "public writes without the rate limit:\n" + "\n".join(unlimited)
        assert walked > 150, walked
        assert set(limited) >= KNOWN_PUBLIC, KNOWN_PUBLIC - set(limited)
        assert not set(limited) & set(EXEMPT)

    def test_the_refusal_is_a_styled_page_for_a_form_and_the_error_shape_for_the_api(self):
        client = Client()
        client.post("/checkpoints/report/", {})
        page = client.post("/checkpoints/report/", {})
        assert page.status_code == 429
        assert page["Content-Type"].startswith("text/html")
        html = page.content.decode()
        assert 'class="error-page"' in html
        assert "提交过于频繁，请 60 分钟后再试。" in html
        english = client.post("/checkpoints/report/", {}, HTTP_ACCEPT_LANGUAGE="en")
        assert "Please try again in 60 minutes." in english.content.decode()
        client.post("/api/v1/assistance/help/public", {}, content_type="application/json")
        api_refused = client.post(
            "/api/v1/assistance/help/public", {}, content_type="application/json"
        )
        assert api_refused.status_code == 429
        assert api_refused.json() == {"detail": "提交过于频繁，请 60 分钟后再试。"}
        assert int(api_refused["Retry-After"]) > 3500

    def test_every_unauthenticated_api_write_declares_the_throttle(self) -> None:
        public = []
        # The routers as bound to the API: with the API's auth and throttles applied.
        for router in api._get_bound_routers():
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    callbacks = operation.auth_callbacks
                    writes = set(operation.methods) & set(UNSAFE)
                    if (callbacks and anyone not in callbacks) or not writes:
                        continue
                    name = operation.view_func.__name__
                    if f"api-v1:{name}" in EXEMPT:
                        continue
                    public.append(name)
                    assert any(
                        isinstance(t, PublicWriteThrottle) for t in operation.throttle_objects
                    ), f"{name} is an unauthenticated write without PublicWriteThrottle"
        assert {"help_public_create", "help_public_status"} <= set(public), public


def test_the_rate_setting_is_read_and_a_bad_one_is_refused_with_its_name():
    assert parse_rate("10/10m") == (10, 600)
    assert parse_rate("5/h") == (5, 3600)
    assert parse_rate(" 3 / 1d ") == (3, 86400)
    for bad in ("", "10", "0/1m", "10/1w", "ten/1m", "10/2d"):
        with pytest.raises(ImproperlyConfigured, match="FANGKONG_PUBLIC_RATE_LIMIT"):
            parse_rate(bad)


@override_settings(FANGKONG_PUBLIC_RATE_LIMIT="2/10m")
class WindowTests(BaseTestCase):
    def test_the_limit_frees_up_as_the_window_moves_and_a_user_counts_as_themselves(self):
        start = timezone.now()
        anonymous = Client()
        with time_machine.travel(start, tick=False) as clock:
            for _ in range(2):
                assert anonymous.post("/checkpoints/report/", {}).status_code == 200
            assert anonymous.post("/checkpoints/report/", {}).status_code == 429
            # A logged-in colleague on the same network has their own count.
            assert (
                self.client_for(self.colleague).post("/checkpoints/report/", {}).status_code == 200
            )
            # Other endpoints count apart.
            assert anonymous.post("/assistance/help/status/", {}).status_code == 200
            clock.shift(timedelta(minutes=9, seconds=59))
            assert anonymous.post("/checkpoints/report/", {}).status_code == 429
            clock.shift(timedelta(seconds=2))
            assert anonymous.post("/checkpoints/report/", {}).status_code == 200
            # Reading the form is never counted.
            for _ in range(5):
                assert anonymous.get("/checkpoints/report/").status_code == 200
        assert RateLimitHit.objects.filter(scope="unauthorised-report").count() == 4
