"""One size limit for every upload, enforced before a byte of it is read.

``settings.FANGKONG_MAX_UPLOAD_BYTES`` (environment ``FANGKONG_MAX_UPLOAD_BYTES``, default
50 MB: the largest spreadsheet an importer takes) caps every request body on every endpoint,
pages and API alike:

- ``UploadLimitMiddleware`` answers 413 with a clear message, in the user's language, to any
  request whose declared length (``Content-Length``) is over the limit, before anything reads
  the body (the CSRF check, a form, the API);
- ``LimitedUploadHandler`` (first in ``FILE_UPLOAD_HANDLERS``) stops parsing a multipart body
  as soon as its files pass the limit, whatever it declared (under WSGI Django reads no more
  than the declared length anyway; the handler is the backstop elsewhere): a 400;
- each kind of file has its own, smaller limit, checked on ``upload.size`` before it is read
  (``fangkong.lib.spreadsheet.check_size``, the photo and attachment checks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

MB = 1024 * 1024
#: Form fields besides the files (a CSRF token, a few choices).
FIELD_SLACK = 64 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "FANGKONG_MAX_UPLOAD_BYTES", 50 * MB))


class UploadTooLarge(RequestDataTooBig):
    """A request body went over ``FANGKONG_MAX_UPLOAD_BYTES`` (a 400 where no middleware
    answers it first)."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


def too_large_response(request: HttpRequest, size: int | None) -> HttpResponse:
    limit = max_upload_bytes()
    if size:
        message = _(
            "The upload is %(size)d MB; the limit is %(limit)d MB. Send a smaller file."
        ) % {"size": -(-size // MB), "limit": limit // MB}
    else:
        message = _("The upload is larger than %(limit)d MB. Send a smaller file.") % {
            "limit": limit // MB
        }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


class UploadLimitMiddleware:
    """Refuse, with 413, a body declared larger than the limit before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        try:
            size = int(declared) if declared else 0
        except ValueError:
            size = 0
        if size > max_upload_bytes() + FIELD_SLACK:
            return too_large_response(request, size)  # nothing of the body has been read
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UploadTooLarge):
            return too_large_response(request, exception.size)
        return None


class LimitedUploadHandler(FileUploadHandler):
    """Stop reading a multipart body once its files pass the limit (a body without, or
    with a false, declared length)."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            raise UploadTooLarge(None)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
