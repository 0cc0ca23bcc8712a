"""The JSON API at /api/v1/: every app's router, one OpenAPI document."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, Throttled

from fangkong.accounts.api import API_AUTH
from fangkong.accounts.api import router as accounts_router
from fangkong.alerts.api import router as alerts_router
from fangkong.assistance.api import router as assistance_router
from fangkong.checkpoints.api import router as checkpoints_router
from fangkong.community.api import router as community_router
from fangkong.core.api_errors import install as install_error_contract
from fangkong.core.api_input import StrictParser
from fangkong.core.ratelimit import refusal_message
from fangkong.directives.api import router as directives_router
from fangkong.divisions.api import router as divisions_router
from fangkong.passes.api import router as passes_router
from fangkong.returnees.api import router as returnees_router

api = NinjaAPI(
    title="Fangkong API",
    version="1",
    description=(
        "Fangkong (防控) command platform API. Authenticate with the browser session "
        "(plus the CSRF token on writes) or a device token: `Authorization: Bearer fk_…`."
    ),
    auth=API_AUTH,
    urls_namespace="api-v1",
    parser=StrictParser(),  # no NUL, lone surrogate, NaN or deep nesting reaches a schema
)


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Authentication required: log in or send a device token."}, status=401
    )


install_error_contract(api)  # 422 (field → messages), 409, 404, 413: fangkong.core.api_errors


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = int(exc.wait or 60)
    response = api.create_response(request, {"detail": refusal_message(wait)}, status=429)
    response["Retry-After"] = str(wait)
    return response


api.add_router("", accounts_router)
api.add_router("", divisions_router)
api.add_router("", community_router)
api.add_router("", checkpoints_router)
api.add_router("", passes_router)
api.add_router("", assistance_router)
api.add_router("", directives_router)
api.add_router("", returnees_router)
api.add_router("", alerts_router)
