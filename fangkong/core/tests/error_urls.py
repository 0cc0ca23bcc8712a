"""The project's URLs plus views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from fangkong.urls import urlpatterns as project_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def missing(request: HttpRequest) -> HttpResponse:
    raise Http404("no such record")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def links(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        '<a href="/test-errors/links/">self</a> <a href="/no/such/page/#top">missing</a> '
        '<a href="https://example.org/">elsewhere</a> <a href="mailto:hq@example.org">mail</a> '
        '<a href="/test-errors/boom/">boom</a>'
    )


urlpatterns = [
    path("test-errors/links/", links),
    path("test-errors/boom/", boom),
    path("test-errors/missing/", missing),
    path("test-errors/forbidden/", forbidden),
    *project_urlpatterns,
]
