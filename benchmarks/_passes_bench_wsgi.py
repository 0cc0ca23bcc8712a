"""WSGI app for ``bench_passes_verify_api.py``: the project plus one bare JSON view (the floor).

Served by gunicorn in a subprocess; not part of the product's URLs.
"""

from __future__ import annotations

import json
import os

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402

import fangkong.urls  # noqa: E402


@csrf_exempt
def bare(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body or b"{}")
    return JsonResponse({"valid": False, "reason": "bare", "claims": None, "echo": len(body)})


urlpatterns = [path("bench/bare/", bare), *fangkong.urls.urlpatterns]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
