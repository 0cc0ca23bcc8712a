"""One upload limit, before anything is read: every endpoint (pages and API, walked from the
URL configuration) answers a body declared over ``FANGKONG_MAX_UPLOAD_BYTES`` with 413, and
the endpoints that take files refuse a real oversize file with a clear message and write
nothing."""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from fangkong.accounts.roles import Role
from fangkong.assistance.models import Household
from fangkong.core.models import AuditEntry
from fangkong.core.uploads import FIELD_SLACK, LimitedUploadHandler, UploadTooLarge
from fangkong.passes.models import GreenPass
from fangkong.returnees.models import CensusJob, Person
from fangkong.test import BAYANHAOTE, LEFT_BANNER, BaseTestCase, make_user

LIMIT = 1024 * 1024
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_SAMPLE = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000001"}


def _route_text(pattern: Any) -> str | None:
    """A concrete path for a route pattern (``<int:id>`` → 1); None for a regex with groups."""
    route = getattr(pattern, "_route", None)
    if route is not None:
        return _CONVERTER.sub(lambda m: _SAMPLE.get(m.group(1) or "str", "x"), str(route))
    regex = str(pattern.regex.pattern)
    if "(" in regex:
        return None
    return regex.lstrip("^").rstrip("$").replace("\\", "")


def every_endpoint() -> list[str]:
    paths: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            text = _route_text(entry.pattern)
            if text is None:
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + text)
            elif isinstance(entry, URLPattern):
                paths.append("/" + prefix + text)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


@override_settings(FANGKONG_MAX_UPLOAD_BYTES=LIMIT)
class UploadLimitTests(BaseTestCase):
    def post_declared(self, client: Any, path: str, size: int) -> Any:
        body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("f.xlsx", b"PK")})
        return client.generic(
            "POST", path, body, content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(size)
        )

    def test_every_endpoint_refuses_a_body_declared_over_the_limit_before_reading_it(self):
        paths = every_endpoint()
        assert len(paths) > 150, paths  # pages and the API are both walked
        assert "/api/v1/assistance/households/import" in paths
        assert "/returnees/import/" in paths and "/passes/bulk/" in paths
        over = LIMIT + FIELD_SLACK + 1
        signed_in = self.client_for(self.officer)
        for client in (self.client, signed_in):
            for path in paths:
                response = self.post_declared(client, path, over)
                assert response.status_code == 413, (path, response.status_code)
        api = self.post_declared(signed_in, "/api/v1/assistance/households/import", over)
        assert api.json() == {"detail": "上传的文件为 2 MB，上限为 1 MB。请换一个较小的文件。"}
        page = self.post_declared(signed_in, "/returnees/import/", over).content.decode()
        assert "上传的文件为 2 MB，上限为 1 MB" in page and "未接收也未保存任何内容" in page

    def test_a_body_under_the_limit_reaches_the_endpoint(self):
        response = self.post_declared(
            self.client_for(self.officer), "/returnees/import/", LIMIT // 2
        )
        assert response.status_code != 413

    def test_every_file_taking_endpoint_refuses_a_real_oversize_file_and_writes_nothing(self):
        worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        caseworker = make_user("caseworker", Role.CASEWORKER, LEFT_BANNER)
        transport = make_user("transport", Role.TRANSPORT, LEFT_BANNER)
        big = b"PK\x03\x04" + b"\0" * (LIMIT + FIELD_SLACK)
        audit = AuditEntry.objects.count()
        cases = [
            (worker, "/returnees/import/", {"file": SimpleUploadedFile("c.xlsx", big)}),
            (caseworker, "/assistance/households/import/", {"file": SimpleUploadedFile("r.xlsx", big)}),  # noqa: E501
            (caseworker, "/api/v1/assistance/households/import", {"file": SimpleUploadedFile("r.xlsx", big)}),  # noqa: E501
            (transport, "/passes/bulk/", {"issuer": LEFT_BANNER, "file": SimpleUploadedFile("f.xlsx", big)}),  # noqa: E501
            (worker, "/community/gatherings/new/", {"photos": SimpleUploadedFile("p.jpg", big)}),
            (self.colleague, "/community/publicity/new/", {"file": SimpleUploadedFile("m.pdf", big)}),  # noqa: E501
        ]  # fmt: skip
        for user, path, data in cases:
            resolve(path)  # a real endpoint (the refusal comes before the view)
            response = self.client_for(user).post(path, data)
            assert response.status_code == 413, (path, response.status_code)
        assert not Person.objects.exists() and not CensusJob.objects.exists()
        assert not Household.objects.exists() and not GreenPass.objects.exists()
        assert AuditEntry.objects.count() == audit


@override_settings(FANGKONG_MAX_UPLOAD_BYTES=LIMIT)
def test_the_upload_handler_stops_a_body_whose_files_pass_the_limit_whatever_it_declared():
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("f.xlsx", b"x" * (LIMIT + 10))})
    meta = {
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(len(body)),
    }
    parser = MultiPartParser(meta, io.BytesIO(body), [LimitedUploadHandler()], "utf-8")
    try:
        parser.parse()
    except UploadTooLarge:
        pass
    else:  # pragma: no cover - the assertion below names the failure
        raise AssertionError("the oversize body was parsed")
