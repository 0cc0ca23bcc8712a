"""Error pages in the platform's own style, in production and under ``make run`` alike.

With ``DEBUG`` off Django calls the handlers below (``handler404`` … in ``fangkong.urls``).
With ``DEBUG`` on (``make run``) Django would instead show its technical pages, which list the
URL patterns and the settings: not what a demo's users should meet. ``StyledErrorPagesMiddleware``
serves the same styled pages under ``DEBUG`` too; ``FANGKONG_DEBUG_PAGES=1`` gives a developer
Django's technical pages back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, get_resolver
from django.utils.log import log_response

logger = logging.getLogger("django.request")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: whatever broke must not break the error page too.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def styled_pages_active() -> bool:
    """Whether the middleware stands in for Django's technical pages (only with DEBUG on)."""
    return bool(settings.DEBUG) and not getattr(settings, "FANGKONG_DEBUG_PAGES", False)


class StyledErrorPagesMiddleware:
    """Under DEBUG, answer an unknown URL and a failing view with the styled pages.

    Place it last in ``MIDDLEWARE`` so that the other middleware (sessions, the user, the
    language) have run and the 404 page renders with the user's menu and language. An unknown
    URL is found before the view is looked up (Django would raise ``Resolver404`` outside any
    middleware's reach); an exception in a view is answered in ``process_exception``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if styled_pages_active():
            urlconf = getattr(request, "urlconf", None)
            try:
                get_resolver(urlconf).resolve(request.path_info)
            except Resolver404:
                response = page_not_found(request)
                log_response("Not Found: %s", request.path, response=response, request=request)
                return response
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not styled_pages_active():
            return None
        if isinstance(exception, Http404):
            response = page_not_found(request, exception)
            log_response("Not Found: %s", request.path, response=response, request=request)
            return response
        if isinstance(exception, PermissionDenied):
            response = permission_denied(request, exception)
        elif isinstance(exception, BadRequest | SuspiciousOperation):
            response = bad_request(request, exception)
        else:
            # What Django does before its technical 500 page: tell the listeners (the test
            # client re-raises from this signal) and log the traceback.
            signals.got_request_exception.send(sender=None, request=request)
            logger.error(
                "Internal Server Error: %s",
                request.path,
                exc_info=(type(exception), exception, exception.__traceback__),
                extra={"status_code": 500, "request": request},
            )
            return server_error(request)
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
        )
        return response
